"""Every result class has `to_records()` and `_repr_html_` (DESIGN principle 9).

A *result class* is found, not listed: an attrs class that

* appears in the return annotation of a public function, or of a public method or property of
  a public class (`tuple[X, ...]`, `dict[str, X]`, `X | None` … are looked into), in any
  public module of the package; or
* is the type of a field of a result class (what a result holds is a result too: the
  repeat-purchase section of a member analysis, a bonus line of an allocation); or
* subclasses the [`Records`][mteam._records.Records] mixin.

Each must have both methods, unless `NOT_RESULTS` names it with the reason: the inputs a user
builds (records, documents, catalogs), the policies and scales, the small values that a
result's row flattens into its own cells (money, rates, labels, periods) and the HTML page's
building blocks. Every public attrs class of the package is one or the other, so a new class
cannot slip through. The list is checked both ways: a class in it must still exist, and must
not have gained both methods (then it is a result after all and leaves the list).
"""

import importlib
import inspect
import pkgutil
import sys
import typing

import attrs
import pytest

import mteam
from mteam._records import Records

NOT_RESULTS = {
    # inputs: what a user or a document gives
    "mteam.membership.records.Member": "an input record (one member of the base)",
    "mteam.membership.records.Transaction": "an input record (one purchase)",
    "mteam.performance.feedback.Rating": "an input record (one 360-degree rating)",
    "mteam.performance.kpi.KPI": "an input: a KPI definition of the team document",
    "mteam.performance.composite.ProjectEvaluation": "an input: one project's evaluation",
    "mteam.review.document.TeamDocument": "the input document of a review cycle",
    "mteam.review.document.TeamMember": "an input: a member of the team document",
    "mteam.review.document.ProjectRecord": "an input: a project evaluation of the document",
    "mteam.rewards.bonus.BonusMember": "an input: a member's target bonus and dates",
    "mteam.rewards.recognition.Recipient": "an input: a member's score, band and tenure",
    "mteam.rewards.recognition.Reward": "an input: a reward of the recognition catalog",
    "mteam.training.plan.Course": "an input: a course of the training catalog",
    "mteam.training.plan.TrainingCatalog": "an input: the courses and their currency",
    "mteam.training.knapsack.Candidate": "an input of the generic knapsack solver",
    "mteam.skills.Skill": "catalog data: a skill's id, name and category",
    "mteam.skills.SkillMatrix": "an input: who holds which skill at which level",
    "mteam.roles.Role": "catalog data: a role's duties, requirements and KPIs",
    "mteam.roles.SkillRequirement": "catalog data: one requirement of a role",
    "mteam.roles.SuggestedKpi": "catalog data: a KPI a role suggests",
    "mteam.roles.Candidate": "an input: a candidate's skill levels and interview ratings",
    "mteam.catalog.Catalog": "the built-in catalog of skills and roles (data, not a result)",
    "mteam.budget.Campaign": "an input: a campaign's spend and revenue",
    "mteam.culture.Survey": "an input: a survey's items",
    "mteam.culture.SurveyItem": "an input: one survey item (and whether it is reversed)",
    "mteam.goals.KeyResult": "an input: a key result's start, target and current value",
    "mteam.goals.Objective": "an input: an objective, its key results and children",
    "mteam.recruiting.Application": "an input: one application's path through the stages",
    "mteam.risk.Risk": "an input: a risk's likelihood, impact and mitigation",
    # policies and scales: the rules a result was computed under
    "mteam.budget.BudgetPolicy": "a policy",
    "mteam.goals.OKRPolicy": "a policy",
    "mteam.membership.analysis.MembershipPolicy": "a policy",
    "mteam.membership.rfm.RFMPolicy": "a policy",
    "mteam.membership.rfm.SegmentRule": "a policy part: one segment's R and F ranges",
    "mteam.membership.tiers.PointsPolicy": "a policy",
    "mteam.membership.tiers.TierPolicy": "a policy",
    "mteam.membership.tiers.Tier": "a policy part: one tier and its threshold",
    "mteam.performance.composite.CompositePolicy": "a policy",
    "mteam.performance.composite.RatingBands": "a policy part: the rating bands",
    "mteam.performance.composite.Band": "a policy part: one rating band and its threshold",
    "mteam.performance.feedback.FeedbackPolicy": "a policy",
    "mteam.performance.kpi.KpiPolicy": "a policy",
    "mteam.review.document.ReviewPolicy": "a policy",
    "mteam.rewards.bonus.BonusPolicy": "a policy",
    "mteam.risk.RiskPolicy": "a policy",
    "mteam.roles.CandidatePolicy": "a policy",
    "mteam.training.gaps.GapPolicy": "a policy",
    "mteam.training.plan.TrainingPolicy": "a policy",
    "mteam.scales.RatingScale": "a policy part: a rating or proficiency scale",
    # values a result's row flattens into its own cells (the mixin's cell rules)
    "mteam.money.Money": "a value: an amount is its Decimal and a currency column",
    "mteam.money.Currency": "a value: a currency is its code",
    "mteam.membership.units.Rate": "a value: flattened into `<name>_value`, `<name>_per`",
    "mteam.membership.units.Duration": "a value: flattened into `<name>_value`, `<name>_unit`",
    "mteam.labels.Label": "a value: a name in English and Traditional Chinese",
    "mteam.periods.Period": "a value: a start and an end day",
    "mteam._optimize.Diagnostics": "how a fit's search went: in its model's row (converged …)",
    "mteam.errors.Problem": "one problem of an InvalidInputError (a path and a message)",
    # the 360 release record: bookkeeping kept out of every report by design
    "mteam.performance.feedback.FeedbackRelease": (
        "the release record of keyed tokens: JSON-ready through to_dict(), never a report"
    ),
    "mteam.performance.feedback.ReleaseCell": "a cell of the release record (see above)",
    # the edge's building blocks: markup and chart data, not results
    "mteam.report.charts.Series": "a chart's input: one line of a line chart",
    "mteam.report.html.Figure": "a block of an HTML page (markup)",
    "mteam.report.html.Paragraph": "a block of an HTML page (markup)",
    "mteam.report.html.Section": "a block of an HTML page (markup)",
    "mteam.report.html.Table": "a block of an HTML page (markup)",
}


