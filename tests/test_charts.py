"""mteam.report.charts: the SVG parsed with ElementTree (elements, titles, axes, counts)."""

import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import analyse_sample, load_sample_team
from mteam.membership.records import Member
from mteam.membership.retention import cohort_table
from mteam.membership.sbg import fit_sbg
from mteam.membership.summary import summarise
from mteam.membership.survival import kaplan_meier
from mteam.report import charts
from mteam.report.charts import (
    Series,
    band_distribution_chart,
    bar_chart,
    bonus_by_band_chart,
    cohort_heat_map,
    expected_vs_actual_chart,
    heat_map,
    line_chart,
    projection_chart,
    skill_gap_heat_map,
    survival_chart,
)
from mteam.review import run_review
from mteam.training import GapReport, MemberReadiness, SkillGap, SkillNeed

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(\"x\")</script> R&D 'quoted'"


@pytest.fixture(scope="module")
def outcome():
    return run_review(load_sample_team())


@pytest.fixture(scope="module")
def analysis():
    return analyse_sample()


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output; fails on any unescaped & or <
    assert root.tag == f"{SVG}svg"
    return root


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element, name: str) -> list[str]:
    return ["".join(e.itertext()) for e in by_class(root, name)]


def points_of(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]


def path_points(path: ET.Element) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path.get("d"))]


def assert_accessible(root: ET.Element, title: str, x_label: str, y_label: str) -> None:
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == title
    assert root[1].tag == f"{SVG}desc"
    assert root[1].text
    assert root.get("aria-label") == f"{title}. {root[1].text}"
    assert texts(root, "chart-title") == [title]
    assert texts(root, "x") == [x_label]
    assert texts(root, "y") == [y_label]
    # no script, no external font or image, nothing that could make a request
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}
    assert not tags & {"script", "image", "foreignObject", "use", "a", "style"}
    for e in root.iter():
        for key, value in e.attrib.items():
            assert not key.startswith("on")
            assert "url(" not in value
            assert key != "href"


def assert_inside(root: ET.Element) -> None:
    """Every coordinate lies inside the viewBox."""
    _, _, w, h = map(float, root.get("viewBox").split())
    for e in root.iter():
        for key in ("x", "x1", "x2", "cx"):
            if e.get(key) is not None:
                assert -0.01 <= float(e.get(key)) <= w + 0.01, (e.tag, key, e.get(key))
        for key in ("y", "y1", "y2", "cy"):
            if e.get(key) is not None:
                assert -0.01 <= float(e.get(key)) <= h + 0.01, (e.tag, key, e.get(key))
        if e.get("points"):
            for x, y in points_of(e):
                assert 0 <= x <= w
                assert 0 <= y <= h
        if e.get("class") == "series":
            for x, y in path_points(e):
                assert 0 <= x <= w
                assert 0 <= y <= h


# --- survival ---------------------------------------------------------------------------------

CURVE = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True], unit="month")


def test_survival_chart_is_a_step_from_one_through_every_event():
    root = parse(survival_chart(CURVE, band=False))
    assert_accessible(root, "Membership survival (Kaplan–Meier)", "months", "share still members")
    (path,) = by_class(root, "series")
    corners = path_points(path)
    assert len(corners) == 1 + 2 * len(CURVE.times)  # (0, 1), then across and down per event
    # steps: each pair shares x (vertical drop) or y (horizontal hold)
    for (x0, y0), (x1, y1) in pairwise(corners):
        assert x0 == x1 or y0 == y1
        assert y1 >= y0  # never up (SVG y grows downwards)
    assert by_class(root, "band") == []
    assert by_class(root, "point") == []
    assert root[1].text == "S(t) falls from 1 to 0 at 8 months in 4 steps; median 5 months."
    assert_inside(root)


def test_survival_chart_draws_the_curves_own_band_by_default():
    root = parse(survival_chart(CURVE))
    (band,) = by_class(root, "band")
    ring = points_of(band)
    (path,) = by_class(root, "series")
    line = path_points(path)
    assert len(ring) == 2 * len(line)
    top, bottom = ring[: len(line)], ring[len(line) :][::-1]
    frame = by_class(root, "plot-area")[0]
    y0, height = float(frame.get("y")), float(frame.get("height"))

    def share(y: float) -> float:  # the pixel's y back to S on the fixed 0-1 axis
        return 1 - (y - y0) / height

    # corners 1, 3, 5, 7 are the drops at the event times: there the band is curve.lower/upper
    for i, (lo, hi) in enumerate(zip(CURVE.lower, CURVE.upper, strict=True)):
        assert share(top[2 + 2 * i][1]) == pytest.approx(hi, abs=0.01)
        assert share(bottom[2 + 2 * i][1]) == pytest.approx(lo, abs=0.01)
    assert texts(root, "legend") == ["S(t)", "95 % band"]
    # the text alternative gives the median's interval: (2, 8) for this curve
    assert root[1].text == (
        "S(t) falls from 1 to 0 at 8 months in 4 steps; median 5 months (95 % interval: 2 to 8)."
    )
    assert_inside(root)


