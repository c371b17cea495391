"""Skills, the team's skill matrix, coverage and bus factor.

A [`SkillMatrix`][mteam.skills.SkillMatrix] records, for each team member, their level in each
skill on a proficiency scale (by default 0 none, 1 awareness, 2 working, 3 proficient,
4 expert). A skill a member has no entry for counts as the scale's lowest level.

Examples:
    >>> from mteam.skills import Skill, SkillCategory, SkillMatrix
    >>> skills = [Skill("seo", "SEO", SkillCategory.HARD), Skill("copy", "copywriting", "hard")]
    >>> matrix = SkillMatrix(skills, {"ann": {"seo": 4, "copy": 2}, "bob": {"seo": 1}})
    >>> matrix.level("bob", "copy")
    0
    >>> matrix.holders("seo", 3)
    ('ann',)
    >>> matrix.bus_factor("seo")
    1
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from mteam._records import Records
from mteam._validate import find, items_of, show, text, to_items, unique_by
from mteam.errors import InvalidInputError
from mteam.labels import Label, is_label, to_label
from mteam.scales import PROFICIENCY_SCALE, RatingScale

__all__ = [
    "PROFICIENT",
    "BusFactorFlag",
    "Skill",
    "SkillCategory",
    "SkillMatrix",
]

PROFICIENT = 3
"""The default level that counts towards the bus factor: "proficient" on the 0–4 scale."""


class SkillCategory(enum.Enum):
    """Hard (technical) or soft (interpersonal) skill.

    Examples:
        >>> SkillCategory("soft")
        <SkillCategory.SOFT: 'soft'>
    """

    HARD = "hard"
    """SEO, social-media marketing, content marketing, data analysis, paid ads, AI tools, …"""
    SOFT = "soft"
    """Communication, collaboration, leadership, creative thinking, time management, …"""


def _to_category(value: SkillCategory | str) -> SkillCategory:
    if isinstance(value, SkillCategory):
        return value
    try:
        return SkillCategory(value)
    except ValueError:
        raise InvalidInputError(
            "category", f"must be 'hard' or 'soft', got {show(value)}"
        ) from None


@attrs.frozen
class Skill:
    """A skill the team needs.

    Attributes:
        id: A short stable identifier, e.g. `"seo"`.
        name: The label, in English and Traditional Chinese (a plain string is English only).
        category: HARD or SOFT (the strings `"hard"` and `"soft"` are accepted).

    Examples:
        >>> seo = Skill("seo", "SEO", "hard")
        >>> seo.category, seo.name.get("zh-Hant")  # no Chinese label given: English
        (<SkillCategory.HARD: 'hard'>, 'SEO')
    """

    id: str = attrs.field(validator=text())
    name: Label = attrs.field(converter=to_label, validator=is_label)
    category: SkillCategory = attrs.field(converter=_to_category)


@attrs.frozen
class BusFactorFlag(Records):
    """A required skill that too few members hold at the proficient level.

    Attributes:
        skill_id: The skill.
        bus_factor: How many members hold it at or above the proficient level.
        holders: Those members, by id.

    Examples:
        Its record is one row, the holders comma-separated.

        >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 3}, "bob": {"seo": 2}})
        >>> m.flagged_skills(["seo"])[0].to_records()
        [{'skill_id': 'seo', 'bus_factor': 1, 'holders': 'ann'}]
    """

    skill_id: str
    bus_factor: int
    holders: tuple[str, ...]

    def _rows(self) -> list[dict[str, object]]:
        return [
            {
                "skill_id": self.skill_id,
                "bus_factor": self.bus_factor,
                "holders": ", ".join(self.holders),
            }
        ]


def _to_levels(value: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("levels", f"must be a mapping, got {show(value)}")
    out: dict[str, dict[str, int]] = {}
    for member, row in value.items():
        if not isinstance(row, Mapping):
            raise InvalidInputError(f"levels[{member!r}]", f"must be a mapping, got {show(row)}")
        out[member] = dict(row)
    return out


def _check_levels(inst: SkillMatrix, _attr: object, value: dict[Any, dict[Any, Any]]) -> None:
    scale: object = inst.scale
    if not isinstance(scale, RatingScale):
        return  # the scale's own validator refuses it
    known = {s.id for s in inst.skills}
    low, high = inst.scale.minimum, inst.scale.maximum
    for member, row in value.items():
        if not isinstance(member, str) or not member.strip():
            raise InvalidInputError("levels", f"member ids must be text, got {show(member)}")
        for skill_id, level in row.items():
            if level.__class__ is int and low <= level <= high and skill_id in known:
                continue  # the common case: a known skill at a whole level on the scale
            path = f"levels[{member!r}][{skill_id!r}]"
            if skill_id not in known:
                raise InvalidInputError(path, f"unknown skill {show(skill_id)}")
            inst.scale.check(level, path)


@attrs.frozen(hash=False)
class SkillMatrix:
    """Each member's level in each skill.

    Attributes:
        skills: The skills the matrix may mention (unique ids).
        levels: Member id → skill id → level on `scale`. Unknown skills and off-scale levels
            are input errors; a missing entry means the scale's lowest level.
        scale: The proficiency scale, 0–4 unless given (it must be integral).

    Examples:
        >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 4}, "bob": {}})
        >>> m.members, m.skill_ids, m.level("bob", "seo")
        (('ann', 'bob'), ('seo',), 0)
        >>> SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 5}})
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: levels['ann']['seo']: must be within 0..4, got 5
    """

    skills: tuple[Skill, ...] = attrs.field(
        converter=to_items, validator=[items_of(Skill), unique_by(lambda s: s.id)]
    )
    levels: dict[str, dict[str, int]] = attrs.field(converter=_to_levels, validator=_check_levels)
    scale: RatingScale = attrs.field(default=PROFICIENCY_SCALE, kw_only=True)

    @scale.validator
    def _check_scale(self, _attr: object, value: object) -> None:
        if not isinstance(value, RatingScale) or not value.integral:
            raise InvalidInputError("scale", f"must be an integral RatingScale, got {show(value)}")

    @property
    def members(self) -> tuple[str, ...]:
        """The member ids, sorted."""
        return tuple(sorted(self.levels))

    @property
    def skill_ids(self) -> tuple[str, ...]:
        """The skill ids, in the order of `skills`."""
        return tuple(s.id for s in self.skills)

    def skill(self, skill_id: str) -> Skill:
        """The skill with this id.

        Raises:
            InvalidInputError: no such skill.

        Examples:
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {})
            >>> m.skill("seo").name.en
            'SEO'
        """
        return find(self.skills, lambda s: s.id, skill_id, "skill_id", "skill")

    def _check_member(self, member_id: str) -> None:
        if member_id not in self.levels:
            raise InvalidInputError("member_id", f"unknown member {show(member_id)}")

    def member_levels(self, member_id: str) -> dict[str, int]:
        """Every skill's level for one member (missing entries at the lowest level).

        Raises:
            InvalidInputError: no such member.

        Examples:
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard"), Skill("crm", "CRM", "hard")],
            ...                 {"ann": {"seo": 3}})
            >>> m.member_levels("ann")
            {'seo': 3, 'crm': 0}
        """
        self._check_member(member_id)
        row = self.levels[member_id]
        low = round(self.scale.minimum)
        return {s.id: row.get(s.id, low) for s in self.skills}

    def level(self, member_id: str, skill_id: str) -> int:
        """One member's level in one skill.

        Raises:
            InvalidInputError: no such member or skill.

        Examples:
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {"ann": {"seo": 3}})
            >>> m.level("ann", "seo")
            3
            >>> m.level("cy", "seo")
            Traceback (most recent call last):
            mteam.errors.InvalidInputError: member_id: unknown member 'cy'
        """
        self._check_member(member_id)
        self.skill(skill_id)
        return self.levels[member_id].get(skill_id, round(self.scale.minimum))

    def holders(self, skill_id: str, min_level: int = PROFICIENT) -> tuple[str, ...]:
        """The members at or above `min_level` in a skill, sorted by id.

        Raises:
            InvalidInputError: no such skill, or `min_level` is off the scale.

        Examples:
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")],
            ...                 {"bob": {"seo": 4}, "ann": {"seo": 3}, "cy": {"seo": 2}})
            >>> m.holders("seo"), m.holders("seo", 2)
            (('ann', 'bob'), ('ann', 'bob', 'cy'))
        """
        self.skill(skill_id)
        self.scale.check(min_level, "min_level")
        low = round(self.scale.minimum)
        return tuple(m for m in self.members if self.levels[m].get(skill_id, low) >= min_level)

    def coverage(self) -> dict[str, dict[int, int]]:
        """For each skill, how many members are at each level (every level listed).

        The counts of each skill add up to the number of members.

        Examples:
            >>> from mteam.skills import Skill, SkillMatrix
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {"a": {"seo": 3}, "b": {}})
            >>> m.coverage()
            {'seo': {0: 1, 1: 0, 2: 0, 3: 1, 4: 0}}
        """
        out: dict[str, dict[int, int]] = {}
        low = round(self.scale.minimum)
        for s in self.skills:
            counts = dict.fromkeys(self.scale.levels, 0)
            for row in self.levels.values():
                counts[row.get(s.id, low)] += 1
            out[s.id] = counts
        return out

    def bus_factor(self, skill_id: str, proficient: int = PROFICIENT) -> int:
        """How many members hold a skill at or above `proficient` (3 unless given).

        Examples:
            Two of three members at 3 or above: the bus factor is 2; at 4 or above, 1.

            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")],
            ...                 {"ann": {"seo": 3}, "bob": {"seo": 4}, "cy": {"seo": 1}})
            >>> m.bus_factor("seo"), m.bus_factor("seo", proficient=4)
            (2, 1)
        """
        return len(self.holders(skill_id, proficient))

    def flagged_skills(
        self,
        required: Iterable[str],
        *,
        proficient: int = PROFICIENT,
        max_bus_factor: int = 1,
    ) -> tuple[BusFactorFlag, ...]:
        """The required skills whose bus factor is at most `max_bus_factor` (1 unless given).

        Args:
            required: The skill ids that some role in the team requires (see
                [`required_skills`][mteam.roles.required_skills]).
            proficient: The level that counts towards the bus factor.
            max_bus_factor: Flag skills held by this many members or fewer.

        Returns:
            One flag per such skill, sorted by skill id.

        Raises:
            InvalidInputError: a required skill is unknown to the matrix.

        Examples:
            SEO is held at ≥ 3 by ann only (bus factor 1), CRM by ann and bob (2, not flagged):

            >>> m = SkillMatrix([Skill("seo", "SEO", "hard"), Skill("crm", "CRM", "hard")],
            ...                 {"ann": {"seo": 3, "crm": 4}, "bob": {"crm": 3}})
            >>> m.flagged_skills(["seo", "crm"])
            (BusFactorFlag(skill_id='seo', bus_factor=1, holders=('ann',)),)
        """
        flags = []
        for i, skill_id in enumerate(sorted(set(required))):
            if skill_id not in self.skill_ids:
                raise InvalidInputError(f"required[{i}]", f"unknown skill {show(skill_id)}")
            holders = self.holders(skill_id, proficient)
            if len(holders) <= max_bus_factor:
                flags.append(BusFactorFlag(skill_id, len(holders), holders))
        return tuple(flags)

    def to_records(self, language: str = "en") -> list[dict[str, Any]]:
        """One row per member and skill, ready for `pandas.DataFrame(...)` or a heat-map.

        Each row has `member_id`, `skill_id`, `skill`, `category`, `level` and `label`.

        Examples:
            >>> from mteam.skills import Skill, SkillMatrix
            >>> SkillMatrix([Skill("seo", "SEO", "hard")], {"a": {"seo": 3}}).to_records()
            [{'member_id': 'a', 'skill_id': 'seo', 'skill': 'SEO', 'category': 'hard', \
'level': 3, 'label': 'proficient'}]
        """
        rows = []
        for m in self.members:
            for s in self.skills:
                level = self.level(m, s.id)
                rows.append(
                    {
                        "member_id": m,
                        "skill_id": s.id,
                        "skill": s.name.get(language),
                        "category": s.category.value,
                        "level": level,
                        "label": self.scale.label(level),
                    }
                )
        return rows

    def with_level(self, member_id: str, skill_id: str, level: int) -> SkillMatrix:
        """A copy with one member's level in one skill set (a new member is added).

        Examples:
            >>> from mteam.skills import Skill, SkillMatrix
            >>> m = SkillMatrix([Skill("seo", "SEO", "hard")], {})
            >>> m.with_level("ann", "seo", 3).bus_factor("seo")
            1
        """
        levels = {k: dict(v) for k, v in self.levels.items()}
        levels.setdefault(member_id, {})[skill_id] = level
        return attrs.evolve(self, levels=levels)
