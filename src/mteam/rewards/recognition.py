"""Personalised, non-monetary recognition by serial dictatorship.

The source articles ask for rewards that are diverse (gifts, promotion, public recognition,
training opportunities, flexible hours), timely, fair and personalised. A
[`Reward`][mteam.rewards.recognition.Reward] has a kind, an eligibility rule (minimum band and
tenure) and a limited quantity; members rank the rewards they would like.

[`assign_recognition`][mteam.rewards.recognition.assign_recognition] goes through the members in
order of composite score (highest first, ties by id); each gets their most-preferred reward
that they are eligible for and that is still available. This *serial dictatorship* is
deterministic, never gives anyone a reward they are not eligible for, respects quantities, and
is strategy-proof: nobody can get a reward they prefer by misreporting their ranking.

Examples:
    >>> from mteam.rewards.recognition import Recipient, Reward, assign_recognition
    >>> catalog = [
    ...     Reward("flex", "Flexible hours for a month", "flexible_hours", quantity=1),
    ...     Reward("course", "External course", "training_opportunity", quantity=2, min_band=3),
    ...     Reward("shout", "Public recognition", "public_recognition"),
    ... ]
    >>> team = [Recipient("ann", 0.95, band=4, tenure_days=900),
    ...         Recipient("bo", 0.88, band=3, tenure_days=400),
    ...         Recipient("cy", 0.61, band=2, tenure_days=200)]
    >>> prefs = {"ann": ["flex", "course"], "bo": ["flex", "course"], "cy": ["course", "shout"]}
    >>> result = assign_recognition(team, catalog, prefs)
    >>> result.rewards
    {'ann': 'flex', 'bo': 'course', 'cy': 'shout'}
    >>> result.line("cy").skipped
    (('course', 'not eligible: band 2 is below 3'),)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from mteam._records import Records
from mteam._validate import check_records, check_sequence, enum_value, find, real, show, text, whole
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label

__all__ = [
    "REWARD_KIND_LABELS",
    "Recipient",
    "RecognitionLine",
    "RecognitionResult",
    "Reward",
    "RewardKind",
    "assign_recognition",
]


class RewardKind(enum.Enum):
    """The kinds of reward the source articles name.

    Examples:
        >>> RewardKind("flexible_hours").label.get("zh-Hant")
        '彈性工作時間'
    """

    GIFT = "gift"
    PROMOTION_NOMINATION = "promotion_nomination"
    PUBLIC_RECOGNITION = "public_recognition"
    TRAINING_OPPORTUNITY = "training_opportunity"
    FLEXIBLE_HOURS = "flexible_hours"
    SPOT_BONUS = "spot_bonus"
    TEAM_REWARD = "team_reward"

    @property
    def label(self) -> Label:
        """The kind's label in English and Traditional Chinese."""
        return REWARD_KIND_LABELS[self]


REWARD_KIND_LABELS: Final[Mapping[RewardKind, Label]] = {
    RewardKind.GIFT: Label("gift", "禮品"),
    RewardKind.PROMOTION_NOMINATION: Label("promotion nomination", "升職提名"),
    RewardKind.PUBLIC_RECOGNITION: Label("public recognition", "公開表揚"),
    RewardKind.TRAINING_OPPORTUNITY: Label("training opportunity", "培訓機會"),
    RewardKind.FLEXIBLE_HOURS: Label("flexible hours", "彈性工作時間"),
    RewardKind.SPOT_BONUS: Label("spot bonus", "獎金"),
    RewardKind.TEAM_REWARD: Label("team reward", "團隊獎勵"),
}
"""The labels of the reward kinds, in the source articles' wording."""


def _to_kind(value: RewardKind | str) -> RewardKind:
    return _KIND(value)


_KIND: Final = enum_value(RewardKind, "kind")


def _optional_quantity(_inst: object, _attr: object, value: Any) -> None:  # noqa: ANN401
    if value is not None:
        whole(ge=0)(_inst, attrs.fields(Reward).quantity, value)


