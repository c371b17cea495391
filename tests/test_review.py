"""The review cycle end to end, on the bundled sample team, with figures worked out by hand."""

import io
import json
import random
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.cli import main
from mteam.errors import InvalidInputError
from mteam.io import dumps, load_sample_team, loads, sample_team_text, unstructure
from mteam.performance.composite import CompositePolicy
from mteam.performance.kpi import KpiPolicy
from mteam.report import format_report
from mteam.review import (
    ReviewOutcome,
    ReviewPolicy,
    TeamDocument,
    run_review,
    validate_document,
)
from mteam.roles import Role, SkillRequirement
from mteam.training import TrainingPolicy

DOC = load_sample_team()
OUTCOME = run_review(DOC)
RAW = json.loads(sample_team_text())


def test_kpi_scorecards_by_hand():
    # m01: retention 93 is above its stretch 92 and purchase frequency 3.1 above 3.0: 1.5 each
    assert OUTCOME.member("m01").scorecard.score == 1.5
    # m02: retention 80 is half-way from 75 to 85 -> 0.75; frequency 2.1 is a quarter of the
    # way from 2.0 to 2.4 -> 0.625; weights 60 / 40 -> 0.45 + 0.25 = 0.7
    assert OUTCOME.member("m02").scorecard.score == pytest.approx(0.7)
    # m04: on time 90 between 85 and 95 -> 0.75; forecast error 12 (lower is better) between
    # threshold 15 and target 10 -> 0.5 + 0.5 * 3/5 = 0.8; 50 / 50 -> 0.775
    assert OUTCOME.member("m04").scorecard.score == pytest.approx(0.775)
    # m09: ROAS 2.8 below its threshold 3.0 -> 0; CPA 310 against 250 (lower is better, no
    # threshold) -> 250/310; weights 60 / 40
    assert OUTCOME.member("m09").scorecard.score == pytest.approx(0.4 * 250 / 310)


def group_means(ratee, competency):
    groups = {}
    for r in RAW["ratings"]:
        if r["ratee_id"] == ratee and r["competency_id"] == competency:
            groups.setdefault(r["relation"], []).append(r["score"])
    return groups


def test_feedback_by_hand_including_the_merged_and_the_dropped_group():
    # m01 on communication: two direct reports and one customer are each below 3 raters;
    # merged they make 3 raters, weighted 0.2 + 0.1.
    g = group_means("m01", "communication")
    others_small = g["direct_report"] + g["customer"]
    expected = (
        0.4 * g["manager"][0] + 0.3 * sum(g["peer"]) / len(g["peer"]) + 0.3 * sum(others_small) / 3
    )
    comp = next(
        c for c in OUTCOME.member("m01").feedback.competencies if c.competency_id == "communication"
    )
    assert [x.group for x in comp.groups] == ["manager", "peer", "others"]
    assert comp.others == pytest.approx(expected)
    # m10: only two direct reports and no other small group: dropped, manager alone counts
    m10 = OUTCOME.member("m10").feedback
    for c in m10.competencies:
        assert [x.group for x in c.groups] == ["manager"]
        assert c.others == group_means("m10", c.competency_id)["manager"][0]
        assert c.suppressed[0].action == "dropped"
    # m09 rates themself a point above others on two competencies; m11 a point below on one
    assert OUTCOME.member("m09").feedback.blind_spots == ("collaboration", "creative_thinking")
    assert OUTCOME.member("m11").feedback.hidden_strengths == ("collaboration",)


def test_composite_by_hand():
    # m02: KPI 0.7; feedback normalised (others - 1) / 4; projects: loyalty-tiers 3.5 -> 0.625;
    # self 4.0 -> 0.75; learning 12 of 24 hours -> 0.5; default weights add up to 1.
    m02 = OUTCOME.member("m02")
    feedback = (m02.feedback.others_score - 1) / 4
    expected = 0.45 * 0.7 + 0.25 * feedback + 0.15 * 0.625 + 0.05 * 0.75 + 0.10 * 0.5
    assert m02.composite.score == pytest.approx(expected)
    assert m02.band == 2
    # m10 has two projects: 4.5 with a 30 % share and 4.0 with 20 %:
    # (0.3 * 0.875 + 0.2 * 0.75) / 0.5 = 0.825
    projects = next(c for c in OUTCOME.member("m10").composite.components if c.name == "projects")
    assert projects.value == pytest.approx(0.825)


