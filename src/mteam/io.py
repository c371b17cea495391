r"""The edge for files: JSON documents, the CSV readers, the bulk CSV summary, the samples.

Everything that reads or writes a file lives here (the domain never does):

* JSON documents: [`load`][mteam.io.load] and [`dump`][mteam.io.dump], through the one
  converter of [`mteam.convert`][mteam.convert] (whose `loads`, `dumps`, `structure` and
  `unstructure` are importable from here too);
* CSV: [`read_members`][mteam.io.read_members] and
  [`read_transactions`][mteam.io.read_transactions] (streaming readers),
  [`members_csv`][mteam.io.members_csv] and [`transactions_csv`][mteam.io.transactions_csv]
  (writers), and the bulk path [`summarise_csv`][mteam.io.summarise_csv] and
  [`read_and_analyse`][mteam.io.read_and_analyse];
* CSV or Parquet files analysed on the pure path or through a dataframe engine:
  [`analyse_files`][mteam.io.analyse_files] and [`is_parquet`][mteam.io.is_parquet];
* the bundled samples: [`load_sample_team`][mteam.io.load_sample_team],
  [`sample_team_text`][mteam.io.sample_team_text] and
  [`analyse_sample`][mteam.io.analyse_sample].

A members file has the columns `member_id, joined_on, left_on` (`left_on` empty for a current
member); a transactions file `member_id, on, amount`. Dates are ISO 8601, amounts decimal
numbers in the currency's unit. The readers stream: each row is checked and turned into a
record as it is read, and nothing holds the file's rows twice. Every bad row is reported with
its line number, and a file with bad rows is never loaded half-way: once the file is read, one
[`InvalidInputError`][mteam.errors.InvalidInputError] lists every bad row (at most
`max_problems`, then a count of the rest).

Examples:
    >>> import io
    >>> from mteam.io import read_members
    >>> [m.id for m in read_members(io.StringIO("member_id,joined_on,left_on\nA-1,2025-01-15,\n"))]
    ['A-1']
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import import_module, resources
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from mteam._problems import Problems, at
from mteam._validate import check_instance, show
from mteam.convert import _bad_bytes, _not_utf8, _surrogate, dumps, loads, structure, unstructure
from mteam.errors import InvalidInputError, Problem
from mteam.membership.analysis import (
    SAMPLE_AS_OF,
    MemberAnalysis,
    MembershipPolicy,
    analyse,
    analyse_base,
)
from mteam.membership.frames import analyse as frames_analyse
from mteam.membership.records import MEMBER_COLUMNS, TRANSACTION_COLUMNS, Member, Transaction
from mteam.membership.summary import MemberBase, summarise_rows
from mteam.review import TeamDocument

__all__ = [
    "ENGINES",
    "analyse_files",
    "analyse_sample",
    "dump",
    "dumps",
    "is_parquet",
    "load",
    "load_sample_team",
    "loads",
    "members_csv",
    "parse_transaction",
    "read_and_analyse",
    "read_members",
    "read_transactions",
    "sample_team_text",
    "structure",
    "summarise_csv",
    "transactions_csv",
    "unstructure",
]

T = TypeVar("T")


# --- JSON documents --------------------------------------------------------------------------


def _read(path: str | Path) -> bytes:
    """The file's bytes: decoding is `loads`'s, so a file and its bytes are read alike."""
    check_instance("path", path, str, os.PathLike)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError("file", f"cannot read {str(path)!r}: {exc.strerror}") from None


def load(cls: type[T], path: str | Path) -> T:
    """Read a JSON file into a value of `cls` (see [`loads`][mteam.convert.loads]).

    Examples:
        >>> import tempfile
        >>> from mteam.money import Currency
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "currency.json"
        ...     dump(Currency("XAU", 0), path)
        ...     load(Currency, path)
        Currency(code='XAU', exponent=0)
    """
    return loads(cls, _read(path))


def dump(obj: object, path: str | Path) -> None:
    """Write a value to a JSON file (UTF-8, indented, with a final newline).

    Examples:
        >>> import tempfile
        >>> from mteam.money import USD
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "usd.json"
        ...     dump(USD, path)
        ...     path.read_text(encoding="utf-8").splitlines()
        ['"USD"']
    """
    check_instance("path", path, str, os.PathLike)
    Path(path).write_text(dumps(obj) + "\n", encoding="utf-8")


# --- CSV -------------------------------------------------------------------------------------


def _open(source: str | Path | IO[str]) -> tuple[IO[str], str, bool]:
    if isinstance(source, (str, Path)):
        try:
            handle = Path(source).open(encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as exc:
            raise InvalidInputError(
                "file", f"cannot read {str(source)!r}: {exc.strerror}"
            ) from None
        return handle, Path(source).name, True
    if not hasattr(source, "read"):
        raise InvalidInputError("file", f"must be a path or an open text file, got {show(source)}")
    return source, getattr(source, "name", None) or "", False


def _checked_lines(handle: IO[str], name: str) -> Iterator[str]:
    """The lines of a text file opened by the caller, refusing lone surrogates.

    A file decoded strictly cannot hold one; a `StringIO`, or a file opened with
    `errors="surrogateescape"`, can, and it is refused as the bytes would have been.
    """
    for number, line in enumerate(handle, 1):
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError as exc:
                where = f"line {number}, column {exc.start + 1}"
                raise InvalidInputError(
                    f"{name}:{number}", f"not UTF-8 text: {_surrogate(line[exc.start])} ({where})"
                ) from None
        yield line


def _undecodable(source: object, name: str, line: int, exc: UnicodeDecodeError) -> Exception:
    """The error for a file that is not UTF-8: its first bad bytes, by line and column."""
    if isinstance(source, (str, Path)):  # read it again as bytes, to find the exact place
        raw = Path(source).read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as found:
            exc = found
            line = raw.count(b"\n", 0, found.start) + 1
            return InvalidInputError(
                f"{name}:{line}", _not_utf8(_bad_bytes(raw, exc), raw, exc.start)
            )
    return InvalidInputError(f"{name}:{line}", f"not UTF-8 text: {exc.reason}")


@contextlib.contextmanager
def _csv_table(
    source: str | Path | IO[str], columns: tuple[str, ...], default_name: str
) -> Iterator[tuple[Any, str]]:
    """Open a CSV file and check its header.

    Yields:
        The `csv.reader` past the header (its `line_num` is the line of the row just read)
        and the file's name for messages. An unreadable row (bad quoting, bad UTF-8, a lone
        surrogate) raises an `InvalidInputError` naming its line. A leading byte-order mark
        is ignored.
    """
    handle, name, owned = _open(source)
    name = name or default_name
    lines = handle if getattr(handle, "errors", None) == "strict" else _checked_lines(handle, name)
    try:
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InvalidInputError(f"{name}:1", f"not a readable CSV file ({exc})") from None
        except UnicodeDecodeError as exc:
            raise _undecodable(source, name, 1, exc) from None
        if header:
            header[0] = header[0].removeprefix("\ufeff")
        if header is None or [h.strip() for h in header] != list(columns):
            raise InvalidInputError(
                f"{name}:1", f"the header must be {','.join(columns)}, got {show(header)}"
            )
        try:
            yield reader, name
        except csv.Error as exc:
            raise InvalidInputError(f"{name}:{reader.line_num}", f"not readable ({exc})") from None
        except UnicodeDecodeError as exc:
            raise _undecodable(source, name, reader.line_num, exc) from None
    finally:
        if owned:
            handle.close()


def read_members(source: str | Path | IO[str], *, max_problems: int = 50) -> list[Member]:
    r"""Read a members CSV file (`member_id,joined_on,left_on`).

    Args:
        source: A path or an open text file.
        max_problems: How many bad rows to list before counting the rest.

    Returns:
        The members, in file order.

    Examples:
        >>> import io
        >>> members = read_members(io.StringIO(
        ...     "member_id,joined_on,left_on\nA-1,2025-01-15,\nA-2,2025-02-01,2025-08-31\n"))
        >>> [(m.id, m.joined_on.isoformat(), m.left_on) for m in members]
        [('A-1', '2025-01-15', None), ('A-2', '2025-02-01', datetime.date(2025, 8, 31))]

    Raises:
        InvalidInputError: listing every bad row by `file:line.column` (a wrong header, a bad
            date, leaving before joining, a duplicate id).
    """
    problems = Problems(max_problems)
    members: list[Member] = []
    seen: set[str] = set()
    days: dict[str, date] = {}

    def day(cell: str) -> date:  # each distinct date cell is parsed once, then looked up
        found = days[cell] = date.fromisoformat(cell)
        return found

    with _csv_table(source, MEMBER_COLUMNS, "members") as (reader, name):

        def at(column: str) -> str:  # where the row just read is, for a problem
            return f"{name}:{reader.line_num}{column}"

        for row in reader:
            if len(row) != len(MEMBER_COLUMNS):
                problems.add(at(""), f"expected {len(MEMBER_COLUMNS)} columns, got {len(row)}")
                continue
            member_id, joined, left = row
            member_id, joined, left = member_id.strip(), joined.strip(), left.strip()
            try:
                joined_on = days.get(joined) or day(joined)
            except ValueError:
                problems.add(at(".joined_on"), f"invalid date {show(joined)}")
                continue
            try:
                left_on = (days.get(left) or day(left)) if left else None
            except ValueError:
                problems.add(at(".left_on"), f"invalid date {show(left)}")
                continue
            if member_id in seen:
                problems.add(at(".member_id"), f"duplicate id {show(member_id)}")
                continue
            try:
                members.append(Member(member_id, joined_on, left_on))
            except InvalidInputError as err:
                problems.add(at(f".{err.path}"), err.message)
                continue
            seen.add(member_id)
    problems.raise_if_any()
    return members


def read_transactions(
    source: str | Path | IO[str], *, max_problems: int = 50
) -> Iterator[Transaction]:
    r"""Stream a transactions CSV file (`member_id,on,amount`), one record at a time.

    The file is read lazily; bad rows are collected and, once the last row is read, raised
    together, so a consumer never finishes with a file loaded half-way.

    Args:
        source: A path or an open text file.
        max_problems: How many bad rows to list before counting the rest.

    Yields:
        The transactions, each knowing its line number.

    Examples:
        >>> import io
        >>> list(read_transactions(io.StringIO("member_id,on,amount\nA-1,2025-01-20,x\n")))
        Traceback (most recent call last):
        mteam.errors.InvalidInputError: transactions:2.amount: invalid amount 'x'

    Raises:
        InvalidInputError: listing every bad row by `file:line.column`.
    """
    problems = Problems(max_problems)
    days: dict[str, date] = {}  # each distinct date cell is parsed once, then looked up
    with _csv_table(source, TRANSACTION_COLUMNS, "transactions") as (reader, name):
        for row in reader:
            parsed = _parse_cells(row, days)
            if isinstance(parsed, Problem):
                problems.add(at(f"{name}:{reader.line_num}", parsed.path), parsed.message)
                continue
            member_id, on, amount = parsed
            yield Transaction(member_id, on, amount, reader.line_num)
    problems.raise_if_any()


def parse_transaction(row: Sequence[str]) -> tuple[str, date, Decimal] | Problem:
    """Parse the cells of one transactions row, or name the first bad one.

    Returns:
        `(member_id, on, amount)`, or a `Problem` whose path is the column (empty for a row
        of the wrong width).

    Examples:
        >>> parse_transaction(["A-1", "2025-01-20", "12.50"])
        ('A-1', datetime.date(2025, 1, 20), Decimal('12.50'))
        >>> print(parse_transaction(["A-1", "2025-01-20", "NaN"]))
        amount: must be finite, got 'NaN'
    """
    if not isinstance(row, (list, tuple)) or not all(isinstance(cell, str) for cell in row):
        raise InvalidInputError("row", f"must be a list of text cells, got {show(row)}")
    return _parse_cells(row, {})


def _parse_cells(row: Sequence[str], days: dict[str, date]) -> tuple[str, date, Decimal] | Problem:
    """`parse_transaction` of a row known to be text cells, looking dates up in `days` first."""
    if len(row) != len(TRANSACTION_COLUMNS):
        return Problem("", f"expected {len(TRANSACTION_COLUMNS)} columns, got {len(row)}")
    member_id, on, amount = row
    day = days.get(on)
    if day is None:
        try:
            day = days[on] = date.fromisoformat(on.strip())
        except ValueError:
            return Problem("on", f"invalid date {show(on.strip())}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return Problem("amount", f"invalid amount {show(amount.strip())}")
    if not value.is_finite():
        return Problem("amount", f"must be finite, got {show(amount.strip())}")
    member_id = member_id.strip()
    if not member_id:
        return Problem("member_id", "must not be empty")
    return member_id, day, value


def members_csv(members: Iterable[Member]) -> str:
    r"""Members as CSV text (the format `read_members` reads).

    Examples:
        >>> from datetime import date, datetime
        >>> print(members_csv([Member("a", date(2025, 1, 10), date(2025, 3, 1))]), end="")
        member_id,joined_on,left_on
        a,2025-01-10,2025-03-01
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEMBER_COLUMNS)
    for m in members:
        writer.writerow([m.id, m.joined_on.isoformat(), "" if m.left_on is None else m.left_on])
    return out.getvalue()


