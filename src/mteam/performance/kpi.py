"""KPI attainment and scorecards.

A KPI's attainment turns an actual value into a score on a piecewise-linear curve (for a KPI
where higher is better; lower-is-better mirrors it):

| actual | attainment |
|---|---|
| below threshold | 0 (below the threshold earns nothing) |
| at threshold | `threshold_score` (0.5 unless the policy says otherwise) |
| at target | 1.0 |
| at stretch | `stretch_score` (1.5 unless the policy says otherwise), the cap |
| above stretch | the cap |

and linear in between. A KPI without a threshold scores `actual / target` below the target
(`target / actual` when lower is better), and one without a stretch scores the same ratio above
the target, capped; so a KPI with neither is the plain ratio, capped. A lower-is-better KPI with
an actual of 0 scores the cap.

A scorecard's score is the weighted mean `Σ weight × attainment / Σ weight`.

Examples:
    Traffic growth with threshold 10 %, target 20 %, stretch 30 %: 15 % is half-way between
    threshold and target, so 0.5 + (1.0 − 0.5) × 0.5 = 0.75.

    >>> from mteam.performance.kpi import KPI, attainment
    >>> growth = KPI("traffic_growth", "Traffic growth", target=20, threshold=10, stretch=30)
    >>> attainment(growth, 15)
    0.75
    >>> attainment(growth, 25), attainment(growth, 40), attainment(growth, 9.9)
    (1.25, 1.5, 0.0)

    Cost per acquisition (lower is better), target 200 TWD, no threshold or stretch:

    >>> cpa = KPI("cpa", "Cost per acquisition", unit="TWD", target=200,
    ...           direction="lower_is_better")
    >>> attainment(cpa, 250), attainment(cpa, 160)
    (0.8, 1.25)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import attrs

from mteam._records import Records
from mteam._validate import (
    as_flag,
    check_instance,
    check_range,
    check_records,
    check_sequence,
    items_of,
    optional_real,
    real,
    show,
    text,
    to_items,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.scales import Direction, to_direction

__all__ = [
    "KPI",
    "Direction",
    "KpiLine",
    "KpiPolicy",
    "Scorecard",
    "attainment",
    "score_scorecard",
]


@attrs.frozen
class KPI:
    """A key performance indicator with its target, optional threshold and stretch, and weight.

    For a higher-is-better KPI the points must satisfy `threshold < target < stretch`; for a
    lower-is-better one `threshold > target > stretch`. Where the ratio rule applies (no
    threshold or no stretch) the target must be > 0.

    Attributes:
        id: A stable identifier.
        name: The label, in English and Traditional Chinese.
        target: The value that scores 1.0.
        threshold: The value below which (above which, when lower is better) nothing is
            earned; None for the ratio rule below the target.
        stretch: The value that earns the cap; None for the capped ratio rule above the target.
        weight: The KPI's weight in its scorecard (> 0).
        unit: The unit of the measure (`"%"`, `"TWD"`, `"hours"`, …).
        direction: Whether higher or lower values are better.
        skills: Skill ids related to the KPI: attainment below target raises the priority of
            those skills' training needs.

    Examples:
        >>> KPI("cpa", "Cost per acquisition", target=200, threshold=260, stretch=150,
        ...     direction="lower_is_better").direction
        <Direction.LOWER_IS_BETTER: 'lower_is_better'>
        >>> KPI("growth", "Traffic growth", target=20, threshold=25)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: threshold: must be < target (20), got 25
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    target: float = attrs.field(validator=real(), kw_only=True)
    threshold: float | None = attrs.field(default=None, validator=optional_real(), kw_only=True)
    stretch: float | None = attrs.field(default=None, validator=optional_real(), kw_only=True)
    weight: float = attrs.field(default=1.0, validator=real(gt=0), kw_only=True)
    unit: str = attrs.field(default="", validator=text(allow_empty=True), kw_only=True)
    direction: Direction = attrs.field(
        default=Direction.HIGHER_IS_BETTER, converter=to_direction, kw_only=True
    )
    skills: tuple[str, ...] = attrs.field(
        default=(), converter=to_items, validator=items_of(str), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        sign = 1 if self.direction is Direction.HIGHER_IS_BETTER else -1
        word = "<" if sign == 1 else ">"
        if self.threshold is not None and not sign * self.threshold < sign * self.target:
            raise InvalidInputError(
                "threshold",
                f"must be {word} target ({show(self.target)}), got {show(self.threshold)}",
            )
        if self.stretch is not None and not sign * self.stretch > sign * self.target:
            other = ">" if sign == 1 else "<"
            raise InvalidInputError(
                "stretch",
                f"must be {other} target ({show(self.target)}), got {show(self.stretch)}",
            )
        if (self.threshold is None or self.stretch is None) and not self.target > 0:
            raise InvalidInputError(
                "target",
                "must be > 0 when the ratio rule applies (no threshold or no stretch), "
                f"got {show(self.target)}",
            )


def _to_weights_sum_to_100(value: object) -> bool:
    return as_flag("weights_sum_to_100", value)


@attrs.frozen
class KpiPolicy:
    """The attainment curve's fixed points and how scorecard weights are checked.

    Attributes:
        threshold_score: Attainment at the threshold, in (0, 1); 0.5 unless given.
        stretch_score: Attainment at the stretch, and the cap on every attainment (≥ 1);
            1.5 unless given.
        weights_sum_to_100: Require each scorecard's weights to add up to 100 (as Frappe HRMS
            does); otherwise (the default) weights are relative and are normalised.

    Examples:
        With threshold score 0.4, half-way from threshold 10 to target 20 scores
        0.4 + (1 − 0.4) × 0.5 = 0.7; the stretch, and the cap, is 2:

        >>> policy = KpiPolicy(threshold_score=0.4, stretch_score=2)
        >>> growth = KPI("growth", "Traffic growth", target=20, threshold=10, stretch=30)
        >>> round(attainment(growth, 15, policy), 10), attainment(growth, 35, policy), policy.cap
        (0.7, 2.0, 2)
    """

    threshold_score: float = attrs.field(default=0.5, validator=real(gt=0, lt=1))
    stretch_score: float = attrs.field(default=1.5, validator=real(ge=1))
    weights_sum_to_100: bool = attrs.field(default=False, converter=_to_weights_sum_to_100)

    @property
    def cap(self) -> float:
        """The highest attainment: `stretch_score`."""
        return self.stretch_score


def _ratio(kpi: KPI, actual: float, cap: float) -> float:
    if kpi.direction is Direction.HIGHER_IS_BETTER:
        value = actual / kpi.target
    else:
        if actual <= 0:
            return cap
        value = kpi.target / actual
    return min(max(value, 0.0), cap)


def _between(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def attainment(kpi: KPI, actual: float, policy: KpiPolicy | None = None) -> float:
    """The attainment of an actual value against a KPI (see the module docs for the curve).

    Args:
        kpi: The KPI.
        actual: The measured value, in the KPI's unit.
        policy: The curve's fixed points; [`KpiPolicy()`][mteam.performance.kpi.KpiPolicy]
            unless given.

    Returns:
        A float in `[0, policy.cap]`, non-decreasing in `actual` when higher is better
        (non-increasing when lower is better).

    Raises:
        InvalidInputError: the actual value is not a finite number, or is negative where the
            lower-is-better ratio rule applies.

    Examples:
        Threshold 10, target 20, stretch 30 (higher is better): 25 is half-way from target to
        stretch, 1 + (1.5 − 1) × 0.5 = 1.25; a plain-target KPI of 3 at 2.7 scores 2.7 / 3 = 0.9.

        >>> attainment(KPI("g", "Growth", target=20, threshold=10, stretch=30), 25)
        1.25
        >>> round(attainment(KPI("c", "Conversion", target=3), 2.7), 10)
        0.9
    """
    check_instance("kpi", kpi, KPI)
    policy = policy if policy is not None else KpiPolicy()
    check_range("actual", actual)
    sign = 1.0 if kpi.direction is Direction.HIGHER_IS_BETTER else -1.0
    x = sign * float(actual)
    target = sign * float(kpi.target)
    cap = float(policy.cap)
    if (
        kpi.direction is Direction.LOWER_IS_BETTER
        and actual < 0
        and (kpi.threshold is None or kpi.stretch is None)
    ):
        raise InvalidInputError(
            "actual", f"must be >= 0 for a lower-is-better ratio KPI, got {show(actual)}"
        )
    if x < target:
        if kpi.threshold is None:
            return _ratio(kpi, actual, cap)
        threshold = sign * float(kpi.threshold)
        if x < threshold:
            return 0.0
        return _between(x, threshold, target, policy.threshold_score, 1.0)
    if kpi.stretch is None:
        return _ratio(kpi, actual, cap)
    stretch = sign * float(kpi.stretch)
    if x >= stretch:
        return cap
    return _between(x, target, stretch, 1.0, cap)


@attrs.frozen
class KpiLine(Records):
    """One KPI of a scorecard, with everything that produced its contribution.

    Attributes:
        kpi_id: The KPI.
        actual: The measured value.
        target: The KPI's target.
        attainment: The attainment of `actual`.
        weight: The KPI's weight as given.
        share: The weight's share of the scorecard's total weight.
        contribution: `share × attainment`; the contributions add up to the score.

    Examples:
        >>> card = score_scorecard([KPI("c", "Conversion", target=4, weight=2)], {"c": 3})
        >>> card.lines[0].to_records()
        [{'kpi_id': 'c', 'actual': 3, 'target': 4, 'attainment': 0.75, 'weight': 2, 'share': 1.0, \
'contribution': 0.75}]
    """

    kpi_id: str
    actual: float
    target: float
    attainment: float
    weight: float
    share: float
    contribution: float


@attrs.frozen
class Scorecard(Records):
    """A member's KPI scorecard: one line per KPI and the weighted score.

    Attributes:
        lines: The KPI lines, in the order of the KPIs given.
        score: `Σ weight × attainment / Σ weight`, in `[0, cap]`.

    Examples:
        Its records are one row per KPI (the line's fields); the score is the sum of the
        `contribution` column. Two KPIs of weight 1 at attainments 0.5 and 1:
        score = (0.5 + 1) / 2 = 0.75.

        >>> card = score_scorecard([KPI("a", "A", target=4), KPI("b", "B", target=2)],
        ...                        {"a": 2, "b": 2})
        >>> [(r["kpi_id"], r["attainment"], r["contribution"]) for r in card.to_records()]
        [('a', 0.5, 0.25), ('b', 1.0, 0.5)]
        >>> card.score
        0.75
    """

    lines: tuple[KpiLine, ...]
    score: float

    def line(self, kpi_id: str) -> KpiLine:
        """The line of one KPI.

        Raises:
            InvalidInputError: no such KPI on the scorecard.

        Examples:
            >>> card = score_scorecard([KPI("a", "A", target=4)], {"a": 5})
            >>> card.line("a").attainment  # 5 / 4, below the cap of 1.5
            1.25
        """
        for line in self.lines:
            if line.kpi_id == kpi_id:
                return line
        raise InvalidInputError("kpi_id", f"not on the scorecard: {show(kpi_id)}")

    def _rows(self) -> list[dict[str, object]]:
        """One row per KPI: the fields of its line; the contributions add up to the score."""
        return [attrs.asdict(line) for line in self.lines]

    def _html_caption(self) -> str:
        return f"Scorecard: score {self.score:.4g}"


def _check_scorecard(kpi_list: list[KPI], actuals: object) -> None:
    if not kpi_list:
        raise InvalidInputError("kpis", "must not be empty")
    if not isinstance(actuals, Mapping):
        raise InvalidInputError(
            "actuals", f"must be a mapping of KPI id to value, got {show(actuals)}"
        )
    ids = check_records("kpis", kpi_list, KPI)
    for kpi in ids.values():
        if kpi.id not in actuals:
            raise InvalidInputError(f"actuals[{kpi.id!r}]", "missing: every KPI needs an actual")
    for key in actuals:
        if key not in ids:
            raise InvalidInputError(f"actuals[{key!r}]", f"unknown KPI {show(key)}")


def score_scorecard(
    kpis: Iterable[KPI],
    actuals: Mapping[str, float],
    policy: KpiPolicy | None = None,
) -> Scorecard:
    """Score a set of KPIs against their actual values.

    Args:
        kpis: The KPIs (at least one, unique ids).
        actuals: KPI id → actual value; exactly one per KPI.
        policy: The attainment curve and weight rule;
            [`KpiPolicy()`][mteam.performance.kpi.KpiPolicy] unless given.

    Returns:
        The scorecard: per-KPI attainment, weight share and contribution, and the score.

    Raises:
        InvalidInputError: no KPIs, duplicate KPI ids, a missing or unknown actual, an actual
            that is not a finite number, or (with `weights_sum_to_100`) weights that do not add
            up to 100.

    Examples:
        An SEO specialist's scorecard: traffic growth (weight 60) at 25 % against
        10 / 20 / 30 %, and conversion rate (weight 40) at 2.7 % against a plain target of 3 %:
        (60 × 1.25 + 40 × 0.9) / 100 = 1.11.

        >>> from mteam.performance.kpi import KPI, score_scorecard
        >>> card = score_scorecard(
        ...     [KPI("traffic_growth", "Traffic growth", target=20, threshold=10, stretch=30,
        ...          weight=60),
        ...      KPI("conversion_rate", "Conversion rate", target=3, weight=40)],
        ...     {"traffic_growth": 25, "conversion_rate": 2.7},
        ... )
        >>> round(card.score, 6)
        1.11
        >>> [(line.kpi_id, round(line.attainment, 6), line.share) for line in card.lines]
        [('traffic_growth', 1.25, 0.6), ('conversion_rate', 0.9, 0.4)]
    """
    policy = policy if policy is not None else KpiPolicy()
    check_sequence("kpis", kpis)
    kpi_list = list(kpis)
    _check_scorecard(kpi_list, actuals)
    total = math.fsum(k.weight for k in kpi_list)
    if policy.weights_sum_to_100 and not math.isclose(total, 100.0, abs_tol=1e-9):
        raise InvalidInputError("kpis", f"weights must add up to 100, got {show(total)}")
    lines = []
    for kpi in kpi_list:
        actual = actuals[kpi.id]
        try:
            value = attainment(kpi, actual, policy)
        except InvalidInputError as err:
            raise InvalidInputError(f"actuals[{kpi.id!r}]", err.message) from None
        share = kpi.weight / total
        lines.append(KpiLine(kpi.id, actual, kpi.target, value, kpi.weight, share, share * value))
    score = math.fsum(line.weight * line.attainment for line in lines) / total
    return Scorecard(tuple(lines), min(score, policy.cap))
