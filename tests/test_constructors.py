"""Every public value class refuses a wrong field with an InvalidInputError naming it.

The classes are found by walking every module's `__all__`; a valid sample of each comes from
the bundled sample team (every value it holds), a policy's defaults, or `SAMPLES` below. For
each field, Hypothesis draws a value of a wrong type (None, text, a list, a dict, an object,
NaN …) and `attrs.evolve` swaps it in: the constructor must raise `InvalidInputError` whose
path names the field, never a TypeError, AttributeError or ValueError of its own. A value the
field legitimately takes (None where the annotation allows it, text for a label or an enum, a
list for a tuple field, a dict for a mapping) is not a wrong value.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mteam
from mteam._validate import to_tuple
from mteam.budget import Campaign
from mteam.errors import InvalidInputError
from mteam.io import load_sample_team
from mteam.labels import to_label
from mteam.membership.records import Member, Transaction
from mteam.membership.tiers import PointsPolicy, Tier
from mteam.money import Money
from mteam.performance.composite import Band, ProjectEvaluation
from mteam.risk import Risk
from mteam.roles import Candidate, Role, SkillRequirement
from mteam.skills import Skill


def _public_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if isinstance(obj, type) and attrs.has(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _harvest(value: object, into: dict[type, object], depth: int = 0) -> None:
    """Every attrs value reachable from `value` (the first of each class)."""
    if depth > 8:
        return
    if attrs.has(type(value)):
        into.setdefault(type(value), value)
        for field in attrs.fields(type(value)):
            _harvest(getattr(value, field.name), into, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value[:5]:
            _harvest(item, into, depth + 1)
    elif isinstance(value, dict):
        for item in list(value.values())[:5]:
            _harvest(item, into, depth + 1)


CLASSES = _public_classes()

# Values built by hand, for classes the sample team does not hold.
SAMPLES: dict[type, object] = {
    Member: Member("a", date(2025, 1, 10), date(2025, 3, 1)),
    Transaction: Transaction("a", date(2025, 1, 12), Decimal("30.00"), line=2),
    Skill: Skill("seo", "SEO", "hard"),
    SkillRequirement: SkillRequirement("seo", 3, importance=2.0, must_have=True),
    Role: Role(
        "seo-specialist",
        "SEO specialist",
        responsibilities=("audits",),
        requirements=(SkillRequirement("seo", 3),),
    ),
    Candidate: Candidate("c1", {"seo": 2}, (4.0, 3.5)),
    Money: Money(Decimal("12.50"), "USD"),
    Band: Band(1, "meets", 0.5),
    ProjectEvaluation: ProjectEvaluation("p1", 4.0, 0.5),
    Tier: Tier("Gold", Decimal(50000)),
    PointsPolicy: PointsPolicy(Decimal(1), 12),
    Risk: Risk(
        "r1",
        "Key person leaves",
        likelihood=3,
        impact=4,
        mitigation="pairing",
        residual_likelihood=2,
        residual_impact=2,
        owner="ann",
    ),
    Campaign: Campaign("c1", "search", spend=Decimal(1000), revenue=Decimal(2500)),
}


def _samples() -> dict[type, object]:
    out = dict(SAMPLES)
    _harvest(load_sample_team(), out)
    for cls in CLASSES.values():
        if cls not in out:
            try:
                out[cls] = cls()  # a policy with every field defaulted
            except (TypeError, InvalidInputError):
                continue
    return out


SAMPLE = _samples()
COVERED = sorted(name for name, cls in CLASSES.items() if cls in SAMPLE)

# Fields that still take a wrong value, or name it with an empty path (a shared tuple
# converter does not know its field). Each is to be fixed; the test below fails as soon as one
# is, so that it leaves this list.
GAPS: dict[tuple[str, str], str] = {
    ("mteam.membership.rfm.RFMPolicy", "segments"): "path is empty",
    ("mteam.membership.tiers.TierPolicy", "tiers"): "path is empty",
    ("mteam.performance.kpi.KPI", "skills"): "path is empty",
    ("mteam.scales.RatingScale", "labels"): "path is empty",
    ("mteam.roles.Role", "responsibilities"): "path is empty",
}
LABEL_GAP = "a label takes any value"
for _name in COVERED:
    for _field in attrs.fields(CLASSES[_name]):
        if _field.converter is to_label and _field.validator is None:  # anything passes
            GAPS[_name, _field.name] = LABEL_GAP
        elif _field.converter is to_tuple:  # refuses a wrong value, but with an empty path
            GAPS[_name, _field.name] = "path is empty"

WRONG = st.sampled_from([None, "x", [], {}, object(), math.nan, ("a", 1), b"x"])


def _legitimate(field: attrs.Attribute[object], value: object) -> bool:
    """Whether the annotation of `field` admits `value` (as a plain value)."""
    kind = str(field.type)
    if value is None:
        return "None" in kind
    if isinstance(value, str):  # text for text, a label, an enum value or a currency code
        return any(word in kind for word in ("str", "Label", "Currency", "|", "Relation"))
    if isinstance(value, (list, tuple)):
        return "tuple" in kind or "Sequence" in kind or "Iterable" in kind
    if isinstance(value, dict):
        return "dict" in kind or "Mapping" in kind
    return False


def _fields(name: str) -> list[attrs.Attribute[object]]:
    return [f for f in attrs.fields(CLASSES[name]) if f.init]


CASES = [(name, f.name) for name in COVERED for f in _fields(name)]


def test_the_sweep_covers_the_policies_and_the_document():
    names = {name.rsplit(".", 1)[1] for name in COVERED}
    for wanted in (
        "ReviewPolicy",
        "MembershipPolicy",
        "FeedbackPolicy",
        "BonusPolicy",
        "TeamDocument",
        "TeamMember",
        "Rating",
        "KPI",
        "Transaction",
        "Member",
    ):
        assert wanted in names


def _attempt(name: str, alias: str, wrong: object) -> InvalidInputError | None:
    """The error of building the sample of `name` with `alias` swapped for `wrong`, if any."""
    try:
        attrs.evolve(SAMPLE[CLASSES[name]], **{alias: wrong})
    except InvalidInputError as err:
        return err
    return None


@pytest.mark.parametrize(("name", "field"), CASES)
@settings(max_examples=8, deadline=None)
@given(wrong=WRONG)
def test_a_wrong_field_is_an_input_error_naming_it(name, field, wrong):
    attribute = next(f for f in _fields(name) if f.name == field)
    err = _attempt(name, attribute.alias, wrong)  # anything but an InvalidInputError escapes
    if err is None:
        assert _legitimate(attribute, wrong) or (name, field) in GAPS, (name, field, wrong)
    elif GAPS.get((name, field)) != "path is empty":
        assert field in err.path or attribute.alias in err.path, (name, field, err.path)


@pytest.mark.parametrize(("name", "field"), sorted(GAPS))
def test_each_gap_is_still_a_gap(name, field):
    attribute = next(f for f in _fields(name) if f.name == field)
    err = _attempt(name, attribute.alias, object())
    if err is None:
        assert GAPS[name, field] == LABEL_GAP
    else:
        assert field not in err.path  # fixed: remove it from GAPS