def test_bands_by_hand():
    counts = dict.fromkeys(range(1, 6), 0)
    for m in OUTCOME.members:
        score = m.composite.score
        expected = 1 + (score >= 0.5) + (score >= 0.7) + (score >= 0.9) + (score >= 1.05)
        assert m.band == expected
        counts[expected] += 1
    assert OUTCOME.summary.band_counts == counts == {1: 1, 2: 2, 3: 3, 4: 4, 5: 2}


def test_bonus_pool_by_hand():
    # Targets are 10 % of salary, the cap 1.4 x the prorated target, band multipliers
    # 0 / 0.5 / 1 / 1.25 / 1.5. m01 and m03 (band 5, x1.5) reach their caps: 134,400 and
    # 151,200. m09 (band 1) is not eligible. The other 714,400 is split by weight.
    prorate = {"m04": Fraction(214, 365), "m12": Fraction(304, 365)}  # hired 1 June; left 31 Oct
    multiplier = {1: 0, 2: Fraction(1, 2), 3: 1, 4: Fraction(5, 4), 5: Fraction(3, 2)}
    salary = {m.id: m.base_salary for m in DOC.members}
    band = {m.member_id: m.band for m in OUTCOME.members}
    weights = {
        mid: Fraction(salary[mid]) / 10 * multiplier[band[mid]] * prorate.get(mid, 1)
        for mid in salary
        if mid not in ("m01", "m03", "m09")
    }
    rest = Fraction(1_000_000 - 134_400 - 151_200)
    amounts = OUTCOME.bonus.amounts()
    assert amounts["m01"] == Decimal(134400)
    assert amounts["m03"] == Decimal(151200)
    assert amounts["m09"] == 0
    assert OUTCOME.bonus.line("m09").reason == "band 1 is below the minimum band 2"
    total = sum(weights.values())
    for mid, w in weights.items():
        assert abs(Fraction(amounts[mid]) - rest * w / total) < 1
    assert amounts["m10"] == Decimal(152507)  # 150,000 x 714,400 / 702,658.2...
    assert sum(amounts.values()) == Decimal(1_000_000)
    assert OUTCOME.bonus.unallocated == 0
    assert [line.member_id for line in OUTCOME.bonus.lines if line.capped] == ["m01", "m03"]
    assert OUTCOME.summary.fairness.fair


def test_recognition_by_hand():
    # In order of composite: m01 promotion; m03 conference; m05 flex; m07 the last conference
    # ticket; m10 spotlight; m08 wanted the promotion or a conference, both gone; m11 gift;
    # m12 gift; m04 flex (the last); m06 gift; m02 cannot have flex (band 2), gets the last
    # gift; m09 (band 1) qualifies for neither.
    assert OUTCOME.recognition.rewards == {
        "m01": "promotion",
        "m02": "gift",
        "m03": "conference",
        "m04": "flex",
        "m05": "flex",
        "m06": "gift",
        "m07": "conference",
        "m08": None,
        "m09": None,
        "m10": "spotlight",
        "m11": "gift",
        "m12": "gift",
    }


def test_gaps_and_training_by_hand():
    m04 = OUTCOME.member("m04")
    # data analyst: statistics 3 (x2, a must-have) has 2; data visualisation 2 (x2) has 1;
    # report writing 2 (x1) has 1. Report writing and statistics are linked to KPIs m04
    # missed (on-time reports, forecast error), so their priority is x1.5.
    assert [(g.skill_id, g.gap, g.priority) for g in m04.gaps] == [
        ("data_visualisation", 1, 2.0),
        ("report_writing", 1, 1.5),
        ("statistics", 1, 3.0),
    ]
    # readiness: (3*3 + 2*2 + 2*1 + 1*1 + 1*2) / (9 + 6 + 4 + 2 + 2) = 18/23
    assert m04.readiness == pytest.approx(18 / 23)
    plan = OUTCOME.training
    assert plan.method == "exact"
    assert plan.cost <= Decimal(50000)
    assert plan.gap_before == pytest.approx(24.5)
    assert {(a.member_id, a.course_id) for a in m04.training} == {
        ("m04", "dataviz-workshop"),
        ("m04", "stats-online"),
    }
    assert any(o.reason == "budget" for o in plan.open_gaps)
    assert any(o.reason == "no course" for o in plan.open_gaps)