def _modules():
    names = ["mteam"]
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


MODULES = [importlib.import_module(m) for m in _modules()]


def _public_classes():
    """Every class named in a public module's `__all__` and defined there."""
    out = []
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj.__module__ == module.__name__:
                out.append(obj)
    return out


def _namespace():
    """Every public name of the package: annotations that name a class imported only for type
    checking still resolve."""
    names = {}
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            names.setdefault(name, getattr(module, name))
    return names


NAMESPACE = _namespace()


def _hints(obj):
    """Resolved annotations: the defining module's names first, then the package's."""
    module = sys.modules[obj.__module__]
    return typing.get_type_hints(obj, globalns={**NAMESPACE, **vars(module)})


def _attrs_classes(annotation):
    """The attrs classes an annotation names, looking inside generics and unions."""
    if isinstance(annotation, type) and attrs.has(annotation):
        return {annotation}
    return {c for arg in typing.get_args(annotation) for c in _attrs_classes(arg)}


def _methods(cls):
    """A class's public methods and property getters (their annotations say what they give)."""
    for attr, member in vars(cls).items():
        if attr.startswith("_"):
            continue
        function = member
        if isinstance(member, property):
            function = member.fget
        elif isinstance(member, (staticmethod, classmethod)):
            function = member.__func__
        if inspect.isfunction(function):
            yield attr, function


def _public_callables():
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for attr, function in _methods(obj):
                    yield f"{module.__name__}.{name}.{attr}", function


def _name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _result_classes():
    """Result class → how it was found (the function that returns it, or the field)."""
    found = {}
    for where, function in _public_callables():
        for cls in _attrs_classes(_hints(function).get("return")):
            found.setdefault(cls, f"returned by {where}")
    for cls in _subclasses(Records):
        if cls.__module__.startswith("mteam."):
            found.setdefault(cls, "a Records subclass")
    todo = list(found)
    while todo:
        holder = todo.pop()
        if _name(holder) in NOT_RESULTS:
            continue  # what an input holds is input too
        for field, annotation in _hints(holder).items():
            for cls in _attrs_classes(annotation):
                if cls not in found:
                    found[cls] = f"held by {_name(holder)}.{field}"
                    todo.append(cls)
    return found


RESULTS = _result_classes()


def _has_both(cls):
    return callable(getattr(cls, "to_records", None)) and callable(
        getattr(cls, "_repr_html_", None)
    )


@pytest.mark.parametrize(
    "cls", sorted((c for c in RESULTS if _name(c) not in NOT_RESULTS), key=_name), ids=_name
)
def test_every_result_class_has_records_and_html(cls):
    assert _has_both(cls), f"{_name(cls)} ({RESULTS[cls]}) lacks to_records or _repr_html_"


def test_every_public_attrs_class_is_a_result_or_says_why_not():
    """A new public value class is either a result (with both methods) or listed with why."""
    unlisted = [
        _name(c)
        for c in _public_classes()
        if attrs.has(c) and _name(c) not in NOT_RESULTS and not (c in RESULTS and _has_both(c))
    ]
    assert unlisted == []


@pytest.mark.parametrize("name", sorted(NOT_RESULTS))
def test_the_exclusions_exist_and_are_still_without_the_methods(name):
    known = {_name(c): c for c in [*RESULTS, *_public_classes()]}
    assert name in known, f"{name} is gone: remove it from NOT_RESULTS"
    assert attrs.has(known[name])
    assert not _has_both(known[name]), f"{name} has both methods now: remove it from NOT_RESULTS"
    assert NOT_RESULTS[name].strip()


def test_the_search_finds_the_results_it_must():
    names = {_name(c) for c in RESULTS}
    for expected in (
        "mteam.membership.analysis.MemberAnalysis",  # returned by analyse
        "mteam.membership.analysis.RepeatAnalysis",  # held by MemberAnalysis.repeat only
        "mteam.membership.analysis.MemberScores",
        "mteam.review.outcome.ReviewOutcome",  # not a Records subclass, has both itself
        "mteam.membership.sbg.SBGModel",
        "mteam.membership.survival.EventTable",
    ):
        assert expected in names
    assert sum(map(_has_both, RESULTS)) >= 70  # the search sees the whole package
