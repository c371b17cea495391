"""Records and HTML out: every `Records` result gives flat rows of plain values and an HTML table.

A class that takes the mixin adds a sample value to `SAMPLES` below; the tests then check its
rows (flat, plain, the same keys in every row), `pandas.DataFrame` of them, and its HTML.
"""

import enum
import importlib
import math
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mteam
from mteam._records import Records, flatten
from mteam.budget import Campaign, allocate_budget, budget_vs_actual
from mteam.culture import PSYCHOLOGICAL_SAFETY, enps, score_survey
from mteam.experiments import two_proportion_ztest
from mteam.goals import KeyResult, Objective, cascade, score_objective, smart_check
from mteam.io import load_sample_team
from mteam.membership.analysis import RepeatAnalysis, analyse_base, score_members
from mteam.membership.bgnbd import BGNBDModel
from mteam.membership.cltv import cohort_cltv
from mteam.membership.gamma_gamma import GammaGammaModel
from mteam.membership.pareto_nbd import ParetoNBDModel
from mteam.membership.predict import holdout_check, member_values
from mteam.membership.records import Member, Transaction
from mteam.membership.repeat import MemberRepeat, Profile, RepeatSummary, SpendProfile
from mteam.membership.retention import cohort_table, period_retention
from mteam.membership.rfm import rfm, rfm_cuts
from mteam.membership.sbg import ProjectionTable, fit_sbg
from mteam.membership.summary import summarise
from mteam.membership.survival import duration_table, kaplan_meier
from mteam.membership.tiers import assign_tiers
from mteam.membership.units import Rate, TimeUnit
from mteam.money import TWD, USD, Money
from mteam.performance.composite import composite_score, forced_distribution
from mteam.performance.feedback import Rating, aggregate_feedback, publish_feedback
from mteam.performance.kpi import KPI, score_scorecard
from mteam.periods import Period
from mteam.recruiting import Application, funnel
from mteam.review import run_review
from mteam.rewards.bonus import BonusMember, allocate_bonus_pool, fairness_summary
from mteam.rewards.recognition import Recipient, Reward, assign_recognition
from mteam.risk import TEMPLATES, risk_register
from mteam.roles import Candidate, Role, SkillRequirement, rank_candidates, role_fit
from mteam.skills import Skill, SkillMatrix
from mteam.training import Course, TrainingCatalog, plan_training, skill_gaps

PLAIN = (str, int, float, bool, date, datetime, Decimal, type(None))
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]  # Fader & Hardie (2007), high end


def _base():
    members = [
        Member("a", date(2025, 1, 5)),
        Member("b", date(2025, 1, 9), date(2025, 4, 1)),
        Member("c", date(2025, 2, 1)),
    ]
    sales = [
        Transaction("a", date(2025, 1, 6), Decimal(100)),
        Transaction("b", date(2025, 1, 20), Decimal(6000)),
        Transaction("c", date(2025, 3, 20), Decimal(25000)),
    ]
    return summarise(members, sales, date(2025, 6, 30))


MODEL = fit_sbg(HIGH_END, unit="year")

ROLE = Role(
    "analyst",
    "Data analyst",
    requirements=[
        SkillRequirement("data_analysis", 3, importance=3, must_have=True),
        SkillRequirement("communication", 2),
    ],
)
RANKED = rank_candidates(
    [
        Candidate("kai", {"data_analysis": 3, "communication": 2}, [4, 5]),
        Candidate("lin", {"data_analysis": 2, "communication": 1}),
    ],
    ROLE,
)
CARD = score_scorecard(
    [
        KPI("traffic_growth", "Traffic growth", target=20, threshold=10, stretch=30, weight=60),
        KPI("conversion_rate", "Conversion rate", target=3, weight=40),
    ],
    {"traffic_growth": 25, "conversion_rate": 2.7},
)
COMPOSITE = composite_score(kpi=1.11, feedback=0.75, projects=0.8, learning=0.5)
RECOGNITION = assign_recognition(
    [Recipient("ann", 0.95, band=4), Recipient("bo", 0.88, band=3)],
    [Reward("flex", "Flexible hours", "flexible_hours", quantity=1)],
    {"ann": ["flex"], "bo": ["flex"]},
)
SURVEY_ANSWERS = [
    [2, 6, 2, 6, 3, 6, 6],
    [3, 5, 1, 6, 2, 7, 6],
    [1, 6, 2, 7, 2, 6, 7],
    [4, 4, 3, 5, 4, 5, 5],
    [2, 6, 1, 6, 1, 6, 6],
]


def _path(n, day=1):
    stages = ["resume_screen", "first_interview", "skill_test", "in_depth_interview"]
    stages += ["background_check", "probation"]
    return [(s, date(2026, 3, day + 2 * k)) for k, s in enumerate(stages[:n])]


