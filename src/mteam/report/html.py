"""Self-contained HTML pages: one file, inline CSS and SVG, readable without a script.

A page is built from [`Section`][mteam.report.html.Section]s, each a heading and blocks:
[`Paragraph`][mteam.report.html.Paragraph], [`Table`][mteam.report.html.Table] and
[`Figure`][mteam.report.html.Figure] (an SVG chart from [`mteam.report.charts`][mteam.report.charts]
with its caption and, where the page does not already show its data, a visually hidden table
of the data for screen readers). [`page`][mteam.report.html.page] joins them into one
document with a `lang` attribute, a `<title>`, tables whose headers carry `scope`, and a
content-security policy that forbids every network request and every script, so the page
cannot fetch anything when it is opened (the GOV.UK Design System's guidance on tables and
on text alternatives is the model).

[`review_page`][mteam.report.html.review_page] builds the page of a review cycle and
[`member_page`][mteam.report.html.member_page] that of a member-base analysis, in English or
Traditional Chinese (`language="zh-Hant"`: band, role and skill names from the built-in
labels, the page's own words from a small table in this module). Every text is escaped.

Examples:
    >>> from mteam.report.html import Paragraph, Section, Table, page
    >>> text = page("Q3 <draft>", [Section("Budget", [
    ...     Paragraph("Spend by channel & month."),
    ...     Table("Spend", ["channel", "TWD"], [["Search", "1,200"]], numeric=[False, True]),
    ... ])])
    >>> text.splitlines()[0:2]
    ['<!DOCTYPE html>', '<html lang="en">']
    >>> "<title>Q3 &lt;draft&gt;</title>" in text, '<th scope="row">Search</th>' in text
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from mteam._validate import check_instance, check_tuple, items_of, of_type, show, to_items, to_tuple
from mteam.catalog import Catalog, load_catalog
from mteam.errors import InvalidInputError
from mteam.labels import LANGUAGES, Label, segment_label
from mteam.membership.analysis import MemberAnalysis, MembershipPolicy
from mteam.membership.bgnbd import BGNBDModel
from mteam.membership.gamma_gamma import GammaGammaModel
from mteam.report import charts
from mteam.report._markup import escape as _esc
from mteam.review import MemberOutcome, ReviewOutcome

__all__ = [
    "Block",
    "Figure",
    "Paragraph",
    "Section",
    "Table",
    "member_page",
    "page",
    "review_page",
]


# --- the building blocks ---------------------------------------------------------------------


def _text(_inst: object, attr: attrs.Attribute[str], value: str) -> None:
    check_instance(attr.name, value, str)


def _check_rows(
    _inst: object, attr: attrs.Attribute[Any], value: tuple[tuple[object, ...], ...]
) -> None:
    check_tuple(attr.name, value)
    for i, row in enumerate(value):
        check_tuple(f"{attr.name}[{i}]", row)
        for j, cell in enumerate(row):
            check_instance(f"{attr.name}[{i}][{j}]", cell, str)


def _to_rows(value: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    """The rows and each row's cells as tuples; anything else left to `_check_rows`."""
    rows = to_items(value)
    if rows.__class__ is not tuple:  # a str, a mapping, a number: refused by name
        return rows
    return tuple(to_items(row) for row in rows)


@attrs.frozen
class Paragraph:
    """A paragraph of plain text (escaped when the page is built).

    Attributes:
        text: The text.

    Examples:
        >>> html = page("Review", [Section("Notes", [Paragraph("Bonus < budget & on time")])])
        >>> "<p>Bonus &lt; budget &amp; on time</p>" in html
        True
    """

    text: str = attrs.field(validator=_text)


def _check_table(inst: Table, _attr: object, _value: object) -> None:
    if not inst.header:
        raise InvalidInputError("header", "must name at least one column")
    for i, row in enumerate(inst.rows):
        if len(row) != len(inst.header):
            raise InvalidInputError(
                f"rows[{i}]", f"must have one cell per column ({len(inst.header)}), got {len(row)}"
            )
    if len(inst.numeric) > len(inst.header):
        raise InvalidInputError(
            "numeric", f"must have at most one flag per column ({len(inst.header)})"
        )