def transactions_csv(transactions: Iterable[Transaction]) -> str:
    r"""Transactions as CSV text (the format `read_transactions` reads).

    Examples:
        >>> from datetime import date, datetime
        >>> from decimal import Decimal
        >>> print(transactions_csv([Transaction("a", date(2025, 1, 12), Decimal("30.00"))]), end="")
        member_id,on,amount
        a,2025-01-12,30.00
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRANSACTION_COLUMNS)
    for t in transactions:
        writer.writerow([t.member_id, t.on.isoformat(), str(t.amount)])
    return out.getvalue()


def summarise_csv(
    members_file: str | Path | IO[str],
    transactions_file: str | Path | IO[str],
    as_of: date,
    *,
    allow_refunds: bool = False,
    max_problems: int = 50,
) -> MemberBase:
    r"""Read a members CSV file and stream a transactions CSV file into a member base.

    The same checks and figures as
    `summarise(read_members(members_file), read_transactions(transactions_file), as_of)`, but
    the transactions go straight from the CSV reader into the running figures, with no record
    per row: the bulk path for a whole member base. Every bad row (up to `max_problems`, then a
    count of the rest) is named by `file:line.column`.

    Examples:
        >>> import io
        >>> members = io.StringIO("member_id,joined_on,left_on\na,2025-01-10,\n")
        >>> sales = io.StringIO("member_id,on,amount\na,2025-01-12,30\na,2025-03-15,45\n")
        >>> base = summarise_csv(members, sales, date(2025, 6, 30))
        >>> base.stats["a"].purchases, base.stats["a"].revenue, base.stats["a"].active_months()
        (2, Decimal('75'), (0, 2))
    """
    # before reading a whole file; a datetime (a pandas Timestamp too) is not a day
    day: object = as_of
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInputError(
            "as_of", f"must be a date (a day, not a datetime), got {show(as_of)}"
        )
    members = read_members(members_file, max_problems=max_problems)
    with _csv_table(transactions_file, TRANSACTION_COLUMNS, "transactions") as (reader, name):
        return summarise_rows(
            members,
            reader,
            lambda: f"{name}:{reader.line_num}",
            as_of,
            parse=parse_transaction,
            allow_refunds=allow_refunds,
            max_problems=max_problems,
        )


def read_and_analyse(
    members_file: str | Path | IO[str] | None,
    transactions_file: str | Path | IO[str],
    as_of: date,
    policy: MembershipPolicy | None = None,
) -> MemberAnalysis:
    r"""Read the two CSV files (streaming the transactions) and analyse them.

    Without a members file (None) the base is transaction-only: each member is born on the
    day of their first purchase and never leaves, so (by default) the repeat-purchase models
    are fitted instead of the sBG model (see
    [`analyse`][mteam.membership.analysis.analyse]). With a members file, the contractual
    analysis without a points programme takes the bulk path,
    [`summarise_csv`][mteam.io.summarise_csv]: the same checks, no object per row.

    Examples:
        >>> import io
        >>> from datetime import date, datetime
        >>> members = io.StringIO("member_id,joined_on,left_on\na,2025-01-01,2025-03-01\n"
        ...                       "b,2025-01-01,\n")
        >>> sales = io.StringIO("member_id,on,amount\na,2025-01-02,100\nb,2025-02-02,250\n")
        >>> result = read_and_analyse(members, sales, date(2025, 12, 31))
        >>> result.members, result.current_members, result.average_order_value
        (2, 1, Decimal('175'))

        Purchases only (30 customers, every other one back in the spring):

        >>> rows = [f"c{i},2025-0{1 + i % 3}-0{1 + i % 9},{10 + i}" for i in range(30)]
        >>> rows += [f"c{i},2025-0{4 + i % 5}-15,15" for i in range(0, 30, 2)]
        >>> sales = io.StringIO("member_id,on,amount\n" + "\n".join(rows) + "\n")
        >>> result = read_and_analyse(None, sales, date(2025, 12, 31))
        >>> result.models, result.repeat.members, result.repeat.repeat_buyers
        ('non-contractual', 30, 15)
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    if members_file is None:
        return analyse(None, read_transactions(transactions_file), as_of, policy)
    day: object = as_of
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInputError(
            "as_of", f"must be a date (a day, not a datetime), got {show(as_of)}"
        )
    members = read_members(members_file)
    repeat = policy.models in {"non-contractual", "both"} or (
        policy.models == "auto" and all(m.left_on is None for m in members)
    )
    if policy.points is not None or repeat:  # they need the transactions themselves
        try:
            return analyse(members, read_transactions(transactions_file), as_of, policy)
        except InvalidInputError as err:  # rows named by the file, as the bulk path names them
            name = (
                Path(transactions_file).name if isinstance(transactions_file, (str, Path)) else ""
            )
            name = name or getattr(transactions_file, "name", None) or "transactions"
            raise InvalidInputError.from_problems(
                Problem(f"{name}:{p.path.removeprefix('line ')}", p.message)
                if p.path.startswith("line ")
                else p
                for p in err.problems
            ) from None
    with _csv_table(transactions_file, TRANSACTION_COLUMNS, "transactions") as (reader, name):
        base = summarise_rows(
            members,
            reader,
            lambda: f"{name}:{reader.line_num}",
            as_of,
            parse=parse_transaction,
            allow_refunds=policy.allow_refunds,
        )
    return analyse_base(base, policy)