FUNNEL = funnel(
    [
        Application("c1", "referral", _path(6), outcome="hired", closed_on=date(2026, 6, 1)),
        Application(
            "c2", "online_platform", _path(2), outcome="rejected", closed_on=_path(2)[-1][1]
        ),
        Application("c3", "online_platform", _path(1, 3)),
    ]
)
CURVE = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True], unit="month")
MATRIX = SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 3}, "bob": {"seo": 1}})
BONUS = allocate_bonus_pool(
    Money(Decimal(80000), TWD),
    [
        BonusMember("ann", band=5, hired_on=date(2020, 3, 1), target_bonus=Decimal(40000)),
        BonusMember("bo", band=3, hired_on=date(2021, 5, 1), target_bonus=Decimal(30000)),
        BonusMember("cy", band=1, hired_on=date(2022, 1, 1), target_bonus=Decimal(20000)),
    ],
    period=Period(date(2026, 1, 1), date(2026, 12, 31)),
)
BUDGET = allocate_budget(
    Money(1000, TWD),
    [
        Campaign("a", "search", spend=100, revenue=400),
        Campaign("b", "social", spend=100, revenue=200),
    ],
)
FEEDBACK = aggregate_feedback(
    [
        Rating("ann", "boss-77", "manager", "comm", 4),
        Rating("ann", "ann", "self", "comm", 5),
        Rating("ann", "dr-secret", "direct_report", "comm", 2),
    ]
    + [Rating("ann", f"peer-{i}", "peer", "comm", s) for i, s in enumerate([3, 3, 4])]
)["ann"]
PUBLICATION = publish_feedback(
    [Rating("ann", f"peer-{i}", "peer", "comm", s) for i, s in enumerate([3, 4, 5])]
    + [Rating("bo", f"peer-{i}", "peer", "comm", s) for i, s in enumerate([2, 4, 3])],
    key="a secret of at least sixteen bytes",
)
REVIEW = run_review(load_sample_team())
KR = KeyResult("k", "K", start=0, target=1, current=0)
OKR = score_objective(
    Objective(
        "dept",
        "Department",
        key_results=[KeyResult("r", "Revenue", start=0, target=100, current=20)],
        children=[
            Objective(
                "team",
                "Team",
                key_results=[KeyResult("m", "Members", start=0, target=500, current=400)],
            )
        ],
    )
)
BG = BGNBDModel(0.243, 4.414, 0.793, 2.426)
GG = GammaGammaModel(6.25, 3.74, 15.44)
REPEAT = RepeatSummary(
    "week",
    [Profile(1, 10, 20, 4, 3), Profile(0, 0, 20, 2, 1)],
    [SpendProfile(1, Decimal(20), 4)],
    holdout_by_period=(1, 3),
    calibration_end=date(2025, 1, 1),
    holdout_end=date(2025, 1, 15),
)
VALUES = member_values(
    [
        MemberRepeat("a", 2, 30.43, 38.86, Decimal("44.70")),
        MemberRepeat("b", 0, 0, 38.86, Decimal(0)),
    ],
    BG,
    GG,
    horizon=52,
    discount_rate=Rate(0.01, "week"),
    margin=0.3,
    currency=USD,
)
HOLDOUT = holdout_check(REPEAT, BG)
GAPS = skill_gaps(
    SkillMatrix(
        [Skill("seo", "SEO", "hard"), Skill("copy", "Copywriting", "hard")],
        {"ann": {"seo": 1, "copy": 2}, "bo": {"seo": 2}},
    ),
    {"ann": "seo", "bo": "seo"},
    [
        Role(
            "seo",
            "SEO",
            requirements=[SkillRequirement("seo", 3, importance=3), SkillRequirement("copy", 2)],
        )
    ],
    below_target={"bo": ["seo"]},
)
PLAN = plan_training(
    GAPS,
    TrainingCatalog(
        TWD,
        [
            Course(
                "seo-101", "SEO", {"seo": 1, "copy": 1}, method="online", cost=Decimal(900), hours=8
            ),
            Course(
                "copy-lab", "Copy", {"copy": 2}, method="workshop", cost=Decimal(3000), hours=16
            ),
        ],
    ),
    Money(Decimal(2000), TWD),
)
ANALYSIS = analyse_base(_base())
REPEAT_ANALYSIS = RepeatAnalysis(
    TimeUnit.WEEK,
    members=6,
    repeat_buyers=4,
    bgnbd=BG,
    gamma_gamma=GG,
    horizon=52,
    expected_purchases=7.25,
    expected_alive=3.5,
    clv_total=Money(Decimal("120.40"), USD),
    clv_per_member=Money(Decimal("20.07"), USD),
    calibration_end=date(2025, 1, 1),
    holdout_model=BG,
    holdout=HOLDOUT,
)
BOTH = attrs.evolve(ANALYSIS, models="both", repeat=REPEAT_ANALYSIS)
SCORES = score_members(_base())

