"""Records and HTML out: the mixin that gives a result value `to_records()` and `_repr_html_`.

Every result value in mteam is ready for a notebook (DESIGN principle 9):
`pandas.DataFrame(result.to_records())` gives one proper column per figure, and Jupyter shows
the value as a compact table.

**Records.** `to_records()` is a list of flat rows (dicts with the same keys, in the same
order), whose cells are plain values only: `str`, `int`, `float`, `bool`, `datetime.date`,
`datetime.datetime`, `Decimal` or `None`. Nothing is nested. The cells are made from the values
of the rows as follows:

* an enum is its value (`TimeUnit.MONTH` → `"month"`);
* **money is a `Decimal`**: a [`Money`][mteam.money.Money] field `bonus` gives two columns,
  `bonus` (the exact amount, a `Decimal`: never a float) and `bonus_currency` (the code);
  a [`Currency`][mteam.money.Currency] is its code;
* another attrs value is flattened into `<field>_<its field>` columns (a
  [`Rate`][mteam.membership.units.Rate] `discount_rate` gives `discount_rate_value` and
  `discount_rate_per`);
* a short tuple of plain values (a pair such as a confidence interval) gives
  `<field>_0`, `<field>_1`, …

**Applying it to a result class.** Add `Records` as a base of the frozen attrs class
(`class ZTestResult(Records):` with `@attrs.frozen` as before; `Records` has empty
`__slots__`, so the class stays slotted). A result that is one row of scalar fields needs
nothing more. A result that holds a table (a dict or a sequence of rows) overrides
`_rows()` to return its rows as dicts, one per row, with the same keys in each; their values
are made plain by the rules above. Optionally:

* `_html_rows()`: the rows `_repr_html_` shows, when they should differ from the records
  (for example counts per tier rather than a row per member); `to_records()` by default;
* `_html_chart()`: an SVG string (an `<svg>` element with a `<title>`) shown above the table,
  where a chart helps; by default the chart registered for the class (below), or None;
* `_html_caption()`: the table's caption; the class name by default.

**Charts come from the edge.** The domain draws nothing and never imports `mteam.report`
(DESIGN principle 5), so a result's chart is looked up in a small registry that only the edge
fills: [`register_chart`][mteam._records.register_chart] maps a result class to a function
from a value of it to an SVG string (or None when there is nothing to draw), and
[`chart_for`][mteam._records.chart_for] finds the renderer of a value's class (or of its
nearest base class that has one). `mteam.report` registers its charts when it is imported,
and `import mteam` imports it, so in practice every result shows its chart; no domain module
ever calls `register_chart`. A renderer that raises `InvalidInputError` (a value with nothing
to draw, say) gives no chart: `_repr_html_` never fails because of its chart.

`tests/test_records.py` checks every subclass: rows are flat, cells plain, and the HTML is
well formed; a class that takes the mixin adds a sample value to its `SAMPLES` (the test
fails until it does). A field that is not one cell and is not handled by `_rows()` is a
programming error of the class, raised as `TypeError` by `to_records()`; that test makes sure
no released class has one.

Examples:
    >>> import attrs
    >>> from decimal import Decimal
    >>> from mteam.money import Money, TWD
    >>> @attrs.frozen
    ... class Payout(Records):
    ...     member_id: str
    ...     bonus: Money
    ...     band: int
    >>> Payout("ann", Money(Decimal(3000), TWD), 4).to_records()
    [{'member_id': 'ann', 'bonus': Decimal('3000'), 'bonus_currency': 'TWD', 'band': 4}]
    >>> print(Payout("a<b", Money(Decimal(1), TWD), 1)._repr_html_())
    <table class="mteam-records">
    <caption>Payout</caption>
    <tbody>
    <tr><th scope="row">member_id</th><td>a&lt;b</td></tr>
    <tr><th scope="row">bonus</th><td>1</td></tr>
    <tr><th scope="row">bonus_currency</th><td>TWD</td></tr>
    <tr><th scope="row">band</th><td>1</td></tr>
    </tbody>
    </table>
"""

