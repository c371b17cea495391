"""The built-in catalog of marketing skills and roles.

The catalog ships inside the package as a JSON data file (`marketing.json`) and is read with
[`load_catalog`][mteam.catalog.load_catalog]. It holds the skills and the roles of the two
source articles: SEO specialist, social-media marketer, content creator, data analyst,
paid-ads specialist, member-operations specialist, project manager, UI/UX designer and
customer-service specialist, each with duties, required skills (levels, importance,
must-haves) and suggested KPIs, every label in English and Traditional Chinese.

Examples:
    >>> from mteam.catalog import load_catalog
    >>> catalog = load_catalog()
    >>> catalog.role("member_operations_specialist").title.get("zh-Hant")
    '會員運營專員'
    >>> [k.id for k in catalog.role("seo_specialist").kpis]
    ['traffic_growth', 'conversion_rate']

A team can extend or override it; an entry with an existing id replaces the built-in one:

Examples:
    >>> from mteam.skills import Skill
    >>> bigger = catalog.extended(skills=[Skill("tiktok", "TikTok video", "hard")])
    >>> len(bigger.skills) - len(catalog.skills)
    1

Reading the data file is the catalog's only I/O; the domain modules never read files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import attrs

from mteam._validate import find, items_of, show, to_items, to_tuple, unique_by
from mteam.errors import InvalidInputError
from mteam.labels import Label
from mteam.roles import Role, SkillRequirement, SuggestedKpi
from mteam.skills import Skill

__all__ = ["Catalog", "load_catalog"]


def _check_references(inst: Catalog, _attr: object, value: tuple[Role, ...]) -> None:
    known = {s.id for s in inst.skills}
    for i, role in enumerate(value):
        for j, req in enumerate(role.requirements):
            if req.skill_id not in known:
                raise InvalidInputError(
                    f"roles[{i}].requirements[{j}].skill_id", f"unknown skill {show(req.skill_id)}"
                )


@attrs.frozen
class Catalog:
    """Skills and roles, with every role's requirements naming known skills.

    Attributes:
        skills: The skills (unique ids).
        roles: The roles (unique ids); each requirement names a skill of `skills`.

    Examples:
        >>> from mteam.roles import SkillRequirement
        >>> seo = Role("seo", "SEO specialist", requirements=[SkillRequirement("seo", 3)])
        >>> catalog = Catalog([Skill("seo", "SEO", "hard")], [seo])
        >>> catalog.role("seo").title.en
        'SEO specialist'
        >>> Catalog([], [seo])
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: roles[0].requirements[0].skill_id: unknown skill 'seo'
    """

    skills: tuple[Skill, ...] = attrs.field(
        converter=to_items, validator=[items_of(Skill), unique_by(lambda s: s.id)]
    )
    roles: tuple[Role, ...] = attrs.field(
        converter=to_items,
        validator=[items_of(Role), unique_by(lambda r: r.id), _check_references],
    )

    def skill(self, skill_id: str) -> Skill:
        """The skill with this id.

        Raises:
            InvalidInputError: no such skill.

        Examples:
            >>> load_catalog().skill("seo").category
            <SkillCategory.HARD: 'hard'>
        """
        return find(self.skills, lambda s: s.id, skill_id, "skill_id", "skill")

    def role(self, role_id: str) -> Role:
        """The role with this id.

        Raises:
            InvalidInputError: no such role.

        Examples:
            >>> load_catalog().role("seo_specialist").requirements[0]
            SkillRequirement(skill_id='seo', level=3, importance=3, must_have=True)
        """
        return find(self.roles, lambda r: r.id, role_id, "role_id", "role")

    def extended(self, skills: Iterable[Skill] = (), roles: Iterable[Role] = ()) -> Catalog:
        """A catalog with more skills and roles; one with an existing id replaces it.

        Replaced entries keep their place; new ones are added at the end, in the order given.

        Raises:
            InvalidInputError: the result is inconsistent (a role needs an unknown skill, or the
                additions repeat an id).

        Examples:
            An SEO specialist who needs SEO at 2 only replaces the built-in role, in its place:

            >>> from mteam.roles import SkillRequirement
            >>> catalog = load_catalog()
            >>> junior = Role("seo_specialist", "SEO specialist",
            ...               requirements=[SkillRequirement("seo", 2)])
            >>> bigger = catalog.extended(roles=[junior])
            >>> bigger.roles[0].requirements[0].level, len(bigger.roles) == len(catalog.roles)
            (2, True)
        """
        new_skills = to_tuple(skills)
        new_roles = to_tuple(roles)
        unique_by(lambda s: s.id)(None, attrs.fields(Catalog).skills, new_skills)
        unique_by(lambda r: r.id)(None, attrs.fields(Catalog).roles, new_roles)
        return Catalog(_merge(self.skills, new_skills), _merge(self.roles, new_roles))


def _merge(old: tuple[Skill | Role, ...], new: tuple[Skill | Role, ...]) -> list[Skill | Role]:
    replace = {x.id: x for x in new}
    merged = [replace.pop(x.id, x) for x in old]
    merged.extend(x for x in new if x.id in replace)
    return merged


def _label(value: str | dict[str, str]) -> Label:
    return Label(value) if isinstance(value, str) else Label(**value)


def _role(data: dict[str, Any]) -> Role:
    return Role(
        data["id"],
        _label(data["title"]),
        responsibilities=[_label(r) for r in data.get("responsibilities", ())],
        requirements=[SkillRequirement(**r) for r in data.get("requirements", ())],
        kpis=[SuggestedKpi(**{**k, "name": _label(k["name"])}) for k in data.get("kpis", ())],
    )


@cache
def load_catalog() -> Catalog:
    """The built-in catalog, validated on load (read once, then cached: it is immutable).

    The data file is the package's own: it is read with the standard `json` module and built
    with the values' constructors, whose validators check every field.

    Examples:
        >>> len(load_catalog().roles)
        9
    """
    text = resources.files(__package__).joinpath("marketing.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return Catalog(
        [Skill(s["id"], _label(s["name"]), s["category"]) for s in data["skills"]],
        [_role(r) for r in data["roles"]],
    )
