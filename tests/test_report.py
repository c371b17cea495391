"""Reports say what the policy said: its band names, its discount rate, the scale's labels."""

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
