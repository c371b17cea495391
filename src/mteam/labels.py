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

__all__ = ["LANGUAGES", "SEGMENTS", "Label", "segment_label"]

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


SEGMENTS: Final = {
    "Champions": Label("Champions", "冠軍會員"),
    "Loyal": Label("Loyal", "忠誠會員"),
    "New": Label("New", "新會員"),
    "Potential loyalists": Label("Potential loyalists", "潛力忠誠會員"),
    "Need attention": Label("Need attention", "需要關注的會員"),
    "Cannot lose them": Label("Cannot lose them", "不能流失的會員"),
    "At risk": Label("At risk", "有流失風險的會員"),
    "Hibernating": Label("Hibernating", "沉睡會員"),
}
"""The built-in RFM segments' names (`mteam.membership.rfm.DEFAULT_SEGMENTS`) in both languages.

The Traditional Chinese names use the source articles' words where they have them: 會員
(member), 忠誠 (loyalty, as in 會員忠誠度), 流失 (churn, as in 會員流失), 風險 (risk) and
潛力 (potential, as in 成長潛力); the articles name no segment themselves. The tiers' names
are in the tier policy (`mteam.membership.tiers.DEFAULT_TIERS`: 一般會員, 銀卡會員, 金卡會員,
白金會員), the articles' 分級會員制度.
"""


def segment_label(name: str) -> Label:
    """The label of an RFM segment's name: a built-in one's two forms, or the name alone.

    A segment of a policy's own rules has only its (English) name, which every language shows.

    Examples:
        >>> segment_label("At risk").get("zh-Hant")
        '有流失風險的會員'
        >>> segment_label("Big spenders").get("zh-Hant")
        'Big spenders'
    """
    return SEGMENTS.get(name) or Label(name)
