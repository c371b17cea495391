"""Reports say what the policy said: its band names, its discount rate, the scale's labels."""

from unicodedata import east_asian_width

import pytest

from mteam.errors import InvalidInputError
from mteam.io import analyse_sample, load_sample_team
from mteam.membership.analysis import MembershipPolicy
from mteam.membership.units import Rate, TimeUnit
from mteam.performance.composite import Band, RatingBands
from mteam.report import format_member_report, format_report
from mteam.review import ReviewPolicy, run_review
from mteam.scales import RatingScale

BANDS = RatingBands([Band(1, "Bronze", 0), Band(2, "Silver", 0.6), Band(3, "Gold", 0.8)])


def test_the_review_report_prints_the_policys_band_names():
    text = format_report(run_review(load_sample_team(), ReviewPolicy(bands=BANDS)))
    bands = text[text.index("Bands") : text.index("Bonus pool")]
    assert "Bronze" in bands
    assert "Silver" in bands
    assert "Gold" in bands
    for default in ("needs improvement", "meets expectations", "outstanding"):
        assert default not in text


def test_skill_levels_carry_the_scales_labels():
    outcome = run_review(load_sample_team())
    text = format_report(outcome, member_id="m02")
    gap = next(g for m in outcome.members if m.member_id == "m02" for g in m.gaps)
    assert (
        f"{gap.required} " + ["none", "awareness", "working", "proficient", "expert"][gap.required]
        in text
    )
    scale = RatingScale(0, 4, integral=True, labels=("zero", "one", "two", "three", "four"))
    custom = format_report(outcome, member_id="m02", proficiency_scale=scale)
    assert f"{gap.required} {scale.label(gap.required)}" in custom
    with pytest.raises(InvalidInputError, match="proficiency_scale"):
        format_report(outcome, proficiency_scale=None)


@pytest.mark.parametrize(("rate", "shown"), [(0.01, "1 %"), (0.025, "2.5 %")])
def test_the_member_report_states_the_policys_discount_rate(rate, shown):
    policy = MembershipPolicy(discount_rate=Rate(rate, TimeUnit.MONTH), gross_margin=0.4)
    text = format_member_report(analyse_sample(policy), policy)
    line = next(x for x in text.splitlines() if x.startswith("CLTV"))
    assert f"discount {shown} per month" in line
    assert "gross margin 40 %" in line


def _section(text, heading):
    """The lines of a report section: from its heading to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading)
    end = lines.index("", start)
    return lines[start + 1 : end]


@pytest.fixture(scope="module")
def sample():
    return analyse_sample()


def test_the_member_report_names_segments_and_tiers_in_traditional_chinese(sample):
    text = format_member_report(sample, language="zh-Hant")
    segments = _section(text, "RFM SEGMENTS")[1:]  # after the header row
    assert [line.split()[0] for line in segments] == [
        "冠軍會員",
        "忠誠會員",
        "新會員",
        "潛力忠誠會員",
        "需要關注的會員",
        "不能流失的會員",
        "有流失風險的會員",
        "沉睡會員",
    ]
    assert [line.split()[1] for line in segments] == [
        f"{n:,}" for n in sample.segment_counts.values()
    ]
    lines = text.splitlines()
    tiers = lines[lines.index("TIERS (trailing 12-month spend)") + 2 :]
    assert [line.split()[0] for line in tiers] == ["一般會員", "銀卡會員", "金卡會員", "白金會員"]
    # wide characters count as two columns: the counts stay right-aligned
    widths = {sum(2 if east_asian_width(c) in "WF" else 1 for c in line) for line in tiers}
    assert len(widths) == 1
    # English is as before, and the rest of the report does not change with the language
    english = format_member_report(sample)
    assert "Champions" in english
    assert "Champions" not in text
    assert english.splitlines()[:20] == text.splitlines()[:20]


def test_the_member_report_uses_the_policys_tier_labels(sample):
    from decimal import Decimal  # noqa: PLC0415

    from mteam.labels import Label  # noqa: PLC0415
    from mteam.membership.tiers import Tier, TierPolicy  # noqa: PLC0415

    policy = MembershipPolicy(
        tiers=TierPolicy(
            [
                Tier(Label("Member", "會員"), Decimal(0)),
                Tier(Label("Silver", "銀級"), Decimal(5000)),
                Tier("Gold", Decimal(20000)),  # no Chinese name: shown in English
                Tier(Label("Platinum", "白金級"), Decimal(60000)),
            ]
        )
    )
    text = format_member_report(sample, policy, language="zh-Hant")
    lines = text.splitlines()
    tiers = lines[lines.index("TIERS (trailing 12-month spend)") + 2 :]
    assert [line.split()[0] for line in tiers] == ["會員", "銀級", "Gold", "白金級"]
    with pytest.raises(InvalidInputError, match="language"):
        format_member_report(sample, language="fr")