def test_survival_chart_band_level_follows_alpha_and_speaks_chinese():
    curve = kaplan_meier(
        [2, 3, 3, 5, 6, 8], [True, True, False, True, False, True], unit="month", alpha=0.1
    )
    root = parse(survival_chart(curve, language="zh-Hant"))
    assert texts(root, "legend") == ["S(t)", "90% 信賴區間"]
    low, high = curve.median_interval
    assert root[1].text.endswith(f"中位數 5 月(90% 信賴區間:{low:g} 至 {high:g})。")
    # an interval whose upper end is never reached says so
    open_ended = attrs.evolve(curve, median_interval=(2, None))
    assert parse(survival_chart(open_ended))[1].text.endswith("(90 % interval: 2 to not reached).")


def test_survival_chart_draws_the_band_it_is_given_as_steps_around_the_curve():
    lower = [0.55, 0.35, 0.15, 0.0]
    upper = [0.95, 0.9, 0.75, 0.4]
    root = parse(survival_chart(CURVE, lower=lower, upper=upper, band_label="95 % band"))
    (band,) = by_class(root, "band")
    ring = points_of(band)
    assert len(ring) == 2 * (1 + 2 * len(CURVE.times))
    (path,) = by_class(root, "series")
    line = path_points(path)
    top, bottom = ring[: len(line)], ring[len(line) :][::-1]
    for (xu, yu), (xl, yl), (x, y) in zip(top, bottom, line, strict=True):
        assert xu == xl == x
        assert yu <= y <= yl  # the upper end is drawn higher up, the lower end lower down
    assert "95 % band" in texts(root, "legend")


def test_survival_chart_in_traditional_chinese_and_without_a_unit():
    curve = kaplan_meier([1, 2, 3], [True, False, False])
    root = parse(survival_chart(curve, language="zh-Hant"))
    assert texts(root, "x") == ["時間"]
    assert texts(root, "y") == ["仍為會員的比例"]
    assert root[1].text.endswith("中位數 尚未達到。")
    root = parse(survival_chart(curve))
    assert root[1].text.endswith("median not reached.")


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"lower": [0.5, 0.3, 0.1, 0.0]}, "upper"),
        ({"upper": [0.9, 0.8, 0.7, 0.5]}, "lower"),
        ({"lower": [0.5], "upper": [0.9]}, "lower"),
        ({"lower": [0.9, 0.3, 0.1, 0.0], "upper": [0.5, 0.8, 0.7, 0.5]}, "lower[1]"),
        ({"language": "fr"}, "language"),
        ({"band": "yes"}, "band"),
        ({"band": False, "lower": [0.5] * 4, "upper": [0.9] * 4}, "band"),
        ({"band_label": 95}, "band_label"),
    ],
)
def test_survival_chart_refuses_a_bad_band_or_language(kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        survival_chart(CURVE, **kwargs)
    assert err.value.path == path


def test_survival_chart_refuses_something_else():
    with pytest.raises(InvalidInputError, match="curve"):
        survival_chart([1, 2])  # type: ignore[arg-type]


# --- sBG projection -----------------------------------------------------------------------------

MODEL = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491], unit="year")


def test_projection_chart_has_a_point_per_period_inside_its_band():
    projection = MODEL.project(12)
    root = parse(projection_chart(projection, unit="year", band_label="95 % band"))
    assert_accessible(root, "Projected survival (sBG model)", "years", "share still members")
    points = by_class(root, "point")
    assert len(points) == 13
    (band,) = by_class(root, "band")
    ring = points_of(band)
    assert len(ring) == 26
    upper, lower = ring[:13], ring[13:][::-1]
    for p, (_, yu), (_, yl) in zip(points, upper, lower, strict=True):
        assert yu <= float(p.get("cy")) <= yl
    assert points[12].find(f"{SVG}title").text == f"S(t): 12, {projection[12].survival:.3g}"
    # whole periods get whole ticks
    assert all("." not in t for t in texts(by_class(root, "plot-area")[0], "tick-label") or [""])
    x_ticks = [
        t
        for e in by_class(root, "tick-label")
        if e.get("text-anchor") == "middle"
        for t in [e.text]
    ]
    assert x_ticks == ["0", "2", "4", "6", "8", "10", "12"]
    assert_inside(root)


def test_projection_chart_refuses_an_empty_or_foreign_projection():
    with pytest.raises(InvalidInputError, match="projection"):
        projection_chart([])
    with pytest.raises(InvalidInputError, match=r"projection\[0\]"):
        projection_chart([0.5])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="unit"):
        projection_chart(MODEL.project(2), unit="fortnight")


def test_projection_chart_without_a_unit_says_time():
    root = parse(projection_chart(MODEL.project(3), language="zh-Hant"))
    assert texts(root, "x") == ["時間"]
    assert "信賴區間" in texts(root, "legend")


# --- cohorts ----------------------------------------------------------------------------------


def small_table():
    base = summarise(
        [
            Member("a", date(2025, 1, 10)),
            Member("b", date(2025, 1, 20), date(2025, 2, 25)),
            Member("c", date(2025, 2, 3)),
        ],
        [],
        as_of=date(2025, 3, 31),
    )
    return cohort_table(base)