# --- Parquet and the dataframe engines ------------------------------------------------------

ENGINES: Final = ("polars", "pyarrow", "duckdb")
"""The dataframe engines that read files for the frames path, in the order `"auto"` tries them."""

FRAMES_MIN_BYTES = 16 * 2**20
"""CSV files of at least this many bytes (the two together) go through polars under
`engine="auto"` (16 MiB: below it, the pure path is quicker than starting the engine)."""

_PARQUET_SUFFIXES: Final = (".parquet", ".pq")
_CHOICES: Final = ("auto", "python", *ENGINES)


def is_parquet(path: str | Path) -> bool:
    """Whether a file is read as Parquet: a `.parquet` or `.pq` file, or a folder of them.

    Examples:
        >>> is_parquet("sales.parquet"), is_parquet("sales.PQ"), is_parquet("sales.csv")
        (True, True, False)
    """
    check_instance("path", path, str, os.PathLike)
    found = Path(path)
    return found.suffix.lower() in _PARQUET_SUFFIXES or found.is_dir()


def _parquet_files(path: str | Path) -> list[str]:
    """The Parquet file, or the Parquet files of a folder (and its subfolders), sorted."""
    found = Path(path)
    if not found.is_dir():
        if not found.is_file():
            raise InvalidInputError("file", f"cannot read {str(path)!r}: no such file")
        return [str(found)]
    files = sorted(
        str(f) for f in found.rglob("*") if f.is_file() and f.suffix.lower() in _PARQUET_SUFFIXES
    )
    if not files:
        raise InvalidInputError("file", f"no Parquet files (*.parquet, *.pq) in {str(path)!r}")
    return files


