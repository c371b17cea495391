"""The overall rating: components combined by policy weights, rating bands, forced distribution.

The composite combines up to five components, each on [0, 1] (KPI may exceed 1, up to its
cap):

| component | value |
|---|---|
| `kpi` | the KPI scorecard's score |
| `feedback` | the 360-degree others-score, normalised onto [0, 1] |
| `projects` | project scores normalised onto [0, 1], weighted by contribution share |
| `self_assessment` | the self-assessment, normalised onto [0, 1] |
| `learning` | training hours completed ÷ planned, capped at 1 |

`composite = Σ weight × value / Σ weight` over the components present (the policy weights
renormalised), unless the policy requires every weighted component.

Examples:
    KPI 1.11, feedback 0.75, projects 0.8 and learning 0.5 with the default weights
    (0.45, 0.25, 0.15, 0.05 for self-assessment, 0.10): self-assessment is missing, so the
    other weights are renormalised over 0.95:
    (0.45 × 1.11 + 0.25 × 0.75 + 0.15 × 0.8 + 0.10 × 0.5) / 0.95 = 0.857 / 0.95 = 0.9021…

    >>> from mteam.performance.composite import composite_score
    >>> result = composite_score(kpi=1.11, feedback=0.75, projects=0.8, learning=0.5)
    >>> round(result.score, 4)
    0.9021
    >>> result.missing
    ('self_assessment',)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Final

import attrs

from mteam._records import Cell, Records
from mteam._validate import (
    as_flag,
    check_int,
    check_range,
    check_sequence,
    items_of,
    of_type,
    real,
    show,
    text,
    to_items,
    whole,
)
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.money import apportion
from mteam.scales import RatingScale

__all__ = [
    "COMPONENTS",
    "DEFAULT_BANDS",
    "Band",
    "ComponentScore",
    "CompositePolicy",
    "CompositeScore",
    "ForcedDistribution",
    "ProjectEvaluation",
    "RatingBands",
    "assign_bands",
    "composite_score",
    "forced_distribution",
    "learning_component",
    "project_component",
]

COMPONENTS: Final = ("kpi", "feedback", "projects", "self_assessment", "learning")
"""The components of the composite, in order."""


def _check_component_weights(_inst: object, _attr: object, value: dict[str, float]) -> None:
    for name, weight in value.items():
        if name not in COMPONENTS:
            raise InvalidInputError(
                f"weights[{name!r}]", f"unknown component (known: {', '.join(COMPONENTS)})"
            )
        check_range(f"weights[{name!r}]", weight, ge=0)
    if not any(w > 0 for w in value.values()):
        raise InvalidInputError("weights", "at least one weight must be > 0")


def _to_component_weights(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("weights", f"must be a mapping, got {show(value)}")
    return dict(value)


def _to_require_all(value: object) -> bool:
    return as_flag("require_all", value)


@attrs.frozen(hash=False)
class CompositePolicy:
    """How the components are weighted.

    Attributes:
        weights: Component → weight (≥ 0). KPI 0.45, feedback 0.25, projects 0.15,
            self-assessment 0.05, learning 0.10 unless given; a component left out weighs 0.
        require_all: If true, every component with a weight > 0 must be given; otherwise
            (the default) the weights are renormalised over the components present.
        kpi_cap: The highest KPI component accepted (1.5, the default attainment cap).

    Examples:
        >>> policy = CompositePolicy({"kpi": 0.7, "feedback": 0.3}, require_all=True)
        >>> round(composite_score(kpi=1.0, feedback=0.5, policy=policy).score, 10)  # 0.7 + 0.15
        0.85
        >>> composite_score(kpi=1.0, policy=policy)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: feedback: missing: the policy requires every component
    """

    weights: dict[str, float] = attrs.field(
        factory=lambda: {
            "kpi": 0.45,
            "feedback": 0.25,
            "projects": 0.15,
            "self_assessment": 0.05,
            "learning": 0.10,
        },
        converter=_to_component_weights,
        validator=_check_component_weights,
    )
    require_all: bool = attrs.field(default=False, converter=_to_require_all)
    kpi_cap: float = attrs.field(default=1.5, validator=real(ge=1))


@attrs.frozen
class ProjectEvaluation:
    """A member's evaluation on one project.

    Attributes:
        project_id: The project (a site redesign, a product launch, …).
        score: The evaluation, on `scale`.
        contribution: The member's share of the project's work, in (0, 1].
        scale: The evaluation scale (1–5 unless given).

    Examples:
        >>> ProjectEvaluation("launch", 4, 0.5).scale.normalise(4)  # (4 − 1) / (5 − 1)
        0.75
        >>> ProjectEvaluation("launch", 6)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: score: must be within 1..5, got 6
    """

    project_id: str = attrs.field(validator=text())
    score: float = attrs.field(validator=real())
    contribution: float = attrs.field(default=1.0, validator=real(gt=0, le=1))
    scale: RatingScale = attrs.field(
        factory=lambda: RatingScale(1, 5), validator=of_type(RatingScale), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        self.scale.check(self.score, "score")


def project_component(evaluations: Iterable[ProjectEvaluation]) -> float | None:
    """The projects component: normalised scores weighted by contribution share.

    `Σ contribution × normalise(score) / Σ contribution`; None without evaluations.

    Examples:
        A redesign scored 4 of 5 with a 60 % share and a launch scored 5 with 20 %:
        (0.6 × 0.75 + 0.2 × 1.0) / 0.8 = 0.8125.

        >>> from mteam.performance.composite import ProjectEvaluation, project_component
        >>> round(project_component([ProjectEvaluation("redesign", 4, 0.6),
        ...                          ProjectEvaluation("launch", 5, 0.2)]), 10)
        0.8125
    """
    check_sequence("evaluations", evaluations)
    items = list(evaluations)
    for i, e in enumerate(items):
        if not isinstance(e, ProjectEvaluation):
            raise InvalidInputError(
                f"evaluations[{i}]", f"must be a ProjectEvaluation, got {show(e)}"
            )
    if not items:
        return None
    total = math.fsum(e.contribution for e in items)
    return math.fsum(e.contribution * e.scale.normalise(e.score) for e in items) / total


def learning_component(completed_hours: float, planned_hours: float) -> float | None:
    """The learning component: completed ÷ planned training hours, capped at 1.

    None when nothing was planned (the component is then missing, not zero).

    Examples:
        >>> learning_component(12, 16)
        0.75
        >>> learning_component(20, 16), learning_component(0, 0)
        (1.0, None)
    """
    check_range("completed_hours", completed_hours, ge=0)
    check_range("planned_hours", planned_hours, ge=0)
    if planned_hours == 0:
        return None
    return float(min(completed_hours / planned_hours, 1.0))


@attrs.frozen
class ComponentScore(Records):
    """One component of a composite, with its weight and contribution.

    Attributes:
        name: The component (`"kpi"`, `"feedback"`, …).
        value: Its value on [0, 1] (KPI up to its cap).
        weight: The policy weight.
        share: The weight renormalised over the components present.
        contribution: `share × value`; the contributions add up to the composite.

    Examples:
        KPI 1.0 and feedback 0.5 with weights 0.45 and 0.25: the KPI's share is
        0.45 / 0.70 = 0.643 and its contribution 0.643 × 1.0.

        >>> kpi = composite_score(kpi=1.0, feedback=0.5).components[0]
        >>> kpi.name, kpi.weight, round(kpi.share, 3), round(kpi.contribution, 3)
        ('kpi', 0.45, 0.643, 0.643)
    """

    name: str
    value: float
    weight: float
    share: float
    contribution: float


@attrs.frozen
class CompositeScore(Records):
    """A member's overall score and how it was made.

    Attributes:
        score: The composite.
        components: The components present with a weight > 0, in the order of `COMPONENTS`.
        missing: The weighted components that were not given.

    Examples:
        Its records are one row per component present; the contributions add up to the score,
        (0.45 × 1.0 + 0.25 × 0.5) / 0.70 = 0.575 / 0.70 = 0.8214:

        >>> result = composite_score(kpi=1.0, feedback=0.5)
        >>> [(r["name"], round(r["contribution"], 4)) for r in result.to_records()]
        [('kpi', 0.6429), ('feedback', 0.1786)]
        >>> round(result.score, 4), result.missing
        (0.8214, ('projects', 'self_assessment', 'learning'))
    """

    score: float
    components: tuple[ComponentScore, ...]
    missing: tuple[str, ...]

    def _rows(self) -> list[dict[str, object]]:
        """One row per component present; the contributions add up to the score."""
        return [attrs.asdict(c) for c in self.components]

    def _html_caption(self) -> str:
        missing = f" (missing: {', '.join(self.missing)})" if self.missing else ""
        return f"CompositeScore: {self.score:.4g}{missing}"

    def explain(self) -> str:
        """The calculation in words.

        Examples:
            >>> policy = CompositePolicy({"kpi": 0.6, "feedback": 0.3, "learning": 0.1})
            >>> print(composite_score(kpi=1.0, feedback=0.5, policy=policy).explain())
            kpi 1.000 × 0.667 + feedback 0.500 × 0.333 = 0.833 (missing: learning)
        """
        parts = " + ".join(f"{c.name} {c.value:.3f} × {c.share:.3f}" for c in self.components)
        text = f"{parts} = {self.score:.3f}"
        if self.missing:
            text += f" (missing: {', '.join(self.missing)})"
        return text


def composite_score(
    *,
    kpi: float | None = None,
    feedback: float | None = None,
    projects: float | Iterable[ProjectEvaluation] | None = None,
    self_assessment: float | None = None,
    learning: float | None = None,
    policy: CompositePolicy | None = None,
) -> CompositeScore:
    """Combine the components into one overall score (see the module docs).

    Args:
        kpi: The KPI scorecard score, in [0, policy.kpi_cap].
        feedback: The 360 others-score normalised onto [0, 1].
        projects: The projects component on [0, 1], or the evaluations to compute it from.
        self_assessment: The self-assessment normalised onto [0, 1].
        learning: Completed ÷ planned training, on [0, 1].
        policy: The weights; [`CompositePolicy()`][mteam.performance.composite.CompositePolicy]
            unless given.

    Returns:
        The composite, each component's share and contribution, and the missing components.

    Raises:
        InvalidInputError: a component out of its range; no weighted component given; or a
            weighted component missing when the policy requires all.

    Examples:
        KPI 0.9 and feedback 0.6 with weights kpi 0.6, feedback 0.4:
        (0.6 × 0.9 + 0.4 × 0.6) / 1.0 = 0.54 + 0.24 = 0.78.

        >>> policy = CompositePolicy({"kpi": 0.6, "feedback": 0.4})
        >>> round(composite_score(kpi=0.9, feedback=0.6, policy=policy).score, 10)
        0.78
    """
    policy = policy if policy is not None else CompositePolicy()
    if projects is not None and not isinstance(projects, (int, float)):
        projects = project_component(projects)
    values: dict[str, float | None] = {
        "kpi": kpi,
        "feedback": feedback,
        "projects": projects,
        "self_assessment": self_assessment,
        "learning": learning,
    }
    for name, value in values.items():
        if value is not None:
            check_range(name, value, ge=0, le=policy.kpi_cap if name == "kpi" else 1)
    weighted = [n for n in COMPONENTS if policy.weights.get(n, 0) > 0]
    missing = tuple(n for n in weighted if values[n] is None)
    if policy.require_all and missing:
        raise InvalidInputError(missing[0], "missing: the policy requires every component")
    present = [n for n in weighted if values[n] is not None]
    if not present:
        raise InvalidInputError(
            "components", f"none of the weighted components was given ({', '.join(weighted)})"
        )
    total = math.fsum(policy.weights[n] for n in present)
    components = []
    for n in present:
        value = float(values[n])  # type: ignore[arg-type]
        share = policy.weights[n] / total
        components.append(ComponentScore(n, value, policy.weights[n], share, share * value))
    score = math.fsum(policy.weights[c.name] * c.value for c in components) / total
    return CompositeScore(score, tuple(components), missing)


# --- bands -----------------------------------------------------------------------------------


@attrs.frozen
class Band:
    """A rating band: a level, a label and the lowest composite that reaches it.

    Attributes:
        level: 1 for the lowest band, counting up.
        name: The label.
        min_score: The lowest composite in the band (the lowest band starts at 0).

    Examples:
        >>> Band(2, "solid", 0.6).name.en
        'solid'
    """

    level: int = attrs.field(validator=whole(ge=1))
    name: Label = attrs.field(converter=to_label, validator=is_label)
    min_score: float = attrs.field(validator=real(ge=0))


def _check_bands(_inst: object, _attr: object, value: tuple[Band, ...]) -> None:
    if not value:
        raise InvalidInputError("bands", "must not be empty")
    for i, band in enumerate(value):
        if band.level != i + 1:
            raise InvalidInputError(f"bands[{i}].level", f"must be {i + 1}, got {band.level}")
        if i == 0 and band.min_score != 0:
            raise InvalidInputError("bands[0].min_score", f"must be 0, got {show(band.min_score)}")
        if i > 0 and not band.min_score > value[i - 1].min_score:
            raise InvalidInputError(
                f"bands[{i}].min_score",
                f"must be > the band below ({show(value[i - 1].min_score)}), "
                f"got {show(band.min_score)}",
            )


@attrs.frozen
class RatingBands:
    """Ordered rating bands: level 1 from 0, each next band from a higher composite.

    Attributes:
        bands: The bands, level 1 first; the first starts at 0 and each starts higher than
            the one below.

    Examples:
        >>> bands = RatingBands(
        ...     [Band(1, "Bronze", 0), Band(2, "Silver", 0.6), Band(3, "Gold", 0.9)])
        >>> bands.band(0.75).name.en, bands.band(0.9).name.en
        ('Silver', 'Gold')
        >>> RatingBands([Band(1, "Bronze", 0.1)])
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: bands[0].min_score: must be 0, got 0.1
    """

    bands: tuple[Band, ...] = attrs.field(
        converter=to_items, validator=[items_of(Band), _check_bands]
    )

    def band(self, score: float) -> Band:
        """The band a composite falls in: the highest whose `min_score` it reaches.

        Examples:
            >>> DEFAULT_BANDS.band(0.85).name.en
            'meets expectations'
        """
        check_range("score", score, ge=0)
        chosen = self.bands[0]
        for band in self.bands:
            if score >= band.min_score:
                chosen = band
        return chosen

    def level(self, level: int) -> Band:
        """The band of a level.

        Raises:
            InvalidInputError: no such level.

        Examples:
            >>> DEFAULT_BANDS.level(5).name.get("zh-Hant")
            '傑出'
        """
        check_int("level", level, ge=1, le=len(self.bands))
        return self.bands[level - 1]


DEFAULT_BANDS: Final = RatingBands(
    (
        Band(1, Label("needs improvement", "需要改進"), 0.0),
        Band(2, Label("partially meets expectations", "部分達到期望"), 0.5),
        Band(3, Label("meets expectations", "達到期望"), 0.7),
        Band(4, Label("exceeds expectations", "超出期望"), 0.9),
        Band(5, Label("outstanding", "傑出"), 1.05),
    )
)
"""Five bands: needs improvement from 0, partially meets 0.5, meets 0.7, exceeds 0.9,
outstanding 1.05 (a composite above 1 needs KPIs beyond target)."""


def _check_scores(scores: object) -> None:
    if not isinstance(scores, Mapping):
        raise InvalidInputError("scores", f"must be a mapping of id to score, got {show(scores)}")
    for key, value in scores.items():
        check_range(f"scores[{key!r}]", value, ge=0)


def _check_quota_levels(quotas: object) -> None:
    if not isinstance(quotas, Mapping) or not quotas:
        raise InvalidInputError("quotas", f"must be a non-empty mapping, got {show(quotas)}")
    for level in quotas:
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise InvalidInputError(f"quotas[{level!r}]", "band levels must be whole numbers >= 1")


def assign_bands(scores: Mapping[str, float], bands: RatingBands = DEFAULT_BANDS) -> dict[str, int]:
    """Each member's band level by their composite (a higher composite never gets a lower band).

    Examples:
        >>> assign_bands({"ann": 0.95, "bob": 0.42, "cy": 0.7})
        {'ann': 4, 'bob': 1, 'cy': 3}
    """
    _check_scores(scores)
    return {key: bands.band(scores[key]).level for key in sorted(scores)}


@attrs.frozen
class ForcedDistribution(Records):
    """Bands assigned by rank with quotas.

    Attributes:
        levels: Member id → band level.
        targets: Band level → the number of members the quota asks for.
        counts: Band level → the number of members placed (differs from the target only where
            a group of equal composites straddles a quota boundary).

    Examples:
        Its records are one row per member and level; its HTML shows each band's quota count
        and the members placed. Four members, 25 / 75 %: 4 × 0.25 = 1 in band 2, 3 in band 1.

        >>> scores = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.6}
        >>> forced_distribution(scores, {2: 0.25, 1: 0.75}).to_records()
        [{'member_id': 'a', 'level': 2}, {'member_id': 'b', 'level': 1}, \
{'member_id': 'c', 'level': 1}, {'member_id': 'd', 'level': 1}]
    """

    levels: dict[str, int]
    targets: dict[int, int]
    counts: dict[int, int]

    def _rows(self) -> list[dict[str, object]]:
        """One row per member: their band level."""
        return [{"member_id": k, "level": v} for k, v in self.levels.items()]

    def _html_rows(self) -> list[dict[str, Cell]]:
        """One row per band, highest first: the quota's count and the members placed."""
        return [
            {"level": level, "target": self.targets[level], "placed": self.counts[level]}
            for level in sorted(self.targets, reverse=True)
        ]