def test_cohort_heat_map_has_a_cell_per_observed_cohort_and_age(analysis):
    table = analysis.cohorts
    root = parse(cohort_heat_map(table))
    assert_accessible(root, "Cohort retention", "months since joining", "cohort (month joined)")
    recent = list(table.cells)[-12:]
    expected = sum(1 for c in recent for age in table.cells[c] if age <= 12)
    assert len(by_class(root, "cell")) == expected
    assert texts(root, "row-label") == recent
    assert texts(root, "column-label") == [str(a) for a in range(len(texts(root, "column-label")))]
    first = by_class(root, "cell")[0].find(f"{SVG}title").text
    assert first == f"{recent[0]} · 0: {table.cells[recent[0]][0].retention:.0%}"
    assert_inside(root)


def test_cohort_heat_map_darker_means_more():
    root = parse(cohort_heat_map(small_table(), cohorts=None, max_age=None))
    cells = by_class(root, "cell")
    shares = [float(c.find(f"{SVG}title").text.rsplit(": ", 1)[1].rstrip("%")) for c in cells]
    lum = [charts._luminance(c.get("fill")) for c in cells]
    for (s1, l1), (s2, l2) in pairwise(sorted(zip(shares, lum, strict=True))):
        if s2 > s1:
            assert l2 < l1
    # cell text contrasts with its cell: white on dark, ink on light
    for cell, value in zip(cells, by_class(root, "cell-value"), strict=True):
        assert value.get("fill") == charts._ink_on(cell.get("fill"))


def test_cohort_heat_map_of_activity_and_its_limits():
    table = small_table()
    root = parse(cohort_heat_map(table, measure="activity", cohorts=1, max_age=0))
    assert len(by_class(root, "cell")) == 1
    assert texts(root, "chart-title") == ["Cohort activity (share who bought)"]
    for kwargs, path in [
        ({"measure": "size"}, "measure"),
        ({"cohorts": 0}, "cohorts"),
        ({"max_age": -1}, "max_age"),
        ({"language": "de"}, "language"),
    ]:
        with pytest.raises(InvalidInputError) as err:
            cohort_heat_map(table, **kwargs)
        assert err.value.path == path
    with pytest.raises(InvalidInputError, match="no cohorts"):
        cohort_heat_map(attrs.evolve(table, cells={}))
    with pytest.raises(InvalidInputError, match="table"):
        cohort_heat_map({})  # type: ignore[arg-type]


# --- skill gaps -------------------------------------------------------------------------------


def test_skill_gap_heat_map_is_members_by_skills(outcome):
    report = outcome.gap_report
    names = {m.member_id: m.name for m in outcome.members}
    root = parse(skill_gap_heat_map(report, members=names))
    assert_accessible(root, "Skill gaps by member (levels below requirement)", "skill", "member")
    assert len(by_class(root, "cell")) == len(report.members) * len(report.skills)
    assert texts(root, "row-label") == [names[m.member_id] for m in report.members]
    assert texts(root, "column-label") == [n.skill_id for n in report.skills]
    # printed: the gaps only, never the zeros
    assert sorted(texts(root, "cell-value")) == sorted(str(g.gap) for g in report.gaps)
    assert_inside(root)


def test_skill_gap_heat_map_escapes_names_from_the_document():
    report = GapReport(
        (
            SkillGap("ann", "seo", 3, 0, 3, 1.0, 3.0, 3.0, performance_flag=False),
            SkillGap("bob", "seo", 3, 2, 1, 1.0, 1.0, 1.5, performance_flag=True),
        ),
        (
            MemberReadiness("ann", "seo_specialist", 0.2, eligible=True, weighted_gap=3.0),
            MemberReadiness("bob", "seo_specialist", 0.7, eligible=True, weighted_gap=1.0),
        ),
        (SkillNeed("seo", 4.0, 4.5, ("ann", "bob"), 1),),
    )
    svg = skill_gap_heat_map(report, members={"ann": NASTY}, skills={"seo": "SEO & <b>"})
    root = parse(svg)
    assert texts(root, "row-label")[0] == NASTY[:30] or texts(root, "row-label")[0].startswith(
        NASTY[:20]
    )
    assert by_class(root, "cell")[0].find(f"{SVG}title").text == f"{NASTY} · SEO & <b>: 3"
    assert "<script>" not in svg
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    ann, bob = by_class(root, "cell")
    assert charts._luminance(ann.get("fill")) < charts._luminance(bob.get("fill"))
    root = parse(skill_gap_heat_map(report, value="priority", language="zh-Hant"))
    assert texts(root, "cell-value") == ["3", "1.5"]
    assert texts(root, "y") == ["成員"]


def test_skill_gap_heat_map_refuses_what_it_cannot_draw():
    with pytest.raises(InvalidInputError, match="no skill gap"):
        skill_gap_heat_map(GapReport((), (), ()))
    with pytest.raises(InvalidInputError) as err:
        skill_gap_heat_map(GapReport((), (), ()), value="level")
    assert err.value.path == "value"
    with pytest.raises(InvalidInputError, match="report"):
        skill_gap_heat_map([])  # type: ignore[arg-type]


# --- bands and bonuses ------------------------------------------------------------------------