def _importable(name: str) -> bool:
    try:
        import_module(name)
    except ImportError:
        return False
    return True


def _engine(requested: str) -> str | None:
    """The engine to read with: the one requested, or under "auto" the first installed."""
    names = ENGINES if requested in {"auto", "python"} else (requested,)
    if not _importable("narwhals"):
        return None
    return next((name for name in names if _importable(name)), None)


def _no_engine(requested: str) -> InvalidInputError:
    if requested in ENGINES:
        return InvalidInputError(
            "engine", f'{requested} is not installed: pip install "mteam[frames]" {requested}'
        )
    return InvalidInputError(
        "engine",
        "Parquet files need the frames extra and a dataframe engine (polars, pyarrow or "
        'duckdb): pip install "mteam[frames]" polars',
    )


_CSV_TYPES: Final = {
    "member_id": "string",
    "joined_on": "date",
    "left_on": "date",
    "on": "date",
    "amount": "float",
}


class _Reader:
    """Reads the input files with one engine, as native frames (lazy where the engine is)."""

    def __init__(self, engine: str | None) -> None:
        self.engine = engine or "python"
        self.module: Any = None if engine is None else import_module(engine)
        self.connection: Any = None  # DuckDB's, kept open while its relations are used

    def read(self, path: str | Path, columns: tuple[str, ...]) -> Any:  # noqa: ANN401
        nw = import_module("narwhals.stable.v2")
        if is_parquet(path):
            frame = nw.from_native(self._parquet(_parquet_files(path)))
            schema = frame.collect_schema()
            if schema.get("member_id") != nw.String:
                return frame.to_native()  # not text: frames.analyse names the column
            # one string type on both sides of a join (pyarrow's string and large_string differ)
            return frame.with_columns(nw.col("member_id").cast(nw.String)).to_native()
        with _csv_table(path, columns, "file"):  # the header, checked as the pure path does
            pass
        frame = nw.from_native(self._csv(str(path), columns))
        # ids stripped, as the CSV reader strips them, in the one string type
        return frame.with_columns(nw.col("member_id").str.strip_chars().cast(nw.String)).to_native()

    def _parquet(self, files: list[str]) -> Any:  # noqa: ANN401
        if self.engine == "polars":
            return self.module.scan_parquet(files)
        if self.engine == "pyarrow":
            return import_module("pyarrow.parquet").ParquetDataset(files).read()
        return self._duckdb().read_parquet(files)

    def _csv(self, path: str, columns: tuple[str, ...]) -> Any:  # noqa: ANN401
        if self.engine == "polars":
            pl = self.module
            types = {"string": pl.String, "date": pl.Date, "float": pl.Float64}
            return pl.scan_csv(path, schema_overrides={c: types[_CSV_TYPES[c]] for c in columns})
        if self.engine == "pyarrow":
            pa = self.module
            types = {"string": pa.string(), "date": pa.date32(), "float": pa.float64()}
            pacsv = import_module("pyarrow.csv")
            options = pacsv.ConvertOptions(
                column_types={c: types[_CSV_TYPES[c]] for c in columns}, strings_can_be_null=True
            )
            return pacsv.read_csv(path, convert_options=options)
        types = {"string": "VARCHAR", "date": "DATE", "float": "DOUBLE"}
        return self._duckdb().read_csv(
            path, header=True, dtype={c: types[_CSV_TYPES[c]] for c in columns}
        )

    def _duckdb(self) -> Any:  # noqa: ANN401
        if self.connection is None:
            self.connection = self.module.connect()  # its own, not the module's default one
        return self.connection


