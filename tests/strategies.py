"""Hypothesis strategies, one per domain class (valid values), plus invalid-value strategies."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from mteam.money import CURRENCIES, Currency
from mteam.scales import RatingScale

finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
non_finite = st.sampled_from([float("nan"), float("inf"), float("-inf")])

currencies = st.sampled_from(sorted(CURRENCIES.values(), key=lambda c: c.code)) | st.builds(
    Currency,
    code=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    exponent=st.integers(0, 4),
)


@st.composite
def amounts(draw: st.DrawFn, currency: Currency, max_units: int = 10**12) -> Decimal:
    """A non-negative amount that is a whole number of the currency's minor units."""
    units = draw(st.integers(0, max_units))
    return Decimal(units).scaleb(-currency.exponent)


weight_values = (
    st.integers(0, 10**6)
    | st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=3)
    | st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
)

weight_maps = st.dictionaries(
    st.text(alphabet="abcdefghij", min_size=1, max_size=4), weight_values, min_size=1, max_size=12
).filter(lambda w: any(v > 0 for v in w.values()))


@st.composite
def rating_scales(draw: st.DrawFn) -> RatingScale:
    """A rating scale: integral with labels or continuous."""
    if draw(st.booleans()):
        low = draw(st.integers(-5, 5))
        high = draw(st.integers(low + 1, low + 10))
        labels = draw(
            st.none()
            | st.lists(st.text(min_size=1), min_size=high - low + 1, max_size=high - low + 1)
        )
        return RatingScale(low, high, integral=True, labels=tuple(labels or ()))
    low_f = draw(st.floats(-100, 100))
    high_f = draw(st.floats(low_f + 0.5, low_f + 200))
    return RatingScale(low_f, high_f)


# --- labels, skills, roles -------------------------------------------------------------------

from mteam.labels import Label  # noqa: E402
from mteam.roles import Candidate, Role, SkillRequirement, SuggestedKpi  # noqa: E402
from mteam.scales import Direction  # noqa: E402
from mteam.skills import Skill, SkillCategory, SkillMatrix  # noqa: E402

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda s: s.strip("_") != ""
)
labels = st.builds(Label, en=st.text(min_size=1).filter(str.strip), zh_hant=st.text())
skills = st.builds(Skill, id=ids, name=labels, category=st.sampled_from(SkillCategory))
levels = st.integers(0, 4)


def skill_lists(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[Skill]]:
    return st.lists(skills, min_size=min_size, max_size=max_size, unique_by=lambda s: s.id)


@st.composite
def skill_matrices(draw: st.DrawFn, max_members: int = 8) -> SkillMatrix:
    """A skill matrix over a few skills; some entries left out (they count as level 0)."""
    skill_list = draw(skill_lists())
    members = draw(st.lists(ids, max_size=max_members, unique=True))
    table = {
        m: draw(st.dictionaries(st.sampled_from([s.id for s in skill_list]), levels))
        for m in members
    }
    return SkillMatrix(skill_list, table)


requirements = st.builds(
    SkillRequirement,
    skill_id=ids,
    level=st.integers(1, 4),
    importance=st.floats(0.01, 100) | st.integers(1, 10),
    must_have=st.booleans(),
)

suggested_kpis = st.builds(
    SuggestedKpi,
    id=ids,
    name=labels,
    unit=st.sampled_from(["%", "TWD", "hours"]),
    direction=st.sampled_from(Direction),
)

roles = st.builds(
    Role,
    id=ids,
    title=labels,
    responsibilities=st.lists(labels, max_size=3),
    requirements=st.lists(requirements, max_size=6, unique_by=lambda r: r.skill_id),
    kpis=st.lists(suggested_kpis, max_size=3, unique_by=lambda k: k.id),
)

candidates = st.builds(
    Candidate,
    id=ids,
    skill_tests=st.dictionaries(ids, levels, max_size=5),
    interview_ratings=st.lists(st.floats(1, 5), max_size=4),
)


# --- performance -----------------------------------------------------------------------------

from mteam.performance.feedback import Rating, Relation  # noqa: E402
from mteam.performance.kpi import KPI  # noqa: E402