SAMPLES = {
    "MemberAnalysis": ANALYSIS,
    "RepeatAnalysis": REPEAT_ANALYSIS,
    "MemberScore": SCORES.scores[0],
    "MemberScores": SCORES,
    "SBGModel": MODEL,
    "Projection": MODEL.project(3)[2],
    "ProjectionTable": MODEL.project(3),
    "MemberBase": _base(),
    "KeyResultScore": OKR.key_results[0],
    "ObjectiveScore": OKR,
    "Finding": smart_check(
        Objective("o", "O", key_results=[KeyResult("k", "K", start=0, target=1, current=0)]),
        date(2026, 1, 1),
    )[0],
    "CascadePart": cascade(100, date(2026, 1, 1), date(2026, 3, 31), "month")[0],
    "MemberOutcome": REVIEW.members[0],
    "TeamSummary": REVIEW.summary,
    "FeedbackReport": FEEDBACK,
    "CompetencyFeedback": FEEDBACK.competencies[0],
    "FeedbackPublication": PUBLICATION,
    "GroupScore": FEEDBACK.competencies[0].groups[0],
    "Suppression": FEEDBACK.competencies[0].suppressed[0],
    "RFMScore": rfm(_base()).scores[0],
    "RFMTable": rfm(_base()),
    "RFMCuts": rfm_cuts(_base()),
    "BGNBDModel": BG,
    "ParetoNBDModel": ParetoNBDModel(0.553, 10.578, 0.606, 11.669),
    "GammaGammaModel": GG,
    "Profile": REPEAT.profiles[0],
    "SpendProfile": REPEAT.spend[0],
    "RepeatSummary": REPEAT,
    "MemberRepeat": MemberRepeat("a", 2, 30.43, 38.86, Decimal("44.70")),
    "MemberValue": VALUES.rows[0],
    "MemberValues": VALUES,
    "PeriodCheck": HOLDOUT.by_period[0],
    "FrequencyCheck": HOLDOUT.by_frequency[0],
    "HoldoutCheck": HOLDOUT,
    "BonusLine": BONUS.lines[0],
    "BonusAllocation": BONUS,
    "BandFairness": fairness_summary(BONUS).bands[0],
    "FairnessSummary": fairness_summary(BONUS),
    "Allocation": BUDGET,
    "Variance": budget_vs_actual({"a": Decimal(750)}, {"a": Decimal(800)})[0],
    "SkillGap": GAPS.gaps[0],
    "MemberReadiness": GAPS.members[0],
    "SkillNeed": GAPS.skills[0],
    "GapReport": GAPS,
    "Assignment": PLAN.assignments[0],
    "OpenGap": PLAN.open_gaps[0],
    "TrainingPlan": PLAN,
    "MemberStats": _base().stats["b"],
    "ZTestResult": two_proportion_ztest(200, 2000, 250, 2000),
    "DurationTable": duration_table(_base(), "month"),
    "TierAssignment": assign_tiers(_base()),
    "CohortValue": cohort_cltv(_base(), 0.5)[0],
    "Shortfall": RANKED[1].fit.unmet[0],
    "RoleFit": role_fit({"data_analysis": 2}, ROLE),
    "CandidateScore": RANKED[0],
    "BusFactorFlag": MATRIX.flagged_skills(["seo"])[0],
    "KpiLine": CARD.lines[0],
    "Scorecard": CARD,
    "ComponentScore": COMPOSITE.components[0],
    "CompositeScore": COMPOSITE,
    "ForcedDistribution": forced_distribution(
        {"a": 0.95, "b": 0.9, "c": 0.8, "d": 0.5}, {3: 0.25, 2: 0.5, 1: 0.25}
    ),
    "RecognitionLine": RECOGNITION.lines[1],
    "RecognitionResult": RECOGNITION,
    "RegisterEntry": risk_register(TEMPLATES)[0],
    "SurveyResult": score_survey(PSYCHOLOGICAL_SAFETY, SURVEY_ANSWERS),
    "ENPSResult": enps([10, 9, 9, 8, 7, 6, 3, 10]),
    "StageFigures": FUNNEL.stages[1],
    "FunnelReport": FUNNEL,
    "RetentionCounts": period_retention(_base(), date(2025, 2, 1), date(2025, 6, 30)),
    "CohortCell": cohort_table(_base()).cells["2025-01"][0],
    "CohortTable": cohort_table(_base()),
    "EventTable": CURVE.table,
    "SurvivalCurve": CURVE,
}