def _name(path: str | Path) -> str:
    return Path(path).name or str(path)


def _cell_day(value: object, where: str, *, optional: bool = False) -> date | None:
    """A date cell read by an engine: a date, or a datetime at midnight."""
    if value is None and optional:
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time() or value.tzinfo is not None:
            raise InvalidInputError(where, f"must be a day (midnight), got {show(value)}")
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidInputError(where, f"must be a date, got {show(value)}")


def _cell_amount(value: object, where: str) -> Decimal:
    """An amount cell read by an engine: an integer, a decimal, or a float (as it prints)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise InvalidInputError(where, f"must be a number, got {show(value)}")


def _rows(frame: object, columns: tuple[str, ...], name: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a native frame, its columns in this order (collected if it is lazy)."""
    nw = import_module("narwhals.stable.v2")
    table = nw.from_native(frame)
    present = list(table.collect_schema().names())
    for column in columns:
        if column not in present:
            raise InvalidInputError(
                f"{name}.{column}", f"no such column (columns: {', '.join(map(str, present))})"
            )
    table = table.select(*columns)
    if isinstance(table, nw.LazyFrame):
        table = table.collect()
    rows: Iterator[tuple[Any, ...]] = table.iter_rows()
    return rows


def _engine_members(frame: object, name: str) -> list[Member]:
    problems = Problems(50)
    members: list[Member] = []
    seen: set[str] = set()
    for row, (member_id, joined, left) in enumerate(_rows(frame, MEMBER_COLUMNS, name), 1):
        where = f"{name}:row {row}"
        ident = str(member_id) if isinstance(member_id, int) else member_id
        if ident in seen:
            problems.add(f"{where}.member_id", f"duplicate id {show(ident)}")
            continue
        try:
            member = Member(
                ident,
                _cell_day(joined, "joined_on"),  # type: ignore[arg-type]
                _cell_day(left, "left_on", optional=True),
            )
        except InvalidInputError as err:
            problems.add(at(where, err.path), err.message)
            continue
        seen.add(member.id)
        members.append(member)
    problems.raise_if_any()
    return members