from __future__ import annotations

import enum
import html
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeAlias

import attrs

from mteam._validate import plain
from mteam.errors import InvalidInputError

__all__ = [
    "Cell",
    "ChartRenderer",
    "Records",
    "chart_for",
    "flatten",
    "register_chart",
    "unregister_chart",
]

Cell: TypeAlias = str | int | float | bool | date | Decimal | None
"""A plain value: what a record's cell may be (a `datetime` is a `date`)."""

_SCALARS: Final = (str, int, float, Decimal, date)
_MAX_TUPLE: Final = 4  # a longer tuple is a table, not a few figures: override `_rows`
_HEAD: Final = 10  # rows shown at the top of a long table
_TAIL: Final = 5  # ... and at its bottom


def _flatten_into(out: dict[str, Cell], name: str, value: object) -> None:
    value = plain(value)
    if value is None or isinstance(value, _SCALARS):
        out[name] = value
    elif isinstance(value, enum.Enum):
        _flatten_into(out, name, value.value)
    elif isinstance(getattr(value, "amount", None), Decimal) and hasattr(
        getattr(value, "currency", None), "code"
    ):  # Money, by behaviour (money.py must be free to use this mixin itself)
        out[name] = value.amount  # type: ignore[attr-defined]
        out[f"{name}_currency"] = value.currency.code  # type: ignore[attr-defined]
    elif attrs.has(type(value)) and hasattr(value, "code") and hasattr(value, "exponent"):
        out[name] = value.code  # a Currency
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            _flatten_into(out, f"{name}_{field.name}", getattr(value, field.name))
    elif isinstance(value, tuple) and len(value) <= _MAX_TUPLE:
        for i, item in enumerate(value):
            _flatten_into(out, f"{name}_{i}", item)
    else:
        msg = (
            f"{name!r} holds a {type(value).__name__}, which is not one cell: "
            "the class must override _rows()"
        )
        raise TypeError(msg)


def flatten(row: Mapping[str, object]) -> dict[str, Cell]:
    """One flat row of plain cells from a row of values (the rules are in the module docs).

    Examples:
        >>> from mteam.membership.units import Rate
        >>> flatten({"discount_rate": Rate(0.1, "year"), "interval": (0.25, 0.5)})
        {'discount_rate_value': 0.1, 'discount_rate_per': 'year', 'interval_0': 0.25, \
'interval_1': 0.5}
    """
    out: dict[str, Cell] = {}
    for name, value in row.items():
        _flatten_into(out, name, value)
    return out


ChartRenderer: TypeAlias = Callable[[Any], str | None]
"""A function from a result value to an inline SVG chart (None when there is nothing to draw)."""

_CHARTS: Final[dict[type, ChartRenderer]] = {}
"""Result class → its chart's renderer: filled by the edge (`mteam.report`) when imported."""


def register_chart(cls: type, render: ChartRenderer) -> None:
    """Register `render` as the chart of `cls`'s values in `_repr_html_` (the edge's hook).

    Called by `mteam.report` when it is imported, once per result class; registering a class
    again replaces its renderer. A domain module never calls it (the domain draws nothing).

    Args:
        cls: The result class (a subclass's values use it too, unless it has its own).
        render: A function from a value of `cls` to an `<svg>` string, or None for no chart.

    Examples:
        >>> import attrs
        >>> @attrs.frozen
        ... class Count(Records):
        ...     n: int
        >>> register_chart(Count, lambda c: f"<svg><title>{c.n}</title></svg>")
        >>> chart_for(Count(3))
        '<svg><title>3</title></svg>'
        >>> Count(3)._repr_html_().splitlines()[:2]
        ['<div class="mteam-result">', '<figure><svg><title>3</title></svg></figure>']
        >>> unregister_chart(Count)
        >>> chart_for(Count(3)) is None
        True
    """
    _CHARTS[cls] = render