moderate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def kpis(draw: st.DrawFn, *, curve: bool | None = None) -> KPI:
    """A valid KPI: with threshold and stretch (`curve=True`), without, or either."""
    direction = draw(st.sampled_from(Direction))
    sign = 1 if direction is Direction.HIGHER_IS_BETTER else -1
    has_threshold = draw(st.booleans()) if curve is None else curve
    has_stretch = draw(st.booleans()) if curve is None else curve
    target = draw(moderate) if has_threshold and has_stretch else draw(st.floats(0.01, 1000000.0))
    threshold = target - sign * draw(st.floats(0.01, 1e4)) if has_threshold else None
    stretch = target + sign * draw(st.floats(0.01, 1e4)) if has_stretch else None
    if threshold is not None and sign * threshold >= sign * target:
        threshold = None
    if stretch is not None and sign * stretch <= sign * target:
        stretch = None
    if (threshold is None or stretch is None) and target <= 0:
        target = 1.0
        threshold = stretch = None
    return KPI(
        draw(ids),
        draw(labels),
        target=target,
        threshold=threshold,
        stretch=stretch,
        weight=draw(st.floats(0.01, 100)),
        direction=direction,
    )


@st.composite
def rating_sets(
    draw: st.DrawFn,
    *,
    max_ratees: int = 3,
    max_raters: int = 8,
    competencies: tuple[str, ...] = ("comm", "collab", "lead"),
) -> list[Rating]:
    """360 ratings of a few ratees by a few raters, each rater with one relation per ratee."""
    ratees = draw(st.lists(st.sampled_from("ABCDEF"), min_size=1, max_size=max_ratees, unique=True))
    raters = [f"r{i}" for i in range(draw(st.integers(1, max_raters)))]
    out = []
    for ratee in ratees:
        for comp in competencies:
            if draw(st.booleans()):
                score = draw(st.integers(1, 5) | st.floats(1, 5))
                out.append(Rating(ratee, ratee, Relation.SELF, comp, score))
        for rater in raters:
            relation = draw(
                st.sampled_from(
                    [Relation.MANAGER, Relation.PEER, Relation.DIRECT_REPORT, Relation.CUSTOMER]
                )
            )
            for comp in competencies:
                if draw(st.integers(0, 3)) > 0:
                    score = draw(st.integers(1, 5) | st.floats(1, 5))
                    out.append(Rating(ratee, rater, relation, comp, score))
    return out


# --- periods and rewards ---------------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from mteam.periods import Period  # noqa: E402
from mteam.rewards.bonus import BonusMember  # noqa: E402
from mteam.rewards.recognition import Recipient, Reward, RewardKind  # noqa: E402

days = st.dates(date(2018, 1, 1), date(2030, 12, 31))


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(st.dates(date(2020, 1, 1), date(2028, 12, 31)))
    return Period(start, start + timedelta(days=draw(st.integers(0, 800))))


@st.composite
def bonus_members(draw: st.DrawFn, member_id: str) -> BonusMember:
    hired = draw(days)
    left = draw(st.none() | st.dates(hired, date(2031, 12, 31)))
    return BonusMember(
        member_id,
        band=draw(st.none() | st.integers(1, 5)),
        hired_on=hired,
        left_on=left,
        target_bonus=Decimal(draw(st.integers(0, 200_000))),
    )


@st.composite
def bonus_teams(draw: st.DrawFn, max_size: int = 8) -> list[BonusMember]:
    names = draw(st.lists(ids, min_size=1, max_size=max_size, unique=True))
    return [draw(bonus_members(n)) for n in names]


rewards = st.builds(
    Reward,
    id=ids,
    name=labels,
    kind=st.sampled_from(RewardKind),
    quantity=st.none() | st.integers(0, 3),
    min_band=st.integers(1, 5),
    min_tenure_days=st.integers(0, 500),
)


@st.composite
def recognition_rounds(
    draw: st.DrawFn,
) -> tuple[list[Recipient], list[Reward], dict[str, list[str]]]:
    catalog = draw(st.lists(rewards, min_size=1, max_size=5, unique_by=lambda r: r.id))
    names = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    members = [
        Recipient(
            n,
            draw(st.sampled_from([0.5, 0.8, 1.0]) | st.floats(0, 1.5)),
            band=draw(st.integers(1, 5)),
            tenure_days=draw(st.integers(0, 1000)),
        )
        for n in names
    ]
    reward_ids = [r.id for r in catalog]
    prefs = {
        n: draw(st.permutations(reward_ids).map(lambda p: p[: draw(st.integers(0, len(p)))]))
        for n in names
        if draw(st.integers(0, 4)) > 0
    }
    return members, catalog, prefs