def _cells(frame):
    """The frame's rows, a missing float (NaN: pandas' None in a float column) back as None."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _import_everything():
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def test_every_records_class_has_a_sample():
    _import_everything()
    classes = {c.__name__ for c in _subclasses(Records) if c.__module__.startswith("mteam.")}
    assert classes == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_records_are_flat_rows_of_plain_values(name):
    value = SAMPLES[name]
    rows = value.to_records()
    assert rows
    keys = list(rows[0])
    for row in rows:
        assert list(row) == keys
        for cell in row.values():
            assert isinstance(cell, PLAIN), (name, cell)
    assert value.to_records() == rows  # a pure function of the value


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_pandas_gives_one_column_per_field(name):
    rows = SAMPLES[name].to_records()
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)
    assert _cells(frame) == rows


NESTED = (list, tuple, dict, set, frozenset)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_column_is_nested(name):
    """An object column (text, dates, Decimal, mixed None) never holds a container or a value."""
    frame = pd.DataFrame(SAMPLES[name].to_records())
    for column in frame.columns:
        if frame[column].dtype == object:
            for cell in frame[column]:
                assert not isinstance(cell, NESTED), (name, column, cell)
                assert not attrs.has(type(cell)), (name, column, cell)
                assert isinstance(cell, PLAIN), (name, column, cell)


def test_member_analysis_records_are_one_row_of_figures():
    (row,) = ANALYSIS.to_records()
    assert (row["as_of"], row["models"], row["members"], row["current_members"]) == (
        date(2025, 6, 30),
        "contractual",
        3,
        2,
    )
    assert row["currency"] == "TWD"
    for money in ("average_order_value", "cltv_simple", "cltv_geometric", "cltv_sbg"):
        assert isinstance(row[money], Decimal), money
    assert row["cltv_sbg"] == ANALYSIS.cltv_sbg.amount
    # the projection's end, the segments and tiers of the base, each a column of its own
    assert row["horizon"] == 12
    assert row["projected_survival"] == ANALYSIS.projection[-1].survival
    assert row["projected_lower"] <= row["projected_survival"] <= row["projected_upper"]
    segments = {k[len("segment_") :]: v for k, v in row.items() if k.startswith("segment_")}
    assert segments == ANALYSIS.segment_counts
    tiers = {k[len("tier_") :]: v for k, v in row.items() if k.startswith("tier_")}
    assert tiers == {"Member": 1, "Silver": 1, "Gold": 1, "Platinum": 0}
    assert row["retention"] == ANALYSIS.retention.retention
    assert row["repeat_bgnbd_r"] is None


def test_member_analysis_columns_do_not_depend_on_the_models():
    (contractual,) = ANALYSIS.to_records()
    (both,) = BOTH.to_records()
    assert list(both) == list(contractual)
    assert both["repeat_bgnbd_r"] == BG.r
    assert both["repeat_clv_total"] == Decimal("120.40")
    assert both["repeat_currency"] == "USD"
    assert both["repeat_holdout_actual"] == HOLDOUT.by_period[-1].actual
    frame = pd.DataFrame([contractual, both])
    assert frame["repeat_bgnbd_r"].tolist()[1] == BG.r
    assert frame["members"].dtype == "int64"


def test_repeat_analysis_records_keep_their_columns_without_a_spend_model():
    (full,) = REPEAT_ANALYSIS.to_records()
    bare = attrs.evolve(
        REPEAT_ANALYSIS,
        gamma_gamma=None,
        clv_total=None,
        clv_per_member=None,
        calibration_end=None,
        holdout_model=None,
        holdout=None,
    )
    (row,) = bare.to_records()
    assert list(row) == list(full)
    assert (full["gamma_gamma_q"], row["gamma_gamma_q"]) == (GG.q, None)
    assert (full["clv_per_member"], row["clv_per_member"]) == (Decimal("20.07"), None)
    assert (full["currency"], row["currency"]) == ("USD", None)
    assert full["holdout_expected"] == HOLDOUT.by_period[-1].expected
    assert row["holdout_expected"] is None
    assert full["unit"] == "week"


def test_member_scores_records_are_one_row_per_member():
    rows = SCORES.to_records()
    assert [r["member_id"] for r in rows] == ["a", "b", "c"]
    assert [r["tier"] for r in rows] == ["Member", "Silver", "Gold"]
    assert all(isinstance(r["monetary"], Decimal) for r in rows)
    assert rows == [r for s in SCORES.scores for r in s.to_records()]
    frame = pd.DataFrame(rows)
    assert frame["r"].dtype == "int64"


def _svg_titles(html):
    return [
        html[i + len("<title>") : html.index("</title>", i)]
        for i in range(len(html))
        if html.startswith("<title>", i)
    ]


def test_the_member_results_show_their_charts():
    # the survival curve for the contractual analysis
    assert "Membership survival (Kaplan–Meier)" in _svg_titles(ANALYSIS._repr_html_())
    # the holdout check for the repeat-purchase models, with or without the analysis around
    title = "Holdout check: expected and actual repeat purchases"
    assert title in _svg_titles(REPEAT_ANALYSIS._repr_html_())
    assert title in _svg_titles(HOLDOUT._repr_html_())
    repeat_only = attrs.evolve(BOTH, models="non-contractual", survival=None)
    assert title in _svg_titles(repeat_only._repr_html_())
    # no holdout, no survival: the segment sizes
    neither = attrs.evolve(repeat_only, repeat=attrs.evolve(REPEAT_ANALYSIS, holdout=None))
    assert "Members per RFM segment" in _svg_titles(neither._repr_html_())
    assert "<svg" not in attrs.evolve(REPEAT_ANALYSIS, holdout=None)._repr_html_()
    assert "Members per RFM segment" in _svg_titles(SCORES._repr_html_())
    assert "<svg" not in attrs.evolve(SCORES, scores=())._repr_html_()
    assert "<svg" not in attrs.evolve(HOLDOUT, by_period=())._repr_html_()
    html = ANALYSIS._repr_html_()
    assert "MemberAnalysis as of 2025-06-30: 3 members, 2 current (contractual)" in html
    assert '<th scope="row">cltv_sbg</th>' in html


def test_sbg_model_records():
    (row,) = MODEL.to_records()
    assert list(row) == [
        "alpha",
        "beta",
        "log_likelihood",
        "unit",
        "se_alpha",
        "se_beta",
        "var_alpha",
        "cov_alpha_beta",
        "var_beta",
        "members",
        "converged",
        "iterations",
    ]
    assert row["unit"] == "year"
    assert row["alpha"] == MODEL.alpha
    assert row["var_alpha"] == pytest.approx(MODEL.se_alpha**2)
    frame = pd.DataFrame(MODEL.to_records())
    assert frame["alpha"].dtype == "float64"
    assert frame["members"].dtype == "int64"
    singular = attrs.evolve(MODEL, covariance=None, se_alpha=None, se_beta=None)
    (row,) = singular.to_records()
    assert row["var_alpha"] is None
    assert row["cov_alpha_beta"] is None


def test_a_projection_is_a_table_of_rows():
    frame = pd.DataFrame([row for p in MODEL.project(12) for row in p.to_records()])
    assert list(frame.columns) == ["t", "survival", "lower", "upper"]
    assert frame["t"].tolist() == list(range(13))
    assert frame["survival"].iloc[12] == pytest.approx(MODEL.survival(12))
    assert (frame["lower"] <= frame["survival"]).all()
    assert (frame["survival"] <= frame["upper"]).all()


def test_the_projection_table_is_still_the_tuple():
    table = MODEL.project(12)
    assert isinstance(table, tuple)
    assert len(table) == 13
    assert table[-1] == MODEL.project(12)[12]
    assert table == tuple(MODEL.project(12))
    frame = pd.DataFrame(table.to_records())
    assert list(frame.columns) == ["t", "survival", "lower", "upper"]
    assert frame["survival"].tolist() == [p.survival for p in table]
    assert "t = 0 … 12" in table._repr_html_()
    assert "(no rows)" in ProjectionTable()._repr_html_()


def test_member_base_records_are_one_row_per_member():
    base = _base()
    rows = base.to_records()
    assert [r["member_id"] for r in rows] == ["a", "b", "c"]
    assert {r["as_of"] for r in rows} == {date(2025, 6, 30)}
    assert [r["revenue"] for r in rows] == [Decimal(100), Decimal(6000), Decimal(25000)]
    assert rows[1]["left_on"] == date(2025, 4, 1)
    # c joined 1 Feb and bought on 20 March: one active month (month 1 since joining)
    assert rows[2]["active_months"] == len(base.stats["c"].active_months()) == 1
    assert "3 members" in base._repr_html_()
    (row,) = base.stats["b"].to_records()
    assert row["revenue"] == Decimal(6000)


def test_training_records_are_flat():
    rows = PLAN.to_records()
    assert [(r["member_id"], r["course_id"]) for r in rows] == [
        ("ann", "seo-101"),
        ("bo", "seo-101"),
    ]
    assert rows[1]["closes"] == "copy+1, seo+1"
    assert {r["currency"] for r in rows} == {"TWD"}
    assert sum(r["cost"] for r in rows) == PLAN.cost == Decimal(1800)
    assert sum(r["benefit"] for r in rows) == pytest.approx(PLAN.gap_closed)
    gaps = GAPS.to_records()
    assert [(r["member_id"], r["skill_id"], r["priority"]) for r in gaps] == [
        ("ann", "seo", 6.0),
        ("bo", "copy", 2.0),
        ("bo", "seo", 4.5),
    ]
    assert sum(r["priority"] for r in gaps) == pytest.approx(GAPS.total_priority)


def test_money_records_add_up():
    rows = BONUS.to_records()
    assert [r["member_id"] for r in rows] == ["ann", "bo", "cy"]
    assert sum(r["amount"] for r in rows) == BONUS.allocated
    assert [r["eligible"] for r in rows] == [True, True, False]
    fairness = fairness_summary(BONUS).to_records()
    assert [r["band"] for r in fairness] == [3, 5]
    assert sum(r["pool_share"] for r in fairness) == pytest.approx(1.0)
    assert "pool 80000" in BONUS._repr_html_()
    assert "no pool" in attrs.evolve(BONUS, pool=None)._repr_html_()
    budget = BUDGET.to_records()
    assert sum(r["amount"] for r in budget) == Decimal(1000)
    assert [r["weight"] for r in budget] == [3.0, 1.0]


def test_repeat_purchase_records_keep_their_rows():
    assert [r["parameter"] for r in BG.to_records()] == ["r", "alpha", "a", "b"]
    assert REPEAT.to_records()[0] == {
        "x": 0,
        "t_x": 0.0,
        "T": 20.0,
        "members": 2,
        "holdout_purchases": 1,
    }
    assert sum(r["clv"] for r in VALUES.to_records()) == VALUES.total
    rows = HOLDOUT.to_records()
    assert [r["table"] for r in rows] == ["period", "period", "frequency", "frequency"]
    assert [r["actual"] for r in rows[:2]] == [1, 4]  # cumulative
    assert rows[2]["period"] is None
    assert rows[0]["x"] is None
    assert "6 members" in REPEAT._repr_html_()


def test_feedback_records_name_no_rater():
    rows = FEEDBACK.to_records()
    assert [(r["group"], r["raters"], r["mean"]) for r in rows] == [
        ("manager", 1, 4.0),
        ("others", 4, 3.0),  # the lone direct report (2) only inside "others"
    ]
    shown = repr(rows) + FEEDBACK._repr_html_()
    for rater in ("boss-77", "dr-secret", "peer-0", "peer-1", "peer-2"):
        assert rater not in shown
    assert "direct_report" not in shown


def test_competency_and_publication_records_name_no_rater():
    (comm,) = FEEDBACK.competencies
    rows = comm.to_records()
    assert [(r["group"], r["raters"], r["mean"]) for r in rows] == [
        ("manager", 1, 4.0),
        ("others", 4, 3.0),
    ]
    assert {r["flag"] for r in rows} == {"blind_spot"}
    assert {r["self"] for r in rows} == {5.0}
    published = PUBLICATION.to_records()
    assert [(r["ratee_id"], r["mean"]) for r in published] == [("ann", 4.0), ("bo", 3.0)]
    shown = repr(published) + PUBLICATION._repr_html_() + comm._repr_html_()
    for rater in ("boss-77", "dr-secret", "peer-0", "peer-1", "peer-2"):
        assert rater not in shown
    assert PUBLICATION.release.key_check not in shown


def test_review_records():
    assert [r for m in REVIEW.members for r in m.to_records()] == REVIEW.to_records()
    rows = REVIEW.summary.to_records()
    assert [r["band"] for r in rows] == [1, 2, 3, 4, 5]
    assert sum(r["members"] for r in rows) == REVIEW.summary.members == len(REVIEW.members)


def test_objective_records_weigh_to_the_score():
    rows = OKR.to_records()
    assert [(r["kind"], r["item_id"]) for r in rows] == [("key_result", "r"), ("objective", "team")]
    assert {r["score"] for r in rows} == {OKR.score}
    assert sum(r["value"] for r in rows) / len(rows) == pytest.approx(OKR.score)


def test_ztest_records_split_the_interval():
    result = SAMPLES["ZTestResult"]
    (row,) = result.to_records()
    assert row["confidence_interval_0"] == result.confidence_interval[0]
    assert row["confidence_interval_1"] == result.confidence_interval[1]
    assert row["relative_lift"] == pytest.approx(0.25)
    assert row["significant"] is True


def test_duration_and_tier_records():
    assert SAMPLES["DurationTable"].to_records() == [
        {"duration": 2, "unit": "month", "events": 1, "censored": 0},
        {"duration": 4, "unit": "month", "events": 0, "censored": 1},
        {"duration": 5, "unit": "month", "events": 0, "censored": 1},
    ]
    tiers = SAMPLES["TierAssignment"]
    # trailing 12-month spend 100, 6,000 and 25,000 against the default thresholds
    assert tiers.to_records() == [
        {"member_id": "a", "tier": "Member"},
        {"member_id": "b", "tier": "Silver"},
        {"member_id": "c", "tier": "Gold"},
    ]
    html = tiers._repr_html_()
    assert '<th scope="col">members</th>' in html  # the HTML shows the tier counts
    assert "<td>Platinum</td><td>0</td>" in html


def test_cohort_value_records_are_decimal():
    rows = SAMPLES["CohortValue"].to_records()
    # cohort 2025-01: a spends 100 in month 0, b 6,000 in month 0; 50 % margin over 2 members
    assert rows[0] == {
        "cohort": "2025-01",
        "members": 2,
        "month": 0,
        "cumulative_margin": Decimal(1525),
    }
    assert all(isinstance(r["cumulative_margin"], Decimal) for r in rows)


def test_survival_records_keep_their_rows():
    # the curve's rows as they were before the mixin: one per event time, with the band
    rows = CURVE.to_records()
    assert [r["time"] for r in rows] == [2, 3, 5, 8]
    assert list(rows[0]) == ["time", "at_risk", "events", "censored", "survival", "lower", "upper"]
    assert [r["at_risk"] for r in rows] == [6, 5, 3, 1]
    assert rows[0]["survival"] == pytest.approx(5 / 6)
    assert rows[0]["lower"] == pytest.approx(0.2731, abs=1e-4)
    assert [r["censored"] for r in CURVE.table.to_records()] == [0, 1, 0, 1, 0]
    caption = CURVE._html_caption()
    assert caption == "SurvivalCurve (months): median 5, 95% exponential Greenwood band"


def test_candidate_and_fit_records():
    kai, lin = (score.to_records()[0] for score in RANKED)
    # kai: fit 1, interviews 4 and 5 → (0.75 + 1) / 2 = 0.875; (0.6 + 0.4 × 0.875) / 1 = 0.95
    assert kai["rank"] == 1
    assert kai["score"] == pytest.approx(0.95)
    assert kai["interview"] == 0.875
    assert kai["unmet"] == ""
    # lin: data analysis 2 of 3 (a must-have), communication 1 of 2: not ranked
    assert lin["rank"] is None
    assert lin["eligible"] is False
    assert lin["unmet"] == "communication 1<2, data_analysis 2<3"
    (fit,) = SAMPLES["RoleFit"].to_records()
    # (3 × 2 + 1 × 0) / (3 × 3 + 1 × 2) = 6/11; gaps 1 (data analysis) + 2 (communication)
    assert fit["fit"] == pytest.approx(6 / 11)
    assert fit["missing_must_haves"] == "data_analysis"
    assert fit["total_gap"] == 3


def test_score_records_add_up_to_the_score():
    assert sum(r["contribution"] for r in CARD.to_records()) == pytest.approx(CARD.score)
    rows = COMPOSITE.to_records()
    assert [r["name"] for r in rows] == ["kpi", "feedback", "projects", "learning"]
    assert sum(r["contribution"] for r in rows) == pytest.approx(COMPOSITE.score)
    assert "missing: self_assessment" in COMPOSITE._repr_html_()


@given(
    st.floats(0, 1.5),
    st.one_of(st.none(), st.floats(0, 1)),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_composite_contributions_always_add_up(kpi, feedback, learning):
    result = composite_score(kpi=kpi, feedback=feedback, learning=learning)
    rows = result.to_records()
    assert len(rows) == 1 + (feedback is not None) + (learning is not None)
    assert sum(r["contribution"] for r in rows) == pytest.approx(result.score, abs=1e-12)
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)


def test_forced_distribution_shows_quotas_in_html():
    result = SAMPLES["ForcedDistribution"]
    assert result.to_records()[0] == {"member_id": "a", "level": 3}
    html = result._repr_html_()
    assert '<th scope="col">target</th>' in html
    assert "<tr><td>3</td><td>1</td><td>1</td></tr>" in html


def test_recognition_records():
    assert RECOGNITION.to_records() == [
        {"member_id": "ann", "turn": 1, "reward_id": "flex", "skipped": ""},
        {"member_id": "bo", "turn": 2, "reward_id": None, "skipped": "flex (none left)"},
    ]


def test_survey_records_never_show_a_suppressed_score():
    rows = SAMPLES["SurveyResult"].to_records()
    assert [r["item_id"] for r in rows] == [f"ps{i}" for i in range(1, 8)]
    assert {r["score"] for r in rows} == {SAMPLES["SurveyResult"].score}
    (row,) = score_survey(PSYCHOLOGICAL_SAFETY, SURVEY_ANSWERS[:4]).to_records()
    assert row["suppressed"] is True
    assert row["score"] is None
    assert row["item_mean"] is None
    (row,) = enps([10, 9]).to_records()
    assert (row["score"], row["promoters"], row["detractors"]) == (None, None, None)


def test_funnel_records_cover_every_channel_and_stage():
    rows = FUNNEL.to_records()
    assert len(rows) == 6 * (1 + len(FUNNEL.by_channel))
    assert [r["channel"] for r in rows[::6]] == ["all", "online_platform", "referral"]
    assert rows[1]["conversion"] == pytest.approx(2 / 3)
    assert rows[0]["overall_yield"] == pytest.approx(1 / 3)
    html = FUNNEL._repr_html_()
    assert "referral" not in html  # the HTML shows the overall funnel only
    assert "1 hired of 3 applications" in html


def test_retention_records_carry_the_rates():
    (row,) = SAMPLES["RetentionCounts"].to_records()
    # on 1 Feb a and b are members; b leaves on 1 April; c joins on 1 Feb (at the start)
    assert (row["at_start"], row["retained"]) == (3, 2)
    assert row["retention"] + row["churn"] == pytest.approx(1.0)
    (empty,) = period_retention([], date(2025, 1, 1), date(2025, 1, 31)).to_records()
    assert empty["retention"] is None
    rows = SAMPLES["CohortTable"].to_records()
    assert list(rows[0]) == [
        "cohort",
        "age",
        "observed",
        "alive",
        "active",
        "retention",
        "activity",
    ]
    assert {r["cohort"] for r in rows} == {"2025-01", "2025-02"}


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_survival_records_are_the_curve_and_table_columns(data):
    curve = kaplan_meier([d for d, _ in data], [e for _, e in data])
    rows = curve.to_records()
    assert [r["time"] for r in rows] == list(curve.times)
    assert [r["survival"] for r in rows] == list(curve.survival)
    assert [r["lower"] for r in rows] == list(curve.lower)
    table = curve.table.to_records()
    assert sum(r["events"] + r["censored"] for r in table) == len(data)
    assert [r["time"] for r in table] == sorted({d for d, _ in data})


# --- the HTML --------------------------------------------------------------------------------


class _Checker(HTMLParser):
    """Collects the tags and checks that every element is closed in order."""

    VOID = frozenset({"br", "img", "meta"})

    def __init__(self):
        super().__init__()
        self.stack = []
        self.tags = []
        self.scopes = []
        self.text = []

    def handle_starttag(self, tag, attrs_):
        self.tags.append(tag)
        if tag == "th":
            self.scopes.append(dict(attrs_).get("scope"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> without an opening tag"
        assert self.stack.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def _check_html(text, *, headers=True):
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    assert "table" in checker.tags
    assert "caption" in checker.tags
    assert bool(checker.scopes) is headers
    assert all(s in {"row", "col"} for s in checker.scopes)
    return checker


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_html_is_a_well_formed_table(name):
    checker = _check_html(SAMPLES[name]._repr_html_())
    assert type(SAMPLES[name]).__name__ in "".join(checker.text)


class Colour(enum.Enum):
    RED = "red"


@attrs.frozen
class Sample(Records):
    name: str
    amount: Money
    rate: Rate
    colour: Colour
    interval: tuple[float, float]
    on: date
    note: str | None = None


@attrs.frozen
class Table(Records):
    values: tuple[int, ...]

    def _rows(self):
        return [{"i": i, "value": v} for i, v in enumerate(self.values)]


@attrs.frozen
class Charted(Table):
    def _html_chart(self):
        return '<svg role="img"><title>values</title></svg>'

    def _html_caption(self):
        return "Values & more"


def test_the_cell_rules():
    sample = Sample(
        "<b>",
        Money(Decimal("1.50"), USD),
        Rate(0.1, "year"),
        Colour.RED,
        (0.1, 0.2),
        date(2025, 1, 2),
    )
    assert sample.to_records() == [
        {
            "name": "<b>",
            "amount": Decimal("1.50"),
            "amount_currency": "USD",
            "rate_value": 0.1,
            "rate_per": "year",
            "colour": "red",
            "interval_0": 0.1,
            "interval_1": 0.2,
            "on": date(2025, 1, 2),
            "note": None,
        }
    ]
    html = sample._repr_html_()
    assert "&lt;b&gt;" in html
    assert "<b>" not in html
    assert '<th scope="row">note</th><td></td>' in html
    assert "<td>2025-01-02</td>" in html
    _check_html(html)


def test_a_currency_is_its_code():
    assert flatten({"currency": TWD, "unit": TimeUnit.DAY}) == {"currency": "TWD", "unit": "day"}


def test_a_nested_value_needs_its_own_rows():
    with pytest.raises(TypeError, match="override _rows"):
        flatten({"counts": {1: 2}})
    with pytest.raises(TypeError, match="override _rows"):
        flatten({"values": (1, 2, 3, 4, 5)})


def test_a_long_table_is_shortened():
    html = Table(tuple(range(100)))._repr_html_()
    assert html.count("<tr>") == 1 + 10 + 1 + 5  # header, head, the gap, tail
    assert "85 more rows" in html
    assert "<td>99</td>" in html
    assert "<td>50</td>" not in html
    _check_html(html)
    short = Table(tuple(range(16)))._repr_html_()
    assert short.count("<tr>") == 17


def test_an_empty_table_says_so():
    html = Table(())._repr_html_()
    assert "(no rows)" in html
    _check_html(html, headers=False)


def test_the_chart_hook():
    html = Charted((1, 2))._repr_html_()
    assert html.startswith('<div class="mteam-result">')
    assert "<figure><svg" in html
    assert "<caption>Values &amp; more</caption>" in html
    _check_html(html)


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_is_escaped(texts):
    @attrs.frozen
    class Texts(Records):
        values: tuple[str, ...]

        def _rows(self):
            return [{"text": t} for t in self.values]

    checker = _check_html(Texts(tuple(texts))._repr_html_())
    shown = "".join(checker.text)
    for t in texts:
        assert t.replace("\r", "\n").strip() in shown.replace("\r", "\n")


def test_floats_are_shown_compactly():
    html = Table((1,))._repr_html_()
    assert "<td>1</td>" in html
    assert "0.667" in SAMPLES["SBGModel"]._repr_html_() or "0.668" in (
        SAMPLES["SBGModel"]._repr_html_()
    )
