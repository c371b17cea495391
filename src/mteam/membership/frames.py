"""The member-base analytics on the user's own dataframe engine, through narwhals.

`summarise`, `analyse` and `score` take the members and the transactions as native frames of
any engine narwhals supports (pandas, polars eager or lazy, pyarrow, DuckDB relations, Dask and
PySpark DataFrames) and give what the pure-Python path gives on the same records:
[`summarise`][mteam.membership.frames.summarise] the same
[`MemberBase`][mteam.membership.summary.MemberBase] and
[`analyse`][mteam.membership.frames.analyse] the same
[`MemberAnalysis`][mteam.membership.analysis.MemberAnalysis], equal with `==`;
[`score`][mteam.membership.frames.score] each member's scores as a frame of the input's own
engine (lazy when the input was lazy).

**What runs where.** The engine does the per-row work: per member the number of purchases,
the revenue, the first, last and trailing-12-month figures; per cohort and month since
joining the buyers and the revenue; the count tables of membership durations and of the RFM
values; the tier and segment sizes. Only those small tables are collected; the models are
fitted in Python on them. `summarise` brings every member's figures to Python (it returns
them); `analyse` never does.

**Columns** are those of the CSV files, `member_id, joined_on, left_on` and
`member_id, on, amount`; `columns={"on": "order_date", ...}` maps them to other names.
Member ids are text (integer ids are turned into text); days are the engine's date or
datetime type (a time of day other than midnight is an error); amounts are integer, decimal or
float columns, turned into integer minor units of the currency inside the engine (an amount
with more decimals than the currency has is refused, with the number of such rows and the
first member ids), so every sum is an exact integer sum. Day numbers are computed from the
year, month and day with integer arithmetic (the Julian day number), which every engine does
the same way.

**Without a members frame** (`members=None`: purchases only, as in CDNOW), each member joins on
the day of their first purchase and never leaves.

**Bad input** is an [`InvalidInputError`][mteam.errors.InvalidInputError] naming the column,
with the number of rows at fault and a few member ids: a missing column, a wrong type, a null,
a duplicate member, an unknown member, a purchase before joining or after `as_of`, a negative
amount without `allow_refunds`. Every check runs before anything is computed.

narwhals is the optional extra `frames` (`pip install "mteam[frames]"`); no engine is
imported by this module.

Examples:
    >>> import pandas as pd
    >>> from datetime import date
    >>> from mteam.membership import frames
    >>> members = pd.DataFrame({"member_id": ["a", "b"],
    ...                         "joined_on": pd.to_datetime(["2025-01-10", "2025-01-20"]),
    ...                         "left_on": pd.to_datetime([None, "2025-04-30"])})
    >>> sales = pd.DataFrame({"member_id": ["a", "a", "b"],
    ...                       "on": pd.to_datetime(["2025-01-12", "2025-03-15", "2025-02-01"]),
    ...                       "amount": [30, 45, 20]})
    >>> base = frames.summarise(members, sales, date(2025, 6, 30))
    >>> base.stats["a"].purchases, base.stats["a"].revenue, base.stats["a"].active_months()
    (2, Decimal('75'), (0, 2))
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from dateutil.relativedelta import relativedelta

from mteam._validate import check_instance, show
from mteam.errors import InvalidInputError
from mteam.membership.analysis import (
    MemberAnalysis,
    MembershipPolicy,
    _Aggregates,
    _from_aggregates,
    _RepeatInputs,
)
from mteam.membership.cltv import CohortValue
from mteam.membership.repeat import Profile, RepeatSummary, SpendProfile, elapsed
from mteam.membership.retention import CohortCell, CohortTable, RetentionCounts
from mteam.membership.rfm import (
    _NEVER,
    RFMCuts,
    RFMPolicy,
    _rank_cut_positions,
    _shared_cut_points,
)
from mteam.membership.summary import TRAILING_MONTHS, MemberBase, MemberStats, add_months
from mteam.membership.survival import DurationTable
from mteam.membership.tiers import PointsPolicy, TierPolicy
from mteam.membership.units import TimeUnit
from mteam.money import Currency

__all__ = ["analyse", "score", "summarise"]

MEMBER_COLUMNS: Final = ("member_id", "joined_on", "left_on")
TRANSACTION_COLUMNS: Final = ("member_id", "on", "amount")
_EXAMPLES: Final = 5
_ORDINAL_TO_JDN: Final = 1721425  # date.toordinal() + this = the Julian day number


def _nw() -> Any:  # noqa: ANN401
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the extra is installed wherever this is tested
        raise InvalidInputError("frames", 'needs narwhals: pip install "mteam[frames]"') from None
    return nw


# --- columns, types and day numbers ----------------------------------------------------------


def _lazy(native: object, name: str) -> tuple[Any, bool]:
    """The frame as a narwhals LazyFrame, and whether it was eager."""
    nw = _nw()
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise InvalidInputError(
            name, f"must be a dataframe of a supported engine, got {show(type(native).__name__)}"
        ) from None
    if isinstance(frame, nw.DataFrame):
        return frame.lazy(), True
    return frame, False


def _renamed(frame: Any, wanted: tuple[str, ...], columns: Mapping[str, str], name: str) -> Any:  # noqa: ANN401
    nw = _nw()
    schema = frame.collect_schema()
    present = list(schema.names())
    exprs = []
    for col in wanted:
        source = columns.get(col, col)
        if source not in present:
            raise InvalidInputError(
                f"{name}.{source}",
                f"no such column (columns: {', '.join(map(str, present))})",
            )
        exprs.append(nw.col(source).alias(col))
    return frame.select(exprs)


def _check_types(frame: Any, name: str, columns: Mapping[str, str]) -> Any:  # noqa: ANN401
    """Member ids as text; days as dates (datetimes become dates); amounts as numbers."""
    nw = _nw()
    schema = frame.collect_schema()
    exprs = []
    for col, dtype in schema.items():
        where = f"{name}.{columns.get(col, col)}"
        if col == "member_id":
            if dtype == nw.String:
                exprs.append(nw.col(col))
            elif dtype.is_integer():
                exprs.append(nw.col(col).cast(nw.String))
            else:
                raise InvalidInputError(where, f"must be text (member ids), got {dtype}")
        elif col in ("joined_on", "left_on", "on"):
            if dtype in (nw.Date, nw.Datetime):  # == on narwhals dtypes ignores time units
                exprs.append(nw.col(col))
            elif col == "left_on" and dtype == nw.Unknown:  # pragma: no cover - engine-specific
                exprs.append(nw.col(col).cast(nw.Date))
            else:
                raise InvalidInputError(where, f"must be a date or datetime column, got {dtype}")
        elif col == "amount":
            if not (dtype.is_numeric() or dtype == nw.Decimal):
                raise InvalidInputError(where, f"must be a number column, got {dtype}")
            exprs.append(nw.col(col))
    return frame.select(exprs)


def _with_day_number(frame: Any, col: str, out: str, *, cast: bool = True) -> Any:  # noqa: ANN401
    """Column `out`: the Julian day number of a date column, `date.toordinal() + 1721425`.

    As `date.toordinal` counts: 365 days a year before the date's, the leap days among them
    and the day of the year, in integer arithmetic on the year and the day of the year. Each
    floor division is of a column (narwhals writes one for SQL engines as a CASE that repeats
    its operands). A column with nulls is not cast (pandas holds its missing years as NaN).
    """
    nw = _nw()
    c = nw.col(col)
    year, day = (p.cast(nw.Int64) if cast else p for p in (c.dt.year(), c.dt.ordinal_day()))
    before, doy = f"_{out}_y", f"_{out}_d"
    y = nw.col(before)
    return (
        frame.with_columns((year - 1).alias(before), day.alias(doy))
        .with_columns(
            (365 * y + y // 4 - y // 100 + y // 400 + nw.col(doy) + _ORDINAL_TO_JDN).alias(out)
        )
        .drop(before, doy)
    )


def _last_day(y: Any, m: Any) -> Any:  # noqa: ANN401
    nw = _nw()

    def divides(k: int) -> Any:  # noqa: ANN401 - `y % k == 0`; pandas' Arrow integers have no `%`
        return (y // k) * k == y

    leap = divides(4) & (~divides(100) | divides(400))
    return (
        nw.when(m == 2)
        .then(nw.when(leap).then(29).otherwise(28))
        .otherwise(nw.when((m == 4) | (m == 6) | (m == 9) | (m == 11)).then(30).otherwise(31))
    )


def _months_between(y1: Any, m1: Any, d1: Any, y2: Any, m2: Any, d2: Any) -> Any:  # noqa: ANN401, PLR0917 - two dates' parts, in order
    """`summary.months_between` for a start not after the day, as integer expressions."""
    nw = _nw()
    k = (y2 - y1) * 12 + m2 - m1
    short = (k > 0) & (d1 > d2) & (d2 < _last_day(y2, m2))
    return k - nw.when(short).then(1).otherwise(0)


def _with_ymd(frame: Any, prefix: str, col: str, *, cast: bool = True) -> Any:  # noqa: ANN401
    """Columns `{prefix}y`, `{prefix}m`, `{prefix}d` and the day number `{prefix}n` of a date."""
    nw = _nw()
    c = nw.col(col)
    parts = (c.dt.year(), c.dt.month(), c.dt.day())
    # a nullable column's parts are 0 where it is null (its day number stays null)
    y, m, d = (p.cast(nw.Int64) if cast else p.fill_null(0).cast(nw.Int64) for p in parts)
    return _with_day_number(frame, col, f"{prefix}n", cast=cast).with_columns(
        y.alias(f"{prefix}y"), m.alias(f"{prefix}m"), d.alias(f"{prefix}d")
    )


def _not_midnight(col: str) -> Any:  # noqa: ANN401
    nw = _nw()
    c = nw.col(col)
    time = (c.dt.hour() != 0) | (c.dt.minute() != 0) | (c.dt.second() != 0)
    return ~c.is_null() & (time | (c.dt.microsecond() != 0))


# --- checking --------------------------------------------------------------------------------


def _collect_rows(frame: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    rows: list[dict[str, Any]] = frame.collect().rows(named=True)
    return rows


def _int(value: object) -> int:
    """A collected count or sum (DuckDB gives Decimals, pandas numpy integers)."""
    return 0 if value is None else int(value)  # type: ignore[call-overload]


def _missing(value: object) -> bool:
    """A collected null: None, or pandas' NaN."""
    return value is None or value != value  # noqa: PLR0124 - NaN is the one value not itself