def _engine_transactions(frame: object, name: str) -> Iterator[Transaction]:
    problems = Problems(50)
    for row, (member_id, on, amount) in enumerate(_rows(frame, TRANSACTION_COLUMNS, name), 1):
        try:
            ident = str(member_id) if isinstance(member_id, int) else member_id
            day = _cell_day(on, "on")
            value = _cell_amount(amount, "amount")
            yield Transaction(ident, day, value, row)  # type: ignore[arg-type]
        except InvalidInputError as err:
            problems.add(at(f"{name}:row {row}", err.path), err.message)
    problems.raise_if_any()


def _analyse_rows(
    reader: _Reader,
    members_file: str | Path | None,
    transactions_file: str | Path,
    as_of: date,
    policy: MembershipPolicy,
) -> MemberAnalysis:
    """The pure path on rows an engine read: records, then `analyse`."""
    name = _name(transactions_file)
    members = (
        None
        if members_file is None
        else _engine_members(reader.read(members_file, MEMBER_COLUMNS), _name(members_file))
    )
    sales = _engine_transactions(reader.read(transactions_file, TRANSACTION_COLUMNS), name)
    try:
        return analyse(members, sales, as_of, policy)
    except InvalidInputError as err:  # a record's line is its row in the file
        raise InvalidInputError.from_problems(
            Problem(f"{name}:row {p.path.removeprefix('line ')}", p.message)
            if p.path.startswith("line ")
            else p
            for p in err.problems
        ) from None


