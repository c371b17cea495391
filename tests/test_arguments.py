"""A wrong argument to a public function is an input error naming it, never a TypeError or
an AttributeError from deep inside (generators are still accepted where lists are)."""

import pytest

from mteam import culture, goals, io, money, recruiting, report, review, roles, training
from mteam.catalog import load_catalog
from mteam.errors import InvalidInputError
from mteam.membership import analysis, sbg, summary, survival
from mteam.membership.rfm import quintile_scores
from mteam.performance import composite, kpi
from mteam.rewards import bonus, recognition

CALLS = [
    (lambda: io.loads(review.TeamDocument, None), "text"),
    (lambda: io.load(review.TeamDocument, None), "path"),
    (lambda: io.dump({}, 5), "path"),
    (lambda: io.structure(5, {}), "cls"),
    (lambda: money.quantize(money.Decimal(1), 5), "currency"),
    (lambda: money.apportion(money.Decimal(10), ["a"], money.Decimal(1)), "weights"),
    (lambda: review.run_review(None), "document"),
    (lambda: review.validate_document(None), "document"),
    (lambda: report.format_report(None), "outcome"),
    (lambda: analysis.analyse(None, [], summary.date(2025, 1, 1)), "members"),
    (lambda: report.format_member_report(None), "analysis"),
    (lambda: survival.kaplan_meier(None, []), "durations"),
    (lambda: sbg.fit_sbg(None), "survivors"),
    (lambda: sbg.fit_sbg_durations([1], None), "observed"),
    (lambda: summary.cohort_of(None), "day"),
    (lambda: summary.months_between(None, summary.date(2025, 1, 1)), "start"),
    (lambda: summary.add_months(summary.date(2025, 1, 1), "2"), "months"),
    (lambda: quintile_scores(None), "values"),
    (lambda: culture.enps(None), "answers"),
    (lambda: goals.smart_check(None, summary.date(2025, 1, 1)), "objective"),
    (lambda: kpi.score_scorecard(None, {}), "kpis"),
    (lambda: kpi.attainment(None, 5), "kpi"),
    (lambda: composite.project_component(None), "evaluations"),
    (lambda: recruiting.funnel(None), "applications"),
    (lambda: recognition.assign_recognition([], None, {}), "catalog"),
    (lambda: bonus.fairness_summary(None), "allocation"),
    (lambda: roles.required_skills(None), "roles"),
    (lambda: roles.required_skills([None]), "roles[0]"),
    (lambda: roles.role_fit({}, None), "role"),
    (lambda: training.skills_below_target(None, None), "kpis"),
]


@pytest.mark.parametrize(("call", "path"), CALLS)
def test_a_wrong_argument_is_an_input_error_naming_it(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_generators_are_still_accepted():
    catalog = load_catalog()
    assert roles.required_skills(r for r in catalog.roles) == roles.required_skills(catalog.roles)
    assert quintile_scores(x for x in [3, 1, 2]) == quintile_scores([3, 1, 2]) == [4, 1, 2]