Flag = tuple[Any, Any, str, str]
"""A problem: its count as an aggregate, its rows (with `member_id`), the column, the message."""


def _check(groups: list[tuple[Any, Mapping[str, Flag], Mapping[str, Any]]]) -> dict[str, Any]:
    """Count every problem of every frame in one collect; raise the first frame's, if any.

    `groups`: (frame, its flags by key, other aggregates wanted by key); the frames' one-row
    counts are joined side by side, so the checks are one round trip. The problems of a frame
    are raised together, with a few member ids each; the other aggregates are returned.
    """
    nw = _nw()
    row: Any = None
    for g, (frame, flags, extra) in enumerate(groups):
        counts = frame.select(
            *(count.alias(f"{g}:{key}") for key, (count, _, _, _) in flags.items()),
            *(expr.alias(key) for key, expr in extra.items()),
        )
        row = counts if row is None else row.join(counts, how="cross")
    values = _collect_rows(row)[0]
    for g, (_, flags, _) in enumerate(groups):
        problems = []
        for key, (_, rows, path, message) in flags.items():
            n = _int(values[f"{g}:{key}"])
            if n:
                ids = _collect_rows(rows.select(nw.col("member_id")).head(_EXAMPLES))
                examples = ", ".join(show(r["member_id"]) for r in ids)
                problems.append((path, f"{message}: {n} row{'s' * (n != 1)}, e.g. {examples}"))
        if len(problems) == 1:
            raise InvalidInputError(*problems[0])
        if problems:
            raise InvalidInputError.from_problems(
                [InvalidInputError(p, m).problems[0] for p, m in problems]
            )
    return values


def _flag(frame: Any, expr: Any, path: str, message: str) -> Flag:  # noqa: ANN401
    """A problem flagged row by row: its count and its rows."""
    nw = _nw()
    return (expr.cast(nw.Int64).sum(), frame.filter(expr), path, message)


_ROW_LIMIT: Final = 1e18
"""|amount| x 10**digits must stay below this: an int64, and a decimal of 18 digits."""
_SUM_LIMIT: Final = float(2**62)
"""Sums of minor units must stay below this (half of int64's range: a float bound with room)."""


def _digits(dtype: Any, exponent: int) -> int:  # noqa: ANN401
    """The power of ten that makes an amount whole while it is read (a finer decimal's scale)."""
    nw = _nw()
    scale = getattr(dtype, "scale", None) if dtype == nw.Decimal else None
    return max(exponent, scale) if isinstance(scale, int) else exponent


def _too_large(dtype: Any, exponent: int) -> Any:  # noqa: ANN401
    """The flag of amounts too large to read as 64-bit integers of their finest unit."""
    nw = _nw()
    size = nw.col("amount").cast(nw.Float64).abs() * float(10 ** _digits(dtype, exponent))
    return size >= _ROW_LIMIT


def _minor_units(dtype: Any, exponent: int, *, guarded: bool = False) -> tuple[Any, Any]:  # noqa: ANN401
    """The amount in integer minor units, and the flag of amounts with too many decimals.

    `guarded`: null (or 0) in place of the amounts too large to read or null, so that the
    checks themselves never overflow an engine's cast.
    """
    nw = _nw()
    scale = 10**exponent
    amount = nw.col("amount")
    bad = amount.is_null() | _too_large(dtype, exponent).fill_null(value=True)
    if dtype.is_integer():
        if guarded:
            amount = nw.when(bad).then(0).otherwise(amount)
        return (amount.cast(nw.Int64) * scale), nw.lit(value=False)
    if dtype == nw.Decimal and isinstance(getattr(dtype, "scale", None), int):
        # the decimal's own scale s makes it an exact integer of 10**-s units (a cast of a
        # fractional decimal to an integer is an error on pyarrow and pandas' ArrowDtype);
        # the currency's minor units are a whole multiple or quotient of those. A wide
        # decimal is narrowed to 18 digits first (what the checks allow), so that the product
        # stays within the 38 digits of decimal128
        if guarded:
            amount = nw.when(~bad).then(amount)
        if (getattr(dtype, "precision", None) or 38) > 18:  # int64's digits
            amount = amount.cast(nw.Decimal(18, dtype.scale))
        units = (amount * 10**dtype.scale).cast(nw.Int64)
        if dtype.scale <= exponent:
            return units * 10 ** (exponent - dtype.scale), nw.lit(value=False)
        step = 10 ** (dtype.scale - exponent)
        whole = units // step  # `%` is missing on pandas' ArrowDtype integers
        return whole, (units - whole * step) != 0
    if dtype == nw.Decimal:  # pragma: no cover - every engine tested gives the scale
        scaled = amount * scale
        whole = scaled.cast(nw.Int64)
        return whole, (scaled - whole) != 0
    scaled = amount.cast(nw.Float64) * scale
    if guarded:
        scaled = nw.when(bad).then(0.0).otherwise(scaled)
    whole = scaled.round(0).cast(nw.Int64)
    off = (scaled - whole).abs() > (scaled.abs() + 1) * 1e-9
    return whole, off | ~scaled.is_finite()


