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

from collections.abc import Mapping
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
)
from mteam.membership.cltv import CohortValue
from mteam.membership.retention import CohortCell, CohortTable, RetentionCounts
from mteam.membership.rfm import (
    _NEVER,
    RFMCuts,
    RFMPolicy,
    _rank_cut_positions,
    _shared_cut_points,
)
from mteam.membership.summary import TRAILING_MONTHS, MemberBase, MemberStats
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


def _jdn(expr: Any, *, cast: bool = True) -> Any:  # noqa: ANN401
    """The Julian day number of a date expression, by integer arithmetic on y, m, d.

    A column with nulls is not cast (pandas holds its missing years as NaN floats).
    """
    nw = _nw()
    y, m, d = (
        part.cast(nw.Int64) if cast else part
        for part in (expr.dt.year(), expr.dt.month(), expr.dt.day())
    )
    a = (14 - m) // 12
    yy = y + 4800 - a
    mm = m + 12 * a - 3
    return d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - yy // 100 + yy // 400 - 32045


def _last_day(y: Any, m: Any) -> Any:  # noqa: ANN401
    nw = _nw()
    leap = ((y % 4) == 0) & (((y % 100) != 0) | ((y % 400) == 0))
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


def _ymd(prefix: str, col: str, *, cast: bool = True) -> list[Any]:
    nw = _nw()
    c = nw.col(col)
    parts = (c.dt.year(), c.dt.month(), c.dt.day())
    # a nullable column's parts are 0 where it is null (its day number stays null)
    y, m, d = (p.cast(nw.Int64) if cast else p.fill_null(0).cast(nw.Int64) for p in parts)
    return [
        y.alias(f"{prefix}y"),
        m.alias(f"{prefix}m"),
        d.alias(f"{prefix}d"),
        _jdn(c, cast=cast).alias(f"{prefix}n"),
    ]


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


def _check(frame: Any, flags: Mapping[str, tuple[Any, Any, str, str]]) -> None:  # noqa: ANN401
    """Count every problem in one pass; raise them all, with a few member ids each.

    `flags`: key → (the count as an aggregate expression, the rows at fault as a frame with a
    `member_id` column, the column's path, the message).
    """
    nw = _nw()
    counts = _collect_rows(
        frame.select([count.alias(key) for key, (count, _, _, _) in flags.items()])
    )[0]
    problems = []
    for key, (_, rows, path, message) in flags.items():
        n = _int(counts[key])
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


def _flag(frame: Any, expr: Any, path: str, message: str) -> tuple[Any, Any, str, str]:  # noqa: ANN401
    """A problem flagged row by row: its count and its rows."""
    nw = _nw()
    return (expr.cast(nw.Int64).sum(), frame.filter(expr), path, message)


def _minor_units(dtype: Any, exponent: int) -> tuple[Any, Any]:  # noqa: ANN401
    """The amount in integer minor units, and the flag of amounts with too many decimals."""
    nw = _nw()
    scale = 10**exponent
    amount = nw.col("amount")
    if dtype.is_integer():
        return (amount.cast(nw.Int64) * scale), nw.lit(value=False)
    if dtype == nw.Decimal and isinstance(getattr(dtype, "scale", None), int):
        # the decimal's own scale s makes it an exact integer of 10**-s units (a cast of a
        # fractional decimal to an integer is an error on pyarrow and pandas' ArrowDtype);
        # the currency's minor units are a whole multiple or quotient of those
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
    whole = scaled.round(0).cast(nw.Int64)
    off = (scaled - whole).abs() > (scaled.abs() + 1) * 1e-9
    return whole, off | ~scaled.is_finite()


