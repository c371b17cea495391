"""Bilingual labels: every built-in name has an English and a Traditional Chinese form.

Examples:
    >>> from mteam.labels import Label
    >>> seo = Label("SEO specialist", "SEO專員")
    >>> seo.get("zh-Hant")
    'SEO專員'
    >>> Label("Growth lead").get("zh-Hant")  # falls back to English
    'Growth lead'
"""

from __future__ import annotations

from typing import Any, Final, cast

import attrs

from mteam._validate import show, text
from mteam.errors import InvalidInputError

__all__ = ["LANGUAGES", "Label"]

LANGUAGES: Final = ("en", "zh-Hant")
"""The languages of the built-in labels: English and Traditional Chinese."""


@attrs.frozen
class Label:
    """A name in English and, optionally, Traditional Chinese (`zh-Hant`).

    In a JSON document a label is either a string (English only) or an object
    `{"en": "...", "zh_hant": "..."}`.

    Attributes:
        en: The English form (not empty).
        zh_hant: The Traditional Chinese form, or `""` when there is none.

    Examples:
        >>> Label("Content creator", "內容創作者")
        Label(en='Content creator', zh_hant='內容創作者')
        >>> str(Label("Content creator", "內容創作者"))
        'Content creator'
    """

    en: str = attrs.field(validator=text())
    zh_hant: str = attrs.field(default="", validator=text(allow_empty=True))

    def get(self, language: str = "en") -> str:
        """The label in `language` (`"en"` or `"zh-Hant"`), English when there is no other.

        Raises:
            InvalidInputError: the language is not one of [`LANGUAGES`][mteam.labels.LANGUAGES].

        Examples:
            >>> Label("SEO specialist", "SEO專員").get("zh-Hant")
            'SEO專員'
            >>> Label("SEO specialist").get("fr")
            Traceback (most recent call last):
            mteam.errors.InvalidInputError: language: must be one of en, zh-Hant, got 'fr'
        """
        if language == "en":
            return self.en
        if language == "zh-Hant":
            return self.zh_hant or self.en
        raise InvalidInputError(
            "language", f"must be one of {', '.join(LANGUAGES)}, got {show(language)}"
        )

    def __str__(self) -> str:
        return self.en


def to_label(value: Label | str) -> Label:
    """An attrs converter: a plain string becomes an English-only label.

    Anything else (blank text, a number, None) is passed on unchanged, for the field's
    validator, `is_label`, to refuse by the field's name.
    """
    if isinstance(value, str) and value.strip():
        return Label(value)
    return cast("Label", value)


def is_label(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator for a field converted by `to_label`: a label, refused by the field's name.

    Examples:
        >>> @attrs.frozen
        ... class Badge:
        ...     name: Label = attrs.field(converter=to_label, validator=is_label)
        >>> Badge("Top seller").name
        Label(en='Top seller', zh_hant='')
        >>> Badge(" ")
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: name: must not be empty, got ' '
    """
    if isinstance(value, Label):
        return
    if isinstance(value, str):
        raise InvalidInputError(attr.name, f"must not be empty, got {show(value)}")
    raise InvalidInputError(attr.name, f"must be text or a Label, got {show(value)}")
