"""Escaping shared by the SVG and HTML writers (not public API)."""

from __future__ import annotations

import html
import re
from typing import Final

_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    r"""Text safe in SVG and HTML content and attributes: escaped, no character XML refuses.

    >>> escape("<script>R&D</script>\x07")
    '&lt;script&gt;R&amp;D&lt;/script&gt;�'
    """
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)