class _Inputs:
    """The checked inputs: members and transactions with day numbers and minor units."""

    def __init__(  # noqa: C901 - one check list per input kind, kept in one place
        self,
        members: object,
        transactions: object,
        as_of: object,
        *,
        columns: Mapping[str, str] | None,
        currency: Currency | None,
        allow_refunds: bool,
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
        minor, imprecise = _minor_units(amount_dtype, self.exponent)
        on_is_datetime = sales.collect_schema()["on"] == nw.Datetime
        col = columns.get

        def path(frame: str, column: str) -> str:
            return f"{frame}.{col(column, column)}"

        if members is not None:
            people, _ = _lazy(members, "members")
            people = _check_types(
                _renamed(people, MEMBER_COLUMNS, columns, "members"), "members", columns
            )
            self._check_members(people, path)
            people = people.with_columns(
                *_ymd("j", "joined_on"), *_ymd("l", "left_on", cast=False)
            ).select("member_id", "jy", "jm", "jd", "jn", "ly", "lm", "ld", "ln")
        # the transactions' checks, on day numbers that tolerate nulls (pandas' NaN years)
        raw = sales.with_columns(
            _jdn(nw.col("on"), cast=False).alias("tn"), imprecise.alias("imprecise")
        )
        if members is not None:
            raw = raw.join(people.select("member_id", "jn"), on="member_id", how="left")
        flags = {
            "null_id": _flag(
                raw, nw.col("member_id").is_null(), path("transactions", "member_id"), "is null"
            ),
            "null_on": _flag(raw, nw.col("on").is_null(), path("transactions", "on"), "is null"),
            "null_amount": _flag(
                raw, nw.col("amount").is_null(), path("transactions", "amount"), "is null"
            ),
            "late": _flag(
                raw,
                (nw.col("tn") > self.as_of_n).fill_null(value=False),
                path("transactions", "on"),
                f"is after as_of ({as_of})",
            ),
            "imprecise": _flag(
                raw,
                nw.col("imprecise").fill_null(value=False),
                path("transactions", "amount"),
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
                raw,
                (nw.col("amount") < 0).fill_null(value=False),
                path("transactions", "amount"),
                "must be >= 0 (refunds are not allowed)",
            )
        _check(raw, flags)
        sales = sales.with_columns(*_ymd("t", "on"), minor.alias("minor"))
        if members is None:
            first = sales.group_by("member_id").agg(nw.col("tn").min().alias("jn"))
            people = (
                sales.join(first, on="member_id")
                .filter(nw.col("tn") == nw.col("jn"))
                .group_by("member_id")
                .agg(
                    nw.col("ty").min().alias("jy"),
                    nw.col("tm").min().alias("jm"),
                    nw.col("td").min().alias("jd"),
                    nw.col("tn").min().alias("jn"),
                )
                .with_columns(
                    # null leaving parts, typed as the joining day's (pandas and Dask cannot
                    # cast a null literal to an integer type)
                    *(
                        nw.when(nw.col("jn").is_null()).then(nw.col("jn")).alias(c)
                        for c in ("ly", "lm", "ld", "ln")
                    )
                )
            )
        self.members = people
        joined = sales.join(people.select("member_id", "jy", "jm", "jd", "jn"), on="member_id")
        age = _months_between(
            nw.col("jy"), nw.col("jm"), nw.col("jd"), nw.col("ty"), nw.col("tm"), nw.col("td")
        )
        window = as_of - relativedelta(months=TRAILING_MONTHS)
        window_n = window.toordinal() + _ORDINAL_TO_JDN
        self.sales = joined.select(
            "member_id",
            "jy",
            "jm",
            "tn",
            "minor",
            age.alias("age"),
            nw.when(nw.col("tn") > window_n).then(nw.col("minor")).otherwise(0).alias("recent"),
        )

    def _check_members(self, people: Any, path: Any) -> None:  # noqa: ANN401
        nw = _nw()
        schema = people.collect_schema()
        raw = people.with_columns(
            _jdn(nw.col("joined_on"), cast=False).alias("jn"),
            _jdn(nw.col("left_on"), cast=False).alias("ln"),
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
        _check(raw, flags)

    def per_member(self) -> Any:  # noqa: ANN401
        """One row per member: their joining and leaving, and their figures (0 without any)."""
        nw = _nw()
        figures = self.sales.group_by("member_id").agg(
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


def _cuts(frame: Any, policy: RFMPolicy, n: int | None, inputs: _Inputs) -> RFMCuts:  # noqa: ANN401
    """The cut points: one collect of the three value-count tables, one for the ids."""
    nw = _nw()
    tables = [
        frame.group_by(key)
        .agg(nw.len().alias("count"))
        .select(
            nw.lit(i).cast(nw.Int64).alias("dim"),
            nw.col(key).cast(nw.Int64).alias("value"),
            nw.col("count").cast(nw.Int64),
        )
        for i, key in enumerate(_DIMENSIONS)
    ]
    counts: list[dict[int, int]] = [{}, {}, {}]
    for r in _collect_rows(nw.concat(tables, how="vertical")):
        counts[_int(r["dim"])][_int(r["value"])] = _int(r["count"])
    if n is None:  # the number of members, from the recency counts
        n = sum(counts[0].values())
    if not n:
        return RFMCuts(policy.ties, 0, (), (), (), (), (), ())
    if policy.ties == "shared":
        dims = [_shared_cut_points(c, n) for c in counts]
    else:
        # each cut point is the j-th smallest id among the members with the value v: the
        # largest of the j + 1 smallest, one row per cut point
        wanted = [
            (d, i, *_rank_position(counts[d], p))
            for d in range(3)
            for i, p in enumerate(_rank_cut_positions(n))
        ]
        queries = [
            frame.filter(nw.col(_DIMENSIONS[d]) == v)
            .select("member_id", _DIMENSIONS[d])  # two columns: Dask sorts a frame, not a series
            .sort("member_id")
            .head(j + 1)
            .select(
                nw.col("member_id").max(),
            )
            .with_columns(nw.lit(d * 4 + i).cast(nw.Int64).alias("cut"))
            for d, i, v, j in wanted
        ]
        if frame.implementation is nw.Implementation.DASK:
            # narwhals 2.29 cannot sort then take the head of a Dask frame: the tie groups' ids
            # come back, all in one collect, and are sorted here
            tied_ids: dict[int, list[str]] = {}
            groups = [
                frame.filter(nw.col(_DIMENSIONS[d]) == v).select(
                    "member_id", nw.lit(d * 4 + i).cast(nw.Int64).alias("cut")
                )
                for d, i, v, _ in wanted
            ]
            for r in _collect_rows(nw.concat(groups)) if groups else []:
                tied_ids.setdefault(_int(r["cut"]), []).append(str(r["member_id"]))
            ids = {d * 4 + i: sorted(tied_ids[d * 4 + i])[j] for d, i, _, j in wanted}
        else:
            rows = _collect_rows(nw.concat(queries)) if queries else []
            ids = {_int(r["cut"]): str(r["member_id"]) for r in rows}
        dims = [tuple((v, ids[d * 4 + i]) for dd, i, v, _ in wanted if dd == d) for d in range(3)]
    recency, frequency, monetary = dims
    return RFMCuts(
        policy.ties,
        n,
        tuple(None if k == _NEVER else inputs.day(k + _ORDINAL_TO_JDN) for k, _ in recency),
        tuple(i for _, i in recency),
        tuple(int(k) for k, _ in frequency),
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


def _score_expr(key: str, values: tuple[Any, ...], ids: tuple[str, ...]) -> Any:  # noqa: ANN401
    nw = _nw()
    expr = nw.lit(1)
    for value, member_id in zip(values, ids, strict=True):
        reached = (nw.col(key) > value) | (
            (nw.col(key) == value) & (nw.col("member_id") >= member_id)
        )
        expr = expr + nw.when(reached).then(1).otherwise(0)
    return expr


def _scored(frame: Any, cuts: RFMCuts, inputs: _Inputs) -> Any:  # noqa: ANN401
    nw = _nw()
    recency = tuple(_NEVER if d is None else d.toordinal() for d in cuts.recency)
    monetary = tuple(int(v.scaleb(inputs.exponent)) for v in cuts.monetary)
    return frame.with_columns(
        _score_expr("rkey", recency, cuts.recency_ids).cast(nw.Int64).alias("r"),
        _score_expr("n", cuts.frequency, cuts.frequency_ids).cast(nw.Int64).alias("f"),
        _score_expr("revenue", monetary, cuts.monetary_ids).cast(nw.Int64).alias("m"),
    )


def _with_keys(inputs: _Inputs) -> Any:  # noqa: ANN401
    nw = _nw()
    frame = inputs.per_member()
    # the recency key: the day's ordinal (date.toordinal), 0 for "never"
    return frame.with_columns(
        (nw.col("last") - _ORDINAL_TO_JDN).fill_null(_NEVER).cast(nw.Int64).alias("rkey")
    )


def _points(inputs: _Inputs, policy: PointsPolicy) -> tuple[int, int]:
    nw = _nw()
    cutoff = inputs.as_of - relativedelta(months=policy.expiry_months)
    cutoff_n = cutoff.toordinal() + _ORDINAL_TO_JDN
    num, den = policy.earn_rate.as_integer_ratio()
    den *= 10**inputs.exponent
    scaled = nw.col("minor") * num
    points = nw.when(scaled >= 0).then(scaled // den).otherwise(-((-scaled) // den))
    per_member = (
        inputs.sales.filter(nw.col("tn") > cutoff_n)
        .with_columns(points.alias("points"))
        .group_by("member_id")
        .agg(nw.col("points").sum().alias("points"))
    )
    row = _collect_rows(
        per_member.select(
            nw.col("points").sum().alias("held"),
            (nw.col("points") != 0).cast(nw.Int64).sum().alias("holders"),
        )
    )[0]
    return _int(row["held"]), _int(row["holders"])


def analyse(
    members: object,
    transactions: object,
    as_of: date,
    policy: MembershipPolicy | None = None,
    *,
    columns: Mapping[str, str] | None = None,
) -> MemberAnalysis:
    """The member-base analysis of two native frames: `analysis.analyse` on a dataframe engine.

    Equal (`==`) to `analysis.analyse` on the same records; only count tables leave the engine.

    Args:
        members: The members frame, or None for a transaction-only base.
        transactions: The transactions frame.
        as_of: The day of the analysis.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given
            (its currency is the amounts' precision).
        columns: Our column name → yours.

    Raises:
        InvalidInputError: bad input (see the module docs), or too little data to fit the sBG
            model.
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
    start = as_of - relativedelta(months=12) + timedelta(days=1)
    start_n = start.toordinal() + _ORDINAL_TO_JDN
    observed, alive = _observed_alive(as_of)
    present_start = (nw.col("jn") <= start_n) & (nw.col("ln").is_null() | (nw.col("ln") >= start_n))
    present_end = nw.col("ln").is_null() | (nw.col("ln") >= inputs.as_of_n)
    table = _collect_rows(
        frame.with_columns(
            observed.alias("observed"),
            alive.alias("alive"),
            nw.col("ln").is_null().alias("current"),
            present_start.alias("at_start"),
            (present_start & present_end).alias("retained"),
            (~present_start & (nw.col("jn") > start_n)).alias("joined"),
            _tier_index(policy.tiers, inputs.exponent).alias("tier"),
        )
        .group_by(
            "jy", "jm", "observed", "alive", "current", "at_start", "retained", "joined", "tier"
        )
        .agg(
            nw.len().alias("count"),
            nw.col("n").sum().alias("purchases"),
            nw.col("revenue").sum().alias("revenue"),
        )
    )
    if not table:
        raise InvalidInputError("members", "must not be empty")
    n = sum(_int(r["count"]) for r in table)
    last_observed: dict[str, dict[int, int]] = {}
    last_alive: dict[str, dict[int, int]] = {}
    durations: dict[int, list[int]] = {}
    tiers = [0] * len(policy.tiers.tiers)
    at_start = retained = joined = current = purchases = revenue = 0
    for r in table:
        count = _int(r["count"])
        cohort = f"{_int(r['jy']):04d}-{_int(r['jm']):02d}"
        o, a = _int(r["observed"]), _int(r["alive"])
        row = last_observed.setdefault(cohort, {})
        row[o] = row.get(o, 0) + count
        row = last_alive.setdefault(cohort, {})
        row[a] = row.get(a, 0) + count
        durations.setdefault(a, [0, 0])[1 if r["current"] else 0] += count
        tiers[_int(r["tier"])] += count
        current += count if r["current"] else 0
        at_start += count if r["at_start"] else 0
        retained += count if r["retained"] else 0
        joined += count if r["joined"] else 0
        purchases += _int(r["purchases"])
        revenue += _int(r["revenue"])
    active: dict[str, dict[int, int]] = {}
    cohort_revenue: dict[str, dict[int, Decimal]] = {}
    for r in _collect_rows(
        inputs.sales.group_by("jy", "jm", "age").agg(
            nw.col("member_id").n_unique().alias("buyers"),
            nw.col("minor").sum().alias("revenue"),
        )
    ):
        cohort = f"{_int(r['jy']):04d}-{_int(r['jm']):02d}"
        active.setdefault(cohort, {})[_int(r["age"])] = _int(r["buyers"])
        cohort_revenue.setdefault(cohort, {})[_int(r["age"])] = inputs.amount(r["revenue"])
    cuts = _cuts(frame, policy.rfm, n, inputs)
    grid = {(r, f): policy.rfm.segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    segments = {rule.name: 0 for rule in policy.rfm.segments}
    for r in _collect_rows(
        _scored(frame, cuts, inputs).group_by("r", "f").agg(nw.len().alias("count"))
    ):
        segments[grid[_int(r["r"]), _int(r["f"])]] += _int(r["count"])
    points = (0, 0) if policy.points is None else _points(inputs, policy.points)
    sizes = {c: sum(row.values()) for c, row in last_observed.items()}
    return _from_aggregates(
        _Aggregates(
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
        ),
        policy,
    )


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
        cuts = _cuts(frame, policy.rfm, None, inputs)
    check_instance("cuts", cuts, RFMCuts)
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
    out = _scored(frame, cuts, inputs).select(
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