def test_band_distribution_has_a_bar_per_band_proportional_to_its_members(outcome):
    root = parse(band_distribution_chart(outcome))
    assert_accessible(root, "Members per rating band", "members", "rating band")
    counts = outcome.summary.band_counts
    bars = by_class(root, "bar")
    assert len(bars) == len(counts)
    assert texts(root, "bar-label")[0] == "1 needs improvement"
    widths = [float(b.get("width")) for b in bars]
    per_member = widths[3] / counts[4]
    for w, level in zip(widths, sorted(counts), strict=True):
        assert w == pytest.approx(per_member * counts[level], abs=0.02)
    assert root[1].text.startswith("1 needs improvement: 1; 2 partially meets expectations: 2")
    assert_inside(root)


def test_band_distribution_in_traditional_chinese(outcome):
    root = parse(band_distribution_chart(outcome, language="zh-Hant", title="評等分布"))
    assert texts(root, "bar-label") == [
        "1 需要改進",
        "2 部分達到期望",
        "3 達到期望",
        "4 超出期望",
        "5 傑出",
    ]
    assert texts(root, "chart-title") == ["評等分布"]


def test_bonus_by_band_prints_exact_totals_that_add_up_to_the_allocation(outcome):
    root = parse(bonus_by_band_chart(outcome))
    assert_accessible(root, "Bonus by rating band", "total bonus (TWD)", "rating band")
    totals = [Decimal(t.removesuffix(" TWD").replace(",", "")) for t in texts(root, "bar-value")]
    assert sum(totals) == outcome.bonus.allocated
    by_band = {}
    for m in outcome.members:
        by_band[m.band] = by_band.get(m.band, Decimal(0)) + m.bonus.amount
    assert totals == [by_band.get(level, Decimal(0)) for level in sorted(by_band)]
    widths = [float(b.get("width")) for b in by_class(root, "bar")]
    assert widths[0] == 0  # band 1 got nothing
    assert widths.index(max(widths)) == totals.index(max(totals))


def test_review_adapters_refuse_something_else():
    for chart in (band_distribution_chart, bonus_by_band_chart):
        with pytest.raises(InvalidInputError, match="outcome"):
            chart("outcome")  # type: ignore[arg-type]


# --- expected against actual ------------------------------------------------------------------


def test_expected_vs_actual_cumulates_per_period_values_and_marks_the_holdout():
    root = parse(
        expected_vs_actual_chart([1, 2, 3, 4], [10, 11, 12, 12], [9, 12, 13, 10], holdout_start=3)
    )
    assert_accessible(root, "Expected and actual, cumulative", "period", "cumulative total")
    expected, actual = by_class(root, "series")
    assert expected.get("stroke-dasharray")
    assert not actual.get("stroke-dasharray")
    tips = [p.find(f"{SVG}title").text for p in by_class(root, "point")]
    assert tips == [
        "expected: 1, 10", "expected: 2, 21", "expected: 3, 33", "expected: 4, 45",
        "actual: 1, 9", "actual: 2, 21", "actual: 3, 34", "actual: 4, 44",
    ]  # fmt: skip
    (marker,) = by_class(root, "marker")
    assert marker.get("x1") == marker.get("x2")
    assert texts(root, "marker-label") == ["holdout"]
    assert texts(root, "legend") == ["expected", "actual"]


def test_expected_vs_actual_takes_running_totals_as_they_are():
    root = parse(
        expected_vs_actual_chart(
            [0, 1],
            [5, 9],
            [4, 10],
            cumulative=True,
            x_label="week",
            y_label="purchases",
            language="zh-Hant",
        )
    )
    assert [p.find(f"{SVG}title").text for p in by_class(root, "point")] == [
        "預期: 0, 5", "預期: 1, 9", "實際: 0, 4", "實際: 1, 10",
    ]  # fmt: skip
    assert by_class(root, "marker") == []
    assert texts(root, "x") == ["week"]


