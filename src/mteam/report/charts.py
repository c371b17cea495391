"""Charts as inline SVG written by mteam itself: no plotting library, no script, no font file.

Three primitives take plain numbers (Python or numpy scalars, lists, arrays):

* [`line_chart`][mteam.report.charts.line_chart]: lines or steps
  ([`Series`][mteam.report.charts.Series]), each with an optional band;
* [`heat_map`][mteam.report.charts.heat_map]: a grid of cells coloured by value;
* [`bar_chart`][mteam.report.charts.bar_chart]: horizontal bars, one per label.

The adapters draw mteam's results with them: the Kaplan–Meier
[`survival_chart`][mteam.report.charts.survival_chart] (with a band when one is given), the
sBG [`projection_chart`][mteam.report.charts.projection_chart] with its band, the
[`cohort_heat_map`][mteam.report.charts.cohort_heat_map], the member × skill
[`skill_gap_heat_map`][mteam.report.charts.skill_gap_heat_map], the
[`band_distribution_chart`][mteam.report.charts.band_distribution_chart], the
[`bonus_by_band_chart`][mteam.report.charts.bonus_by_band_chart] and the cumulative
[`expected_vs_actual_chart`][mteam.report.charts.expected_vs_actual_chart] of a holdout check.

Every chart is one `<svg role="img">` element with an `aria-label`, a `<title>` and a `<desc>`
(the text alternative), a visible title and axis labels; cells, bars and points carry their
value in a `<title>` (shown as a tooltip, read by screen readers). Every text is escaped, so a
name such as `<script>` or `R&D` from a user's document prints as itself. Colours are the
Okabe–Ito palette (distinguishable with the common colour-vision deficiencies) and single-hue
ramps whose cell text switches to white on dark cells. The output depends only on the input:
the same values give the same bytes.

Examples:
    >>> import xml.etree.ElementTree as ET
    >>> from mteam.report.charts import bar_chart
    >>> svg = bar_chart(["SEO", "R&D"], [3, 1], title="Members below requirement",
    ...                 x_label="members", y_label="skill")
    >>> root = ET.fromstring(svg)
    >>> svg_ns = "{http://www.w3.org/2000/svg}"
    >>> root.get("role"), root.find(svg_ns + "title").text
    ('img', 'Members below requirement')
    >>> [bar.find(svg_ns + "title").text for bar in root.iter(svg_ns + "rect")
    ...  if bar.get("class") == "bar"]
    ['SEO: 3', 'R&D: 1']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate
from numbers import Real
from typing import Final, cast

import attrs

from mteam._validate import check_instance, check_int, check_sequence, of_type, show
from mteam.errors import InvalidInputError
from mteam.labels import LANGUAGES, Label
from mteam.membership.retention import CohortTable
from mteam.membership.sbg import Projection
from mteam.membership.survival import SurvivalCurve
from mteam.membership.units import TimeUnit, to_unit
from mteam.report._markup import escape
from mteam.report._table import width as text_width
from mteam.review import ReviewOutcome
from mteam.training import GapReport

__all__ = [
    "Series",
    "band_distribution_chart",
    "bar_chart",
    "bonus_by_band_chart",
    "cohort_heat_map",
    "expected_vs_actual_chart",
    "heat_map",
    "line_chart",
    "projection_chart",
    "skill_gap_heat_map",
    "survival_chart",
]

# --- look ------------------------------------------------------------------------------------

_FONT: Final = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK TC', "
    "'PingFang TC', 'Microsoft JhengHei', sans-serif"
)
_INK: Final = "#1f2933"  # text: 14.7:1 on white
_MUTED: Final = "#52606d"  # tick labels: 6.6:1 on white
_GRID: Final = "#e4e7eb"
_AXIS: Final = "#7b8794"
_PALETTE: Final = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
"""Okabe & Ito's colour-blind-safe palette, strongest colours first."""
_RAMPS: Final = {
    "blue": ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"),
    "orange": ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"),
}
"""Single-hue sequential ramps (ColorBrewer's Blues and Oranges), light = low."""

_TITLE_SIZE: Final = 15
_LABEL_SIZE: Final = 12
_TICK_SIZE: Final = 11

# --- words -----------------------------------------------------------------------------------

_WORDS: Final = {
    "survival_title": Label("Membership survival (Kaplan–Meier)", "會員存續(Kaplan–Meier)"),
    "survival_y": Label("share still members", "仍為會員的比例"),
    "survival": Label("survival", "存續率"),
    "projection_title": Label("Projected survival (sBG model)", "存續預測(sBG模型)"),
    "band": Label("confidence band", "信賴區間"),
    "time": Label("time", "時間"),
    "cohort_retention_title": Label("Cohort retention", "世代留存率"),
    "cohort_activity_title": Label("Cohort activity (share who bought)", "世代購買率"),
    "cohort": Label("cohort (month joined)", "世代(加入月份)"),
    "months_since": Label("months since joining", "加入後月數"),
    "gap_title": Label("Skill gaps by member (levels below requirement)", "成員技能差距(級數)"),
    "priority_title": Label("Skill-gap priority by member", "成員技能差距優先度"),
    "member": Label("member", "成員"),
    "skill": Label("skill", "技能"),
    "band_title": Label("Members per rating band", "各評等人數"),
    "rating_band": Label("rating band", "評等"),
    "members": Label("members", "人數"),
    "bonus_title": Label("Bonus by rating band", "各評等獎金總額"),
    "bonus_total": Label("total bonus", "獎金總額"),
    "expected_title": Label("Expected and actual, cumulative", "預期與實際(累計)"),
    "expected": Label("expected", "預期"),
    "actual": Label("actual", "實際"),
    "holdout": Label("holdout", "驗證期"),
    "period": Label("period", "期間"),
    "cumulative": Label("cumulative total", "累計"),
    "survival_desc": Label(
        "{name} falls from 1 to {last} at {end} {unit} in {steps} steps; median {median}.",
        "{name} 由 1 降至 {last}(第 {end} {unit}),共 {steps} 階;中位數 {median}。",
    ),
    "not_reached": Label("not reached", "尚未達到"),
    "projection_desc": Label(
        "Projected S(t) from {first} at {start} to {last} at {end} {unit} "
        "({band} {lower} to {upper}).",
        "預測 S(t) 由第 {start} 期的 {first} 降至第 {end} {unit}的 {last}"
        "({band} {lower} 至 {upper})。",
    ),
    "expected_desc": Label(
        "Cumulative totals over {n} periods: {expected} {e}, {actual} {a}{holdout}.",
        "{n} 期累計:{expected} {e},{actual} {a}{holdout}。",
    ),
    "holdout_desc": Label("; the holdout starts at {start}", ";驗證期自 {start} 開始"),
    "line_desc": Label(
        "{name}: {n} points, x from {x0} to {x1}, y from {y0} to {y1}",
        "{name}:{n} 個點,x 由 {x0} 至 {x1},y 由 {y0} 至 {y1}",
    ),
    "line_band_desc": Label(
        " ({band} at the end {lower} to {upper})", "({band}終點為 {lower} 至 {upper})"
    ),
    "heat_desc": Label(
        "{rows} rows by {columns} columns, {cells} cells with a value",
        "{rows} 列 × {columns} 欄,{cells} 格有數值",
    ),
    "heat_extremes": Label(
        "; highest {top} ({top_at}), lowest {low} ({low_at})",
        ";最高 {top}({top_at}),最低 {low}({low_at})",
    ),
    "item": Label("{label}: {value}", "{label}:{value}"),
    "separator": Label("; ", ";"),
    "end": Label(".", "。"),
    "band_level": Label("{level} % band", "{level}% 信賴區間"),
    "median_interval": Label(
        "{median} ({level} % interval: {lower} to {upper})",
        "{median}({level}% 信賴區間:{lower} 至 {upper})",
    ),
    "day": Label("days", "天"),
    "week": Label("weeks", "週"),
    "month": Label("months", "月"),
    "year": Label("years", "年"),
}