def test_team_summary():
    s = OUTCOME.summary
    assert s.members == 12
    assert s.band_names[5].en == "outstanding"
    assert "seo" in {f.skill_id for f in s.bus_factor_flags}
    for counts in s.coverage.values():
        assert sum(counts.values()) == 12
    assert s.skill_needs[0].skill_id == "data_analysis"


def test_outcome_round_trips_and_renders():
    assert loads(ReviewOutcome, dumps(OUTCOME)) == OUTCOME
    assert repr(OUTCOME).startswith("ReviewOutcome(team='Membership marketing', members=12")
    html = OUTCOME._repr_html_()
    assert html.startswith('<div class="mteam-result">')
    assert "林怡君" in html
    rows = OUTCOME.to_records()
    assert len(rows) == 12
    assert rows[0]["member_id"] == "m01"
    assert rows[0]["capped"]
    with pytest.raises(InvalidInputError):
        OUTCOME.member("nobody")


def test_the_text_report_never_names_a_rater():
    text = format_report(OUTCOME)
    assert text.startswith("Membership marketing: review 2026-01-01 to 2026-12-31")
    for rater in ("director", "customer-aurora"):
        assert rater not in text
    assert "anonymity: direct_report dropped" in text
    assert "anonymity: customer merged" in text
    assert "outstanding" in text
    one = format_report(OUTCOME, "m04", language="zh-Hant")
    assert "達到期望" in one
    assert "m05  李佩珊" not in one
    outsiders = {r["rater_id"] for r in RAW["ratings"]} - {m["id"] for m in RAW["members"]}
    payload = dumps(OUTCOME)
    for rater in outsiders:
        assert rater not in payload


def shuffled(doc, rnd):
    def mix(items):
        items = list(items)
        rnd.shuffle(items)
        return items

    return attrs.evolve(
        doc,
        members=mix(doc.members),
        ratings=mix(doc.ratings),
        projects=mix(doc.projects),
        kpis=mix(doc.kpis),
        rewards=mix(doc.rewards),
        courses=mix(doc.courses),
        skills=mix(doc.skills),
        roles=mix(doc.roles),
    )


@settings(max_examples=10)
@given(st.randoms(use_true_random=False))
def test_shuffling_every_list_leaves_the_outcome_unchanged(rnd):
    # (a member's reward preferences are a ranking, whose order is its meaning)
    assert run_review(shuffled(DOC, rnd)) == OUTCOME


def test_a_policy_changes_the_outcome():
    policy = ReviewPolicy(forced_distribution={3: 0.25, 2: 0.5, 1: 0.25})
    outcome = run_review(DOC, policy)
    assert outcome.summary.forced_distribution.targets == {1: 3, 2: 6, 3: 3}
    assert sorted(outcome.summary.band_counts.items())[:3] == [(1, 3), (2, 6), (3, 3)]
    only_kpi = run_review(DOC, ReviewPolicy(composite=CompositePolicy({"kpi": 1})))
    assert only_kpi.member("m01").composite.score == 1.5
    assert loads(ReviewPolicy, dumps(policy)) == policy


def test_without_a_pool_bonuses_are_target_times_multiplier():
    outcome = run_review(attrs.evolve(DOC, bonus_pool=None))
    assert outcome.bonus.pool is None
    # m02: 72,000 x 0.5
    assert outcome.bonus.line("m02").amount == Decimal(36000)