def _frames_cannot(err: InvalidInputError) -> bool:
    """Whether the frames path refused what the pure path computes.

    The repeat-purchase models (which need each member's purchase days), and amounts with more
    decimals than the currency has (the pure path sums any decimal exactly).
    """
    return all(
        p.path == "policy.models" or (p.path.endswith(".amount") and "more decimals" in p.message)
        for p in err.problems
    )


def analyse_files(
    members_file: str | Path | None,
    transactions_file: str | Path,
    as_of: date,
    policy: MembershipPolicy | None = None,
    *,
    engine: str = "auto",
    stage: Callable[[str], object] | None = None,
) -> MemberAnalysis:
    r"""Analyse a member base from CSV or Parquet files, on the pure path or through an engine.

    The files have the columns of the CSV files (`member_id, joined_on, left_on` and
    `member_id, on, amount`); a path ending in `.parquet` or `.pq`, or a folder (of Parquet
    files), is Parquet. The result is the same whichever path computes it.

    With `engine="auto"`, Parquet files go through the first engine installed of polars,
    pyarrow and DuckDB with [`frames.analyse`][mteam.membership.frames.analyse] (it needs the
    extra `frames`), and CSV files of at least [`FRAMES_MIN_BYTES`][mteam.io.FRAMES_MIN_BYTES]
    together through polars; smaller CSV files, or any when polars is not installed, take the
    pure path,
    [`read_and_analyse`][mteam.io.read_and_analyse]. `engine="python"` always takes the pure
    path (Parquet rows are read by an engine, then analysed as records); `"polars"`,
    `"pyarrow"` or `"duckdb"` always that engine. Wherever the frames path does not compute the
    analysis, the pure path does, so the result never depends on the path: the
    repeat-purchase models (without a members file, or with nobody having left, or with
    `models` non-contractual or both), and amounts with more decimals than the currency.
    A CSV file the engine cannot read is read again by the CSV reader, which names each bad
    row by its line.

    Args:
        members_file: The members file, or None for a transaction-only base.
        transactions_file: The transactions file.
        as_of: The day of the analysis.
        policy: [`MembershipPolicy()`][mteam.membership.analysis.MembershipPolicy] unless given.
        engine: `"auto"`, `"python"`, `"polars"`, `"pyarrow"` or `"duckdb"`.
        stage: Called with what is being done (`"analysing sales.parquet with polars"`), for
            a progress line.

    Raises:
        InvalidInputError: bad input; Parquet without an engine, or an engine not installed
            (naming what to `pip install`).

    Examples:
        >>> import tempfile
        >>> import polars as pl
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     members = Path(folder) / "members.csv"
        ...     _ = members.write_text("member_id,joined_on,left_on\na,2025-01-01,2025-03-01\n"
        ...                            "b,2025-01-01,\n")
        ...     sales = Path(folder) / "sales.parquet"
        ...     pl.DataFrame({"member_id": ["a", "b"], "amount": [100, 250],
        ...                   "on": [date(2025, 1, 2), date(2025, 2, 2)]}).write_parquet(sales)
        ...     seen = []
        ...     result = analyse_files(members, sales, date(2025, 12, 31), stage=seen.append)
        ...     csv = io.StringIO("member_id,on,amount\na,2025-01-02,100\nb,2025-02-02,250\n")
        ...     same = result == read_and_analyse(members, csv, date(2025, 12, 31))
        >>> result.members, result.current_members, result.average_order_value, same
        (2, 1, Decimal('175'), True)
        >>> seen
        ['analysing members.csv, sales.parquet with polars']
    """
    policy = policy if policy is not None else MembershipPolicy()
    check_instance("policy", policy, MembershipPolicy)
    if engine not in _CHOICES:
        raise InvalidInputError(
            "engine", f"must be one of {', '.join(_CHOICES)}, got {show(engine)}"
        )
    day: object = as_of
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInputError(
            "as_of", f"must be a date (a day, not a datetime), got {show(as_of)}"
        )
    files = [f for f in (members_file, transactions_file) if f is not None]
    for i, f in enumerate(files):
        check_instance(f"files[{i}]", f, str, os.PathLike)
    names = ", ".join(_name(f) for f in files)
    say = stage if stage is not None else (lambda _: None)
    parquet = any(is_parquet(f) for f in files)
    way, reader = _way(files, engine, policy, parquet=parquet, members=members_file is not None)
    if way == "frames":
        say(f"analysing {names} with {reader.engine}")
        result = _through_frames(
            reader, members_file, transactions_file, as_of, policy, parquet=parquet
        )
        if result is not None:
            return result
        way = "rows" if parquet else "csv"
    if way == "rows":
        say(f"reading {names} with {reader.engine}, analysing in Python")
        return _analyse_rows(reader, members_file, transactions_file, as_of, policy)
    say(f"reading and analysing {names}")
    return read_and_analyse(members_file, transactions_file, as_of, policy)