def unregister_chart(cls: type) -> None:
    """Forget `cls`'s renderer (nothing happens if it has none): for tests."""
    _CHARTS.pop(cls, None)


def chart_for(value: object) -> str | None:
    """The chart registered for `value`'s class or its nearest base class, or None.

    None as well when no renderer is registered (`mteam.report` not imported) or when the
    renderer finds nothing to draw (returns None, or raises `InvalidInputError`).
    """
    for cls in type(value).__mro__:
        render = _CHARTS.get(cls)
        if render is not None:
            try:
                return render(value)
            except InvalidInputError:
                return None
    return None


def _show(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table(caption: str, rows: list[dict[str, Cell]]) -> str:
    lines = ['<table class="mteam-records">', f"<caption>{html.escape(caption)}</caption>"]
    if len(rows) == 1:  # one record: a field per line reads better than one wide line
        lines.append("<tbody>")
        lines.extend(
            f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(_show(v))}</td></tr>'
            for k, v in rows[0].items()
        )
        lines.extend(["</tbody>", "</table>"])
        return "\n".join(lines)
    if not rows:
        lines.extend(["<tbody>", "<tr><td>(no rows)</td></tr>", "</tbody>", "</table>"])
        return "\n".join(lines)
    columns = list(rows[0])
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    lines.extend(["<thead>", f"<tr>{head}</tr>", "</thead>", "<tbody>"])
    shown: list[dict[str, Cell] | None] = list(rows)
    if len(rows) > _HEAD + _TAIL + 1:
        shown = [*rows[:_HEAD], None, *rows[-_TAIL:]]
    for row in shown:
        if row is None:
            hidden = len(rows) - _HEAD - _TAIL
            lines.append(f'<tr><td colspan="{len(columns)}">… {hidden:,} more rows</td></tr>')
        else:
            cells = "".join(f"<td>{html.escape(_show(row.get(c)))}</td>" for c in columns)
            lines.append(f"<tr>{cells}</tr>")
    lines.extend(["</tbody>", "</table>"])
    return "\n".join(lines)


class Records:
    """A mixin for result values: flat `to_records()` and a compact `_repr_html_`.

    See the module docs for the cell rules and how to apply it to a class.
    """

    __slots__ = ()

    def _rows(self) -> Iterable[Mapping[str, object]]:
        """The rows before their cells are made plain: one row of the fields by default."""
        return [{f.name: getattr(self, f.name) for f in attrs.fields(type(self))}]  # type: ignore[arg-type]

    def to_records(self) -> list[dict[str, Cell]]:
        """Flat rows of plain values, ready for `pandas.DataFrame(value.to_records())`.

        Money is a `Decimal` amount with a `<name>_currency` column; enums are their values;
        nested values are flattened into `<field>_<subfield>` columns.

        Returns:
            One dict per row, with the same keys in the same order in every row.

        Examples:
            >>> from mteam.membership.sbg import fit_sbg
            >>> model = fit_sbg([1000, 869, 743, 653, 593, 551, 517, 491], unit="year")
            >>> [(p["t"], round(p["survival"], 3)) for p in model.project(12)[-1].to_records()]
            [(12, 0.378)]
        """
        return [flatten(row) for row in self._rows()]

    def _html_rows(self) -> list[dict[str, Cell]]:
        """The rows `_repr_html_` shows: the records unless a class says otherwise."""
        return self.to_records()

    def _html_chart(self) -> str | None:
        """An inline SVG chart to show above the table: the class's registered chart, if any."""
        return chart_for(self)

    def _html_caption(self) -> str:
        """The caption of the HTML table: the class name by default."""
        return type(self).__name__

    def _repr_html_(self) -> str:
        """A compact HTML table (escaped, with `<th scope>`), for Jupyter and HR tools."""
        table = _table(self._html_caption(), self._html_rows())
        chart = self._html_chart()
        if chart is None:
            return table
        return f'<div class="mteam-result">\n<figure>{chart}</figure>\n{table}\n</div>'
