"""Aligned text tables that stay aligned with Chinese characters (not public API)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters count as two.

    >>> width("SEO專員")
    7
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `size` display columns (on the left when `right`)."""
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()
) -> str:
    """An aligned table: the first row is the header; columns marked numeric align right.

    >>> print(table(["member", "gap"], [["ann", "2"], ["林怡君", "10"]], [False, True]))
    member  gap
    ann       2
    林怡君   10
    """
    sizes = [max(width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    right = list(numeric) + [False] * (len(header) - len(numeric))
    lines = []
    for row in [header, *rows]:
        cells = [pad(str(c), s, right=r) for c, s, r in zip(row, sizes, right, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