# --- broken documents ------------------------------------------------------------------------


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, data):
    path = tmp_path / "team.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def broken(change):
    data = json.loads(sample_team_text())
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ("{not json", ["$: not valid JSON: Expecting property name enclosed in double quotes"]),
        ([1, 2], ["$: expected an object"]),
        (broken(lambda d: d.update(colour="blue")), ["$: extra fields found (colour)"]),
        (
            broken(lambda d: d["members"][2].update(role="astronaut")),
            ["$.members[2].role: unknown role 'astronaut'"],
        ),
        (
            broken(lambda d: d["members"][0]["skills"].update(golf=3)),
            ["$.members[0].skills['golf']: unknown skill 'golf'"],
        ),
        (
            broken(lambda d: d["members"][0]["skills"].update(seo=7)),
            [
                (
                    "$.members[0].skills['seo']: must be a whole level 0..4 "
                    "of the proficiency scale, got 7"
                )
            ],
        ),
        (broken(lambda d: d.update(currency="XYZ")), ["$.currency: unknown currency 'XYZ'"]),
        (
            broken(lambda d: d.update(bonus_pool="1000000.50")),
            ["$.bonus_pool: has more decimals than TWD allows"],
        ),
        (
            broken(lambda d: d["courses"][0].update(cost="12.5")),
            ["$.courses[0].cost: has more decimals than TWD allows"],
        ),
        (
            broken(lambda d: d["members"][1].update(base_salary=72000.5)),
            ["$.members[1].base_salary: expected a decimal string"],
        ),
        (
            broken(lambda d: d["members"][3].update(hired_on="2026-13-01")),
            ["$.members[3].hired_on: invalid date '2026-13-01'"],
        ),
        (
            broken(
                lambda d: (d["members"][0].update(role="x"), d["ratings"][0].update(ratee_id="zz"))
            ),
            ["$.members[0].role: unknown role 'x'", "$.ratings[0].ratee_id: unknown member 'zz'"],
        ),
        (
            broken(lambda d: d["members"].append(dict(d["members"][0]))),
            ["$.members[12].id: duplicate id 'm01'"],
        ),
        (
            broken(lambda d: d["ratings"][0].update(score=9)),
            ["$.ratings[0].score: must be within 1..5"],
        ),
        (
            broken(lambda d: d.update(period={"start": "2026-12-31", "end": "2026-01-01"})),
            ["$.period.end: must not be before start"],
        ),
    ],
)
def test_broken_documents_exit_2_with_every_problem_by_path(tmp_path, data, problems):
    code, out, err = cli("review", write(tmp_path, data))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    for problem in problems:
        assert problem in err
    if len(problems) > 1:
        assert f"{len(problems)} problems" in err


def test_cli_review_and_schema(tmp_path):
    code, out, err = cli("review")
    assert code == 0
    assert err == ""
    assert out == format_report(OUTCOME)
    code, out, _ = cli("review", "--format", "json")
    assert loads(ReviewOutcome, out) == OUTCOME
    code, out, _ = cli("review", "--member", "m04", "--format", "json")
    assert json.loads(out)["member_id"] == "m04"
    code, out, _ = cli("example")
    assert loads(TeamDocument, out) == DOC
    path = write(tmp_path, out)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"forced_distribution": {"3": 0.25, "2": 0.5, "1": 0.25}}))
    code, out, _ = cli("review", path, "--policy", str(policy), "--member", "m01")
    assert code == 0
    assert "m01  林怡君" in out
    code, _, err = cli("review", "--member", "nobody")
    assert code == 2
    assert "unknown member 'nobody'" in err
    policy.write_text(json.dumps({"forced": 1}))
    code, _, err = cli("review", "--policy", str(policy))
    assert code == 2
    assert "extra fields found (forced)" in err
    code, _, err = cli("review", str(tmp_path / "missing.json"))
    assert code == 2
    assert "cannot read" in err


def test_validate_document_lists_nothing_for_the_sample():
    assert validate_document(DOC) == []
    bad = attrs.evolve(DOC, training_budget=Decimal("0.5"))
    assert [str(p) for p in validate_document(bad)] == [
        "$.training_budget: has more decimals than TWD allows (0), got 0.5"
    ]


def test_errors_inside_a_step_get_a_json_path():
    data = broken(lambda d: d["members"][0]["kpis"].update(retention_rate=float("inf")))
    with pytest.raises(InvalidInputError):
        loads(TeamDocument, json.dumps(data))
    # a policy that requires the weights to add up to 100: the sample's do not
    policy = ReviewPolicy(kpi=KpiPolicy(weights_sum_to_100=True))
    with pytest.raises(InvalidInputError) as info:
        run_review(DOC, policy)
    # the member by position in the path (the document's order), by id in the message
    assert info.value.path == "$.members[10].kpis"
    assert info.value.message.endswith("(member 'm11')")


def test_a_step_error_about_a_rating_names_its_position_only():
    ratings = [*DOC.ratings[:3], attrs.evolve(DOC.ratings[3], score=6), *DOC.ratings[4:]]
    with pytest.raises(InvalidInputError) as info:
        run_review(attrs.evolve(DOC, ratings=ratings))
    assert re.fullmatch(r"\$\.ratings\[3\]\.score", info.value.path)
    assert not any(r.rater_id in str(info.value) for r in DOC.ratings)


