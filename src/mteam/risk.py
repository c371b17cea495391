"""A risk register: likelihood × impact on a 5 × 5 matrix, levels, residual risk.

Each risk is scored likelihood (1–5) × impact (1–5), before and after mitigation: the
consequence/likelihood matrix of IEC 31010:2019 (*Risk management — Risk assessment
techniques*), multiplied out. The level of a score comes from policy thresholds (by default
1–4 low, 5–9 medium, 10–15 high, 16–25 critical). The register is sorted by residual score,
then inherent score (highest first), then id. The source articles' risks (member churn, a data
leak, intensifying competition, negative reviews) are built-in templates with Traditional
Chinese labels.

Examples:
    >>> from mteam.risk import TEMPLATES, risk_register
    >>> register = risk_register(TEMPLATES)
    >>> [(r.risk_id, r.score, r.level, r.residual_score, r.residual_level) for r in register]
    [('competition', 16, 'critical', 6, 'medium'), ('member_churn', 16, 'critical', 6, \
'medium'), ('negative_reviews', 12, 'high', 6, 'medium'), ('data_leak', 10, 'high', 5, 'medium')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from mteam._records import Records
from mteam._validate import as_pairs, check_records, show, text, whole
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label

__all__ = ["TEMPLATES", "RegisterEntry", "Risk", "RiskPolicy", "risk_register"]


@attrs.frozen
class Risk:
    """A risk, its mitigation, and its likelihood and impact before and after it.

    Attributes:
        id: A stable identifier.
        name: The label.
        likelihood: 1 (rare) to 5 (almost certain).
        impact: 1 (negligible) to 5 (severe).
        mitigation: What is done about it.
        residual_likelihood: Likelihood after mitigation (≤ likelihood).
        residual_impact: Impact after mitigation (≤ impact).
        owner: Who watches it.

    Examples:
        Likelihood 4 × impact 3 = 12 before mitigation; 2 × 3 = 6 after:

        >>> risk = Risk("negative_reviews", "Negative reviews", likelihood=4, impact=3,
        ...             residual_likelihood=2)
        >>> [(e.score, e.residual_score) for e in risk_register([risk])]
        [(12, 6)]
        >>> Risk("r", "R", likelihood=2, impact=3, residual_likelihood=3)
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: residual_likelihood: must be a whole number 1..2, got 3
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    likelihood: int = attrs.field(validator=whole(ge=1, le=5), kw_only=True)
    impact: int = attrs.field(validator=whole(ge=1, le=5), kw_only=True)
    mitigation: Label = attrs.field(
        default=Label("none yet"), converter=to_label, validator=is_label, kw_only=True
    )
    residual_likelihood: int | None = attrs.field(default=None, kw_only=True)
    residual_impact: int | None = attrs.field(default=None, kw_only=True)
    owner: str = attrs.field(default="", validator=text(allow_empty=True), kw_only=True)

    def __attrs_post_init__(self) -> None:
        for field, inherent in (
            ("residual_likelihood", self.likelihood),
            ("residual_impact", self.impact),
        ):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= inherent
            ):
                raise InvalidInputError(
                    field, f"must be a whole number 1..{inherent}, got {show(value)}"
                )


LEVELS: Final = ((1, "low"), (5, "medium"), (10, "high"), (16, "critical"))


def _to_levels(value: Sequence[Sequence[Any]]) -> tuple[tuple[int, str], ...]:
    return as_pairs("levels", value, whole=True)


@attrs.frozen
class RiskPolicy:
    """Score thresholds of the risk levels.

    Attributes:
        levels: (lowest score, level) pairs rising from 1; low from 1, medium from 5, high from
            10, critical from 16 unless given.

    Examples:
        >>> policy = RiskPolicy([(1, "green"), (9, "amber"), (17, "red")])
        >>> policy.level(8), policy.level(9), policy.level(25)
        ('green', 'amber', 'red')
    """

    levels: tuple[tuple[int, str], ...] = attrs.field(default=LEVELS, converter=_to_levels)

    @levels.validator
    def _check_levels(self, _attr: object, value: tuple[tuple[int, str], ...]) -> None:
        if not value or value[0][0] != 1:
            raise InvalidInputError("levels", "must start at a score of 1")
        for i in range(1, len(value)):
            if not value[i][0] > value[i - 1][0]:
                raise InvalidInputError(f"levels[{i}]", "thresholds must rise")

    def level(self, score: int) -> str:
        """The level of a score (1–25).

        Examples:
            With the default levels, 4 × 4 = 16 is critical and 3 × 3 = 9 medium:

            >>> RiskPolicy().level(16), RiskPolicy().level(9)
            ('critical', 'medium')
        """
        chosen = self.levels[0][1]
        for threshold, name in self.levels:
            if score >= threshold:
                chosen = name
        return chosen