def _word(key: str, language: str) -> str:
    return _WORDS[key].get(language)


def _check_language(language: object) -> str:
    if language not in LANGUAGES:
        raise InvalidInputError(
            "language", f"must be one of {', '.join(LANGUAGES)}, got {show(language)}"
        )
    return str(language)


# --- plain values in -------------------------------------------------------------------------


def _number(path: str, value: object) -> float:
    """A finite real number (Python, numpy or Decimal) as a float; a bool is refused."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise InvalidInputError(path, f"must be a number, got {show(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(path, f"must be a finite number, got {show(value)}")
    return number


def _items(path: str, values: object) -> list[object]:
    check_sequence(path, values)
    return list(cast("Iterable[object]", values))


def _numbers(path: str, values: object) -> tuple[float, ...]:
    return tuple(_number(f"{path}[{i}]", v) for i, v in enumerate(_items(path, values)))


def _optional_numbers(path: str, values: object) -> tuple[float | None, ...]:
    return tuple(
        None if v is None else _number(f"{path}[{i}]", v)
        for i, v in enumerate(_items(path, values))
    )


def _texts(path: str, values: object) -> tuple[str, ...]:
    out = _items(path, values)
    for i, v in enumerate(out):
        check_instance(f"{path}[{i}]", v, str)
    return tuple(cast("list[str]", out))


def _check_text(path: str, value: object) -> str:
    check_instance(path, value, str)
    return str(value)


def _x(values: object) -> tuple[float, ...]:
    return _numbers("x", values)


def _y(values: object) -> tuple[float, ...]:
    return _numbers("y", values)


def _lower(values: object) -> tuple[float, ...] | None:
    return None if values is None else _numbers("lower", values)


def _upper(values: object) -> tuple[float, ...] | None:
    return None if values is None else _numbers("upper", values)


def _check_series(inst: Series, _attr: object, _value: tuple[float, ...] | None) -> None:
    n = len(inst.x)
    if n == 0:
        raise InvalidInputError("x", "must have at least one point")
    if len(inst.y) != n:
        raise InvalidInputError("y", f"must have one value per x ({n}), got {len(inst.y)}")
    for i in range(1, n):
        if inst.x[i] < inst.x[i - 1]:
            raise InvalidInputError(
                f"x[{i}]", f"must not be below x[{i - 1}] ({inst.x[i - 1]:g}), got {inst.x[i]:g}"
            )
    if (inst.lower is None) != (inst.upper is None):
        raise InvalidInputError("lower", "a band needs both lower and upper (or neither)")
    if inst.lower is not None and inst.upper is not None:
        _check_band(inst.lower, inst.upper, n)


def _check_band(lower: tuple[float, ...], upper: tuple[float, ...], n: int) -> None:
    for name, band in (("lower", lower), ("upper", upper)):
        if len(band) != n:
            raise InvalidInputError(name, f"must have one value per x ({n}), got {len(band)}")
    for i, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
        if lo > hi:
            raise InvalidInputError(
                f"lower[{i}]", f"must not exceed upper[{i}] ({hi:g}), got {lo:g}"
            )


@attrs.frozen
class Series:
    """One line (or step line) of a [`line_chart`][mteam.report.charts.line_chart].

    Attributes:
        name: The name in the legend.
        x: The x values, ascending (ties allowed).
        y: One y value per x.
        lower: The band's lower end per x (None for no band).
        upper: The band's upper end per x (with `lower`; each ≥ the lower end).
        step: Draw a step function (the value holds until the next x), as a Kaplan–Meier
            curve is drawn; otherwise straight segments with a marker at each point.
        band_label: The band's name in the legend (`"confidence band"` unless given).
        dashed: Draw the line dashed (an expectation beside an observation, say).

    Examples:
        >>> Series("S(t)", [0, 1, 2], [1.0, 0.8, 0.7], lower=[1.0, 0.7, 0.6],
        ...        upper=[1.0, 0.9, 0.8]).lower
        (1.0, 0.7, 0.6)
        >>> Series("S(t)", [0, 2, 1], [1.0, 0.8, 0.7])
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: x[2]: must not be below x[1] (2), got 1
    """

    name: str = attrs.field(validator=lambda _i, _a, v: _check_text("name", v))
    x: tuple[float, ...] = attrs.field(converter=_x)
    y: tuple[float, ...] = attrs.field(converter=_y)
    lower: tuple[float, ...] | None = attrs.field(default=None, converter=_lower)
    upper: tuple[float, ...] | None = attrs.field(
        default=None, converter=_upper, validator=_check_series
    )
    step: bool = attrs.field(default=False, validator=of_type(bool))
    band_label: str = attrs.field(
        default="confidence band", validator=lambda _i, _a, v: _check_text("band_label", v)
    )
    dashed: bool = attrs.field(default=False, validator=of_type(bool))


# --- SVG text --------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return escape(text)


def _c(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _px(text: str, size: float) -> float:
    """The estimated width of `text` in pixels at font size `size` (wide characters count 2)."""
    return text_width(text) * size * 0.56


def _fit(text: str, size: float, limit: float) -> str:
    """`text` cut with an ellipsis to fit `limit` pixels (the full text goes in a title)."""
    if _px(text, size) <= limit:
        return text
    out = text
    while out and _px(out + "…", size) > limit:
        out = out[:-1]
    return out + "…"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = _TICK_SIZE,
    anchor: str = "start",
    fill: str = _MUTED,
    cls: str = "",
    weight: str = "",
    rotate: float | None = None,
) -> str:
    attributes = [f'x="{_c(x)}"', f'y="{_c(y)}"', f'font-size="{_c(size)}"', f'fill="{fill}"']
    if cls:
        attributes.insert(0, f'class="{cls}"')
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if weight:
        attributes.append(f'font-weight="{weight}"')
    if rotate is not None:
        attributes.append(f'transform="rotate({_c(rotate)} {_c(x)} {_c(y)})"')
    return f"<text {' '.join(attributes)}>{_esc(content)}</text>"


def _svg(
    width: float,
    height: float,
    title: str,
    description: str,
    body: Iterable[str],
    *,
    language: str = "en",
) -> str:
    w, h = _c(math.ceil(width)), _c(math.ceil(height))
    stop = "。" if language == "zh-Hant" else ". "  # a full stop after the title
    label = _esc(f"{title}{stop}{description}")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mteam-chart" role="img" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-label="{label}" '
        f'font-family="{_esc(_FONT)}" style="max-width:100%;height:auto">'
    )
    return "\n".join(
        [
            head,
            f"<title>{_esc(title)}</title>",
            f"<desc>{_esc(description)}</desc>",
            f'<rect class="background" width="{w}" height="{h}" fill="#ffffff"/>',
            _text(16, 26, title, size=_TITLE_SIZE, fill=_INK, cls="chart-title", weight="600"),
            *body,
            "</svg>",
        ]
    )


# --- numbers on axes -------------------------------------------------------------------------


def _ticks(
    low: float, high: float, count: int = 5, *, whole: bool = False
) -> tuple[list[float], int]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 × a power of ten apart).

    With `whole`, the ticks are whole numbers (periods, counts). Returns the ticks and the
    decimals to print them with.
    """
    if not high - low > 1e-9 * max(1.0, abs(low), abs(high)):  # one value: a range around it
        half = 0.5 * max(1.0, abs(low))
        low, high = (0.0, 1.0) if low == 0 else (low - half, low + half)
    raw = (high - low) / count
    multiples = (1, 2, 5) if whole else (1, 2, 2.5, 5)
    exponent = math.floor(math.log10(raw)) - 1
    if whole:
        exponent = max(exponent, 0)

    def intervals(step: float) -> int:
        return math.ceil(high / step - 1e-9) - math.floor(low / step + 1e-9)

    # the smallest round step that needs at most count + 2 intervals (10^(e + 2) always does)
    multiple, step = next(
        (m, m * 10.0**e)
        for e in range(exponent, exponent + 3)
        for m in multiples
        if intervals(m * 10.0**e) <= count + 2
    )
    start = math.floor(low / step + 1e-9) * step
    n = math.ceil((high - start) / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if multiple == 2.5 else 0)
    return [round(start + i * step, decimals + 2) for i in range(n + 1)], decimals


