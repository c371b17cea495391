"""Records and HTML out: every `Records` result gives flat rows of plain values and an HTML table.

A class that takes the mixin adds a sample value to `SAMPLES` below; the tests then check its
rows (flat, plain, the same keys in every row), `pandas.DataFrame` of them, and its HTML.
"""

import enum
import importlib
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mteam
from mteam._records import Records, flatten
from mteam.experiments import two_proportion_ztest
from mteam.membership.cltv import cohort_cltv
from mteam.membership.records import Member, Transaction
from mteam.membership.retention import cohort_table
from mteam.membership.sbg import fit_sbg
from mteam.membership.summary import summarise
from mteam.membership.survival import duration_table, kaplan_meier
from mteam.membership.tiers import assign_tiers
from mteam.membership.units import Rate, TimeUnit
from mteam.money import TWD, USD, Money

PLAIN = (str, int, float, bool, date, datetime, Decimal, type(None))
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]  # Fader & Hardie (2007), high end


def _base():
    members = [
        Member("a", date(2025, 1, 5)),
        Member("b", date(2025, 1, 9), date(2025, 4, 1)),
        Member("c", date(2025, 2, 1)),
    ]
    sales = [
        Transaction("a", date(2025, 1, 6), Decimal(100)),
        Transaction("b", date(2025, 1, 20), Decimal(6000)),
        Transaction("c", date(2025, 3, 20), Decimal(25000)),
    ]
    return summarise(members, sales, date(2025, 6, 30))


MODEL = fit_sbg(HIGH_END, unit="year")

SAMPLES = {
    "SBGModel": MODEL,
    "Projection": MODEL.project(3)[2],
    "ZTestResult": two_proportion_ztest(200, 2000, 250, 2000),
    "DurationTable": duration_table(_base(), "month"),
    "TierAssignment": assign_tiers(_base()),
    "CohortValue": cohort_cltv(_base(), 0.5)[0],
    "SurvivalCurve": kaplan_meier([2, 3, 3, 5], [True, True, False, True], unit="month"),
    "CohortTable": cohort_table(_base()),
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _import_everything():
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def test_every_records_class_has_a_sample():
    _import_everything()
    classes = {c.__name__ for c in _subclasses(Records) if c.__module__.startswith("mteam.")}
    assert classes == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_records_are_flat_rows_of_plain_values(name):
    value = SAMPLES[name]
    rows = value.to_records()
    assert rows
    keys = list(rows[0])
    for row in rows:
        assert list(row) == keys
        for cell in row.values():
            assert isinstance(cell, PLAIN), (name, cell)
    assert value.to_records() == rows  # a pure function of the value


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_pandas_gives_one_column_per_field(name):
    rows = SAMPLES[name].to_records()
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)
    assert frame.to_dict("records") == rows


def test_sbg_model_records():
    (row,) = MODEL.to_records()
    assert list(row) == [
        "alpha",
        "beta",
        "log_likelihood",
        "unit",
        "se_alpha",
        "se_beta",
        "var_alpha",
        "cov_alpha_beta",
        "var_beta",
        "members",
        "converged",
        "iterations",
    ]
    assert row["unit"] == "year"
    assert row["alpha"] == MODEL.alpha
    assert row["var_alpha"] == pytest.approx(MODEL.se_alpha**2)
    frame = pd.DataFrame(MODEL.to_records())
    assert frame["alpha"].dtype == "float64"
    assert frame["members"].dtype == "int64"
    singular = attrs.evolve(MODEL, covariance=None, se_alpha=None, se_beta=None)
    (row,) = singular.to_records()
    assert row["var_alpha"] is None
    assert row["cov_alpha_beta"] is None


def test_a_projection_is_a_table_of_rows():
    frame = pd.DataFrame([row for p in MODEL.project(12) for row in p.to_records()])
    assert list(frame.columns) == ["t", "survival", "lower", "upper"]
    assert frame["t"].tolist() == list(range(13))
    assert frame["survival"].iloc[12] == pytest.approx(MODEL.survival(12))
    assert (frame["lower"] <= frame["survival"]).all()
    assert (frame["survival"] <= frame["upper"]).all()


def test_ztest_records_split_the_interval():
    result = SAMPLES["ZTestResult"]
    (row,) = result.to_records()
    assert row["confidence_interval_0"] == result.confidence_interval[0]
    assert row["confidence_interval_1"] == result.confidence_interval[1]
    assert row["relative_lift"] == pytest.approx(0.25)
    assert row["significant"] is True


def test_duration_and_tier_records():
    assert SAMPLES["DurationTable"].to_records() == [
        {"duration": 2, "unit": "month", "events": 1, "censored": 0},
        {"duration": 4, "unit": "month", "events": 0, "censored": 1},
        {"duration": 5, "unit": "month", "events": 0, "censored": 1},
    ]
    tiers = SAMPLES["TierAssignment"]
    # trailing 12-month spend 100, 6,000 and 25,000 against the default thresholds
    assert tiers.to_records() == [
        {"member_id": "a", "tier": "Member"},
        {"member_id": "b", "tier": "Silver"},
        {"member_id": "c", "tier": "Gold"},
    ]
    html = tiers._repr_html_()
    assert '<th scope="col">members</th>' in html  # the HTML shows the tier counts
    assert "<td>Platinum</td><td>0</td>" in html