@attrs.frozen
class RegisterEntry(Records):
    """A risk in the register, scored.

    Attributes:
        risk_id: The risk.
        name: Its label.
        score: likelihood × impact.
        level: The score's level.
        residual_score: After mitigation (the inherent score when no residual is given).
        residual_level: Its level.
        owner: Who watches it.

    Examples:
        Its record is one row, the label in both languages (`name_en`, `name_zh_hant`):

        >>> from mteam.labels import Label
        >>> (entry,) = risk_register([Risk("leak", Label("Data leak", "數據洩露"), likelihood=2,
        ...                                impact=5, owner="data_analyst")])
        >>> entry.to_records()  # 2 × 5 = 10: high, before and after (no mitigation given)
        [{'risk_id': 'leak', 'name_en': 'Data leak', 'name_zh_hant': '數據洩露', 'score': 10, \
'level': 'high', 'residual_score': 10, 'residual_level': 'high', 'owner': 'data_analyst'}]
    """

    risk_id: str
    name: Label
    score: int
    level: str
    residual_score: int
    residual_level: str
    owner: str


def risk_register(
    risks: Iterable[Risk], policy: RiskPolicy | None = None
) -> tuple[RegisterEntry, ...]:
    """Score and sort risks: residual score, then inherent score (highest first), then id.

    Raises:
        InvalidInputError: something other than a Risk, or duplicate ids.

    Examples:
        Churn 4 × 4 = 16 mitigated to 3 × 2 = 6; a leak 2 × 5 = 10 not mitigated: the leak
        comes first (residual 10 > 6).

        >>> register = risk_register([
        ...     Risk("churn", "Member churn", likelihood=4, impact=4, residual_likelihood=3,
        ...          residual_impact=2),
        ...     Risk("leak", "Data leak", likelihood=2, impact=5)])
        >>> [(e.risk_id, e.level, e.residual_score, e.residual_level) for e in register]
        [('leak', 'high', 10, 'high'), ('churn', 'critical', 6, 'medium')]
    """
    policy = policy if policy is not None else RiskPolicy()
    entries = []
    for r in check_records("risks", risks, Risk).values():
        score = r.likelihood * r.impact
        residual = (r.residual_likelihood or r.likelihood) * (r.residual_impact or r.impact)
        entries.append(
            RegisterEntry(
                r.id, r.name, score, policy.level(score), residual, policy.level(residual), r.owner
            )
        )
    return tuple(sorted(entries, key=lambda e: (-e.residual_score, -e.score, e.risk_id)))


TEMPLATES: Final = (
    Risk(
        "member_churn",
        Label("Member churn", "會員流失"),
        likelihood=4,
        impact=4,
        mitigation=Label(
            "Win-back offers, loyalty tiers and churn alerts from RFM",
            "挽回優惠、會員分級與依 RFM 的流失預警",
        ),
        residual_likelihood=3,
        residual_impact=2,
        owner="member_operations_specialist",
    ),
    Risk(
        "data_leak",
        Label("Data-security leak", "數據安全洩露"),
        likelihood=2,
        impact=5,
        mitigation=Label(
            "Data-security policy, access control and encryption",
            "數據安全管理制度、權限控管與加密",
        ),
        residual_likelihood=1,
        residual_impact=5,
        owner="data_analyst",
    ),
    Risk(
        "competition",
        Label("Intensifying competition", "競爭加劇"),
        likelihood=4,
        impact=4,
        mitigation=Label("Watch competitors and adjust the offer", "密切關注競爭對手並調整策略"),
        residual_likelihood=3,
        residual_impact=2,
        owner="project_manager",
    ),
    Risk(
        "negative_reviews",
        Label("Negative reviews", "負面評價"),
        likelihood=4,
        impact=3,
        mitigation=Label(
            "Complaint handling with a response-time target", "客戶投訴處理機制與回應時限"
        ),
        residual_likelihood=2,
        residual_impact=3,
        owner="customer_service_specialist",
    ),
)
"""The source articles' risks, with example scores a team should adjust to its own."""