def _tick_label(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" if text.lstrip("-").strip("0.,") == "" else text


def _g(value: float) -> str:
    """A value in a text alternative: up to four significant digits, thousands separated."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.3g}"


# --- line chart ------------------------------------------------------------------------------


def _range(path: str, value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    check_sequence(path, value)
    pair = _numbers(path, value)
    if len(pair) != 2 or not pair[0] < pair[1]:
        raise InvalidInputError(path, f"must be (low, high) with low < high, got {show(value)}")
    return pair[0], pair[1]


def _corners(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    """The points themselves, joined by straight segments."""
    return list(zip(xs, ys, strict=True))


def _step_points(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    """The corners of a step function through the points (horizontal, then vertical)."""
    out = [(xs[0], ys[0])]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        out += [(x, out[-1][1]), (x, y)]
    return out


def _default_description(items: Sequence[Series], language: str) -> str:
    parts = []
    for s in items:
        part = _word("line_desc", language).format(
            name=s.name, n=len(s.x), x0=_g(s.x[0]), x1=_g(s.x[-1]), y0=_g(s.y[0]), y1=_g(s.y[-1])
        )
        if s.lower is not None and s.upper is not None:
            part += _word("line_band_desc", language).format(
                band=s.band_label, lower=_g(s.lower[-1]), upper=_g(s.upper[-1])
            )
        parts.append(part)
    return _word("separator", language).join(parts) + _word("end", language)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    description: str | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    marker: float | None = None,
    marker_label: str = "",
    width: int = 640,
    height: int = 360,
    language: str = "en",
) -> str:
    """A line (or step) chart of one or more series, each with its band if it has one.

    The y axis starts at 0 unless the data go below it or `y_range` says otherwise; the ticks
    are round numbers. A band is drawn as a translucent polygon under its line; a step series
    draws its band as steps too.

    Args:
        series: The lines, drawn in the palette's order.
        title: The chart's title (visible, and its `<title>`).
        x_label: The x axis' label.
        y_label: The y axis' label.
        description: The text alternative; a summary of every series unless given.
        x_range: `(low, high)` of the x axis instead of the data's.
        y_range: `(low, high)` of the y axis instead of the data's (and 0).
        marker: An x at which to draw a vertical dashed line (the start of a holdout period).
        marker_label: The marker's label.
        width: The width in pixels (the SVG scales down to fit its container).
        height: The height in pixels.
        language: The language of the default description: `"en"` or `"zh-Hant"`.

    Raises:
        InvalidInputError: no series, something other than a `Series`, a range that is not
            `(low, high)`, a size under 240 × 180, an unknown language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> svg = line_chart([Series("S(t)", [0, 1, 2, 3], [1, 0.8, 0.7, 0.65],
        ...                          lower=[1, 0.72, 0.6, 0.54], upper=[1, 0.88, 0.8, 0.76])],
        ...                  title="Survival", x_label="months", y_label="share")
        >>> root = ET.fromstring(svg)
        >>> [e.get("class") for e in root if e.get("class") in ("band", "series")]
        ['band', 'series']
        >>> root.find("{http://www.w3.org/2000/svg}desc").text
        'S(t): 4 points, x from 0 to 3, y from 1 to 0.65 (confidence band at the end 0.54 to 0.76).'
    """
    items = _series_list(series)
    title = _check_text("title", title)
    x_label = _check_text("x_label", x_label)
    y_label = _check_text("y_label", y_label)
    marker_label = _check_text("marker_label", marker_label)
    language = _check_language(language)
    description = (
        _default_description(items, language)
        if description is None
        else _check_text("description", description)
    )
    check_int("width", width, ge=240)
    check_int("height", height, ge=180)
    x_fixed = _range("x_range", x_range)
    y_fixed = _range("y_range", y_range)
    marker_x = None if marker is None else _number("marker", marker)

    xs = [x for s in items for x in s.x] + ([] if marker_x is None else [marker_x])
    ys = [y for s in items for y in (*s.y, *(s.lower or ()), *(s.upper or ()))]
    x_ticks, x_dec = _ticks(*(x_fixed or (min(xs), max(xs))), whole=all(x == int(x) for x in xs))
    y_ticks, y_dec = _ticks(*(y_fixed or (min(0.0, *ys), max(ys))))
    legend = _legend(items)
    tick_width = max(_px(_tick_label(t, y_dec), _TICK_SIZE) for t in y_ticks)
    frame = _Frame(
        *(x_fixed or (x_ticks[0], x_ticks[-1])),
        *(y_fixed or (y_ticks[0], y_ticks[-1])),
        left=30 + tick_width + 10,
        right=width - 24,
        top=48 + (22 if legend else 0),
        bottom=height - 52,
    )
    if frame.right - frame.left < 80:
        raise InvalidInputError("width", f"leaves no room for the plot, got {width}")
    body = _axes(
        frame,
        ([t for t in x_ticks if frame.x0 <= t <= frame.x1], x_dec),
        ([t for t in y_ticks if frame.y0 <= t <= frame.y1], y_dec),
    )
    body += _axis_labels(
        x_label,
        y_label,
        x_at=((frame.left + frame.right) / 2, frame.bottom + 40),
        y_at=(18, (frame.top + frame.bottom) / 2),
    )
    body += _bands(items, frame)
    if marker_x is not None:
        body += _marker(frame, marker_x, marker_label)
    body += _lines(items, frame)
    body += _draw_legend(legend, frame.left, 48)
    return _svg(width, height, title, description, body, language=language)


def _series_list(series: object) -> list[Series]:
    items = _items("series", series)
    if not items:
        raise InvalidInputError("series", "must have at least one series")
    for i, s in enumerate(items):
        check_instance(f"series[{i}]", s, Series)
    return cast("list[Series]", items)


@attrs.frozen
class _Frame:
    """The data ranges and the plot area's pixels, and the mapping between them."""

    x0: float
    x1: float
    y0: float
    y1: float
    left: float
    right: float
    top: float
    bottom: float

    def sx(self, v: float) -> float:
        v = min(max(v, self.x0), self.x1)
        return self.left + (v - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def sy(self, v: float) -> float:
        v = min(max(v, self.y0), self.y1)
        return self.bottom - (v - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)

    def point(self, x: float, y: float) -> str:
        return f"{_c(self.sx(x))},{_c(self.sy(y))}"


def _axes(
    f: _Frame, x_ticks: tuple[list[float], int], y_ticks: tuple[list[float], int]
) -> list[str]:
    body = [
        (
            f'<rect class="plot-area" x="{_c(f.left)}" y="{_c(f.top)}" '
            f'width="{_c(f.right - f.left)}" height="{_c(f.bottom - f.top)}" fill="#ffffff"/>'
        )
    ]
    for t in y_ticks[0]:
        y = f.sy(t)
        body.append(
            f'<line class="grid" x1="{_c(f.left)}" y1="{_c(y)}" x2="{_c(f.right)}" '
            f'y2="{_c(y)}" stroke="{_GRID}"/>'
        )
        body.append(
            _text(f.left - 8, y + 4, _tick_label(t, y_ticks[1]), anchor="end", cls="tick-label")
        )
    for t in x_ticks[0]:
        x = f.sx(t)
        body.append(
            f'<line class="tick" x1="{_c(x)}" y1="{_c(f.bottom)}" x2="{_c(x)}" '
            f'y2="{_c(f.bottom + 5)}" stroke="{_AXIS}"/>'
        )
        body.append(
            _text(x, f.bottom + 18, _tick_label(t, x_ticks[1]), anchor="middle", cls="tick-label")
        )
    body.append(
        f'<line class="axis" x1="{_c(f.left)}" y1="{_c(f.bottom)}" x2="{_c(f.right)}" '
        f'y2="{_c(f.bottom)}" stroke="{_AXIS}"/>'
    )
    body.append(
        f'<line class="axis" x1="{_c(f.left)}" y1="{_c(f.top)}" x2="{_c(f.left)}" '
        f'y2="{_c(f.bottom)}" stroke="{_AXIS}"/>'
    )
    return body


def _bands(items: Sequence[Series], f: _Frame) -> list[str]:
    body = []
    for i, s in enumerate(items):
        if s.lower is None or s.upper is None:
            continue
        colour = _PALETTE[i % len(_PALETTE)]
        corners = _step_points if s.step else _corners
        ring = corners(s.x, s.upper) + corners(s.x, s.lower)[::-1]
        points = " ".join(f.point(x, y) for x, y in ring)
        body.append(
            f'<polygon class="band" points="{points}" fill="{colour}" fill-opacity="0.18" '
            f'stroke="none"><title>{_esc(f"{s.name}: {s.band_label}")}</title></polygon>'
        )
    return body


def _marker(f: _Frame, x: float, label: str) -> list[str]:
    mx = f.sx(x)
    body = [
        (
            f'<line class="marker" x1="{_c(mx)}" y1="{_c(f.top)}" x2="{_c(mx)}" '
            f'y2="{_c(f.bottom)}" stroke="{_INK}" stroke-dasharray="2 3"/>'
        )
    ]
    if label:
        body.append(_text(mx + 4, f.top + 12, label, fill=_INK, cls="marker-label"))
    return body


def _lines(items: Sequence[Series], f: _Frame) -> list[str]:
    body = []
    for i, s in enumerate(items):
        colour = _PALETTE[i % len(_PALETTE)]
        corners = _step_points(s.x, s.y) if s.step else _corners(s.x, s.y)
        d = "M" + " L".join(f.point(x, y) for x, y in corners)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        body.append(
            f'<path class="series" d="{d}" fill="none" stroke="{colour}" stroke-width="2.25" '
            f'stroke-linejoin="round"{dash}><title>{_esc(s.name)}</title></path>'
        )
        if not s.step and len(s.x) <= 60:
            body += [
                f'<circle class="point" cx="{_c(f.sx(x))}" cy="{_c(f.sy(y))}" r="3" '
                f'fill="{colour}"><title>{_esc(f"{s.name}: {_g(x)}, {_g(y)}")}</title></circle>'
                for x, y in _corners(s.x, s.y)
            ]
    return body


def _legend(items: Sequence[Series]) -> list[tuple[str, str, str]]:
    """(kind, colour, text) per legend entry: a line per series, a patch per band."""
    banded = any(s.lower is not None for s in items)
    if len(items) == 1 and not banded:
        return []
    out = []
    for i, s in enumerate(items):
        colour = _PALETTE[i % len(_PALETTE)]
        out.append(("dash" if s.dashed else "line", colour, s.name))
        if s.lower is not None:
            out.append(("band", colour, s.band_label))
    return out


def _draw_legend(entries: Sequence[tuple[str, str, str]], x: float, y: float) -> list[str]:
    out = []
    for kind, colour, label in entries:
        if kind == "band":
            out.append(
                f'<rect class="legend-key" x="{_c(x)}" y="{_c(y - 6)}" width="18" height="12" '
                f'fill="{colour}" fill-opacity="0.18"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            out.append(
                f'<line class="legend-key" x1="{_c(x)}" y1="{_c(y)}" x2="{_c(x + 18)}" '
                f'y2="{_c(y)}" stroke="{colour}" stroke-width="2.25"{dash}/>'
            )
        out.append(_text(x + 24, y + 4, label, fill=_INK, cls="legend"))
        x += 24 + _px(label, _TICK_SIZE) + 20
    return out


def _vertical(at: tuple[float, float], label: str) -> str:
    """The y axis' label, turned a quarter left (upright top to bottom if it has CJK text)."""
    if text_width(label) == len(label):
        return _text(
            *at, label, size=_LABEL_SIZE, anchor="middle", fill=_INK, cls="axis-label y", rotate=-90
        )
    x, y = at
    return (
        f'<text class="axis-label y" x="{_c(x)}" y="{_c(y)}" font-size="{_LABEL_SIZE}" '
        f'fill="{_INK}" text-anchor="middle" writing-mode="vertical-rl">{_esc(label)}</text>'
    )


def _axis_labels(
    x_label: str, y_label: str, *, x_at: tuple[float, float], y_at: tuple[float, float]
) -> list[str]:
    return [
        _text(*x_at, x_label, size=_LABEL_SIZE, anchor="middle", fill=_INK, cls="axis-label x"),
        _vertical(y_at, y_label),
    ]


# --- heat map --------------------------------------------------------------------------------


def _mix(ramp: Sequence[str], t: float) -> str:
    """The colour at `t` in [0, 1] along a ramp, interpolated in sRGB."""
    t = min(max(t, 0.0), 1.0) * (len(ramp) - 1)
    i = min(int(t), len(ramp) - 2)
    f = t - i
    a, b = ramp[i], ramp[i + 1]
    rgb = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in rgb)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1) of a `#rrggbb` colour."""
    channels = []
    for k in (1, 3, 5):
        c = int(colour[k : k + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_on(colour: str) -> str:
    """White or dark text, whichever contrasts more with the cell."""
    lum = _luminance(colour)
    dark = (lum + 0.05) / (_luminance(_INK) + 0.05)
    light = 1.05 / (lum + 0.05)
    return "#ffffff" if light > dark else _INK


def _format(path: str, spec: str, value: float) -> str:
    try:
        return format(value, spec)
    except ValueError:
        raise InvalidInputError(path, f"is not a number format, got {show(spec)}") from None


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    description: str | None = None,
    low: float | None = None,
    high: float | None = None,
    value_format: str = ".2f",
    colours: str = "blue",
    show_zero: bool = True,
    cell_width: int = 48,
    cell_height: int = 26,
    language: str = "en",
) -> str:
    """A grid of cells, one per row and column, coloured from light (low) to dark (high).

    A `None` value leaves its cell empty (a cohort not yet observed at that age). Each cell
    prints its value with `value_format` (a `format()` spec such as `".0%"`) and carries
    `row · column: value` in its `<title>`; a legend gives the colour of five values.

    Args:
        rows: The row labels (top to bottom).
        columns: The column labels (left to right).
        values: One sequence per row, one value (or None) per column.
        title: The chart's title.
        x_label: What the columns are.
        y_label: What the rows are.
        description: The text alternative; a summary unless given.
        low: The value drawn lightest (the smallest value unless given).
        high: The value drawn darkest (the largest unless given).
        value_format: How a value is printed.
        colours: `"blue"` (more is better, say) or `"orange"` (more is worse, say).
        show_zero: Print 0 in its cell (False leaves a zero cell's text out, so the cells that
            matter stand out; its `<title>` still says 0).
        cell_width: A cell's width in pixels.
        cell_height: A cell's height in pixels.
        language: The language of the default description: `"en"` or `"zh-Hant"`.

    Raises:
        InvalidInputError: no rows or columns, a row of the wrong length, a value that is not a
            finite number, `high` not above `low`, an unknown colour ramp, format or language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> svg = heat_map(["2025-01", "2025-02"], ["0", "1"], [[1.0, 0.8], [1.0, None]],
        ...                title="Retention", x_label="months", y_label="cohort",
        ...                value_format=".0%")
        >>> cells = [e for e in ET.fromstring(svg).iter() if e.get("class") == "cell"]
        >>> [c[0].text for c in cells]
        ['2025-01 · 0: 100%', '2025-01 · 1: 80%', '2025-02 · 0: 100%']
    """
    row_labels, column_labels, grid = _grid_values(rows, columns, values)
    title = _check_text("title", title)
    x_label = _check_text("x_label", x_label)
    y_label = _check_text("y_label", y_label)
    check_instance("value_format", value_format, str)
    if colours not in _RAMPS:
        raise InvalidInputError(
            "colours", f"must be one of {', '.join(sorted(_RAMPS))}, got {show(colours)}"
        )
    check_instance("show_zero", show_zero, bool)
    check_int("cell_width", cell_width, ge=12)
    check_int("cell_height", cell_height, ge=12)
    language = _check_language(language)
    whole = all(v == int(v) for row in grid for v in row if v is not None)
    scale = _Scale(*_limits(grid, low, high), _RAMPS[colours], value_format, whole, show_zero)
    description = (
        _heat_description(row_labels, column_labels, grid, value_format, language)
        if description is None
        else _check_text("description", description)
    )

    col_px = min(max(_px(c, _TICK_SIZE) for c in column_labels), 160.0)
    rotated = col_px > cell_width - 6
    left = 40 + min(max(_px(r, _TICK_SIZE) for r in row_labels), 220.0) + 8
    if rotated:  # labels run down and to the left from under their column
        left = max(left, 0.77 * col_px - cell_width / 2 + 16)
    top = 48
    grid_w = cell_width * len(column_labels)
    grid_h = cell_height * len(row_labels)
    label_drop = 0.64 * col_px + 14 if rotated else 18
    legend_x = left + grid_w + 24
    body = []
    for r, (label, row) in enumerate(zip(row_labels, grid, strict=True)):
        y = top + r * cell_height
        body.append(
            _text(
                left - 8,
                y + cell_height / 2 + 4,
                _fit(label, _TICK_SIZE, 220),
                anchor="end",
                fill=_INK,
                cls="row-label",
            )
        )
        for k, value in enumerate(row):
            if value is not None:
                tip = f"{label} · {column_labels[k]}"
                at = (left + k * cell_width, y)
                body += _cell(at, (cell_width, cell_height), value, tip, scale)
    body += _column_labels(column_labels, left, top + grid_h, cell_width, rotated=rotated)
    body += _axis_labels(
        x_label,
        y_label,
        x_at=(left + grid_w / 2, top + grid_h + label_drop + 18),
        y_at=(18, top + grid_h / 2),
    )
    body += _scale_legend(scale, legend_x, top)
    width = max(legend_x + 96, 16 + _px(title, _TITLE_SIZE) + 16)
    height = max(top + grid_h + label_drop + 36, top + len(scale.levels()) * 20 + 40)
    return _svg(width, height, title, description, body, language=language)


def _grid_values(
    rows: object, columns: object, values: object
) -> tuple[tuple[str, ...], tuple[str, ...], list[tuple[float | None, ...]]]:
    row_labels = _texts("rows", rows)
    column_labels = _texts("columns", columns)
    if not row_labels:
        raise InvalidInputError("rows", "must have at least one row")
    if not column_labels:
        raise InvalidInputError("columns", "must have at least one column")
    grid = [
        _optional_numbers(f"values[{i}]", row) for i, row in enumerate(_items("values", values))
    ]
    if len(grid) != len(row_labels):
        raise InvalidInputError(
            "values", f"must have one row per row label ({len(row_labels)}), got {len(grid)}"
        )
    for i, row in enumerate(grid):
        if len(row) != len(column_labels):
            raise InvalidInputError(
                f"values[{i}]",
                f"must have one value per column ({len(column_labels)}), got {len(row)}",
            )
    return row_labels, column_labels, grid


def _limits(
    grid: Sequence[Sequence[float | None]], low: object, high: object
) -> tuple[float, float]:
    present = [v for row in grid for v in row if v is not None]
    lo = (min(present) if present else 0.0) if low is None else _number("low", low)
    hi = (max(present) if present else 1.0) if high is None else _number("high", high)
    if not hi >= lo or (low is not None and high is not None and hi == lo):
        raise InvalidInputError("high", f"must be > low ({lo:g}), got {hi:g}")
    return lo, hi


@attrs.frozen
class _Scale:
    """Values from `low` to `high` onto a colour ramp, and how they are printed."""

    low: float
    high: float
    ramp: tuple[str, ...]
    spec: str
    whole: bool
    show_zero: bool

    def levels(self) -> list[float]:
        """The values the legend shows: every whole value when there are few, else five."""
        if self.whole and self.low == int(self.low) and self.high - self.low <= 5:
            return [float(v) for v in range(int(self.low), int(self.high) + 1)]
        return [self.low + (self.high - self.low) * j / 4 for j in range(5)]

    def colour(self, value: float) -> str:
        t = 0.0 if self.high == self.low else (value - self.low) / (self.high - self.low)
        return _mix(self.ramp, t)

    def text(self, value: float) -> str:
        return _format("value_format", self.spec, value)


def _cell(
    at: tuple[float, float], size: tuple[int, int], value: float, tip: str, scale: _Scale
) -> list[str]:
    x, y = at
    w, h = size
    fill = scale.colour(value)
    shown = scale.text(value)
    out = [
        (
            f'<rect class="cell" x="{_c(x)}" y="{_c(y)}" width="{w}" height="{h}" '
            f'fill="{fill}" stroke="#ffffff"><title>{_esc(f"{tip}: {shown}")}</title></rect>'
        )
    ]
    if _px(shown, 10.5) <= w - 4 and (value != 0 or scale.show_zero):
        out.append(
            _text(
                x + w / 2,
                y + h / 2 + 4,
                shown,
                size=10.5,
                anchor="middle",
                fill=_ink_on(fill),
                cls="cell-value",
            )
        )
    return out


def _column_labels(
    labels: Sequence[str], left: float, bottom: float, cell_width: int, *, rotated: bool
) -> list[str]:
    out = []
    for k, label in enumerate(labels):
        x = left + k * cell_width + cell_width / 2
        shown = _fit(label, _TICK_SIZE, 160)
        if rotated:
            out.append(
                _text(
                    x + 4,
                    bottom + 12,
                    shown,
                    anchor="end",
                    fill=_INK,
                    cls="column-label",
                    rotate=-40,
                )
            )
        else:
            out.append(_text(x, bottom + 16, shown, anchor="middle", fill=_INK, cls="column-label"))
    return out


def _scale_legend(scale: _Scale, x: float, top: float) -> list[str]:
    out = []
    for j, value in enumerate(scale.levels()):
        y = top + j * 20
        out.append(
            f'<rect class="legend-key" x="{_c(x)}" y="{_c(y)}" width="16" height="16" '
            f'fill="{scale.colour(value)}" stroke="{_GRID}"/>'
        )
        out.append(_text(x + 22, y + 12, scale.text(value), cls="legend"))
    return out


def _heat_description(
    rows: Sequence[str],
    columns: Sequence[str],
    grid: Sequence[Sequence[float | None]],
    spec: str,
    language: str,
) -> str:
    cells = [
        (v, r, c)
        for r, row in zip(rows, grid, strict=True)
        for c, v in zip(columns, row, strict=True)
        if v is not None
    ]
    text = _word("heat_desc", language).format(
        rows=len(rows), columns=len(columns), cells=len(cells)
    )
    if cells:
        top = max(cells, key=lambda cell: cell[0])  # the first of the highest
        low = min(cells, key=lambda cell: cell[0])
        text += _word("heat_extremes", language).format(
            top=_format("value_format", spec, top[0]),
            top_at=f"{top[1]} · {top[2]}",
            low=_format("value_format", spec, low[0]),
            low_at=f"{low[1]} · {low[2]}",
        )
    return text + _word("end", language)


# --- bar chart -------------------------------------------------------------------------------


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    description: str | None = None,
    value_labels: Sequence[str] | None = None,
    width: int = 640,
    language: str = "en",
) -> str:
    """Horizontal bars, one per label, from 0 to the value (so long labels stay readable).

    Args:
        labels: The bars' labels, top to bottom.
        values: One value ≥ 0 per label.
        title: The chart's title.
        x_label: What the values are.
        y_label: What the labels are.
        description: The text alternative; every `label: value` unless given.
        value_labels: The text printed at each bar's end (the value unless given), such as an
            amount with its currency.
        width: The width in pixels.
        language: The language of the default description: `"en"` or `"zh-Hant"`.

    Raises:
        InvalidInputError: no bars, lengths that differ, a negative or non-finite value, an
            unknown language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> svg = bar_chart(["band 1", "band 2"], [1, 3], title="Bands", x_label="members",
        ...                 y_label="band")
        >>> bars = [e for e in ET.fromstring(svg).iter() if e.get("class") == "bar"]
        >>> one, three = (float(b.get("width")) for b in bars)
        >>> round(three / one, 2)  # bars are proportional to the values
        3.0
    """
    names, numbers, shown = _bar_values(labels, values, value_labels)
    title = _check_text("title", title)
    x_label = _check_text("x_label", x_label)
    y_label = _check_text("y_label", y_label)
    check_int("width", width, ge=240)
    language = _check_language(language)
    if description is None:
        item = _word("item", language)
        description = _word("separator", language).join(
            item.format(label=n, value=s) for n, s in zip(names, shown, strict=True)
        ) + _word("end", language)
    else:
        description = _check_text("description", description)

    ticks, decimals = _ticks(0.0, max(numbers) or 1.0, whole=all(v == int(v) for v in numbers))
    label_room = min(max(_px(n, _LABEL_SIZE) for n in names), 240.0)
    left = 40 + label_room + 10
    shown = tuple(_fit(s, _TICK_SIZE, 190) for s in shown)
    value_room = max(_px(s, _TICK_SIZE) for s in shown) + 12
    right = width - 16 - value_room
    if right - left < 80:
        raise InvalidInputError("width", f"leaves no room for the bars, got {width}")
    top = 48
    bar, gap = 24, 12
    bottom = top + len(names) * (bar + gap) + gap / 2
    height = bottom + 52
    x1 = ticks[-1]

    def sx(v: float) -> float:
        return left + v / x1 * (right - left)

    body = []
    for t in ticks:
        body.append(
            f'<line class="grid" x1="{_c(sx(t))}" y1="{_c(top)}" x2="{_c(sx(t))}" '
            f'y2="{_c(bottom)}" stroke="{_GRID}"/>'
        )
        body.append(
            _text(sx(t), bottom + 16, _tick_label(t, decimals), anchor="middle", cls="tick-label")
        )
    for i, (name, value, text) in enumerate(zip(names, numbers, shown, strict=True)):
        y = top + gap / 2 + i * (bar + gap)
        body.append(
            _text(
                left - 8,
                y + bar / 2 + 4,
                _fit(name, _LABEL_SIZE, 240),
                size=_LABEL_SIZE,
                anchor="end",
                fill=_INK,
                cls="bar-label",
            )
        )
        body.append(
            f'<rect class="bar" x="{_c(left)}" y="{_c(y)}" width="{_c(sx(value) - left)}" '
            f'height="{bar}" fill="{_PALETTE[0]}"><title>{_esc(f"{name}: {text}")}</title></rect>'
        )
        body.append(_text(sx(value) + 6, y + bar / 2 + 4, text, fill=_INK, cls="bar-value"))
    body.append(
        f'<line class="axis" x1="{_c(left)}" y1="{_c(top)}" x2="{_c(left)}" y2="{_c(bottom)}" '
        f'stroke="{_AXIS}"/>'
    )
    body += _axis_labels(
        x_label,
        y_label,
        x_at=((left + right) / 2, bottom + 38),
        y_at=(18, (top + bottom) / 2),
    )
    return _svg(width, height, title, description, body, language=language)


def _bar_values(
    labels: object, values: object, value_labels: object
) -> tuple[tuple[str, ...], tuple[float, ...], tuple[str, ...]]:
    names = _texts("labels", labels)
    numbers = _numbers("values", values)
    if not names:
        raise InvalidInputError("labels", "must have at least one bar")
    if len(numbers) != len(names):
        raise InvalidInputError(
            "values", f"must have one value per label ({len(names)}), got {len(numbers)}"
        )
    for i, v in enumerate(numbers):
        if v < 0:
            raise InvalidInputError(f"values[{i}]", f"must be >= 0, got {v:g}")
    shown = (
        tuple(_g(v) for v in numbers)
        if value_labels is None
        else _texts("value_labels", value_labels)
    )
    if len(shown) != len(names):
        raise InvalidInputError(
            "value_labels", f"must have one text per label ({len(names)}), got {len(shown)}"
        )
    return names, numbers, shown


# --- adapters: membership --------------------------------------------------------------------


def _unit_word(unit: TimeUnit | None, language: str) -> str:
    return _word("time", language) if unit is None else _word(unit.value, language)


def survival_chart(
    curve: SurvivalCurve,
    *,
    band: bool = True,
    lower: Sequence[float] | None = None,
    upper: Sequence[float] | None = None,
    band_label: str | None = None,
    language: str = "en",
    title: str | None = None,
) -> str:
    """The Kaplan–Meier curve as a step chart from S(0) = 1, with its confidence band.

    The band is the curve's own (`curve.lower` and `curve.upper`, exponential Greenwood at
    level 1 − `curve.alpha`) unless `lower` and `upper` give another one, or `band=False`
    leaves it out. The text alternative states the median and, with the curve's own band,
    the median's interval.

    Args:
        curve: The curve.
        band: Draw a band (the curve's own unless `lower` and `upper` are given).
        lower: Another band's lower end at each of the curve's event times (with `upper`).
        upper: Another band's upper end at each event time.
        band_label: The band's name; `"95 % band"` (from the curve's `alpha`) for the curve's
            own band, `"confidence band"` for another, unless given.
        language: `"en"` or `"zh-Hant"` for the chart's own words.
        title: A title instead of the default.

    Raises:
        InvalidInputError: not a curve, a band of the wrong length or upside down, a band
            given with `band=False`, an unknown language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from mteam.membership.survival import kaplan_meier
        >>> curve = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True],
        ...                      unit="month")
        >>> root = ET.fromstring(survival_chart(curve))
        >>> [e.text for e in root.iter() if "axis-label" in (e.get("class") or "")]
        ['months', 'share still members']
        >>> [e.text for e in root.iter() if e.get("class") == "legend"]
        ['S(t)', '95 % band']
        >>> root.find("{http://www.w3.org/2000/svg}desc").text
        'S(t) falls from 1 to 0 at 8 months in 4 steps; median 5 months (95 % interval: 2 to 8).'
        >>> root = ET.fromstring(survival_chart(curve, band=False))
        >>> [e.get("class") for e in root if e.get("class") == "band"]
        []
    """
    check_instance("curve", curve, SurvivalCurve)
    check_instance("band", band, bool)
    language = _check_language(language)
    unit = _unit_word(curve.unit, language)
    name = "S(t)"
    xs = (0.0, *curve.times)
    ys = (1.0, *curve.survival)
    given = lower is not None or upper is not None
    own = band and not given
    level = _g(100 * (1 - curve.alpha))
    if given and not band:
        raise InvalidInputError("band", "is False, but lower and upper give a band")
    if not band:
        series = Series(name, xs, ys, step=True)
    else:
        if own:
            label = _word("band_level", language).format(level=level)
            lows, highs = curve.lower, curve.upper
        else:
            label = _word("band", language)
            lows = _band("lower", lower, len(curve.times))
            highs = _band("upper", upper, len(curve.times))
        series = Series(
            name,
            xs,
            ys,
            lower=(1.0, *lows),
            upper=(1.0, *highs),
            step=True,
            band_label=label if band_label is None else _check_text("band_label", band_label),
        )
    median = (
        _word("not_reached", language) if curve.median is None else f"{_g(curve.median)} {unit}"
    )
    if own and curve.median is not None:
        low_end, high_end = (
            _word("not_reached", language) if t is None else _g(t) for t in curve.median_interval
        )
        median = _word("median_interval", language).format(
            median=median, level=level, lower=low_end, upper=high_end
        )
    description = _word("survival_desc", language).format(
        name=name, last=_g(ys[-1]), end=_g(xs[-1]), unit=unit, steps=len(curve.times), median=median
    )
    return line_chart(
        [series],
        title=_word("survival_title", language) if title is None else title,
        x_label=unit,
        y_label=_word("survival_y", language),
        description=description,
        y_range=(0.0, 1.0),
        language=language,
    )


def _band(name: str, values: Sequence[float] | None, n: int) -> tuple[float, ...]:
    if values is None:
        raise InvalidInputError(name, "a band needs both lower and upper")
    out = _numbers(name, values)
    if len(out) != n:
        raise InvalidInputError(name, f"must have one value per event time ({n}), got {len(out)}")
    return out


def projection_chart(
    projection: Sequence[Projection],
    *,
    unit: TimeUnit | str | None = None,
    band_label: str | None = None,
    language: str = "en",
    title: str | None = None,
) -> str:
    """The sBG projection S(t), t = 0, 1, …, as a line with its confidence band.

    Args:
        projection: [`SBGModel.project`][mteam.membership.sbg.SBGModel.project]'s result.
        unit: The length of a period (the model's `unit`), for the x axis' label.
        band_label: The band's name (`"95 % band"`, say); `"confidence band"` unless given.
        language: `"en"` or `"zh-Hant"`.
        title: A title instead of the default.

    Raises:
        InvalidInputError: an empty projection or one with something else in it, an unknown
            unit or language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from mteam.membership.sbg import fit_sbg
        >>> model = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491], unit="year")
        >>> root = ET.fromstring(projection_chart(model.project(12), unit=model.unit))
        >>> len([e for e in root.iter() if e.get("class") == "point"])
        13
        >>> [e.get("class") for e in root if e.get("class") in ("band", "series")]
        ['band', 'series']
    """
    check_sequence("projection", projection)
    rows = list(projection)
    if not rows:
        raise InvalidInputError("projection", "must have at least one period")
    for i, p in enumerate(rows):
        check_instance(f"projection[{i}]", p, Projection)
    language = _check_language(language)
    x_label = _unit_word(None if unit is None else to_unit(unit), language)
    label = _word("band", language) if band_label is None else band_label
    series = Series(
        "S(t)",
        [p.t for p in rows],
        [p.survival for p in rows],
        lower=[p.lower for p in rows],
        upper=[p.upper for p in rows],
        band_label=label,
    )
    last = rows[-1]
    description = _word("projection_desc", language).format(
        first=_g(rows[0].survival),
        start=rows[0].t,
        last=_g(last.survival),
        end=last.t,
        unit=x_label,
        band=label,
        lower=_g(last.lower),
        upper=_g(last.upper),
    )
    return line_chart(
        [series],
        title=_word("projection_title", language) if title is None else title,
        x_label=x_label,
        y_label=_word("survival_y", language),
        description=description,
        y_range=(0.0, 1.0),
        language=language,
    )


def cohort_heat_map(
    table: CohortTable,
    *,
    measure: str = "retention",
    cohorts: int | None = 12,
    max_age: int | None = 12,
    language: str = "en",
    title: str | None = None,
) -> str:
    """Cohorts (rows) × months since joining (columns), coloured by retention or activity.

    Args:
        table: The cohort table.
        measure: `"retention"` (share still members) or `"activity"` (share who bought).
        cohorts: Show only the most recent this many cohorts (all when None).
        max_age: Show ages 0 … `max_age` months (every observed age when None).
        language: `"en"` or `"zh-Hant"`.
        title: A title instead of the default.

    Raises:
        InvalidInputError: not a cohort table, an empty one, an unknown measure or language,
            a count below 1 or an age below 0.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from datetime import date
        >>> from mteam.membership.records import Member
        >>> from mteam.membership.retention import cohort_table
        >>> from mteam.membership.summary import summarise
        >>> base = summarise([Member("a", date(2025, 1, 10)),
        ...                   Member("b", date(2025, 1, 20), date(2025, 2, 25)),
        ...                   Member("c", date(2025, 2, 3))], [], as_of=date(2025, 3, 31))
        >>> svg = cohort_heat_map(cohort_table(base))
        >>> [e[0].text for e in ET.fromstring(svg).iter() if e.get("class") == "cell"]
        ['2025-01 · 0: 100%', '2025-01 · 1: 100%', '2025-01 · 2: 50%', '2025-02 · 0: 100%', \
'2025-02 · 1: 100%']
    """
    check_instance("table", table, CohortTable)
    if measure not in ("retention", "activity"):
        raise InvalidInputError("measure", f"must be retention or activity, got {show(measure)}")
    if cohorts is not None:
        check_int("cohorts", cohorts, ge=1)
    if max_age is not None:
        check_int("max_age", max_age, ge=0)
    language = _check_language(language)
    names = list(table.cells)
    if not names:
        raise InvalidInputError("table", "has no cohorts")
    if cohorts is not None:
        names = names[-cohorts:]
    top_age = max(max(table.cells[c]) for c in names)
    if max_age is not None:
        top_age = min(top_age, max_age)
    ages = list(range(top_age + 1))
    grid: list[list[float | None]] = []
    for c in names:
        row = table.cells[c]
        grid.append(
            [
                (row[a].retention if measure == "retention" else row[a].activity)
                if a in row and row[a].observed
                else None
                for a in ages
            ]
        )
    key = "cohort_retention_title" if measure == "retention" else "cohort_activity_title"
    return heat_map(
        names,
        [str(a) for a in ages],
        grid,
        title=_word(key, language) if title is None else title,
        x_label=_word("months_since", language),
        y_label=_word("cohort", language),
        low=0.0,
        high=1.0,
        value_format=".0%",
        cell_width=40,
        cell_height=22,
        language=language,
    )


def skill_gap_heat_map(
    report: GapReport,
    *,
    members: Mapping[str, str] | None = None,
    skills: Mapping[str, str] | None = None,
    value: str = "gap",
    language: str = "en",
    title: str | None = None,
) -> str:
    """Members (rows) × skills with a gap (columns): the team's gap heat-map.

    Every analysed member has a row (an empty light cell where they have no gap in the skill);
    the columns are the skills with a gap, highest priority first, as in
    [`GapReport.skills`][mteam.training.GapReport]. Gaps in levels are coloured on the
    proficiency scale's span (0 to 4 levels), so a gap of one level is pale and one of three
    is dark.

    Args:
        report: The gap analysis.
        members: Member id → the name to show (the id unless given).
        skills: Skill id → the name to show (the id unless given).
        value: `"gap"` (levels below requirement), `"weighted_gap"` or `"priority"`.
        language: `"en"` or `"zh-Hant"`.
        title: A title instead of the default.

    Raises:
        InvalidInputError: not a gap report, one without a gap, an unknown value or language.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from mteam.training import GapReport, MemberReadiness, SkillGap, SkillNeed
        >>> report = GapReport(
        ...     (SkillGap("ann", "seo", 3, 1, 2, 1.0, 2.0, 2.0, False),),
        ...     (MemberReadiness("ann", "seo_specialist", 0.5, True, 2.0),
        ...      MemberReadiness("bob", "seo_specialist", 1.0, True, 0.0)),
        ...     (SkillNeed("seo", 2.0, 2.0, ("ann",), 1),))
        >>> svg = skill_gap_heat_map(report, members={"ann": "Ann <A&B>"}, skills={"seo": "SEO"})
        >>> [e[0].text for e in ET.fromstring(svg).iter() if e.get("class") == "cell"]
        ['Ann <A&B> · SEO: 2', 'bob · SEO: 0']
    """
    check_instance("report", report, GapReport)
    if value not in ("gap", "weighted_gap", "priority"):
        raise InvalidInputError(
            "value", f"must be gap, weighted_gap or priority, got {show(value)}"
        )
    language = _check_language(language)
    member_names = {} if members is None else dict(members)
    skill_names = {} if skills is None else dict(skills)
    if not report.skills:
        raise InvalidInputError("report", "has no skill gap to draw")
    skill_ids = [n.skill_id for n in report.skills]
    member_ids = [m.member_id for m in report.members] or sorted({g.member_id for g in report.gaps})
    found = {(g.member_id, g.skill_id): float(getattr(g, value)) for g in report.gaps}
    grid: list[list[float | None]] = [
        [found.get((m, s), 0.0) for s in skill_ids] for m in member_ids
    ]
    return heat_map(
        [member_names.get(m, m) for m in member_ids],
        [skill_names.get(s, s) for s in skill_ids],
        grid,
        title=_word("gap_title" if value == "gap" else "priority_title", language)
        if title is None
        else title,
        x_label=_word("skill", language),
        y_label=_word("member", language),
        low=0.0,
        high=max(
            4.0 if value == "gap" else 1.0, *(v for row in grid for v in row if v is not None)
        ),
        value_format="g",
        colours="orange",
        show_zero=False,
        cell_width=56,
        language=language,
    )


# --- adapters: review ------------------------------------------------------------------------


def _band_labels(outcome: ReviewOutcome, language: str) -> list[tuple[int, str]]:
    names = outcome.summary.band_names
    return [
        (level, f"{level} {names[level].get(language)}" if level in names else str(level))
        for level in sorted(outcome.summary.band_counts)
    ]


def band_distribution_chart(
    outcome: ReviewOutcome, *, language: str = "en", title: str | None = None
) -> str:
    """Members per rating band, lowest band at the top, every band shown (0 included).

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> svg = band_distribution_chart(run_review(load_sample_team()))
        >>> [e.text for e in ET.fromstring(svg).iter() if e.get("class") == "bar-value"]
        ['1', '2', '3', '4', '2']
    """
    check_instance("outcome", outcome, ReviewOutcome)
    language = _check_language(language)
    labels = _band_labels(outcome, language)
    counts = [outcome.summary.band_counts[level] for level, _ in labels]
    return bar_chart(
        [text for _, text in labels],
        counts,
        title=_word("band_title", language) if title is None else title,
        x_label=_word("members", language),
        y_label=_word("rating_band", language),
        language=language,
    )


def bonus_by_band_chart(
    outcome: ReviewOutcome, *, language: str = "en", title: str | None = None
) -> str:
    """The total bonus paid to each rating band, in the outcome's currency (exact amounts).

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> svg = bonus_by_band_chart(run_review(load_sample_team()))
        >>> [e.text for e in ET.fromstring(svg).iter() if e.get("class") == "bar-value"]
        ['0 TWD', '70,153 TWD', '190,539 TWD', '453,708 TWD', '285,600 TWD']
    """
    check_instance("outcome", outcome, ReviewOutcome)
    language = _check_language(language)
    labels = _band_labels(outcome, language)
    totals = dict.fromkeys(outcome.summary.band_counts, Decimal(0))
    for m in outcome.members:
        totals[m.band] = totals.get(m.band, Decimal(0)) + m.bonus.amount
    code = outcome.currency.code
    amounts = [totals[level] for level, _ in labels]
    return bar_chart(
        [text for _, text in labels],
        [float(a) for a in amounts],
        value_labels=[f"{a:,} {code}" for a in amounts],
        title=_word("bonus_title", language) if title is None else title,
        x_label=f"{_word('bonus_total', language)} ({code})",
        y_label=_word("rating_band", language),
        language=language,
    )


# --- adapters: holdout checks ----------------------------------------------------------------


def expected_vs_actual_chart(
    periods: Sequence[float],
    expected: Sequence[float],
    actual: Sequence[float],
    *,
    cumulative: bool = False,
    holdout_start: float | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    language: str = "en",
    title: str | None = None,
) -> str:
    """Expected and actual totals per period, drawn cumulatively: a model's holdout check.

    The expected line is dashed, the actual solid; a vertical line marks where the holdout
    period starts, when given. With `cumulative=False` (the default) the values are per period
    and are summed here; with `cumulative=True` they are running totals already.

    Args:
        periods: The periods (ascending), e.g. weeks since the start of calibration.
        expected: The model's expected value per period (purchases, say).
        actual: What happened per period.
        cumulative: Whether the values are running totals already.
        holdout_start: The first period of the holdout.
        x_label: The x axis' label (`"period"` unless given).
        y_label: The y axis' label (`"cumulative total"` unless given).
        language: `"en"` or `"zh-Hant"`.
        title: A title instead of the default.

    Raises:
        InvalidInputError: lengths that differ, no period, periods out of order, a value that is
            not a finite number.

    Examples:
        >>> import xml.etree.ElementTree as ET
        >>> svg = expected_vs_actual_chart([1, 2, 3, 4], [10, 11, 12, 12], [9, 12, 13, 10],
        ...                                holdout_start=3)
        >>> root = ET.fromstring(svg)
        >>> [e[0].text for e in root.iter() if e.get("class") == "point"][-1]
        'actual: 4, 44'
        >>> root.find("{http://www.w3.org/2000/svg}desc").text
        'Cumulative totals over 4 periods: expected 45, actual 44; the holdout starts at 3.'
    """
    xs = _numbers("periods", periods)
    exp = _numbers("expected", expected)
    act = _numbers("actual", actual)
    if not xs:
        raise InvalidInputError("periods", "must have at least one period")
    for name, values in (("expected", exp), ("actual", act)):
        if len(values) != len(xs):
            raise InvalidInputError(
                name, f"must have one value per period ({len(xs)}), got {len(values)}"
            )
    check_instance("cumulative", cumulative, bool)
    language = _check_language(language)
    marker = None if holdout_start is None else _number("holdout_start", holdout_start)
    if not cumulative:
        exp = tuple(accumulate(exp))
        act = tuple(accumulate(act))
    expected_name, actual_name = _word("expected", language), _word("actual", language)
    description = _word("expected_desc", language).format(
        n=len(xs),
        expected=expected_name,
        e=_g(exp[-1]),
        actual=actual_name,
        a=_g(act[-1]),
        holdout="" if marker is None else _word("holdout_desc", language).format(start=_g(marker)),
    )
    return line_chart(
        [Series(expected_name, xs, exp, dashed=True), Series(actual_name, xs, act)],
        title=_word("expected_title", language) if title is None else title,
        x_label=_word("period", language) if x_label is None else x_label,
        y_label=_word("cumulative", language) if y_label is None else y_label,
        description=description,
        marker=marker,
        marker_label=_word("holdout", language),
        language=language,
    )