def forced_distribution(
    scores: Mapping[str, float], quotas: Mapping[int, float | Fraction]
) -> ForcedDistribution:
    """Place members in bands by rank so that each band holds its quota of the team.

    The quota counts are the team size apportioned by the quota shares
    ([`apportion`][mteam.money.apportion], largest remainder). Members are ranked by composite
    (highest first, ties by id) and the highest band is filled first. Equal composites always
    share a band: a group of equal composites that straddles a quota boundary goes whole into
    the higher band, and the bands below get correspondingly fewer.

    Args:
        scores: Member id → composite.
        quotas: Band level → share of the team (≥ 0, not all 0), e.g. `{3: 0.2, 2: 0.7, 1: 0.1}`
            for 20 / 70 / 10 %.

    Returns:
        The levels, the quota counts and the counts placed.

    Examples:
        Ten members, 20 / 70 / 10 %: the top two go to band 3, the bottom one to band 1.

        >>> scores = {f"m{i}": s for i, s in enumerate(
        ...     [0.95, 0.91, 0.88, 0.80, 0.80, 0.77, 0.72, 0.70, 0.66, 0.41])}
        >>> result = forced_distribution(scores, {3: 0.2, 2: 0.7, 1: 0.1})
        >>> result.targets, result.counts
        ({1: 1, 2: 7, 3: 2}, {1: 1, 2: 7, 3: 2})
        >>> [result.levels[f"m{i}"] for i in range(10)]
        [3, 3, 2, 2, 2, 2, 2, 2, 2, 1]
    """
    _check_scores(scores)
    _check_quota_levels(quotas)
    try:
        counts_d = apportion(len(scores), dict(quotas))
    except InvalidInputError as err:
        raise InvalidInputError(err.path.replace("weights", "quotas", 1), err.message) from None
    targets = {level: int(c) for level, c in sorted(counts_d.items())}
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    # cumulative capacity from the highest band down
    order = sorted(targets, reverse=True)
    boundaries = []
    running = 0
    for level in order:
        running += targets[level]
        boundaries.append((running, level))
    levels: dict[str, int] = {}
    group_level = order[-1]
    for position, key in enumerate(ranked):
        if position == 0 or scores[key] != scores[ranked[position - 1]]:
            group_level = next(lvl for bound, lvl in boundaries if position < bound)
        levels[key] = group_level
    counts = dict.fromkeys(targets, 0)
    for level in levels.values():
        counts[level] += 1
    return ForcedDistribution(dict(sorted(levels.items())), targets, counts)