def _first_purchases(sales: Any) -> Any:  # noqa: ANN401
    """The members of a transaction-only base: each joins on their first purchase's day.

    The day's parts come back from the minimum of one integer key, yyyymmdd, in one group-by.
    """
    nw = _nw()
    key = nw.col("ty") * 10000 + nw.col("tm") * 100 + nw.col("td")
    return (
        sales.with_columns(key.alias("_k"))
        .group_by("member_id")
        .agg(nw.col("tn").min().alias("jn"), nw.col("_k").min())
        .with_columns((nw.col("_k") // 10000).alias("jy"), (nw.col("_k") // 100).alias("_h"))
        .with_columns(
            (nw.col("_h") - nw.col("jy") * 100).alias("jm"),
            (nw.col("_k") - nw.col("_h") * 100).alias("jd"),
        )
        .with_columns(
            # null leaving parts, typed as the joining day's (pandas and Dask cannot cast a
            # null literal to an integer type)
            *(
                nw.when(nw.col("jn").is_null()).then(nw.col("jn")).alias(c)
                for c in ("ly", "lm", "ld", "ln")
            )
        )
        .select("member_id", "jy", "jm", "jd", "jn", "ly", "lm", "ld", "ln")
    )


class _Inputs:
    """The checked inputs: members and transactions with day numbers and minor units."""

    def __init__(  # noqa: C901, PLR0915 - one check list per input kind, kept in one place
        self,
        members: object,
        transactions: object,
        as_of: object,
        *,
        columns: Mapping[str, str] | None,
        currency: Currency | None,
        allow_refunds: bool,
        points_rate: Decimal | None = None,
    ) -> None:
        nw = _nw()
        if not isinstance(as_of, date) or type(as_of) is not date:
            raise InvalidInputError("as_of", f"must be a date, got {show(as_of)}")
        columns = dict(columns or {})
        for key, value in columns.items():
            if key not in {*MEMBER_COLUMNS, *TRANSACTION_COLUMNS} or not isinstance(value, str):
                raise InvalidInputError(
                    f"columns[{show(key)}]",
                    "must map member_id, joined_on, left_on, on or amount to a column name",
                )
        if currency is not None:
            check_instance("currency", currency, Currency)
        self.as_of = as_of
        self.exponent = 0 if currency is None else currency.exponent
        self.as_of_n = as_of.toordinal() + _ORDINAL_TO_JDN
        sales, self.eager = _lazy(transactions, "transactions")
        sales = _check_types(
            _renamed(sales, TRANSACTION_COLUMNS, columns, "transactions"), "transactions", columns
        )
        amount_dtype = sales.collect_schema()["amount"]
        minor, _ = _minor_units(amount_dtype, self.exponent)
        _, imprecise = _minor_units(amount_dtype, self.exponent, guarded=True)
        on_is_datetime = sales.collect_schema()["on"] == nw.Datetime
        col = columns.get

        def path(frame: str, column: str) -> str:
            return f"{frame}.{col(column, column)}"

        groups: list[tuple[Any, Mapping[str, Flag], Mapping[str, Any]]] = []
        if members is not None:
            people, _ = _lazy(members, "members")
            people = _check_types(
                _renamed(people, MEMBER_COLUMNS, columns, "members"), "members", columns
            )
            groups = [self._check_members(people, path)]
            people = _with_ymd(
                _with_ymd(people, "j", "joined_on"), "l", "left_on", cast=False
            ).select("member_id", "jy", "jm", "jd", "jn", "ly", "lm", "ld", "ln")
        # the transactions' checks, on day numbers that tolerate nulls (pandas' NaN years)
        # every flag and figure of the amount is taken before the join with the members: a
        # shuffle may not keep the amount's type (Dask's turns Arrow decimals into objects)
        amount_path = path("transactions", "amount")
        raw = _with_day_number(sales, "on", "tn", cast=False).with_columns(
            imprecise.alias("imprecise"),
            nw.col("amount").is_null().alias("no_amount"),
            (nw.col("amount") < 0).fill_null(value=False).alias("below_zero"),
            _too_large(amount_dtype, self.exponent).fill_null(value=False).alias("too_large"),
            nw.col("amount").cast(nw.Float64).abs().alias("size"),
        )
        if members is not None:
            raw = raw.join(people.select("member_id", "jn"), on="member_id", how="left")
        flags = {
            "null_id": _flag(
                raw, nw.col("member_id").is_null(), path("transactions", "member_id"), "is null"
            ),
            "null_on": _flag(raw, nw.col("on").is_null(), path("transactions", "on"), "is null"),
            "null_amount": _flag(raw, nw.col("no_amount"), amount_path, "is null"),
            "late": _flag(
                raw,
                (nw.col("tn") > self.as_of_n).fill_null(value=False),
                path("transactions", "on"),
                f"is after as_of ({as_of})",
            ),
            "imprecise": _flag(
                raw,
                nw.col("imprecise").fill_null(value=False),
                amount_path,
                f"has more decimals than the currency's {self.exponent}"
                + ("" if currency is not None else " (pass currency=)"),
            ),
        }
        if on_is_datetime:
            flags["time_on"] = _flag(
                raw,
                _not_midnight("on"),
                path("transactions", "on"),
                "has a time of day other than midnight",
            )
        if members is not None:
            flags["unknown"] = _flag(
                raw,
                nw.col("jn").is_null() & ~nw.col("member_id").is_null(),
                path("transactions", "member_id"),
                "unknown member",
            )
            flags["early"] = _flag(
                raw,
                (nw.col("tn") < nw.col("jn")).fill_null(value=False),
                path("transactions", "on"),
                "is before the member joined",
            )
        if not allow_refunds:
            flags["negative"] = _flag(
                raw, nw.col("below_zero"), amount_path, "must be >= 0 (refunds are not allowed)"
            )
        flags["too_large"] = _flag(
            raw,
            nw.col("too_large"),
            amount_path,
            f"is too large to sum exactly (|amount| x 10^{_digits(amount_dtype, self.exponent)}"
            " must be below 10^18, 64-bit integers)",
        )
        groups.append((raw, flags, {"spent": nw.col("size").sum()}))
        facts = _check(groups)
        self.left = 0 if members is None else _int(facts["left"])
        factor = 1 if points_rate is None else max(1, points_rate.as_integer_ratio()[0])
        total = float(facts["spent"] or 0) * 10**self.exponent * factor
        if not total < _SUM_LIMIT:
            raise InvalidInputError(
                amount_path,
                f"is too large to sum exactly: the amounts' sizes total {total:.3g} minor units"
                + (f" (x {factor}, the points' rate)" if factor > 1 else "")
                + ", more than 2^62 (64-bit integers)",
            )
        sales = _with_ymd(sales, "t", "on").with_columns(minor.alias("minor"))
        window = as_of - relativedelta(months=TRAILING_MONTHS)
        window_n = window.toordinal() + _ORDINAL_TO_JDN
        self.purchases = sales.select(
            "member_id",
            "tn",
            "minor",
            nw.when(nw.col("tn") > window_n).then(nw.col("minor")).otherwise(0).alias("recent"),
        )
        if members is None:
            people = _first_purchases(sales)
        self.members = people
        joined = sales.join(people.select("member_id", "jy", "jm", "jd"), on="member_id")
        age = _months_between(
            nw.col("jy"), nw.col("jm"), nw.col("jd"), nw.col("ty"), nw.col("tm"), nw.col("td")
        )
        self.sales = joined.select("member_id", "jy", "jm", "minor", age.alias("age"))

    def _check_members(
        self,
        people: Any,  # noqa: ANN401
        path: Any,  # noqa: ANN401
    ) -> tuple[Any, Mapping[str, Flag], Mapping[str, Any]]:
        """The members' flags, and the count of members who left."""
        nw = _nw()
        schema = people.collect_schema()
        raw = _with_day_number(
            _with_day_number(people, "joined_on", "jn", cast=False), "left_on", "ln", cast=False
        )
        copies = people.group_by("member_id").agg(nw.len().alias("copies"))
        dupes = copies.filter(nw.col("copies") > 1)
        flags = {
            "null_id": _flag(
                raw, nw.col("member_id").is_null(), path("members", "member_id"), "is null"
            ),
            "null_joined": _flag(
                raw, nw.col("joined_on").is_null(), path("members", "joined_on"), "is null"
            ),
            "dupe": (
                nw.len() - nw.col("member_id").n_unique(),
                dupes,
                path("members", "member_id"),
                "duplicate members (rows beyond the first)",
            ),
            "joined_late": _flag(
                raw,
                (nw.col("jn") > self.as_of_n).fill_null(value=False),
                path("members", "joined_on"),
                f"is after as_of ({self.as_of})",
            ),
            "left_late": _flag(
                raw,
                (nw.col("ln") > self.as_of_n).fill_null(value=False),
                path("members", "left_on"),
                f"is after as_of ({self.as_of})",
            ),
            "left_early": _flag(
                raw,
                (nw.col("ln") < nw.col("jn")).fill_null(value=False),
                path("members", "left_on"),
                "is before the member joined",
            ),
        }
        for c in ("joined_on", "left_on"):
            if schema[c] == nw.Datetime:
                flags[f"time_{c}"] = _flag(
                    raw,
                    _not_midnight(c),
                    path("members", c),
                    "has a time of day other than midnight",
                )
        return raw, flags, {"left": (~nw.col("ln").is_null()).cast(nw.Int64).sum()}

    def per_member(self) -> Any:  # noqa: ANN401
        """One row per member: their joining and leaving, and their figures (0 without any)."""
        nw = _nw()
        figures = self.purchases.group_by("member_id").agg(
            nw.len().alias("n"),
            nw.col("minor").sum().alias("revenue"),
            nw.col("tn").min().alias("first"),
            nw.col("tn").max().alias("last"),
            nw.col("recent").sum().alias("trailing"),
        )
        return self.members.join(figures, on="member_id", how="left").with_columns(
            nw.col("n").fill_null(0).cast(nw.Int64),
            nw.col("revenue").fill_null(0).cast(nw.Int64),
            nw.col("trailing").fill_null(0).cast(nw.Int64),
        )

    def amount(self, minor: object) -> Decimal:
        return Decimal(_int(minor)).scaleb(-self.exponent)

    def day(self, jdn: object) -> date:
        return date.fromordinal(_int(jdn) - _ORDINAL_TO_JDN)


# --- summarise -------------------------------------------------------------------------------


def summarise(
    members: object,
    transactions: object,
    as_of: date,
    *,
    columns: Mapping[str, str] | None = None,
    currency: Currency | None = None,
    allow_refunds: bool = False,
) -> MemberBase:
    """The member base of two native frames: `summary.summarise` on a dataframe engine.

    Every member's figures are collected (a `MemberBase` holds them); for the aggregates alone
    use [`analyse`][mteam.membership.frames.analyse].

    Args:
        members: The members frame (`member_id, joined_on, left_on`), or None for a
            transaction-only base (each member joins at their first purchase).
        transactions: The transactions frame (`member_id, on, amount`).
        as_of: The day of the summary.
        columns: Our column name → yours, for the columns named otherwise.
        currency: The currency of the amounts: its minor unit is the precision they may
            carry (whole units unless given).
        allow_refunds: Accept negative amounts.

    Raises:
        InvalidInputError: bad input (see the module docs).

    Examples:
        Polars frames, amounts in whole units (no currency given):

        >>> import polars as pl
        >>> from datetime import date
        >>> members = pl.DataFrame({
        ...     "member_id": ["a", "b"],
        ...     "joined_on": [date(2025, 1, 10), date(2025, 1, 20)],
        ...     "left_on": [None, date(2025, 4, 30)]})
        >>> sales = pl.DataFrame({
        ...     "member_id": ["a", "a", "b"],
        ...     "on": [date(2025, 1, 12), date(2025, 3, 15), date(2025, 2, 1)],
        ...     "amount": [30, 45, 20]})
        >>> base = summarise(members, sales, date(2025, 6, 30))
        >>> base.stats["b"].left_on, base.stats["b"].revenue, base.stats["a"].last_purchase
        (datetime.date(2025, 4, 30), Decimal('20'), datetime.date(2025, 3, 15))

        An amount finer than the currency is refused, with the rows at fault:

        >>> summarise(members, sales.with_columns(pl.col("amount") / 8), date(2025, 6, 30))
        Traceback (most recent call last):
        ...
        mteam.errors.InvalidInputError: transactions.amount: has more decimals than the \
currency's 0 (pass currency=): 3 rows, e.g. 'a', 'a', 'b'
    """
    inputs = _Inputs(
        members,
        transactions,
        as_of,
        columns=columns,
        currency=currency,
        allow_refunds=allow_refunds,
    )
    nw = _nw()
    rows = _collect_rows(inputs.per_member())
    masks: dict[str, int] = {}
    for r in _collect_rows(inputs.sales.select("member_id", "age").unique()):
        masks[r["member_id"]] = masks.get(r["member_id"], 0) | (1 << _int(r["age"]))
    revenue: dict[str, dict[int, Decimal]] = {}
    for r in _collect_rows(
        inputs.sales.group_by("jy", "jm", "age").agg(nw.col("minor").sum().alias("revenue"))
    ):
        cohort = f"{_int(r['jy']):04d}-{_int(r['jm']):02d}"
        revenue.setdefault(cohort, {})[_int(r["age"])] = inputs.amount(r["revenue"])
    stats = {}
    for r in sorted(rows, key=lambda r: str(r["member_id"])):
        bought = _int(r["n"]) > 0
        member_id = str(r["member_id"])
        stats[member_id] = MemberStats(
            member_id,
            inputs.day(r["jn"]),
            None if _missing(r["ln"]) else inputs.day(r["ln"]),
            _int(r["n"]),
            inputs.amount(r["revenue"]),
            inputs.day(r["first"]) if bought else None,
            inputs.day(r["last"]) if bought else None,
            inputs.amount(r["trailing"]),
            masks.get(member_id, 0),
        )
    return MemberBase(
        as_of,
        stats,
        {c: dict(sorted(row.items())) for c, row in sorted(revenue.items())},
    )


# --- the aggregates --------------------------------------------------------------------------


def _observed_alive(as_of: date) -> tuple[Any, Any]:
    nw = _nw()
    y, m, d = nw.col("jy"), nw.col("jm"), nw.col("jd")
    # months from joining to as_of: the day side is a constant, its month's end known here
    k = (as_of.year - y) * 12 + (as_of.month - m)
    if as_of.day < _month_end(as_of):
        observed = k - nw.when((k > 0) & (d > as_of.day)).then(1).otherwise(0)
    else:
        observed = k
    to_left = _months_between(y, m, d, nw.col("ly"), nw.col("lm"), nw.col("ld"))
    alive = (
        nw.when(nw.col("ln").is_null() | (to_left >= observed)).then(observed).otherwise(to_left)
    )
    return observed, alive


def _month_end(day: date) -> int:
    return ((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day


def _tier_index(policy: TierPolicy, exponent: int) -> Any:  # noqa: ANN401
    nw = _nw()
    expr = nw.lit(0)
    for i, tier in enumerate(policy.tiers[1:], start=1):
        threshold = -((-tier.min_spend.scaleb(exponent)) // 1)  # ceil, in minor units
        expr = nw.when(nw.col("trailing") >= int(threshold)).then(i).otherwise(expr)
    return expr


_DIMENSIONS: Final = ("rkey", "n", "revenue")


def _collect_tables(
    tables: Mapping[str, tuple[Any, tuple[str, ...]]],
) -> dict[str, list[tuple[int, ...]]]:
    """Several small integer tables in one collect, each as its rows of ints.

    Each table (a frame and the columns wanted) is padded to one schema (`table, c0, c1, …`,
    0 in the columns it lacks) and the tables are concatenated: a lazy engine runs them as one
    query, one round trip.
    """
    nw = _nw()
    names = list(tables)
    width = max(len(cols) for _, cols in tables.values())
    parts = [
        frame.select(
            nw.lit(i).cast(nw.Int64).alias("table"),
            *(nw.col(c).cast(nw.Int64).alias(f"c{k}") for k, c in enumerate(cols)),
            *(nw.lit(0).cast(nw.Int64).alias(f"c{k}") for k in range(len(cols), width)),
        )
        for i, (frame, cols) in enumerate(tables.values())
    ]
    out: dict[str, list[tuple[int, ...]]] = {name: [] for name in names}
    for r in _collect_rows(nw.concat(parts, how="vertical")):
        name = names[_int(r["table"])]
        out[name].append(tuple(_int(r[f"c{k}"]) for k in range(len(tables[name][1]))))
    return out


def _value_counts(frame: Any) -> dict[str, tuple[Any, tuple[str, ...]]]:  # noqa: ANN401
    """The tables of members per recency key, purchases and revenue (for the cut points)."""
    nw = _nw()
    return {
        key: (frame.group_by(key).agg(nw.len().alias("count")), (key, "count"))
        for key in _DIMENSIONS
    }


def _counted(tables: Mapping[str, list[tuple[int, ...]]]) -> list[dict[int, int]]:
    return [{row[0]: row[1] for row in tables[key]} for key in _DIMENSIONS]


_Plan = list[list[tuple[int, Any]]]
"""Per dimension, each cut point's value and its tie-break: None (shared ties), an id, or the
name of the column that holds the id."""


def _plan(counts: list[dict[int, int]], n: int, ties: str) -> tuple[_Plan, list[Any]]:
    """The cut points' values from the counts; for ranked ties, the queries for their ids.

    Rank ties: each cut point is the j-th smallest id among the members with the value v,
    to be found in the engine; the plan names its column `id{k}`, and the second list holds
    (k, dimension, v, j) for each.
    """
    if ties == "shared":
        return [[(v, None) for v, _ in _shared_cut_points(c, n)] for c in counts], []
    wanted = [
        (d * 4 + i, d, *_rank_position(counts[d], p))
        for d in range(3)
        for i, p in enumerate(_rank_cut_positions(n))
    ]
    plan: _Plan = [[(v, f"id{k}") for k, dd, v, _ in wanted if dd == d] for d in range(3)]
    return plan, wanted


def _id_row(frame: Any, wanted: list[Any]) -> Any:  # noqa: ANN401
    """One row, lazily: the member id of each rank cut point, in column `id{k}`."""
    nw = _nw()
    row: Any = None
    for k, d, v, j in wanted:
        one = (
            frame.filter(nw.col(_DIMENSIONS[d]) == v)
            .select("member_id", _DIMENSIONS[d])  # two columns: Dask sorts a frame, not a series
            .sort("member_id")
            .head(j + 1)
            .select(nw.col("member_id").max().alias(f"id{k}"))
        )
        row = one if row is None else row.join(one, how="cross")
    return row


def _dask_ids(frame: Any, wanted: list[Any]) -> dict[str, str]:  # noqa: ANN401
    """The rank cut points' ids on Dask, in one collect of the tie groups' ids.

    narwhals 2.29 cannot sort then take the head of a Dask frame: the groups' ids come back
    and are sorted here.
    """
    nw = _nw()
    groups = [
        frame.filter(nw.col(_DIMENSIONS[d]) == v).select(
            "member_id", nw.lit(k).cast(nw.Int64).alias("cut")
        )
        for k, d, v, _ in wanted
    ]
    tied: dict[int, list[str]] = {}
    for r in _collect_rows(nw.concat(groups)):
        tied.setdefault(_int(r["cut"]), []).append(str(r["member_id"]))
    return {f"id{k}": sorted(tied[k])[j] for k, _, _, j in wanted}


def _with_ids(
    frame: Any,  # noqa: ANN401
    plan: _Plan,
    wanted: list[Any],
) -> tuple[Any, _Plan, bool, dict[str, str]]:
    """The frame ready to score, its scoring plan, whether the plan's ids are columns, the ids.

    The id row is joined on lazily; on Dask the ids are collected and scored as values.
    """
    nw = _nw()
    if not wanted:
        return frame, plan, False, {}
    if frame.implementation is nw.Implementation.DASK:
        ids = _dask_ids(frame, wanted)
        return frame, [[(v, ids[c]) for v, c in dim] for dim in plan], False, ids
    return frame.join(_id_row(frame, wanted), how="cross"), plan, True, {}


def _score_expr(key: str, cuts: list[tuple[int, Any]], *, columns: bool) -> Any:  # noqa: ANN401
    """1 + the cut points reached: the value above, or equal with the id at or above."""
    nw = _nw()
    expr = nw.lit(1)
    for value, tie in cuts:
        if tie is None:
            reached = nw.col(key) >= value
        else:
            member = nw.col(tie) if columns else nw.lit(tie)
            reached = (nw.col(key) > value) | (
                (nw.col(key) == value) & (nw.col("member_id") >= member)
            )
        expr = expr + nw.when(reached).then(1).otherwise(0)
    return expr.cast(nw.Int64)


def _scored(frame: Any, plan: _Plan, *, columns: bool) -> Any:  # noqa: ANN401
    """r, f and m by the plan (`columns`: its ids are the names of the columns holding them)."""
    return frame.with_columns(
        *(
            _score_expr(key, cuts, columns=columns).alias(score)
            for key, cuts, score in zip(_DIMENSIONS, plan, ("r", "f", "m"), strict=True)
        )
    )


def _plan_of(cuts: RFMCuts, inputs: _Inputs) -> _Plan:
    """The scoring plan of given cut points (their ids as values)."""
    recency = [_NEVER if d is None else d.toordinal() for d in cuts.recency]
    monetary = [int(v.scaleb(inputs.exponent)) for v in cuts.monetary]
    dims = (
        (recency, cuts.recency_ids),
        (list(cuts.frequency), cuts.frequency_ids),
        (monetary, cuts.monetary_ids),
    )
    return [
        [(v, None if cuts.ties == "shared" else i) for v, i in zip(values, ids, strict=True)]
        for values, ids in dims
    ]


def _rfm_cuts(ties: str, n: int, plan: _Plan, ids: Mapping[str, str], inputs: _Inputs) -> RFMCuts:
    """The cut points of a plan, its ids found (`ids`: column name → id)."""
    recency, frequency, monetary = (
        [(v, "" if c is None else ids[c]) for v, c in dim] for dim in plan
    )
    return RFMCuts(
        ties,
        n,
        tuple(None if k == _NEVER else inputs.day(k + _ORDINAL_TO_JDN) for k, _ in recency),
        tuple(i for _, i in recency),
        tuple(k for k, _ in frequency),
        tuple(i for _, i in frequency),
        tuple(inputs.amount(k) for k, _ in monetary),
        tuple(i for _, i in monetary),
    )


def _rank_position(counts: dict[int, int], position: int) -> tuple[int, int]:
    """The value at a 0-based position of the sorted values, and the position among its ties."""
    below = 0
    for value in sorted(counts):
        if below + counts[value] > position:
            return value, position - below
        below += counts[value]
    raise AssertionError(position)  # positions are below the number of members


@contextmanager
def _held(frame: Any) -> Iterator[Any]:  # noqa: ANN401
    """The frame computed once and held by its engine, for the collects that read it again.

    DuckDB materialises the relation (from DuckDB 2; earlier versions run its query again for
    each collect) and polars collects it (both in the process's memory, one row per member);
    Spark caches the DataFrame on its executors (released afterwards).
    pandas and pyarrow compute every step as it is written anyway; Dask is left to its planner
    (persisting the frame makes dask-expr tokenize its whole expression graph, slower than the
    work it saves). Nothing comes to Python objects.
    """
    nw = _nw()
    impl = frame.implementation
    native = frame.to_native()
    if impl is nw.Implementation.DUCKDB and hasattr(native, "materialize"):  # DuckDB 2
        yield nw.from_native(native.materialize())
    elif impl in {nw.Implementation.PYSPARK, nw.Implementation.PYSPARK_CONNECT}:
        cached = native.cache()
        try:
            yield nw.from_native(cached)
        finally:
            cached.unpersist()
    elif impl is nw.Implementation.POLARS:
        yield frame.collect().lazy()
    else:
        yield frame


def _with_keys(inputs: _Inputs) -> Any:  # noqa: ANN401
    nw = _nw()
    frame = inputs.per_member()
    # the recency key: the day's ordinal (date.toordinal), 0 for "never"
    return frame.with_columns(
        (nw.col("last") - _ORDINAL_TO_JDN).fill_null(_NEVER).cast(nw.Int64).alias("rkey")
    )


def _points(inputs: _Inputs, policy: PointsPolicy) -> Any:  # noqa: ANN401
    """One row: the unexpired points held by all members, and the members holding some."""
    nw = _nw()
    cutoff = inputs.as_of - relativedelta(months=policy.expiry_months)
    cutoff_n = cutoff.toordinal() + _ORDINAL_TO_JDN
    num, den = policy.earn_rate.as_integer_ratio()
    den *= 10**inputs.exponent
    scaled = nw.col("minor") * num
    points = nw.when(scaled >= 0).then(scaled // den).otherwise(-((-scaled) // den))
    per_member = (
        inputs.purchases.filter(nw.col("tn") > cutoff_n)
        .with_columns(points.alias("points"))
        .group_by("member_id")
        .agg(nw.col("points").sum().alias("points"))
    )
    return per_member.select(
        nw.col("points").sum().alias("held"),
        (nw.col("points") != 0).cast(nw.Int64).sum().alias("holders"),
    )


# --- the repeat purchases --------------------------------------------------------------------


def _day_number(day: date) -> int:
    return day.toordinal() + _ORDINAL_TO_JDN


_PROFILE: Final = ("x", "first", "last", "spend")


def _repeat_members(daily: Any, end: date) -> Any:  # noqa: ANN401
    """Per member with a purchase day by `end`: x, first and last day, the repeat spend.

    As `repeat.repeat_members` counts them: the days are day numbers, the spend minor units.

    The times t_x and T in calendar months are computed in Python, once per distinct row of
    the profile table (`repeat.elapsed`): the same arithmetic as the pure path's.
    """
    nw = _nw()
    days = daily.filter(nw.col("tn") <= _day_number(end))
    per = days.group_by("member_id").agg(
        nw.col("tn").min().alias("first"),
        nw.col("tn").max().alias("last"),
        nw.len().alias("days"),
        nw.col("spent").sum().alias("total"),
    )
    opening = (
        days.join(per.select("member_id", "first"), on="member_id")
        .filter(nw.col("tn") == nw.col("first"))
        .select("member_id", nw.col("spent").alias("opening"))
    )
    return per.join(opening, on="member_id").select(
        "member_id",
        (nw.col("days") - 1).alias("x"),
        "first",
        "last",
        (nw.col("total") - nw.col("opening")).alias("spend"),
    )


def _repeat_tables(
    inputs: _Inputs, policy: MembershipPolicy
) -> tuple[dict[str, tuple[Any, tuple[str, ...]]], Any]:
    """The repeat purchases' count tables, and the purchase days (member, day, spent).

    `repeat`: members per distinct (x, first day, last day, repeat spend) up to `as_of`; with
    a refund policy, `refunds`: the days whose total is below 0; with a holdout, `calibration`
    (the same to the end of calibration, with the holdout purchases) and `holdout_days` (the
    calibration members buying on each day after it).
    """
    nw = _nw()
    daily = inputs.purchases.group_by("member_id", "tn").agg(nw.col("minor").sum().alias("spent"))
    counts = nw.len().alias("count")
    tables: dict[str, tuple[Any, tuple[str, ...]]] = {
        "repeat": (
            _repeat_members(daily, inputs.as_of).group_by(*_PROFILE).agg(counts),
            (*_PROFILE, "count"),
        )
    }
    if policy.allow_refunds:
        negative = (nw.col("spent") < 0).cast(nw.Int64).sum().alias("days")
        tables["refunds"] = (daily.select(negative), ("days",))
    if policy.holdout_months is not None:
        end = add_months(inputs.as_of, -policy.holdout_months)
        members = _repeat_members(daily, end)
        later = daily.filter(nw.col("tn") > _day_number(end)).join(
            members.select("member_id"), on="member_id"
        )
        held = later.group_by("member_id").agg(nw.len().alias("holdout"))
        members = members.join(held, on="member_id", how="left").with_columns(
            nw.col("holdout").fill_null(0)
        )
        tables["calibration"] = (
            members.group_by(*_PROFILE).agg(counts, nw.col("holdout").sum()),
            (*_PROFILE, "count", "holdout"),
        )
        tables["holdout_days"] = (
            later.group_by("tn").agg(nw.len().alias("members")),
            ("tn", "members"),
        )
    return tables, daily


def _refund_day(daily: Any, inputs: _Inputs) -> InvalidInputError:  # noqa: ANN401
    """The error of the first (member, day) whose purchases total below 0, as the pure path's."""
    nw = _nw()
    negative = daily.filter(nw.col("spent") < 0)
    who = _collect_rows(negative.select(nw.col("member_id").min()))[0]["member_id"]
    days = _collect_rows(negative.filter(nw.col("member_id") == who).select("tn", "spent"))
    first = min(days, key=lambda r: _int(r["tn"]))
    return InvalidInputError(
        "policy.allow_refunds",
        "the repeat-purchase models need every purchase day's total >= 0: "
        f"{who}'s purchases on {inputs.day(first['tn'])} total {inputs.amount(first['spent'])}",
    )


def _summary(
    rows: list[tuple[int, ...]],
    end: date,
    inputs: _Inputs,
    holdout: tuple[date, tuple[int, ...]] | None = None,
) -> tuple[RepeatSummary, dict[tuple[int, float, float, Decimal], int]]:
    """The repeat summary of the profile table's rows, and the members per (x, t_x, T, spend)."""
    if not rows:
        raise InvalidInputError(
            "transactions", f"must hold a purchase on or before {end}: none found"
        )
    values: dict[tuple[int, float, float, Decimal], int] = {}
    profiles, spends = [], []
    for x, first, last, spend, count, *held in rows:
        start = inputs.day(first)
        t_x = elapsed(start, inputs.day(last), TimeUnit.MONTH)
        key = (x, t_x, elapsed(start, end, TimeUnit.MONTH), inputs.amount(spend))
        values[key] = values.get(key, 0) + count
        profiles.append(Profile(x, key[1], key[2], count, held[0] if held else 0))
        if x and spend > 0:
            spends.append(SpendProfile(x, key[3], count))
    summary = RepeatSummary(
        TimeUnit.MONTH,
        profiles,
        spends,
        () if holdout is None else holdout[1],
        end,
        None if holdout is None else holdout[0],
    )
    return summary, values


def _repeat_inputs(
    tables: Mapping[str, list[tuple[int, ...]]],
    daily: Any,  # noqa: ANN401
    inputs: _Inputs,
    policy: MembershipPolicy,
) -> _RepeatInputs:
    """What the repeat-purchase section is fitted on, from the collected tables."""
    if policy.allow_refunds and tables["refunds"][0][0]:
        raise _refund_day(daily, inputs)
    summary, values = _summary(tables["repeat"], inputs.as_of, inputs)
    calibration = None
    if policy.holdout_months is not None:
        end = add_months(inputs.as_of, -policy.holdout_months)
        periods = math.ceil(elapsed(end, inputs.as_of, TimeUnit.MONTH) - 1e-12)
        by_period = [0] * periods
        for day, buyers in tables["holdout_days"]:  # as `repeat._fold` counts them
            k = math.ceil(elapsed(end, inputs.day(day), TimeUnit.MONTH) - 1e-12)
            by_period[min(max(k, 1), periods) - 1] += buyers
        calibration, _ = _summary(
            tables["calibration"], end, inputs, (inputs.as_of, tuple(by_period))
        )
    return _RepeatInputs(summary, tuple(sorted(values.items())), calibration)


# --- analyse ---------------------------------------------------------------------------------


def analyse(
    members: object,
    transactions: object,
    as_of: date,
    policy: MembershipPolicy | None = None,
    *,
    columns: Mapping[str, str] | None = None,
) -> MemberAnalysis:
    """The member-base analysis of two native frames: `analysis.analyse` on a dataframe engine.

    Equal (`==`) to `analysis.analyse` on the same records; only count tables leave the engine,
    in three collects (four on Dask): the checks; every count table at once (the cohorts', the
    durations', the RFM values', the tiers', the points' and the repeat purchases' profiles);
    the RFM cut points' ids with the segment sizes. The members' figures, which most of those
    tables read, are computed once and held by the engine in between (see the frames guide).

    Args:
        members: The members frame, or None for a transaction-only base.
        transactions: The transactions frame.
        as_of: The day of the analysis.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given
            (its currency is the amounts' precision).
        columns: Our column name → yours.

    Raises:
        InvalidInputError: bad input (see the module docs), or too little data to fit the
            models chosen.

    Examples:
        >>> import polars as pl
        >>> from datetime import date
        >>> members = pl.DataFrame({
        ...     "member_id": ["a", "b", "c", "d"],
        ...     "joined_on": [date(2025, 1, 10), date(2025, 1, 20), date(2025, 2, 3),
        ...                   date(2025, 2, 14)],
        ...     "left_on": [None, date(2025, 4, 30), date(2025, 3, 20), None]})
        >>> sales = pl.DataFrame({
        ...     "member_id": ["a", "a", "b", "c", "d"],
        ...     "on": [date(2025, 1, 12), date(2025, 3, 15), date(2025, 2, 1), date(2025, 2, 3),
        ...            date(2025, 5, 2)],
        ...     "amount": [30, 45, 20, 15, 60]})
        >>> result = analyse(members, sales, date(2025, 6, 30))
        >>> result.models, result.members, result.current_members, result.average_order_value
        ('contractual', 4, 2, Decimal('34'))
        >>> result.segment_counts["Loyal"], result.segment_counts["Hibernating"]
        (2, 2)
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    return _from_aggregates(_aggregates(members, transactions, as_of, policy, columns), policy)


def _aggregates(
    members: object,
    transactions: object,
    as_of: date,
    policy: MembershipPolicy,
    columns: Mapping[str, str] | None,
) -> _Aggregates:
    """The count tables and totals of the analysis, as `analysis._analyse_base` gathers them."""
    inputs = _Inputs(
        members,
        transactions,
        as_of,
        columns=columns,
        currency=policy.currency,
        allow_refunds=policy.allow_refunds,
        points_rate=None if policy.points is None else policy.points.earn_rate,
    )
    with _held(_with_keys(inputs)) as frame:
        return _tables(inputs, frame, policy)


def _tables(inputs: _Inputs, frame: Any, policy: MembershipPolicy) -> _Aggregates:  # noqa: ANN401
    """The aggregates from the members' figures with their keys (`_with_keys`), held."""
    nw = _nw()
    as_of = inputs.as_of
    start = as_of - relativedelta(months=12) + timedelta(days=1)
    start_n = start.toordinal() + _ORDINAL_TO_JDN
    observed, alive = _observed_alive(as_of)
    present_start = (nw.col("jn") <= start_n) & (nw.col("ln").is_null() | (nw.col("ln") >= start_n))
    present_end = nw.col("ln").is_null() | (nw.col("ln") >= inputs.as_of_n)
    keys = ("jy", "jm", "observed", "alive", "current", "at_start", "retained", "joined", "tier")
    main = (
        frame.with_columns(
            observed.alias("observed"),
            alive.alias("alive"),
            nw.col("ln").is_null().alias("current"),
            present_start.alias("at_start"),
            (present_start & present_end).alias("retained"),
            (~present_start & (nw.col("jn") > start_n)).alias("joined"),
            _tier_index(policy.tiers, inputs.exponent).alias("tier"),
        )
        .group_by(*keys)
        .agg(
            nw.len().alias("count"),
            nw.col("n").sum().alias("purchases"),
            nw.col("revenue").sum().alias("revenue"),
        )
    )
    activity = inputs.sales.group_by("jy", "jm", "age").agg(
        nw.col("member_id").n_unique().alias("buyers"),
        nw.col("minor").sum().alias("revenue"),
    )
    wanted_tables: dict[str, tuple[Any, tuple[str, ...]]] = {
        "main": (main, (*keys, "count", "purchases", "revenue")),
        "activity": (activity, ("jy", "jm", "age", "buyers", "revenue")),
        **_value_counts(frame),
    }
    if policy.points is not None:
        wanted_tables["points"] = (_points(inputs, policy.points), ("held", "holders"))
    need_repeat = policy.models in {"non-contractual", "both"} or (
        policy.models == "auto" and inputs.left == 0
    )
    daily = None
    if need_repeat:
        repeat_tables, daily = _repeat_tables(inputs, policy)
        wanted_tables.update(repeat_tables)
    tables = _collect_tables(wanted_tables)
    if not tables["main"]:
        raise InvalidInputError("members", "must not be empty")
    repeat = _repeat_inputs(tables, daily, inputs, policy) if need_repeat else None
    last_observed: dict[str, dict[int, int]] = {}
    last_alive: dict[str, dict[int, int]] = {}
    durations: dict[int, list[int]] = {}
    tiers = [0] * len(policy.tiers.tiers)
    n = at_start = retained = joined = current = purchases = revenue = 0
    for jy, jm, o, a, now, at, kept, new, tier, count, bought, spent in tables["main"]:
        cohort = f"{jy:04d}-{jm:02d}"
        row = last_observed.setdefault(cohort, {})
        row[o] = row.get(o, 0) + count
        row = last_alive.setdefault(cohort, {})
        row[a] = row.get(a, 0) + count
        durations.setdefault(a, [0, 0])[now] += count
        tiers[tier] += count
        n += count
        current += count * now
        at_start += count * at
        retained += count * kept
        joined += count * new
        purchases += bought
        revenue += spent
    active: dict[str, dict[int, int]] = {}
    cohort_revenue: dict[str, dict[int, Decimal]] = {}
    for jy, jm, age, buyers, spent in tables["activity"]:
        cohort = f"{jy:04d}-{jm:02d}"
        active.setdefault(cohort, {})[age] = buyers
        cohort_revenue.setdefault(cohort, {})[age] = inputs.amount(spent)
    cuts, segments = _segments(frame, policy.rfm, _counted(tables), n, inputs)
    points = tables["points"][0] if "points" in tables else (0, 0)
    sizes = {c: sum(row.values()) for c, row in last_observed.items()}
    return _Aggregates(
        as_of=as_of,
        members=n,
        current_members=current,
        purchases=purchases,
        revenue=inputs.amount(revenue),
        retention=RetentionCounts(start, as_of, at_start, retained, joined),
        cohorts=_cohort_table(as_of, last_observed, last_alive, active),
        durations=DurationTable(
            TimeUnit.MONTH, {t: (e, c) for t, (e, c) in sorted(durations.items())}
        ),
        cohort_values=_cohort_values(sizes, cohort_revenue, policy.gross_margin),
        rfm_cuts=cuts,
        segment_counts=segments,
        tier_counts={t.name.en: k for t, k in zip(policy.tiers.tiers, tiers, strict=True)},
        points_held=points[0],
        points_holders=points[1],
        repeat=repeat,
    )


def _segments(
    frame: Any,  # noqa: ANN401
    policy: RFMPolicy,
    counts: list[dict[int, int]],
    n: int,
    inputs: _Inputs,
) -> tuple[RFMCuts, dict[str, int]]:
    """The cut points and the segment sizes, in one collect (two on Dask).

    The ids of the rank cut points are found in the same query that counts the members per
    (r, f).
    """
    nw = _nw()
    plan, wanted = _plan(counts, n, policy.ties)
    ready, scoring, columns, ids = _with_ids(frame, plan, wanted)
    names = [f"id{k}" for k, *_ in wanted] if columns else []
    rows = _collect_rows(
        _scored(ready, scoring, columns=columns)
        .group_by("r", "f")
        .agg(nw.len().alias("count"), *(nw.col(c).max() for c in names))
    )
    if columns:
        ids = {c: str(rows[0][c]) for c in names}
    grid = {(r, f): policy.segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    segments = {rule.name: 0 for rule in policy.segments}
    for r in rows:
        segments[grid[_int(r["r"]), _int(r["f"])]] += _int(r["count"])
    return _rfm_cuts(policy.ties, n, plan, ids, inputs), segments


def _cohort_table(
    as_of: date,
    last_observed: dict[str, dict[int, int]],
    last_alive: dict[str, dict[int, int]],
    active: dict[str, dict[int, int]],
) -> CohortTable:
    """The cohort table from its counts, as `retention.cohort_table` builds it."""
    cells: dict[str, dict[int, CohortCell]] = {}
    for cohort in sorted(last_observed):
        top = max(last_observed[cohort])
        observed_n = alive_n = 0
        column: list[CohortCell] = []
        for age in range(top, -1, -1):
            observed_n += last_observed[cohort].get(age, 0)
            alive_n += last_alive[cohort].get(age, 0)
            column.append(CohortCell(observed_n, alive_n, active.get(cohort, {}).get(age, 0)))
        cells[cohort] = dict(enumerate(reversed(column)))
    return CohortTable(as_of, cells)


def _cohort_values(
    sizes: dict[str, int], revenue: dict[str, dict[int, Decimal]], gross_margin: float
) -> tuple[CohortValue, ...]:
    """Cumulative margin per original member, as `cltv.cohort_cltv` computes it."""
    margin = Decimal(repr(gross_margin))
    out = []
    for cohort in sorted(sizes):
        row = revenue.get(cohort, {})
        running = Decimal(0)
        cumulative = {}
        for age in range(max(row, default=0) + 1):
            running += row.get(age, Decimal(0))
            cumulative[age] = running * margin / sizes[cohort]
        out.append(CohortValue(cohort, sizes[cohort], cumulative))
    return tuple(out)


# --- per member ------------------------------------------------------------------------------


def score(
    members: object,
    transactions: object,
    as_of: date,
    policy: MembershipPolicy | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    cuts: RFMCuts | None = None,
) -> Any:  # noqa: ANN401
    """Each member's RFM scores, segment and tier, as a frame of the input's own engine.

    The columns: `member_id, purchases, revenue_minor, recency, r, f, m, segment,
    trailing_minor, tier` (amounts in integer minor units of the policy's currency; recency in
    days, null without a purchase). The frame is lazy when the transactions were (nothing is
    collected but the small tables behind the cut points, and not even those when `cuts` is
    given); eager inputs give an eager frame.

    Args:
        members: The members frame, or None for a transaction-only base.
        transactions: The transactions frame.
        as_of: The day of the scores.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given.
        columns: Our column name → yours.
        cuts: The RFM cut points (`analyse(...).rfm_cuts`); those of this base unless given.

    Raises:
        InvalidInputError: bad input (see the module docs).

    Examples:
        A lazy polars frame in, a lazy frame out:

        >>> import polars as pl
        >>> from datetime import date
        >>> members = pl.LazyFrame({
        ...     "member_id": ["a", "b", "c"],
        ...     "joined_on": [date(2025, 1, 10), date(2025, 1, 20), date(2025, 2, 3)],
        ...     "left_on": [None, date(2025, 4, 30), None]})
        >>> sales = pl.LazyFrame({
        ...     "member_id": ["a", "a", "b"],
        ...     "on": [date(2025, 1, 12), date(2025, 3, 15), date(2025, 2, 1)],
        ...     "amount": [30, 45, 6000]})
        >>> scores = score(members, sales, date(2025, 6, 30))
        >>> type(scores).__name__
        'LazyFrame'
        >>> scores.sort("member_id").select("member_id", "recency", "r", "f", "segment",
        ...                                 "tier").collect().rows()
        [('a', 107, 4, 4, 'Champions', 'Member'), ('b', 149, 2, 2, 'Hibernating', 'Silver'), \
('c', None, 1, 1, 'Hibernating', 'Member')]
    """
    nw = _nw()
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    inputs = _Inputs(
        members,
        transactions,
        as_of,
        columns=columns,
        currency=policy.currency,
        allow_refunds=policy.allow_refunds,
    )
    frame = _with_keys(inputs)
    if cuts is None:
        counts = _counted(_collect_tables(_value_counts(frame)))
        n = sum(counts[0].values())
        plan, wanted = _plan(counts, n, policy.rfm.ties) if n else ([[], [], []], [])
    else:
        check_instance("cuts", cuts, RFMCuts)
        plan, wanted = _plan_of(cuts, inputs), []
    ready, scoring, by_column, _ = _with_ids(frame, plan, wanted)
    segment = nw.lit(policy.rfm.segments[-1].name)
    for rule in reversed(policy.rfm.segments):
        segment = (
            nw.when(
                (nw.col("r") >= rule.r_min)
                & (nw.col("r") <= rule.r_max)
                & (nw.col("f") >= rule.f_min)
                & (nw.col("f") <= rule.f_max)
            )
            .then(nw.lit(rule.name))
            .otherwise(segment)
        )
    tier = nw.lit(policy.tiers.tiers[0].name.en)
    index = _tier_index(policy.tiers, inputs.exponent)
    for i, t in enumerate(policy.tiers.tiers[1:], start=1):
        tier = nw.when(index == i).then(nw.lit(t.name.en)).otherwise(tier)
    out = _scored(ready, scoring, columns=by_column).select(
        nw.col("member_id"),
        nw.col("n").alias("purchases"),
        nw.col("revenue").alias("revenue_minor"),
        (inputs.as_of_n - nw.col("last")).alias("recency"),
        "r",
        "f",
        "m",
        segment.alias("segment"),
        nw.col("trailing").alias("trailing_minor"),
        tier.alias("tier"),
    )
    return (out.collect() if inputs.eager else out).to_native()