@attrs.frozen
class Table:
    """A data table: a caption, a header row (`<th scope="col">`) and rows of text.

    Attributes:
        caption: What the table shows (its `<caption>`).
        header: The column headings.
        rows: The rows, one text per column.
        numeric: Per column, whether it holds numbers (aligned right, tabular figures).
        row_headers: Whether each row's first cell heads the row (`<th scope="row">`).
        hidden: Whether the table is visually hidden (still read by screen readers): the data
            behind a chart the page does not otherwise show.

    Examples:
        >>> table = Table("Bands", ["band", "members"], [["Gold", "3"], ["Silver", "5"]],
        ...               numeric=[False, True])
        >>> html = page("Review", [Section("Bands", [table])])
        >>> '<th scope="col" class="num">members</th>' in html  # a numeric column
        True
        >>> '<tr><th scope="row">Gold</th><td class="num">3</td></tr>' in html
        True
        >>> Table("Bands", ["band", "members"], [["Gold"]])
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    caption: str = attrs.field(validator=_text)
    header: tuple[str, ...] = attrs.field(converter=to_items, validator=items_of(str))
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_to_rows, validator=_check_rows)
    numeric: tuple[bool, ...] = attrs.field(
        default=(), converter=to_items, validator=[items_of(bool), _check_table]
    )
    row_headers: bool = attrs.field(default=True, validator=of_type(bool))
    hidden: bool = attrs.field(default=False, validator=of_type(bool))


def _check_svg(_inst: object, _attr: object, value: str) -> None:
    check_instance("svg", value, str)
    if not str(value).startswith("<svg") or not str(value).rstrip().endswith("</svg>"):
        raise InvalidInputError("svg", f"must be one <svg> element, got {show(value)}")


@attrs.frozen
class Figure:
    """A chart, its caption and, optionally, its data as a table.

    Attributes:
        svg: The chart: one `<svg>` element as made by
            [`mteam.report.charts`][mteam.report.charts] (inserted as it is, so it must come
            from mteam or another trusted source, not from a user's text).
        caption: A sentence under the chart (escaped).
        table: The chart's data (usually `hidden=True`), or None.

    Examples:
        >>> svg = '<svg role="img"><title>Members per band</title></svg>'
        >>> figure = Figure(svg, "Three members are Gold.")
        >>> "<figure>" in page("Review", [Section("Bands", [figure])])
        True
        >>> Figure("<div></div>")
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """

    svg: str = attrs.field(validator=_check_svg)
    caption: str = attrs.field(default="", validator=_text)
    table: Table | None = attrs.field(default=None, validator=of_type(Table, type(None)))


Block: TypeAlias = Paragraph | Table | Figure
"""What a section holds."""


@attrs.frozen
class Section:
    """A heading (`<h2>`) and the blocks under it.

    Attributes:
        title: The heading.
        blocks: Paragraphs, tables and figures, in order.

    Examples:
        >>> section = Section("Summary", [Paragraph("12 members reviewed.")])
        >>> "<h2>Summary</h2>" in page("Review", [section])
        True
    """

    title: str = attrs.field(validator=_text)
    blocks: tuple[Block, ...] = attrs.field(
        converter=to_items, validator=items_of(Paragraph, Table, Figure)
    )


# --- the page --------------------------------------------------------------------------------

_CSS: Final = """
:root { color-scheme: light; }
body { margin: 0; background: #f5f7fa; color: #1f2933; font: 16px/1.5 system-ui,
  -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK TC", "PingFang TC",
  "Microsoft JhengHei", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 48px; background: #ffffff; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 0.75rem; padding-top: 1rem;
  border-top: 2px solid #e4e7eb; }
.subtitle { color: #52606d; margin: 0 0 1rem; }
p { max-width: 46rem; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 0.4rem; }
th, td { padding: 0.35rem 0.75rem 0.35rem 0; border-bottom: 1px solid #cbd2d9;
  text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #52606d; }
tbody th { font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0.5rem 0 1.5rem; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: #52606d; font-size: 0.9rem; margin-top: 0.25rem; max-width: 46rem; }
.table-wrap { overflow-x: auto; }
.visually-hidden { position: absolute !important; width: 1px !important;
  height: 1px !important; margin: 0 !important; padding: 0 !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important;
  clip-path: inset(50%) !important; border: 0 !important; white-space: nowrap !important; }
footer { color: #52606d; font-size: 0.85rem; margin-top: 2rem; }
@media print { body { background: #ffffff; } main { padding: 0; } }
""".strip()

_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""No network request, no script: only the page's own styles and inline images."""


def _table(t: Table) -> str:
    numeric = list(t.numeric) + [False] * (len(t.header) - len(t.numeric))

    def cls(i: int) -> str:
        return ' class="num"' if numeric[i] else ""

    head = "".join(f'<th scope="col"{cls(i)}>{_esc(h)}</th>' for i, h in enumerate(t.header))
    body = []
    for row in t.rows:
        cells = []
        for i, cell in enumerate(row):
            if i == 0 and t.row_headers:
                cells.append(f'<th scope="row"{cls(i)}>{_esc(cell)}</th>')
            else:
                cells.append(f"<td{cls(i)}>{_esc(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    wrap = "visually-hidden" if t.hidden else "table-wrap"
    return (
        f'<div class="{wrap}"><table><caption>{_esc(t.caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_esc(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    parts = ["<figure>", block.svg]
    if block.caption:
        parts.append(f"<figcaption>{_esc(block.caption)}</figcaption>")
    if block.table is not None:
        parts.append(_table(block.table))
    parts.append("</figure>")
    return "\n".join(parts)


def _check_language(language: object) -> str:
    if language not in LANGUAGES:
        raise InvalidInputError(
            "language", f"must be one of {', '.join(LANGUAGES)}, got {show(language)}"
        )
    return str(language)


def page(
    title: str,
    sections: Sequence[Section],
    *,
    language: str = "en",
    subtitle: str = "",
    footer: str = "",
) -> str:
    """One HTML document: the title as `<title>` and `<h1>`, then each section.

    The document needs no script, font or network: its CSS is inline, its charts are inline
    SVG, and its content-security policy (`default-src 'none'`) blocks any request.

    Args:
        title: The page's title.
        sections: The sections, in order.
        language: The page's language (`lang`): `"en"` or `"zh-Hant"`.
        subtitle: A line under the title.
        footer: A line at the end of the page.

    Raises:
        InvalidInputError: a title that is not text, something other than a `Section`, an
            unknown language.

    Examples:
        >>> html = page("考核", [Section("摘要", [Paragraph("12 位成員")])], language="zh-Hant")
        >>> html.startswith("<!DOCTYPE html>"), '<html lang="zh-Hant">' in html
        (True, True)
        >>> "<title>考核</title>" in html, "<script" in html
        (True, False)
        >>> page("Review", [], language="fr")
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: ...
    """
    check_instance("title", title, str)
    check_instance("subtitle", subtitle, str)
    check_instance("footer", footer, str)
    language = _check_language(language)
    items = to_tuple(sections)
    for i, s in enumerate(items):
        check_instance(f"sections[{i}]", s, Section)
    body = [f"<h1>{_esc(title)}</h1>"]
    if subtitle:
        body.append(f'<p class="subtitle">{_esc(subtitle)}</p>')
    for s in items:
        body.append(f"<section>\n<h2>{_esc(s.title)}</h2>")
        body += [_block(b) for b in s.blocks]
        body.append("</section>")
    if footer:
        body.append(f"<footer><p>{_esc(footer)}</p></footer>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{language}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="mteam">',
            f"<title>{_esc(title)}</title>",
            f"<style>\n{_CSS}\n</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --- words -----------------------------------------------------------------------------------

_WORDS: Final = {
    "review_title": Label("Review: {team}", "績效考核:{team}"),
    "member_base_title": Label("Member base: {as_of}", "會員分析:{as_of}"),
    "bonus_text": Label(
        "Allocated {allocated}; unallocated {unallocated}{reason}. "
        "Capped at their maximum: {capped}.",
        "已分配 {allocated};未分配 {unallocated}{reason}。達上限者:{capped}。",
    ),
    "training_text": Label(
        "Training budget {budget}; planned {planned}. {plan}",
        "訓練預算 {budget};已規劃 {planned}。{plan}",
    ),
    "period": Label("Review period", "考核期間"),
    "members": Label("Members", "成員"),
    "base_members": Label("Members", "會員"),
    "projection_band": Label("95 % band", "95% 信賴區間"),
    "currency": Label("Currency", "幣別"),
    "overview": Label("Overview", "總覽"),
    "figure": Label("Figure", "項目"),
    "value": Label("Value", "數值"),
    "bands": Label("Rating bands", "績效評等"),
    "band": Label("Band", "評等"),
    "name": Label("Name", "名稱"),
    "bonus": Label("Bonus", "獎金"),
    "pool": Label("Bonus pool", "獎金池"),
    "no_pool": Label("none (target × multiplier × proration)", "無(目標 × 倍數 × 在職比例)"),
    "allocated": Label("Allocated", "已分配"),
    "unallocated": Label("Unallocated", "未分配"),
    "capped": Label("Capped at their maximum", "達上限者"),
    "nobody": Label("nobody", "無"),
    "fair": Label(
        "No lower band does better, relative to target, than a higher one.",
        "沒有較低評等的獎金(相對目標)高於較高評等。",
    ),
    "unfair": Label("Bands that do better than a higher band:", "獎金高於較高評等的評等:"),
    "bonus_table": Label("Bonus by band", "各評等獎金"),
    "total": Label("Total", "總額"),
    "mean_ratio": Label("Mean amount ÷ target", "平均獎金 ÷ 目標"),
    "min": Label("Lowest", "最低"),
    "max": Label("Highest", "最高"),
    "share": Label("Pool share", "占比"),
    "member_table": Label("Members", "成員"),
    "member_share": Label("Share", "比例"),
    "members_axis": Label("members", "人數"),
    "segment_axis": Label("segment", "分群"),
    "member": Label("Member", "成員"),
    "role": Label("Role", "職務"),
    "kpi": Label("KPI", "KPI"),
    "feedback": Label("360", "360度回饋"),
    "composite": Label("Composite", "綜合分數"),
    "reward": Label("Recognition", "表揚獎勵"),
    "readiness": Label("Readiness", "職務適任度"),
    "gaps": Label("Skill gaps", "技能差距"),
    "no_gaps": Label("Nobody is below a requirement of their role.", "所有成員皆達職務要求。"),
    "needs": Label("Training needs by skill", "各技能訓練需求"),
    "rank": Label("Rank", "排序"),
    "skill": Label("Skill", "技能"),
    "weighted_gap": Label("Weighted gap", "加權差距"),
    "priority": Label("Priority", "優先度"),
    "below": Label("Members below requirement", "未達要求成員"),
    "bus": Label("Bus-factor flags", "關鍵人力風險"),
    "bus_text": Label(
        "Required skills held at proficient or above by at most {n} member(s).",
        "職務所需技能中,達熟練以上者不超過 {n} 人的技能。",
    ),
    "proficient": Label("Proficient members", "熟練人數"),
    "holders": Label("Holders", "具備者"),
    "none": Label("None.", "無。"),
    "training": Label("Training plan", "訓練計畫"),
    "budget": Label("Training budget", "訓練預算"),
    "planned": Label("Planned", "已規劃"),
    "plan_text": Label(
        "{courses} courses; priority-weighted gap {before} → {after} ({method} plan).",
        "共 {courses} 門課程;優先加權差距 {before} → {after}({method}規劃)。",
    ),
    "assignments": Label("Assignments", "課程分派"),
    "course": Label("Course", "課程"),
    "cost": Label("Cost", "費用"),
    "hours": Label("Hours", "時數"),
    "chart_data": Label("Data of the chart", "圖表資料"),
    "member_base": Label("Member base", "會員分析"),
    "as_of": Label("As of", "分析日期"),
    "current": Label("Current members", "現有會員"),
    "retention": Label("Retention, last 12 months", "近12個月留存率"),
    "churn": Label("Churn, last 12 months", "近12個月流失率"),
    "joined": Label("Joined, last 12 months", "近12個月加入"),
    "survival": Label("Survival", "會員存續"),
    "median": Label("Median membership: {median}.", "會員存續中位數:{median}。"),
    "median_band": Label(
        "Median membership: {median} ({level} % interval: {interval}). "
        "The shaded band is the {level} % pointwise confidence band ({method}).",
        "會員存續中位數:{median}({level}% 信賴區間:{interval})。"
        "陰影為 {level}% 逐點信賴區間({method})。",
    ),
    "interval": Label("{lower} to {upper}", "{lower} 至 {upper}"),
    "exponential Greenwood": Label("exponential Greenwood", "指數 Greenwood 法"),
    "not_reached": Label("not reached", "尚未達到"),
    "time": Label("Time", "時間"),
    "at_risk": Label("At risk", "風險人數"),
    "events": Label("Left", "離開人數"),
    "s_t": Label("S(t)", "S(t)"),
    "projection": Label("Projected survival", "存續預測"),
    "sbg_text": Label(
        "sBG model fitted to the cohorts' survivor counts: α = {alpha}, β = {beta}; "
        "retention r(1) = {r1}, r(12) = {r12}.",
        "以各世代存活人數配適的 sBG 模型:α = {alpha},β = {beta};留存率 r(1) = {r1},r(12) = {r12}。",
    ),
    "month": Label("Month", "月"),
    "lower": Label("Lower", "下限"),
    "upper": Label("Upper", "上限"),
    "cohorts": Label("Cohorts", "世代分析"),
    "cohort": Label("Cohort", "世代"),
    "size": Label("Size", "人數"),
    "value_title": Label("Customer lifetime value", "顧客終身價值"),
    "aov": Label("Average order value", "平均客單價"),
    "per_month": Label("Purchases per member-month", "每會員每月購買次數"),
    "cltv_simple": Label("CLTV, simple", "CLTV(簡單法)"),
    "cltv_geometric": Label("CLTV, geometric", "CLTV(幾何法)"),
    "cltv_sbg": Label("CLTV, sBG", "CLTV(sBG)"),
    "clv_total": Label(
        "CLV of all members, next {months} months", "全體會員未來 {months} 個月 CLV"
    ),
    "clv_member": Label("CLV per member", "每位會員 CLV"),
    "repeat": Label("Repeat purchases", "回購分析"),
    "repeat_text": Label(
        "{members} members bought, {repeaters} of them again. In the next {months} months "
        "the BG/NBD model expects {purchases} purchases; {alive} members are expected to be "
        "still active.",
        "{members} 位會員曾購買,其中 {repeaters} 位回購。BG/NBD 模型預期未來 {months} 個月"
        "共 {purchases} 次購買;預期仍活躍的會員為 {alive} 位。",
    ),
    "parameter": Label("Parameter", "參數"),
    "estimate": Label("Estimate", "估計值"),
    "std_error": Label("Standard error", "標準誤"),
    "holdout": Label(
        "Repeat purchases after {end}: expected and actual", "{end} 之後的回購:預期與實際"
    ),
    "repeat_purchases": Label("cumulative repeat purchases", "累計回購次數"),
    "expected": Label("Expected", "預期"),
    "actual": Label("Actual", "實際"),
    "segments": Label("RFM segments", "RFM 分群"),
    "segment": Label("Segment", "分群"),
    "segment_chart": Label("Members per RFM segment", "各 RFM 分群人數"),
    "tiers": Label("Tiers", "會員等級"),
    "tier": Label("Tier", "等級"),
    "day": Label("days", "天"),
    "week": Label("weeks", "週"),
    "month_unit": Label("months", "個月"),
    "year": Label("years", "年"),
    "made_by": Label("Made by mteam.", "由 mteam 產生。"),
    "footer": Label(
        "Made by mteam. No rater is named: 360-degree feedback appears only as group means.",
        "由 mteam 產生。不揭露任何評分者:360度回饋僅以群組平均呈現。",
    ),
}


_UNIT_KEYS: Final = {"day": "day", "week": "week", "month": "month_unit", "year": "year"}


def _w(key: str, language: str) -> str:
    return _WORDS[key].get(language)


def _list(items: Sequence[str], language: str) -> str:
    """Items joined as the language lists them: `a, b` or `a、b`."""
    return ("、" if language == "zh-Hant" else ", ").join(items)


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def _money(amount: Decimal, code: str) -> str:
    return f"{amount:,}\u00a0{code}"  # no break between an amount and its currency


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


# --- the review page -------------------------------------------------------------------------


@attrs.frozen
class _Names:
    """How ids are shown on a page: members by name, roles and skills by their labels."""

    language: str
    members: Mapping[str, str]
    catalog: Catalog

    def member(self, member_id: str) -> str:
        return self.members.get(member_id, member_id)

    def role(self, role_id: str) -> str:
        try:
            return self.catalog.role(role_id).title.get(self.language)
        except InvalidInputError:
            return role_id

    def skill(self, skill_id: str) -> str:
        try:
            return self.catalog.skill(skill_id).name.get(self.language)
        except InvalidInputError:
            return skill_id


def review_page(
    outcome: ReviewOutcome, *, language: str = "en", catalog: Catalog | None = None
) -> str:
    """The review cycle's page: overview, bands, bonus, members, skill gaps, coverage, training.

    Charts: the band distribution, the bonus by band and the member × skill gap heat-map.
    No rater appears: 360-degree feedback is shown only as each member's "others" score.

    Args:
        outcome: The review outcome.
        language: `"en"` or `"zh-Hant"` (band, role and skill names from their labels).
        catalog: Where role titles and skill names come from (the built-in catalog unless
            given; an id without a label is shown as it is).

    Raises:
        InvalidInputError: not an outcome or a catalog, an unknown language.

    Examples:
        >>> from mteam.io import load_sample_team
        >>> from mteam.review import run_review
        >>> text = review_page(run_review(load_sample_team()), language="zh-Hant")
        >>> '<html lang="zh-Hant">' in text, text.count("<svg"), "會員運營專員" in text
        (True, 3, True)
    """
    check_instance("outcome", outcome, ReviewOutcome)
    language = _check_language(language)
    catalog = load_catalog() if catalog is None else catalog
    check_instance("catalog", catalog, Catalog)
    names = _Names(language, {m.member_id: m.name for m in outcome.members}, catalog)
    sections = [
        _review_overview(outcome, names),
        _review_bands(outcome, names),
        _review_bonus(outcome, names),
        _review_members(outcome, names),
        _review_gaps(outcome, names),
        _review_coverage(outcome, names),
        _review_training(outcome, names),
    ]
    return page(
        _w("review_title", language).format(team=outcome.team),
        sections,
        language=language,
        subtitle=f"{outcome.period.start} – {outcome.period.end}",
        footer=_w("footer", language),
    )


def _figures(rows: Sequence[tuple[str, str]], language: str, caption: str) -> Table:
    return Table(caption, [_w("figure", language), _w("value", language)], rows, [False, True])


def _review_overview(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    code = outcome.currency.code
    bonus, plan = outcome.bonus, outcome.training
    pool = _w("no_pool", lang) if bonus.pool is None else _money(bonus.pool, code)
    rows = [
        (_w("period", lang), f"{outcome.period.start} – {outcome.period.end}"),
        (_w("members", lang), str(outcome.summary.members)),
        (_w("currency", lang), code),
        (_w("pool", lang), pool),
        (_w("allocated", lang), _money(bonus.allocated, code)),
        (_w("budget", lang), _money(plan.budget, code)),
        (_w("planned", lang), _money(plan.cost, code)),
    ]
    return Section(_w("overview", lang), [_figures(rows, lang, _w("overview", lang))])


def _review_bands(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    s = outcome.summary
    table = Table(
        _w("bands", lang),
        [_w("band", lang), _w("name", lang), _w("members", lang)],
        [
            [str(level), s.band_names[level].get(lang) if level in s.band_names else "", str(n)]
            for level, n in sorted(s.band_counts.items())
        ],
        [True, False, True],
    )
    chart = charts.band_distribution_chart(outcome, language=lang)
    return Section(_w("bands", lang), [Figure(chart), table])


def _review_bonus(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    code = outcome.currency.code
    bonus, fairness = outcome.bonus, outcome.summary.fairness
    capped = [names.member(line.member_id) for line in bonus.lines if line.capped]
    totals: dict[int, Decimal] = {}
    for m in outcome.members:
        totals[m.band] = totals.get(m.band, Decimal(0)) + m.bonus.amount
    text = _w("bonus_text", lang).format(
        allocated=_money(bonus.allocated, code),
        unallocated=_money(bonus.unallocated, code),
        reason=f" ({bonus.unallocated_reason})" if bonus.unallocated_reason else "",
        capped=_list(capped, lang) if capped else _w("nobody", lang),
    )
    verdict = (
        _w("fair", lang)
        if fairness.fair
        else _w("unfair", lang)
        + " "
        + _list([f"{lo} > {hi}" for lo, hi in fairness.inversions], lang)
    )
    table = Table(
        _w("bonus_table", lang),
        [
            _w("band", lang),
            _w("members", lang),
            f"{_w('total', lang)} ({code})",
            _w("mean_ratio", lang),
            _w("min", lang),
            _w("max", lang),
            _w("share", lang),
        ],
        [
            [
                str(b.band),
                str(b.members),
                f"{totals.get(b.band, Decimal(0)):,}",
                _num(b.mean_ratio),
                _num(b.min_ratio),
                _num(b.max_ratio),
                _pct(b.pool_share),
            ]
            for b in fairness.bands
        ],
        [True] * 7,
    )
    chart = charts.bonus_by_band_chart(outcome, language=lang)
    return Section(_w("bonus", lang), [Paragraph(text), Paragraph(verdict), Figure(chart), table])


def _member_row(m: MemberOutcome, names: _Names, code: str) -> list[str]:
    return [
        m.name,
        names.role(m.role),
        _num(None if m.scorecard is None else m.scorecard.score),
        _num(None if m.feedback is None else m.feedback.others_score, 2),
        _num(m.composite.score),
        f"{m.band} {m.band_name.get(names.language)}",
        _money(m.bonus.amount, code),
        m.reward or "–",
        _pct(m.readiness, 0),
    ]


def _review_members(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    header = [
        _w(k, lang)
        for k in ("member", "role", "kpi", "feedback", "composite", "band", "bonus", "reward")
    ] + [_w("readiness", lang)]
    table = Table(
        _w("member_table", lang),
        header,
        [_member_row(m, names, outcome.currency.code) for m in outcome.members],
        [False, False, True, True, True, False, True, False, True],
    )
    return Section(_w("member_table", lang), [table])


def _review_gaps(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    report = outcome.gap_report
    if not report.skills:
        return Section(_w("gaps", lang), [Paragraph(_w("no_gaps", lang))])
    chart = charts.skill_gap_heat_map(
        report,
        members={m.member_id: m.name for m in outcome.members},
        skills={n.skill_id: names.skill(n.skill_id) for n in report.skills},
        language=lang,
    )
    gaps = {(g.member_id, g.skill_id): g.gap for g in report.gaps}
    data = Table(
        _w("chart_data", lang),
        [_w("member", lang), *(names.skill(n.skill_id) for n in report.skills)],
        [
            [
                names.member(r.member_id),
                *(str(gaps.get((r.member_id, n.skill_id), 0)) for n in report.skills),
            ]
            for r in report.members
        ],
        [False] + [True] * len(report.skills),
        hidden=True,
    )
    needs = Table(
        _w("needs", lang),
        [
            _w("rank", lang),
            _w("skill", lang),
            _w("weighted_gap", lang),
            _w("priority", lang),
            _w("below", lang),
        ],
        [
            [
                str(n.rank),
                names.skill(n.skill_id),
                f"{n.weighted_gap:g}",
                f"{n.priority:g}",
                _list([names.member(m) for m in n.members_below], lang),
            ]
            for n in report.skills
        ],
        [True, False, True, True, False],
    )
    return Section(_w("gaps", lang), [Figure(chart, table=data), needs])


def _review_coverage(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    s = outcome.summary
    blocks: list[Block] = [Paragraph(_w("bus_text", lang).format(n=s.max_bus_factor))]
    if s.bus_factor_flags:
        blocks.append(
            Table(
                _w("bus", lang),
                [_w("skill", lang), _w("proficient", lang), _w("holders", lang)],
                [
                    [
                        names.skill(f.skill_id),
                        str(f.bus_factor),
                        _list([names.member(h) for h in f.holders], lang) or "–",
                    ]
                    for f in s.bus_factor_flags
                ],
                [False, True, False],
            )
        )
    else:
        blocks.append(Paragraph(_w("none", lang)))
    return Section(_w("bus", lang), blocks)


def _review_training(outcome: ReviewOutcome, names: _Names) -> Section:
    lang = names.language
    plan = outcome.training
    code = outcome.currency.code
    text = _w("plan_text", lang).format(
        courses=len(plan.assignments),
        before=f"{plan.gap_before:g}",
        after=f"{plan.gap_after:g}",
        method=plan.method,
    )
    blocks: list[Block] = [
        Paragraph(
            _w("training_text", lang).format(
                budget=_money(plan.budget, code), planned=_money(plan.cost, code), plan=text
            )
        )
    ]
    if plan.assignments:
        blocks.append(
            Table(
                _w("assignments", lang),
                [_w("member", lang), _w("course", lang), _w("cost", lang), _w("hours", lang)],
                [
                    [names.member(a.member_id), a.course_id, _money(a.cost, code), f"{a.hours:g}"]
                    for a in plan.assignments
                ],
                [False, False, True, True],
            )
        )
    return Section(_w("training", lang), blocks)


# --- the member-base page --------------------------------------------------------------------


def member_page(
    analysis: MemberAnalysis,
    *,
    language: str = "en",
    policy: MembershipPolicy | None = None,
) -> str:
    """The member-base analysis' page: overview, survival, projection, cohorts, value, segments.

    Charts: the Kaplan–Meier curve, the sBG projection with its band, the cohort retention and
    activity heat-maps and the RFM segments; each chart whose data the page does not show as
    a table carries it as a visually hidden one.

    In Traditional Chinese the RFM segments are named by
    [`segment_label`][mteam.labels.segment_label] (the built-in segments have both forms; a
    policy's own segment shows its name) and the tiers by the policy's tier labels (those of
    `DEFAULT_TIERS`: 一般會員, 銀卡會員, 金卡會員, 白金會員).

    Args:
        analysis: The analysis.
        language: `"en"` or `"zh-Hant"`.
        policy: The policy the analysis was run with, for its tiers' labels
            ([`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given).

    Raises:
        InvalidInputError: not an analysis or a policy, an unknown language.

    Examples:
        >>> from mteam.io import analyse_sample
        >>> text = member_page(analyse_sample())
        >>> text.count("<svg"), text.count('class="visually-hidden"')
        (5, 2)
        >>> zh = member_page(analyse_sample(), language="zh-Hant")
        >>> '"row">冠軍會員</th>' in zh, '"row">金卡會員</th>' in zh, ">Champions<" in zh
        (True, True, False)
    """
    check_instance("analysis", analysis, MemberAnalysis)
    language = _check_language(language)
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    tiers = {t.name.en: t.name for t in policy.tiers.tiers}
    builders: list[Callable[[MemberAnalysis, str], Section]] = [_members_overview]
    if analysis.survival is not None and analysis.sbg is not None:
        builders += [_members_survival, _members_projection]
    builders += [_members_cohorts, _members_value]
    if analysis.repeat is not None:
        builders.append(_members_repeat)
    builders.append(lambda a, lang: _members_segments(a, lang, tiers))
    return page(
        _w("member_base_title", language).format(as_of=analysis.as_of),
        [build(analysis, language) for build in builders],
        language=language,
        subtitle=f"{analysis.members:,} {_w('base_members', language).lower()}",
        footer=_w("made_by", language),
    )


def _members_overview(a: MemberAnalysis, lang: str) -> Section:
    r = a.retention
    rows = [
        (_w("as_of", lang), str(a.as_of)),
        (_w("base_members", lang), f"{a.members:,}"),
        (_w("current", lang), f"{a.current_members:,}"),
    ]
    if r is not None:
        rows += [
            (_w("retention", lang), f"{_pct(r.retention)} ({r.retained:,} / {r.at_start:,})"),
            (_w("churn", lang), _pct(r.churn)),
            (_w("joined", lang), f"{r.joined:,}"),
        ]
    return Section(_w("overview", lang), [_figures(rows, lang, _w("overview", lang))])


def _members_survival(a: MemberAnalysis, lang: str) -> Section:
    km = a.survival
    if km is None:  # pragma: no cover - member_page checked
        raise AssertionError
    unit = _w(_UNIT_KEYS[km.unit.value], lang) if km.unit else ""

    def when(t: float | None) -> str:
        return _w("not_reached", lang) if t is None else f"{t:g} {unit}".strip()

    if km.median is None:
        caption = _w("median", lang).format(median=when(None))
    else:
        low, high = km.median_interval
        interval = _w("interval", lang).format(
            lower=_w("not_reached", lang) if low is None else f"{low:g}",
            upper=when(high),
        )
        method = _WORDS.get(km.band_method)
        caption = _w("median_band", lang).format(
            median=when(km.median),
            level=f"{100 * (1 - km.alpha):g}",
            interval=interval,
            method=km.band_method if method is None else method.get(lang),
        )
    data = Table(
        _w("chart_data", lang),
        [
            _w("time", lang),
            _w("at_risk", lang),
            _w("events", lang),
            _w("s_t", lang),
            _w("lower", lang),
            _w("upper", lang),
        ],
        [
            [f"{t:g}", f"{n:,}", f"{d:,}", f"{s:.3f}", f"{lo:.3f}", f"{hi:.3f}"]
            for t, n, d, s, lo, hi in zip(
                km.times, km.at_risk, km.events, km.survival, km.lower, km.upper, strict=True
            )
        ],
        [True] * 6,
        hidden=True,
    )
    chart = charts.survival_chart(km, language=lang)
    return Section(_w("survival", lang), [Figure(chart, caption=caption, table=data)])


def _members_projection(a: MemberAnalysis, lang: str) -> Section:
    m = a.sbg
    if m is None:  # pragma: no cover - member_page checked
        raise AssertionError
    text = _w("sbg_text", lang).format(
        alpha=f"{m.alpha:.3f}",
        beta=f"{m.beta:.3f}",
        r1=f"{m.retention(1):.3f}",
        r12=f"{m.retention(12):.3f}",
    )
    table = Table(
        _w("projection", lang),
        [_w("month", lang), _w("s_t", lang), _w("lower", lang), _w("upper", lang)],
        [[str(p.t), f"{p.survival:.3f}", f"{p.lower:.3f}", f"{p.upper:.3f}"] for p in a.projection],
        [True, True, True, True],
    )
    chart = charts.projection_chart(
        a.projection, unit=m.unit, band_label=_w("projection_band", lang), language=lang
    )
    return Section(_w("projection", lang), [Paragraph(text), Figure(chart), table])


def _members_cohorts(a: MemberAnalysis, lang: str) -> Section:
    recent = list(a.cohorts.cells)[-12:]
    ages = range(13)
    data = Table(
        _w("chart_data", lang),
        [_w("cohort", lang), _w("size", lang), *(str(k) for k in ages)],
        [
            [
                c,
                f"{a.cohorts.cells[c][0].observed:,}",
                *(
                    f"{a.cohorts.cells[c][k].retention:.0%}/{a.cohorts.cells[c][k].activity:.0%}"
                    if k in a.cohorts.cells[c]
                    else ""
                    for k in ages
                ),
            ]
            for c in recent
        ],
        [False] + [True] * 14,
        hidden=True,
    )
    activity = charts.cohort_heat_map(a.cohorts, measure="activity", language=lang)
    if a.retention is None:  # nobody leaves a base without leave dates: activity only
        return Section(_w("cohorts", lang), [Figure(activity, table=data)])
    return Section(
        _w("cohorts", lang),
        [Figure(charts.cohort_heat_map(a.cohorts, language=lang), table=data), Figure(activity)],
    )


def _members_value(a: MemberAnalysis, lang: str) -> Section:
    repeat = a.repeat
    money = a.cltv_sbg or (repeat.clv_total if repeat is not None else None)
    code = "" if money is None else money.currency.code
    rows = [
        (_w("aov", lang), _money(a.average_order_value, code).strip()),
        (_w("per_month", lang), f"{a.purchases_per_month:.3f}"),
    ]
    for key, value in (
        ("cltv_simple", a.cltv_simple),
        ("cltv_geometric", a.cltv_geometric),
        ("cltv_sbg", a.cltv_sbg),
    ):
        if value is not None:
            rows.append((_w(key, lang), _money(value.amount, code)))
    if repeat is not None and repeat.clv_total is not None and repeat.clv_per_member is not None:
        rows += [
            (
                _w("clv_total", lang).format(months=repeat.horizon),
                _money(repeat.clv_total.amount, code),
            ),
            (_w("clv_member", lang), _money(repeat.clv_per_member.amount, code)),
        ]
    return Section(_w("value_title", lang), [_figures(rows, lang, _w("value_title", lang))])


def _parameter_table(model: BGNBDModel | GammaGammaModel, caption: str, lang: str) -> Table:
    return Table(
        caption,
        [_w("parameter", lang), _w("estimate", lang), _w("std_error", lang)],
        [
            [name, f"{value:.4g}", _num(se)]
            for name, value, se in zip(
                model.names, model.parameters, model.standard_errors, strict=True
            )
        ],
        [False, True, True],
    )


def _members_repeat(a: MemberAnalysis, lang: str) -> Section:
    r = a.repeat
    if r is None:  # pragma: no cover - member_page checked
        raise AssertionError
    text = _w("repeat_text", lang).format(
        members=f"{r.members:,}",
        repeaters=f"{r.repeat_buyers:,}",
        months=r.horizon,
        purchases=f"{r.expected_purchases:,.1f}",
        alive=f"{r.expected_alive:,.1f}",
    )
    blocks: list[Block] = [Paragraph(text), _parameter_table(r.bgnbd, "BG/NBD", lang)]
    if r.gamma_gamma is not None:
        blocks.append(_parameter_table(r.gamma_gamma, "Gamma-Gamma", lang))
    if r.holdout is not None and r.calibration_end is not None:
        periods = [p.period for p in r.holdout.by_period]
        chart = charts.expected_vs_actual_chart(
            periods,
            [p.expected for p in r.holdout.by_period],
            [p.actual for p in r.holdout.by_period],
            cumulative=True,
            x_label=_w("month_unit", lang),
            y_label=_w("repeat_purchases", lang),
            language=lang,
            title=_w("holdout", lang).format(end=r.calibration_end),
        )
        data = Table(
            _w("chart_data", lang),
            [_w("month", lang), _w("expected", lang), _w("actual", lang)],
            [[str(p.period), f"{p.expected:,.1f}", f"{p.actual:,}"] for p in r.holdout.by_period],
            [True, True, True],
            hidden=True,
        )
        blocks.append(Figure(chart, table=data))
    return Section(_w("repeat", lang), blocks)


def _members_segments(a: MemberAnalysis, lang: str, tiers: Mapping[str, Label]) -> Section:
    segments = [(segment_label(s).get(lang), n) for s, n in a.segment_counts.items()]
    chart = charts.bar_chart(
        [s for s, _ in segments],
        [n for _, n in segments],
        title=_w("segment_chart", lang),
        x_label=_w("members_axis", lang),
        y_label=_w("segment_axis", lang),
        language=lang,
    )
    segment_table = Table(
        _w("segments", lang),
        [_w("segment", lang), _w("base_members", lang), _w("member_share", lang)],
        [[s, f"{n:,}", _pct(n / a.members)] for s, n in segments],
        [False, True, True],
    )
    tier_table = Table(
        _w("tiers", lang),
        [_w("tier", lang), _w("base_members", lang)],
        [[tiers.get(t, Label(t)).get(lang), f"{n:,}"] for t, n in a.tier_counts.items()],
        [False, True],
    )
    return Section(_w("segments", lang), [Figure(chart), segment_table, tier_table])