def test_a_document_of_custom_skills_and_roles_without_the_catalog():
    doc = loads(
        TeamDocument,
        json.dumps(
            {
                "name": "Tiny",
                "currency": "USD",
                "period": {"start": "2026-01-01", "end": "2026-06-30"},
                "use_builtin_catalog": False,
                "skills": [{"id": "tiktok", "name": "TikTok", "category": "hard"}],
                "roles": [
                    {
                        "id": "creator",
                        "title": "Creator",
                        "requirements": [
                            {"skill_id": "tiktok", "level": 3, "importance": 1, "must_have": False}
                        ],
                    }
                ],
                "members": [
                    {
                        "id": "a",
                        "name": "A",
                        "role": "creator",
                        "hired_on": "2025-01-01",
                        "target_bonus": "500.00",
                        "skills": {"tiktok": 2},
                        "self_assessment": 4,
                    }
                ],
                "bonus_pool": "500.00",
            }
        ),
    )
    outcome = run_review(doc)
    assert outcome.member("a").bonus.amount == Decimal("500.00")
    assert outcome.member("a").gaps[0].skill_id == "tiktok"
    assert outcome.training.open_gaps[0].reason == "no course"
    assert unstructure(outcome)["currency"] == "USD"
    assert outcome.period.end == date(2026, 6, 30)


def test_random_shuffle_helper_is_deterministic():
    assert run_review(shuffled(DOC, random.Random(7))) == OUTCOME  # noqa: S311 - not crypto


def test_member_values_are_checked():
    m = DOC.members[0]
    for change, problem in [
        ({"left_on": date(2010, 1, 1)}, "left_on: must not be before hired_on (2019-03-01)"),
        ({"hour_limit": -2}, "hour_limit: must be >= 0, got -2"),
        ({"skills": {"seo": 2.5}}, "skills['seo']: must be a whole level 0..4"),
        ({"target_bonus": Decimal(-5)}, "target_bonus: must be >= 0, got -5"),
    ]:
        with pytest.raises(InvalidInputError) as info:
            attrs.evolve(m, **change)
        assert str(info.value).startswith(problem)
    bad = attrs.evolve(
        DOC,
        members=[
            attrs.evolve(m, self_assessment=9),
            attrs.evolve(DOC.members[1], base_salary=Decimal("0.5")),
            *DOC.members[2:],
        ],
    )
    problems = [str(p) for p in validate_document(bad)]
    assert problems == [
        "$.members[0].self_assessment: must be on the feedback scale, got 9",
        "$.members[1].base_salary: has more decimals than TWD allows (0), got 0.5",
    ]
    with pytest.raises(InvalidInputError) as info:
        run_review(bad)
    assert str(info.value).startswith("2 problems:")


def test_roles_of_the_document_must_name_known_skills():
    bad = attrs.evolve(DOC, roles=[Role("r", "R", requirements=[SkillRequirement("golf", 1)])])
    assert [str(p) for p in validate_document(bad)] == [
        "$.roles[9].requirements[0].skill_id: unknown skill 'golf'"
    ]


def test_members_without_kpis_or_ratings_and_with_their_own_hour_limit():
    quiet = attrs.evolve(DOC.members[5], kpis={}, hour_limit=0.0)
    doc = attrs.evolve(
        DOC,
        members=[*DOC.members[:5], quiet, *DOC.members[6:]],
        ratings=[r for r in DOC.ratings if r.ratee_id != quiet.id],
    )
    outcome = run_review(doc)
    m06 = outcome.member(quiet.id)
    assert m06.scorecard is None
    assert m06.feedback is None
    assert m06.training == ()
    assert {o.reason for o in outcome.training.open_gaps if o.member_id == quiet.id} <= {
        "hours",
        "no course",
    }
    text = format_report(outcome, quiet.id)
    assert "KPI scorecard" not in text.split("m06  ")[-1]
    assert outcome.to_records()[5]["kpi"] is None


def test_hour_limits_must_be_a_mapping():
    with pytest.raises(InvalidInputError, match="hour_limits"):
        TrainingPolicy(hour_limits=[("a", 1)])