@attrs.frozen
class Reward:
    """A reward on offer.

    Attributes:
        id: A stable identifier.
        name: The label.
        kind: The kind of reward (a `RewardKind` or its value).
        quantity: How many are on offer; None for no limit (public recognition).
        min_band: The lowest rating band that may receive it (1 unless given).
        min_tenure_days: The days of employment needed (0 unless given).

    Examples:
        >>> Reward("course", "External course", "training_opportunity", quantity=2, min_band=3)
        ... # doctest: +NORMALIZE_WHITESPACE
        Reward(id='course', name=Label(en='External course', zh_hant=''),
               kind=<RewardKind.TRAINING_OPPORTUNITY: 'training_opportunity'>, quantity=2,
               min_band=3, min_tenure_days=0)
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    kind: RewardKind = attrs.field(converter=_to_kind)
    quantity: int | None = attrs.field(default=None, validator=_optional_quantity, kw_only=True)
    min_band: int = attrs.field(default=1, validator=whole(ge=1), kw_only=True)
    min_tenure_days: int = attrs.field(default=0, validator=whole(ge=0), kw_only=True)

    def ineligibility(self, recipient: Recipient) -> str | None:
        """Why a recipient may not receive this reward, or None if they may.

        Examples:
            >>> course = Reward("course", "Course", "training_opportunity", min_tenure_days=365)
            >>> course.ineligibility(Recipient("bo", 0.8, band=3, tenure_days=200))
            'tenure of 200 days is below 365'
            >>> course.ineligibility(Recipient("ann", 0.9, band=4, tenure_days=900)) is None
            True
        """
        if recipient.band < self.min_band:
            return f"band {recipient.band} is below {self.min_band}"
        if recipient.tenure_days < self.min_tenure_days:
            return f"tenure of {recipient.tenure_days} days is below {self.min_tenure_days}"
        return None


@attrs.frozen
class Recipient:
    """A member in the recognition round.

    Attributes:
        id: The member.
        composite: Their composite score: the order in which members choose.
        band: Their rating band.
        tenure_days: Their days of employment.

    Examples:
        >>> Recipient("ann", 0.95, band=4, tenure_days=900)
        Recipient(id='ann', composite=0.95, band=4, tenure_days=900)
    """

    id: str = attrs.field(validator=text())
    composite: float = attrs.field(validator=real(ge=0))
    band: int = attrs.field(validator=whole(ge=1), kw_only=True)
    tenure_days: int = attrs.field(default=0, validator=whole(ge=0), kw_only=True)


@attrs.frozen
class RecognitionLine(Records):
    """What one member received, and why not something they preferred.

    Attributes:
        member_id: The member.
        turn: Their place in the choosing order (1 first).
        reward_id: The reward received, or None.
        skipped: The rewards they ranked higher, each with the reason it was not given.

    Examples:
        >>> catalog = [Reward("flex", "Flexible hours", "flexible_hours", quantity=1)]
        >>> team = [Recipient("ann", 0.9, band=4), Recipient("bo", 0.8, band=3)]
        >>> result = assign_recognition(team, catalog, {"ann": ["flex"], "bo": ["flex"]})
        >>> result.line("bo").to_records()
        [{'member_id': 'bo', 'turn': 2, 'reward_id': None, 'skipped': 'flex (none left)'}]
    """

    member_id: str
    turn: int
    reward_id: str | None
    skipped: tuple[tuple[str, str], ...]

    def _rows(self) -> list[dict[str, object]]:
        """One row; the skipped rewards as `"id (reason)"`, joined by `"; "`."""
        return [
            {
                "member_id": self.member_id,
                "turn": self.turn,
                "reward_id": self.reward_id,
                "skipped": "; ".join(f"{rid} ({why})" for rid, why in self.skipped),
            }
        ]


@attrs.frozen
class RecognitionResult(Records):
    """The outcome of a recognition round.

    Attributes:
        lines: One line per member, in choosing order.
        remaining: Reward id → how many are left (None for unlimited), in catalog order.

    Examples:
        Its records are one row per member, in choosing order:

        >>> catalog = [Reward("shout", "Public recognition", "public_recognition")]
        >>> team = [Recipient("bo", 0.8, band=3), Recipient("ann", 0.9, band=4)]
        >>> result = assign_recognition(team, catalog, {"ann": ["shout"], "bo": ["shout"]})
        >>> [(r["member_id"], r["turn"], r["reward_id"]) for r in result.to_records()]
        [('ann', 1, 'shout'), ('bo', 2, 'shout')]
        >>> result.remaining  # unlimited
        {'shout': None}
    """

    lines: tuple[RecognitionLine, ...]
    remaining: dict[str, int | None]

    def _rows(self) -> list[Mapping[str, object]]:
        """One row per member, in choosing order (the rows of the lines)."""
        return [row for line in self.lines for row in line.to_records()]

    @property
    def rewards(self) -> dict[str, str | None]:
        """Member id → the reward received (None for none), sorted by member id."""
        return {
            line.member_id: line.reward_id for line in sorted(self.lines, key=lambda x: x.member_id)
        }

    def line(self, member_id: str) -> RecognitionLine:
        """The line of one member.

        Raises:
            InvalidInputError: no such member.

        Examples:
            >>> catalog = [Reward("shout", "Public recognition", "public_recognition")]
            >>> result = assign_recognition([Recipient("ann", 0.9, band=4)], catalog, {})
            >>> result.line("ann").reward_id is None  # ranked nothing, so received nothing
            True
        """
        return find(self.lines, lambda line: line.member_id, member_id, "member_id", "member")


def _check_catalog(catalog: Sequence[Reward]) -> dict[str, Reward]:
    return check_records("catalog", catalog, Reward)


def _check_preferences(
    preferences: Mapping[str, Sequence[str]],
    members: dict[str, Recipient],
    rewards: dict[str, Reward],
) -> None:
    if not isinstance(preferences, Mapping):
        raise InvalidInputError("preferences", f"must be a mapping, got {show(preferences)}")
    for member_id, ranking in preferences.items():
        path = f"preferences[{member_id!r}]"
        if member_id not in members:
            raise InvalidInputError(path, f"unknown member {show(member_id)}")
        if isinstance(ranking, str) or not isinstance(ranking, Sequence):
            raise InvalidInputError(path, f"must be a list of reward ids, got {show(ranking)}")
        seen: set[str] = set()
        for j, reward_id in enumerate(ranking):
            if reward_id not in rewards:
                raise InvalidInputError(f"{path}[{j}]", f"unknown reward {show(reward_id)}")
            if reward_id in seen:
                raise InvalidInputError(f"{path}[{j}]", f"ranked twice: {show(reward_id)}")
            seen.add(reward_id)


def assign_recognition(
    members: Iterable[Recipient],
    catalog: Iterable[Reward],
    preferences: Mapping[str, Sequence[str]],
) -> RecognitionResult:
    """Give each member their most-preferred eligible reward still available, in score order.

    Args:
        members: The members (unique ids) with composite, band and tenure.
        catalog: The rewards on offer (unique ids).
        preferences: Member id → reward ids, most wanted first. A member may rank only some
            rewards, or none (and then receives none).

    Returns:
        Each member's reward and the rewards left.

    Raises:
        InvalidInputError: duplicate ids, a preference for an unknown member or reward, or a
            reward ranked twice.

    Examples:
        One flexible-hours slot: ann (0.95) chooses first and takes it; bo (0.88) gets his
        second choice.

        >>> catalog = [Reward("flex", "Flexible hours", "flexible_hours", quantity=1),
        ...            Reward("gift", "Gift card", "gift")]
        >>> team = [Recipient("bo", 0.88, band=3), Recipient("ann", 0.95, band=4)]
        >>> assign_recognition(team, catalog, {"ann": ["flex"], "bo": ["flex", "gift"]}).rewards
        {'ann': 'flex', 'bo': 'gift'}
    """
    check_sequence("catalog", catalog)
    rewards = _check_catalog(list(catalog))
    people = check_records("members", members, Recipient)
    _check_preferences(preferences, people, rewards)
    left: dict[str, int | None] = {rid: r.quantity for rid, r in rewards.items()}
    order = sorted(people.values(), key=lambda m: (-m.composite, m.id))
    lines = []
    for turn, m in enumerate(order, start=1):
        skipped = []
        chosen = None
        for reward_id in preferences.get(m.id, ()):
            reward = rewards[reward_id]
            why = reward.ineligibility(m)
            if why is not None:
                skipped.append((reward_id, f"not eligible: {why}"))
                continue
            remaining = left[reward_id]
            if remaining is not None and remaining <= 0:
                skipped.append((reward_id, "none left"))
                continue
            chosen = reward_id
            if remaining is not None:
                left[reward_id] = remaining - 1
            break
        lines.append(RecognitionLine(m.id, turn, chosen, tuple(skipped)))
    return RecognitionResult(tuple(lines), left)