def test_cohort_value_records_are_decimal():
    rows = SAMPLES["CohortValue"].to_records()
    # cohort 2025-01: a spends 100 in month 0, b 6,000 in month 0; 50 % margin over 2 members
    assert rows[0] == {
        "cohort": "2025-01",
        "members": 2,
        "month": 0,
        "cumulative_margin": Decimal(1525),
    }
    assert all(isinstance(r["cumulative_margin"], Decimal) for r in rows)


# --- the HTML --------------------------------------------------------------------------------


class _Checker(HTMLParser):
    """Collects the tags and checks that every element is closed in order."""

    VOID = frozenset({"br", "img", "meta"})

    def __init__(self):
        super().__init__()
        self.stack = []
        self.tags = []
        self.scopes = []
        self.text = []

    def handle_starttag(self, tag, attrs_):
        self.tags.append(tag)
        if tag == "th":
            self.scopes.append(dict(attrs_).get("scope"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> without an opening tag"
        assert self.stack.pop() == tag

    def handle_data(self, data):
        self.text.append(data)


def _check_html(text, *, headers=True):
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    assert "table" in checker.tags
    assert "caption" in checker.tags
    assert bool(checker.scopes) is headers
    assert all(s in {"row", "col"} for s in checker.scopes)
    return checker


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_html_is_a_well_formed_table(name):
    checker = _check_html(SAMPLES[name]._repr_html_())
    assert type(SAMPLES[name]).__name__ in "".join(checker.text)


class Colour(enum.Enum):
    RED = "red"


@attrs.frozen
class Sample(Records):
    name: str
    amount: Money
    rate: Rate
    colour: Colour
    interval: tuple[float, float]
    on: date
    note: str | None = None


@attrs.frozen
class Table(Records):
    values: tuple[int, ...]

    def _rows(self):
        return [{"i": i, "value": v} for i, v in enumerate(self.values)]


@attrs.frozen
class Charted(Table):
    def _html_chart(self):
        return '<svg role="img"><title>values</title></svg>'

    def _html_caption(self):
        return "Values & more"


def test_the_cell_rules():
    sample = Sample(
        "<b>",
        Money(Decimal("1.50"), USD),
        Rate(0.1, "year"),
        Colour.RED,
        (0.1, 0.2),
        date(2025, 1, 2),
    )
    assert sample.to_records() == [
        {
            "name": "<b>",
            "amount": Decimal("1.50"),
            "amount_currency": "USD",
            "rate_value": 0.1,
            "rate_per": "year",
            "colour": "red",
            "interval_0": 0.1,
            "interval_1": 0.2,
            "on": date(2025, 1, 2),
            "note": None,
        }
    ]
    html = sample._repr_html_()
    assert "&lt;b&gt;" in html
    assert "<b>" not in html
    assert '<th scope="row">note</th><td></td>' in html
    assert "<td>2025-01-02</td>" in html
    _check_html(html)


def test_a_currency_is_its_code():
    assert flatten({"currency": TWD, "unit": TimeUnit.DAY}) == {"currency": "TWD", "unit": "day"}


def test_a_nested_value_needs_its_own_rows():
    with pytest.raises(TypeError, match="override _rows"):
        flatten({"counts": {1: 2}})
    with pytest.raises(TypeError, match="override _rows"):
        flatten({"values": (1, 2, 3, 4, 5)})


def test_a_long_table_is_shortened():
    html = Table(tuple(range(100)))._repr_html_()
    assert html.count("<tr>") == 1 + 10 + 1 + 5  # header, head, the gap, tail
    assert "85 more rows" in html
    assert "<td>99</td>" in html
    assert "<td>50</td>" not in html
    _check_html(html)
    short = Table(tuple(range(16)))._repr_html_()
    assert short.count("<tr>") == 17


def test_an_empty_table_says_so():
    html = Table(())._repr_html_()
    assert "(no rows)" in html
    _check_html(html, headers=False)


def test_the_chart_hook():
    html = Charted((1, 2))._repr_html_()
    assert html.startswith('<div class="mteam-result">')
    assert "<figure><svg" in html
    assert "<caption>Values &amp; more</caption>" in html
    _check_html(html)


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_is_escaped(texts):
    @attrs.frozen
    class Texts(Records):
        values: tuple[str, ...]

        def _rows(self):
            return [{"text": t} for t in self.values]

    checker = _check_html(Texts(tuple(texts))._repr_html_())
    shown = "".join(checker.text)
    for t in texts:
        assert t.replace("\r", "\n").strip() in shown.replace("\r", "\n")


def test_floats_are_shown_compactly():
    html = Table((1,))._repr_html_()
    assert "<td>1</td>" in html
    assert "0.667" in SAMPLES["SBGModel"]._repr_html_() or "0.668" in (
        SAMPLES["SBGModel"]._repr_html_()
    )