@pytest.mark.parametrize(
    ("args", "kwargs", "path"),
    [
        (([], [], []), {}, "periods"),
        (([1, 2], [1], [1, 2]), {}, "expected"),
        (([1, 2], [1, 2], [1]), {}, "actual"),
        (([1, 2], [1, 2], [1, float("nan")]), {}, "actual[1]"),
        (([1, 2], [1, 2], [1, 2]), {"cumulative": 1}, "cumulative"),
        (([1, 2], [1, 2], [1, 2]), {"holdout_start": "3"}, "holdout_start"),
        (([2, 1], [1, 2], [1, 2]), {}, "x[1]"),
    ],
)
def test_expected_vs_actual_refuses_bad_input(args, kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        expected_vs_actual_chart(*args, **kwargs)
    assert err.value.path == path


# --- the primitives ---------------------------------------------------------------------------


def test_plain_numbers_of_every_kind_are_taken():
    s = Series("s", (Fraction(1, 2), Decimal("1.5"), 3), [1, 2.5, Fraction(7, 2)])
    assert s.x == (0.5, 1.5, 3.0)
    assert s.y == (1.0, 2.5, 3.5)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"x": [], "y": []}, "x"),
        ({"x": [1, 2], "y": [1]}, "y"),
        ({"x": [1, True], "y": [1, 2]}, "x[1]"),
        ({"x": "12", "y": [1, 2]}, "x"),
        ({"x": [1, 2], "y": [1, float("inf")]}, "y[1]"),
        ({"x": [1, 2], "y": [1, 2], "lower": [0, 1]}, "lower"),
        ({"x": [1, 2], "y": [1, 2], "lower": [0], "upper": [2, 3]}, "lower"),
        ({"x": [1, 2], "y": [1, 2], "lower": [0, 1], "upper": [2]}, "upper"),
        ({"x": [1], "y": [1], "lower": [2], "upper": [1]}, "lower[0]"),
        ({"x": [1], "y": [1], "lower": ["a"], "upper": [1]}, "lower[0]"),
        ({"x": [1], "y": [1], "lower": [0], "upper": [None]}, "upper[0]"),
    ],
)
def test_series_refuses_bad_values(kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        Series("s", **kwargs)
    assert err.value.path == path


def test_series_refuses_a_name_that_is_not_text():
    with pytest.raises(InvalidInputError, match="name"):
        Series(3, [1], [1])  # type: ignore[arg-type]


LINE = {"title": "t", "x_label": "x", "y_label": "y"}


@pytest.mark.parametrize(
    ("series", "kwargs", "path"),
    [
        ([], {}, "series"),
        ([1], {}, "series[0]"),
        ("s", {}, "series"),
        ([Series("s", [1], [1])], {"title": None}, "title"),
        ([Series("s", [1], [1])], {"x_range": (2, 1)}, "x_range"),
        ([Series("s", [1], [1])], {"y_range": (0, 1, 2)}, "y_range"),
        ([Series("s", [1], [1])], {"y_range": 5}, "y_range"),
        ([Series("s", [1], [1])], {"width": 100}, "width"),
        ([Series("s", [1], [1])], {"height": 10}, "height"),
        ([Series("s", [1], [1])], {"marker": "x"}, "marker"),
        ([Series("s", [1], [1])], {"description": 5}, "description"),
    ],
)
def test_line_chart_refuses_bad_arguments(series, kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        line_chart(series, **{**LINE, **kwargs})
    assert err.value.path == path


def test_line_chart_legend_lists_each_series_and_band_and_respects_ranges():
    a = Series("a", [0, 1], [0.2, 0.4], lower=[0.1, 0.3], upper=[0.3, 0.5], band_label="80 %")
    b = Series("b", [0, 1], [0.5, 0.1], step=True, lower=[0.4, 0], upper=[0.6, 0.2])
    root = parse(line_chart([a, b], **LINE, x_range=(0, 2), y_range=(0, 1), marker=0.5))
    assert texts(root, "legend") == ["a", "80 %", "b", "confidence band"]
    assert len(by_class(root, "band")) == 2
    assert len(by_class(root, "point")) == 2  # the step series has no markers
    assert by_class(root, "marker-label") == []  # no label given, none drawn
    ticks = [e.text for e in by_class(root, "tick-label") if e.get("text-anchor") == "end"]
    assert ticks[0] == "0"
    assert ticks[-1] == "1.0"
    assert_inside(root)


def test_line_chart_of_one_point_and_of_negative_values():
    root = parse(line_chart([Series("s", [3], [-2])], **LINE))
    assert len(by_class(root, "point")) == 1
    assert by_class(root, "legend") == []  # one series, no band: the title says it all
    assert_inside(root)


def test_line_chart_has_no_room_when_too_narrow_for_its_ticks():
    with pytest.raises(InvalidInputError, match="no room"):
        line_chart([Series("s", [0, 1], [0, 10**30])], **LINE, width=240)


def test_heat_map_cells_titles_and_legend():
    root = parse(
        heat_map(
            ["r1", "r2"], ["c1", "c2", "c3"], [[0, 1, 2], [None, 3, 4]],
            title="h", x_label="cols", y_label="rows",
        )
    )  # fmt: skip
    assert_accessible(root, "h", "cols", "rows")
    assert len(by_class(root, "cell")) == 5
    assert texts(root, "legend") == ["0.00", "1.00", "2.00", "3.00", "4.00"]
    assert root[1].text == (
        "2 rows by 3 columns, 5 cells with a value; highest 4.00 (r2 · c3), lowest 0.00 (r1 · c1)."
    )
    assert_inside(root)


def test_heat_map_long_labels_are_cut_and_rotated_but_kept_whole_in_titles():
    long = "a very long skill name that goes on and on and on"
    root = parse(heat_map([long], [long, "b"], [[1.5, 2.5]], title="h", x_label="x", y_label="y"))
    assert texts(root, "row-label")[0].endswith("…")
    (first, _) = by_class(root, "column-label")
    assert first.get("transform").startswith("rotate(-40")
    assert by_class(root, "cell")[0].find(f"{SVG}title").text == f"{long} · {long}: 1.50"
    assert texts(root, "legend") == ["1.50", "1.75", "2.00", "2.25", "2.50"]
    assert_inside(root)


def test_heat_map_of_equal_values_and_of_no_values():
    root = parse(heat_map(["r"], ["c"], [[2]], title="h", x_label="x", y_label="y"))
    assert texts(root, "cell-value") == ["2.00"]
    root = parse(heat_map(["r"], ["c"], [[None]], title="h", x_label="x", y_label="y"))
    assert by_class(root, "cell") == []
    assert root[1].text == "1 rows by 1 columns, 0 cells with a value."


HEAT = {"title": "h", "x_label": "x", "y_label": "y"}


@pytest.mark.parametrize(
    ("args", "kwargs", "path"),
    [
        (([], ["c"], []), {}, "rows"),
        ((["r"], [], [[]]), {}, "columns"),
        ((["r"], ["c"], [[1], [2]]), {}, "values"),
        ((["r"], ["c"], [[1, 2]]), {}, "values[0]"),
        ((["r"], ["c"], [["1"]]), {}, "values[0][0]"),
        (([1], ["c"], [[1]]), {}, "rows[0]"),
        ((["r"], ["c"], [[1]]), {"low": 1, "high": 1}, "high"),
        ((["r"], ["c"], [[1]]), {"low": 2}, "high"),
        ((["r"], ["c"], [[1]]), {"colours": "rainbow"}, "colours"),
        ((["r"], ["c"], [[1]]), {"value_format": "%d"}, "value_format"),
        ((["r"], ["c"], [[1]]), {"value_format": 2}, "value_format"),
        ((["r"], ["c"], [[1]]), {"show_zero": "no"}, "show_zero"),
        ((["r"], ["c"], [[1]]), {"cell_width": 2}, "cell_width"),
        ((["r"], ["c"], [[1]]), {"description": 1}, "description"),
    ],
)
def test_heat_map_refuses_bad_input(args, kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        heat_map(*args, **{**HEAT, **kwargs})
    assert err.value.path == path


BAR = {"title": "b", "x_label": "x", "y_label": "y"}


@pytest.mark.parametrize(
    ("args", "kwargs", "path"),
    [
        (([], []), {}, "labels"),
        ((["a"], [1, 2]), {}, "values"),
        ((["a"], [-1]), {}, "values[0]"),
        ((["a"], [1]), {"value_labels": ["1", "2"]}, "value_labels"),
        ((["a"], [1]), {"width": 120}, "width"),
        ((["a" * 40], [1]), {"width": 240}, "width"),
        ((["a"], [1]), {"description": 1}, "description"),
    ],
)
def test_bar_chart_refuses_bad_input(args, kwargs, path):
    with pytest.raises(InvalidInputError) as err:
        bar_chart(*args, **{**BAR, **kwargs})
    assert err.value.path == path


def test_bar_chart_of_zeros_still_has_an_axis():
    root = parse(bar_chart(["a", "b"], [0, 0], **BAR, description="Nothing yet."))
    assert [float(b.get("width")) for b in by_class(root, "bar")] == [0, 0]
    assert root[1].text == "Nothing yet."
    assert_inside(root)


def test_every_text_is_escaped_and_xml_safe():
    weird = NASTY + "\x00\x1b"
    svgs = [
        line_chart([Series(weird, [0, 1], [1, 2])], title=weird, x_label=weird, y_label=weird,
                   marker=0.5, marker_label=weird, description=weird),
        heat_map([weird], [weird], [[1]], title=weird, x_label=weird, y_label=weird),
        bar_chart([weird], [1], title=weird, x_label=weird, y_label=weird,
                  value_labels=[weird]),
    ]  # fmt: skip
    cleaned = NASTY + "\ufffd\ufffd"
    for svg in svgs:
        root = parse(svg)
        assert "<script" not in svg
        assert not [e for e in root.iter() if "script" in e.tag]
        assert root[0].text == cleaned
        assert cleaned in texts(root, "x")


def test_the_same_values_give_the_same_bytes(outcome, analysis):
    for make in (
        lambda: survival_chart(analysis.survival),
        lambda: projection_chart(analysis.projection),
        lambda: cohort_heat_map(analysis.cohorts),
        lambda: skill_gap_heat_map(outcome.gap_report),
        lambda: band_distribution_chart(outcome),
        lambda: bonus_by_band_chart(outcome),
    ):
        assert make() == make()


# --- properties -------------------------------------------------------------------------------

values = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def series_values(draw):
    n = draw(st.integers(1, 30))
    xs = sorted(draw(st.lists(values, min_size=n, max_size=n)))
    ys = draw(st.lists(values, min_size=n, max_size=n))
    spread = draw(st.lists(st.floats(0, 1e5), min_size=n, max_size=n))
    band = draw(st.booleans())
    return Series(
        "s",
        xs,
        ys,
        lower=[y - d for y, d in zip(ys, spread, strict=True)] if band else None,
        upper=[y + d for y, d in zip(ys, spread, strict=True)] if band else None,
        step=draw(st.booleans()),
    )


@given(st.lists(series_values(), min_size=1, max_size=3))
def test_any_line_chart_is_well_formed_and_stays_inside_its_box(series):
    root = parse(line_chart(series, **LINE))
    assert len(by_class(root, "series")) == len(series)
    assert len(by_class(root, "band")) == sum(s.lower is not None for s in series)
    for path, s in zip(by_class(root, "series"), series, strict=True):
        assert len(path_points(path)) == (2 * len(s.x) - 1 if s.step else len(s.x))
    assert_inside(root)


@given(
    st.floats(-1e9, 1e9, allow_nan=False),
    st.floats(0, 1e9, allow_nan=False),
    st.booleans(),
)
def test_ticks_are_round_evenly_spaced_and_cover_the_range(low, span, whole):
    high = low + span
    ticks, decimals = charts._ticks(low, high, whole=whole)
    assert 2 <= len(ticks) <= 12
    tolerance = 1e-8 * (ticks[1] - ticks[0])  # float noise is not worth another tick
    assert ticks[0] <= low + tolerance
    assert ticks[-1] >= high - tolerance
    steps = {round(b - a, decimals + 1) for a, b in pairwise(ticks)}
    assert len(steps) == 1
    if whole:
        assert all(t == int(t) for t in ticks)
        assert decimals == 0


@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=12))
def test_bars_are_proportional_to_their_values(numbers):
    root = parse(bar_chart([f"b{i}" for i in range(len(numbers))], numbers, **BAR))
    widths = [float(b.get("width")) for b in by_class(root, "bar")]
    top = max(numbers)
    if top > 0:
        widest = max(widths)
        for w, v in zip(widths, numbers, strict=True):
            assert w == pytest.approx(widest * v / top, abs=0.02)
    assert_inside(root)


@given(
    st.lists(
        st.lists(st.none() | st.floats(0, 100), min_size=3, max_size=3), min_size=1, max_size=6
    )
)
def test_heat_map_colours_are_ordered_like_the_values(grid):
    root = parse(heat_map([f"r{i}" for i in range(len(grid))], ["a", "b", "c"], grid, **HEAT))
    cells = by_class(root, "cell")
    present = [v for row in grid for v in row if v is not None]
    assert len(cells) == len(present)
    lum = [charts._luminance(c.get("fill")) for c in cells]
    for v1, l1 in zip(present, lum, strict=True):
        for v2, l2 in zip(present, lum, strict=True):
            if v1 < v2:
                assert l1 >= l2


def test_the_chart_in_the_guide_is_the_chart_drawn_today(outcome):
    # docs/guides/look-at-a-review-cycle.md embeds this file; MTEAM_WRITE_DOCS=1 rewrites it
    path = Path(__file__).resolve().parent.parent / "docs" / "snippets" / "review-bands.svg"
    svg = band_distribution_chart(outcome) + "\n"
    if os.environ.get("MTEAM_WRITE_DOCS"):
        path.write_text(svg, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == svg


# --- the text alternatives in Traditional Chinese ----------------------------------------------


def test_heat_map_bar_chart_and_line_chart_describe_themselves_in_chinese():
    heat = parse(
        heat_map(["甲", "乙"], ["一", "二"], [[1, None], [3, 0]], **HEAT, language="zh-Hant")
    )
    assert heat[1].text == "2 列 × 2 欄,3 格有數值;最高 3.00(乙 · 一),最低 0.00(乙 · 二)。"
    english = parse(heat_map(["a", "b"], ["x", "y"], [[1, None], [3, 0]], **HEAT))
    assert english[1].text == (
        "2 rows by 2 columns, 3 cells with a value; highest 3.00 (b · x), lowest 0.00 (b · y)."
    )
    bars = parse(bar_chart(["冠軍", "流失風險"], [604, 482], **BAR, language="zh-Hant"))
    assert bars[1].text == "冠軍:604;流失風險:482。"
    assert bars.get("aria-label") == "b。冠軍:604;流失風險:482。"
    line = parse(
        line_chart(
            [Series("S(t)", [0, 1], [1, 0.5], lower=[1, 0.4], upper=[1, 0.6], band_label="區間")],
            title="存續",
            x_label="月",
            y_label="比例",
            language="zh-Hant",
        )
    )
    assert line[1].text == "S(t):2 個點,x 由 0 至 1,y 由 1 至 0.5(區間終點為 0.4 至 0.6)。"


def test_the_adapters_pass_their_language_to_the_descriptions(outcome):
    root = parse(band_distribution_chart(outcome, language="zh-Hant"))
    assert root[1].text == "1 需要改進:1;2 部分達到期望:2;3 達到期望:3;4 超出期望:4;5 傑出:2。"
    gaps = parse(skill_gap_heat_map(outcome.gap_report, language="zh-Hant"))
    assert gaps[1].text.startswith("12 列 × 9 欄")
    assert gaps[1].text.endswith("。")


@pytest.mark.parametrize("make", [heat_map, bar_chart, line_chart])
def test_the_primitives_refuse_an_unknown_language(make):
    args = {
        heat_map: ((["r"], ["c"], [[1]]), HEAT),
        bar_chart: ((["a"], [1]), BAR),
        line_chart: (([Series("s", [0], [1])],), {"title": "t", "x_label": "x", "y_label": "y"}),
    }[make]
    with pytest.raises(InvalidInputError) as err:
        make(*args[0], **args[1], language="ja")
    assert err.value.path == "language"


# --- the charts of results in a notebook -------------------------------------------------------


def svg_of(html: str) -> ET.Element:
    """The one chart in a `_repr_html_`, parsed."""
    (chunk,) = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    return parse(chunk)


def _tiers():
    from mteam.membership.records import Transaction  # noqa: PLC0415
    from mteam.membership.tiers import assign_tiers  # noqa: PLC0415

    members = [Member(f"m{i}", date(2025, 1, 1)) for i in range(4)]
    sales = [Transaction(f"m{i}", date(2025, 6, 1), Decimal(1000 * i * i)) for i in range(4)]
    return assign_tiers(summarise(members, sales, date(2025, 12, 31)))


def test_results_show_their_chart_above_their_table(analysis):
    for value, title in (
        (analysis.survival, "Membership survival (Kaplan–Meier)"),
        (analysis.sbg, "Projected survival (sBG model)"),
        (analysis.cohorts, "Cohort retention"),
        (_tiers(), "Members per tier"),
    ):
        html = value._repr_html_()
        assert html.startswith('<div class="mteam-result">\n<figure><svg')
        assert "<table" in html
        root = svg_of(html)
        assert root[0].text == title
    # the curve's chart has its band; the model's its 12-period projection, band and all
    assert len(by_class(svg_of(analysis.survival._repr_html_()), "band")) == 1
    projection = svg_of(analysis.sbg._repr_html_())
    assert len(by_class(projection, "point")) == 13
    assert texts(projection, "legend") == ["S(t)", "95 % band"]


def test_a_cohort_value_shows_its_cumulative_margin():
    from mteam.membership.cltv import cohort_cltv  # noqa: PLC0415

    base = summarise(
        [Member("a", date(2025, 1, 10)), Member("b", date(2025, 1, 20))], [], date(2025, 3, 31)
    )
    value = cohort_cltv(base, 0.5)[0]
    root = svg_of(value._repr_html_())
    assert root[0].text == "Cumulative margin per member: cohort 2025-01 (2 members)"
    assert len(by_class(root, "point")) == len(value.cumulative)


def test_the_edge_registers_a_chart_for_each_result_class(outcome, analysis):
    from mteam._records import chart_for  # noqa: PLC0415
    from mteam.report._notebook import RENDERERS  # noqa: PLC0415

    samples = {
        "SurvivalCurve": analysis.survival,
        "SBGModel": analysis.sbg,
        "CohortTable": analysis.cohorts,
        "TierAssignment": _tiers(),
        "GapReport": outcome.gap_report,
        "ReviewOutcome": outcome,
    }
    assert set(samples) <= {cls.__name__ for cls in RENDERERS}
    for value in samples.values():
        root = parse(chart_for(value))
        assert root[0].text


def test_nothing_to_draw_gives_no_chart(outcome):
    from mteam._records import chart_for  # noqa: PLC0415
    from mteam.membership.retention import CohortTable  # noqa: PLC0415
    from mteam.membership.tiers import TierAssignment  # noqa: PLC0415

    nothing_left = kaplan_meier([3, 4], [False, False])
    empty = [
        nothing_left,
        CohortTable(date(2025, 1, 1), {}),
        TierAssignment({}, {}),
        GapReport((), outcome.gap_report.members, ()),
        attrs.evolve(outcome, summary=attrs.evolve(outcome.summary, band_counts={})),
    ]
    for value in empty:
        assert chart_for(value) is None
    html = nothing_left._repr_html_()
    assert "<svg" not in html
    assert html.startswith("<table")


def test_the_registry_hook(monkeypatch):
    from mteam import _records  # noqa: PLC0415
    from mteam._records import Records, chart_for, register_chart  # noqa: PLC0415

    @attrs.frozen
    class Base(Records):
        n: int

    class Child(Base):
        pass

    monkeypatch.setattr(_records, "_CHARTS", {})
    assert chart_for(Base(1)) is None  # nothing registered: no chart, the table alone
    assert "<svg" not in Base(1)._repr_html_()
    register_chart(Base, lambda v: bar_chart(["n"], [v.n], **BAR))
    assert parse(chart_for(Child(2)))  # a subclass uses its base's renderer
    register_chart(Child, lambda _v: None)
    assert chart_for(Child(2)) is None  # ... unless it has its own
    assert chart_for(Base(2)) is not None

    def refuses(_value):
        raise InvalidInputError("value", "has nothing to draw")

    register_chart(Base, refuses)
    assert chart_for(Base(3)) is None
    assert Base(3)._repr_html_().startswith("<table")
    _records.unregister_chart(Base)
    _records.unregister_chart(Base)  # forgetting twice is harmless
    assert chart_for(Base(3)) is None


def test_the_domain_never_registers_a_chart():
    import ast  # noqa: PLC0415

    src = Path(__file__).resolve().parent.parent / "src" / "mteam"
    callers = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "register_chart":
                    callers.add(path.relative_to(src).as_posix())
    assert callers == {"report/_notebook.py"}


def test_importing_any_mteam_module_registers_the_charts():
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys\n"
        "from mteam.membership.survival import kaplan_meier\n"
        "assert 'mteam.report' in sys.modules\n"
        "print('<svg' in kaplan_meier([1, 2], [True, True])._repr_html_())\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