def _way(
    files: list[str | Path],
    engine: str,
    policy: MembershipPolicy,
    *,
    parquet: bool,
    members: bool,
) -> tuple[str, _Reader]:
    """How the files are analysed (`"csv"`, `"rows"` or `"frames"`), and by which engine."""
    if not parquet and (
        engine == "python" or (engine == "auto" and _csv_bytes(files) < FRAMES_MIN_BYTES)
    ):
        return "csv", _Reader(None)
    # large CSV files go through polars only: on them pyarrow and DuckDB are slower than the
    # pure path (see the command's docs)
    found = _engine("polars" if engine == "auto" and not parquet else engine)
    if found is None:
        if not parquet and engine == "auto":
            return "csv", _Reader(None)
        raise _no_engine(engine)
    reader = _Reader(found)
    if engine == "python" or not members or policy.models in {"non-contractual", "both"}:
        return ("rows" if parquet else "csv"), reader  # the pure path: see analyse_files
    return "frames", reader


def _through_frames(
    reader: _Reader,
    members_file: str | Path | None,
    transactions_file: str | Path,
    as_of: date,
    policy: MembershipPolicy,
    *,
    parquet: bool,
) -> MemberAnalysis | None:
    """`frames.analyse` on the files, or None where the pure path must compute the analysis."""
    try:
        members = None if members_file is None else reader.read(members_file, MEMBER_COLUMNS)
        sales = reader.read(transactions_file, TRANSACTION_COLUMNS)
        return frames_analyse(members, sales, as_of, policy)
    except InvalidInputError as err:
        if parquet and not _frames_cannot(err):
            raise
    except Exception:  # a CSV file the engine cannot parse: the CSV reader names its rows
        if parquet:
            raise
    return None


def _csv_bytes(files: list[str | Path]) -> int:
    """The CSV files' size together (a file that cannot be read is the CSV reader's error)."""
    total = 0
    for f in files:
        with contextlib.suppress(OSError):
            total += Path(f).stat().st_size
    return total


# --- the bundled samples ---------------------------------------------------------------------


def analyse_sample(policy: MembershipPolicy | None = None) -> MemberAnalysis:
    """Analyse the bundled sample member base (3,000 members, as of 31 October 2026).

    Examples:
        >>> result = analyse_sample()
        >>> result.members, result.current_members
        (3000, 729)
        >>> round(result.sbg.alpha, 3), round(result.sbg.beta, 3)
        (0.857, 2.439)
    """
    data = resources.files("mteam.data")
    with (
        data.joinpath("sample_members.csv").open(encoding="utf-8") as members,
        data.joinpath("sample_transactions.csv").open(encoding="utf-8") as sales,
    ):
        return read_and_analyse(members, sales, SAMPLE_AS_OF, policy)


@cache
def sample_team_text() -> str:
    """The bundled sample team document as JSON text (what `mteam example` prints).

    Examples:
        >>> sample_team_text().lstrip().startswith("{")
        True
    """
    return resources.files("mteam.data").joinpath("sample_team.json").read_text(encoding="utf-8")


def load_sample_team() -> TeamDocument:
    """The bundled sample team: a membership-marketing team of twelve in the articles' roles.

    It has a TWD bonus pool and a training budget, and exercises every rule: KPIs above and
    below target, a small rater group merged into "others" and one dropped, a capped bonus, a
    new hire and a leaver prorated, limited rewards and a training budget that does not cover
    every gap.

    Examples:
        >>> team = load_sample_team()
        >>> team.name, len(team.members), team.currency.code
        ('Membership marketing', 12, 'TWD')
    """
    return loads(TeamDocument, sample_team_text())
