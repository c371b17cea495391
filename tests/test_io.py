from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from mteam._validate import decimal, real, to_tuple
from mteam.errors import InvalidInputError
from mteam.io import dump, dumps, load, loads, structure, unstructure
from mteam.money import USD, Currency
from mteam.performance.feedback import Rating
from mteam.scales import PROFICIENCY_SCALE, RatingScale
from tests.strategies import currencies, rating_scales


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Line:
    name: str
    amount: Decimal = attrs.field(validator=decimal(ge=Decimal(0)))
    on: date
    colour: Colour = Colour.RED
    weight: float = attrs.field(default=1.0, validator=real(gt=0))
    count: int = 0
    done: bool = False


@attrs.frozen
class Doc:
    currency: Currency
    lines: tuple[Line, ...] = attrs.field(converter=to_tuple)
    note: str | None = None


GOOD = {
    "currency": {"code": "USD", "exponent": 2},
    "lines": [
        {"name": "a", "amount": "12.50", "on": "2026-01-31", "colour": "blue", "weight": 2},
        {"name": "b", "amount": 3, "on": "2026-02-01"},
    ],
}


def test_structures_decimals_dates_enums_and_nested_tuples():
    doc = structure(Doc, GOOD)
    assert doc.currency is not USD
    assert doc.currency == USD
    assert doc.lines[0] == Line("a", Decimal("12.50"), date(2026, 1, 31), Colour.BLUE, 2)
    assert doc.lines[1].amount == Decimal(3)


def test_unstructures_money_as_strings_and_dates_as_iso():
    data = unstructure(structure(Doc, GOOD))
    assert data["lines"][0]["amount"] == "12.50"
    assert data["lines"][0]["on"] == "2026-01-31"
    assert data["lines"][0]["colour"] == "blue"


def test_round_trip_through_text_and_files(tmp_path):
    doc = structure(Doc, GOOD)
    assert loads(Doc, dumps(doc)) == doc
    assert loads(Doc, dumps(doc).encode()) == doc
    path = tmp_path / "doc.json"
    dump(doc, path)
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert load(Doc, path) == doc


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"amount": 12.5},
            "$.lines[0].amount: expected a decimal string such as '12.50', got 12.5",
        ),
        ({"amount": "abc"}, "$.lines[0].amount: invalid decimal 'abc'"),
        ({"amount": "NaN"}, "$.lines[0].amount: must be a finite decimal, got 'NaN'"),
        ({"amount": "-1"}, "$.lines[0].amount: must be >= 0, got -1"),
        ({"on": "31/01/2026"}, "$.lines[0].on: invalid date '31/01/2026' (expected YYYY-MM-DD)"),
        ({"on": 20260131}, "$.lines[0].on: expected an ISO 8601 date string, got 20260131"),
        ({"colour": "green"}, "$.lines[0].colour: invalid value, expected one of 'red', 'blue'"),
        ({"weight": "2"}, "$.lines[0].weight: expected a number, got '2'"),
        ({"weight": 0}, "$.lines[0].weight: must be > 0, got 0"),
        ({"count": 1.5}, "$.lines[0].count: expected a whole number, got 1.5"),
        ({"count": True}, "$.lines[0].count: expected a whole number, got True"),
        ({"done": "yes"}, "$.lines[0].done: expected true or false, got 'yes'"),
        ({"name": 5}, "$.lines[0].name: expected text, got 5"),
        ({"extra": 1}, "$.lines[0]: extra fields found (extra)"),
    ],
)
def test_every_problem_names_its_json_path(change, problem):
    data = {**GOOD, "lines": [{**GOOD["lines"][0], **change}, GOOD["lines"][1]]}
    with pytest.raises(InvalidInputError) as info:
        structure(Doc, data)
    assert [str(p) for p in info.value.problems] == [problem]


def test_all_problems_are_reported_together():
    data = {
        "currency": {"code": "USD"},
        "lines": [{"name": "a", "amount": 1.5, "on": "x"}],
        "colour": "red",
    }
    with pytest.raises(InvalidInputError) as info:
        structure(Doc, data)
    problems = [str(p) for p in info.value.problems]
    assert "$.currency.exponent: required field missing" in problems
    assert any(p.startswith("$.lines[0].amount") for p in problems)
    assert any(p.startswith("$.lines[0].on") for p in problems)
    assert "$: extra fields found (colour)" in problems
    assert len(problems) == 4
    assert str(info.value).startswith("4 problems:")


def test_a_constructor_error_at_the_top_level_gets_the_root_path():
    with pytest.raises(InvalidInputError) as info:
        structure(Currency, {"code": "usd", "exponent": 2})
    assert str(info.value) == "$.code: must be three upper-case letters, got 'usd'"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "$: not valid JSON: Expecting property name enclosed in double quotes (line 1"),
        ('{"code": "USD", "exponent": NaN}', "$: NaN is not allowed"),
        (b"\xff\xfe\x00", "$: not UTF-8 text: invalid byte 0xff"),
        ("[1, 2]", "$"),
    ],
)
def test_broken_json_is_an_input_error(text, needle):
    with pytest.raises(InvalidInputError) as info:
        loads(Currency, text)
    assert str(info.value).startswith(needle)


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot read"):
        load(Currency, tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        load(Currency, bad)


@given(currencies)
def test_currency_round_trips(value):
    assert loads(Currency, dumps(value)) == value


@given(rating_scales())
def test_rating_scale_round_trips(value):
    assert loads(RatingScale, dumps(value)) == value


def test_default_scale_json_form():
    data = unstructure(PROFICIENCY_SCALE)
    assert data == {
        "minimum": 0,
        "maximum": 4,
        "integral": True,
        "labels": ["none", "awareness", "working", "proficient", "expert"],
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1, 2], "$: expected an object, got [1, 2]"),
        ({**GOOD, "lines": "ab"}, "$.lines: expected a list, got 'ab'"),
        ({**GOOD, "lines": {"a": 1}}, "$.lines: expected a list, got {'a': 1}"),
        (
            {**GOOD, "currency": ["USD", 2]},
            "$.currency: expected a currency code or an object, got ['USD', 2]",
        ),
    ],
)
def test_the_wrong_json_kind_is_named(data, problem):
    with pytest.raises(InvalidInputError) as info:
        structure(Doc, data)
    assert [str(p) for p in info.value.problems] == [problem]


@attrs.frozen
class Table:
    levels: dict[str, int]


def test_mappings_structure_and_check_their_kind():
    assert structure(Table, {"levels": {"seo": 3}}) == Table({"seo": 3})
    with pytest.raises(InvalidInputError) as info:
        structure(Table, {"levels": [["seo", 3]]})
    assert str(info.value) == "$.levels: expected an object, got [['seo', 3]]"
    with pytest.raises(InvalidInputError) as info:
        structure(Table, {"levels": {"seo": "3"}})
    assert str(info.value) == "$.levels['seo']: expected a whole number, got '3'"


def test_currencies_are_codes_when_built_in():
    assert unstructure(USD) == "USD"
    assert structure(Currency, "JPY") == Currency("JPY", 0)
    assert unstructure(Currency("XAU", 0)) == {"code": "XAU", "exponent": 0}
    with pytest.raises(InvalidInputError) as info:
        structure(Doc, {**GOOD, "currency": "XYZ"})
    assert str(info.value).startswith("$.currency: unknown currency 'XYZ'")


def test_python_data_with_nan_is_refused():
    data = {**GOOD, "lines": [{**GOOD["lines"][0], "weight": float("nan")}]}
    with pytest.raises(InvalidInputError) as info:
        structure(Doc, data)
    assert str(info.value) == "$.lines[0].weight: expected a finite number, got nan"


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (
            {"ratee_id": "a", "rater_id": "b", "relation": "peer", "competency_id": "c"},
            "$[0].score: required field missing",
        ),
        (
            {
                "ratee_id": "a",
                "rater_id": "b",
                "relation": "peer",
                "competency_id": "c",
                "score": 1,
                "note": "x",
            },
            "$[0]: extra fields found (note)",
        ),
        (
            {"ratee_id": 1, "rater_id": "b", "relation": "peer", "competency_id": "c", "score": 1},
            "$[0].ratee_id: must be text, got 1",
        ),
        ([1], "$[0]: expected an object (the value is withheld to protect the rater)"),
        (
            ["a", "rater-7", "peer", "c", 4],
            "$[0]: expected an object (the value is withheld to protect the rater)",
        ),
        (
            {
                "ratee_id": "a",
                "rater_id": 907,
                "relation": "peer",
                "competency_id": "c",
                "score": 4,
            },
            "$[0].rater_id: must be non-blank text (the value is withheld to protect the rater)",
        ),
        (
            {
                "ratee_id": "a",
                "rater_id": "b",
                "relation": "peer",
                "competency_id": "c",
                "score": "4",
            },
            "$[0].score: must be a finite number (the value is withheld to protect the rater)",
        ),
    ],
)
def test_ratings_are_built_directly_and_still_checked(item, problem):
    with pytest.raises(InvalidInputError) as info:
        structure(tuple[Rating, ...], [item])
    assert [str(p) for p in info.value.problems] == [problem]
    assert "907" not in str(info.value)
    assert "rater-7" not in str(info.value)
    good = {"ratee_id": "a", "rater_id": "b", "relation": "peer", "competency_id": "c", "score": 4}
    assert structure(tuple[Rating, ...], [good])[0].score == 4


# --- CSV: encodings, and member sums whatever the row order -------------------------------------

import io as _io  # noqa: E402
import itertools  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from decimal import localcontext  # noqa: E402
from fractions import Fraction  # noqa: E402

from hypothesis import strategies as st  # noqa: E402

from mteam.io import read_members, read_transactions, summarise_csv  # noqa: E402
from mteam.membership.records import Member, Transaction  # noqa: E402
from mteam.membership.summary import summarise  # noqa: E402

MEMBERS = "member_id,joined_on,left_on\na,2025-01-01,\nb,2025-01-01,\n"


def test_csv_readers_refuse_lone_surrogates_as_the_bytes_are_refused(tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_bytes(MEMBERS.encode() + b"c\xed\xa0\x80,2025-01-01,\n")
    with pytest.raises(InvalidInputError) as from_bytes:
        read_members(bad)
    text = (MEMBERS + "c\ud800,2025-01-01,\n").replace("\n", "\n")
    with pytest.raises(InvalidInputError) as from_text:
        read_members(_io.StringIO(text))
    assert from_bytes.value.path == "members.csv:4"
    assert from_text.value.path == "members:4"
    assert from_bytes.value.message.startswith("not UTF-8 text: a lone surrogate U+D800")
    assert from_text.value.message == "not UTF-8 text: a lone surrogate U+D800 (line 4, column 2)"
    sales = _io.StringIO("member_id,on,amount\na,2025-02-01,1\na\udcff,2025-02-01,1\n")
    with pytest.raises(InvalidInputError, match="transactions:3: not UTF-8 text"):
        list(read_transactions(sales))
    sales.seek(0)
    with pytest.raises(InvalidInputError, match="transactions:3: not UTF-8 text"):
        summarise_csv(_io.StringIO(MEMBERS), sales, date(2025, 6, 1))


def test_csv_readers_ignore_a_byte_order_mark(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(b"\xef\xbb\xbf" + MEMBERS.encode())
    assert [m.id for m in read_members(path)] == ["a", "b"]
    assert [m.id for m in read_members(_io.StringIO("\ufeff" + MEMBERS))] == ["a", "b"]


def _records(amounts, member="a"):
    return [Transaction(member, date(2025, 2, 1), Decimal(x)) for x in amounts]


def test_sums_do_not_depend_on_order_or_on_the_callers_context():
    members = [Member("a", date(2025, 1, 1))]
    amounts = ["1.000000000000000000000000001", "4E-28", "4E-28"]
    for order in itertools.permutations(amounts):
        for prec in (28, 5):
            with localcontext() as context:
                context.prec = prec
                base = summarise(members, _records(order), date(2025, 6, 1))
            assert str(base.stats["a"].revenue) == "1.0000000000000000000000000018"
            assert str(base.revenue["2025-01"][1]) == "1.0000000000000000000000000018"


@pytest.mark.parametrize("rows", list(itertools.permutations(["a,1500", "a,1500", "b,1500.00"])))
def test_an_amount_is_written_as_its_own_cells_wrote_it(rows):
    sales = "member_id,on,amount\n" + "".join(
        f"{r.split(',')[0]},2025-02-01,{r.split(',')[1]}\n" for r in rows
    )
    base = summarise_csv(_io.StringIO(MEMBERS), _io.StringIO(sales), date(2025, 6, 1))
    assert (str(base.stats["a"].revenue), str(base.stats["b"].revenue)) == ("3000", "1500.00")
    records = [
        Transaction(r.split(",")[0], date(2025, 2, 1), Decimal(r.split(",")[1])) for r in rows
    ]
    base = summarise(
        [Member("a", date(2025, 1, 1)), Member("b", date(2025, 1, 1))], records, date(2025, 6, 1)
    )
    assert (str(base.stats["a"].revenue), str(base.stats["b"].revenue)) == ("3000", "1500.00")
    assert dumps(base.revenue) == '{\n  "2025-01": {\n    "1": "4500.00"\n  }\n}'


_AMOUNTS = st.sampled_from(
    [
        "1500",
        "1500.00",
        "1.000000000000000000000000001",
        "4E-28",
        "0",
        "999999999999999999.5",
        "12.25",
        "1E+17",
        "0.0000000000000000000000000001",
    ]
)


@given(st.lists(st.tuples(st.sampled_from("ab"), _AMOUNTS), max_size=12), st.randoms())
def test_shuffled_rows_give_the_same_member_base(rows, random):
    members = [Member("a", date(2025, 1, 1)), Member("b", date(2025, 1, 1))]
    records = [Transaction(m, date(2025, 2, 1), Decimal(x)) for m, x in rows]
    shuffled = list(records)
    random.shuffle(shuffled)
    first = summarise(members, records, date(2025, 6, 1))
    with localcontext() as context:
        context.prec = 3
        second = summarise(members, shuffled, date(2025, 6, 1))
    assert dumps(first) == dumps(second)
    for m in "ab":
        own = [Decimal(x) for who, x in rows if who == m]
        revenue = first.stats[m].revenue
        assert Fraction(revenue) == sum(map(Fraction, own))  # exact
        exponents = [d.as_tuple().exponent for d in own]
        assert revenue.as_tuple().exponent == min([0, *exponents])  # the finest amount's


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("1E+18", "must be less than 10^18 in magnitude, got 1E+18"),
        ("1E-29", "must have at most 28 decimal places, got 1E-29"),
    ],
)
def test_amounts_past_the_exact_range_are_refused(amount, problem):
    sales = f"member_id,on,amount\na,2025-02-01,{amount}\n"
    with pytest.raises(InvalidInputError) as info:
        summarise_csv(_io.StringIO(MEMBERS), _io.StringIO(sales), date(2025, 6, 1))
    assert str(info.value) == f"transactions:2.amount: {problem}"
    with pytest.raises(InvalidInputError) as info:
        summarise([Member("a", date(2025, 1, 1))], _records([amount]), date(2025, 6, 1))
    assert str(info.value) == f"transactions[0].amount: {problem}"


@pytest.mark.parametrize(
    "as_of",
    [datetime(2025, 6, 1), datetime(2025, 6, 1, tzinfo=UTC), "2025-06-01", None],  # noqa: DTZ001 - a naive datetime is what a careless caller passes
)
def test_as_of_must_be_a_day(as_of):
    with pytest.raises(InvalidInputError, match=r"^as_of: must be a date"):
        summarise([Member("a", date(2025, 1, 1))], [], as_of)
    with pytest.raises(InvalidInputError, match=r"^as_of: must be a date"):
        summarise_csv(_io.StringIO(MEMBERS), _io.StringIO("member_id,on,amount\n"), as_of)


def test_as_of_a_pandas_timestamp_is_refused():
    pd = pytest.importorskip("pandas")
    with pytest.raises(InvalidInputError, match=r"^as_of: must be a date"):
        summarise([Member("a", date(2025, 1, 1))], [], pd.Timestamp("2025-06-01"))
    with pytest.raises(InvalidInputError, match=r"^as_of: must be a date"):
        summarise_csv(
            _io.StringIO(MEMBERS), _io.StringIO("member_id,on,amount\n"), pd.Timestamp("2025-06-01")
        )


# --- analyse_files: CSV and Parquet files, on the pure path or through an engine -------------

import re  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import polars as pl  # noqa: E402

from mteam import io as mio  # noqa: E402
from mteam.membership.analysis import MembershipPolicy  # noqa: E402

AS_OF = date(2025, 12, 31)


def _members_frame():
    return pl.DataFrame(
        {
            "member_id": ["a", "b", "c"],
            "joined_on": [date(2025, 1, 5), date(2025, 2, 1), date(2025, 3, 9)],
            "left_on": [date(2025, 6, 30), None, None],
        }
    )


def _sales_frame():
    return pl.DataFrame(
        {
            "member_id": ["a", "b", "b", "c"],
            "on": [date(2025, 1, 6), date(2025, 2, 2), date(2025, 5, 2), date(2025, 3, 9)],
            "amount": [30, 45, 20, 12],
        }
    )


def test_is_parquet_by_suffix_or_folder(tmp_path):
    assert mio.is_parquet(tmp_path)
    assert mio.is_parquet(tmp_path / "x.Parquet")
    assert not mio.is_parquet(tmp_path / "x.csv")
    with pytest.raises(InvalidInputError, match="path: must be"):
        mio.is_parquet(3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "spark"}, "engine: must be one of auto, python, polars, pyarrow, duckdb"),
        (
            {"as_of": datetime(2025, 12, 31, tzinfo=UTC)},
            "as_of: must be a date (a day, not a datetime)",
        ),
        ({"transactions_file": 3}, "files[1]: must be"),
    ],
)
def test_analyse_files_checks_its_arguments(kwargs, message):
    arguments = {"members_file": "m.csv", "transactions_file": "t.csv", "as_of": AS_OF} | kwargs
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        mio.analyse_files(**arguments)


def test_a_missing_parquet_file_is_bad_input(tmp_path):
    with pytest.raises(InvalidInputError, match=r"cannot read .*nope.parquet.*: no such file"):
        mio.analyse_files(None, tmp_path / "nope.parquet", AS_OF)


def test_parquet_rows_become_the_records_of_the_csv_files(tmp_path):
    _members_frame().write_parquet(tmp_path / "m.parquet")
    _sales_frame().write_parquet(tmp_path / "t.parquet")
    (tmp_path / "m.csv").write_text(mio.members_csv([]) + "a,2025-01-05,2025-06-30\n"
                                    "b,2025-02-01,\nc,2025-03-09,\n")  # fmt: skip
    (tmp_path / "t.csv").write_text("member_id,on,amount\na,2025-01-06,30\nb,2025-02-02,45\n"
                                    "b,2025-05-02,20\nc,2025-03-09,12\n")  # fmt: skip
    policy = MembershipPolicy(models="contractual")
    csv = mio.analyse_files(tmp_path / "m.csv", tmp_path / "t.csv", AS_OF, policy)
    stages = []
    rows = mio.analyse_files(
        tmp_path / "m.parquet", tmp_path / "t.parquet", AS_OF, policy, engine="python",
        stage=stages.append,
    )  # fmt: skip
    assert rows == csv
    assert stages == ["reading m.parquet, t.parquet with polars, analysing in Python"]


def test_engine_cells_become_days_and_decimals():
    midnight = datetime(2025, 3, 1)  # noqa: DTZ001 - a naive day at midnight, as engines give
    assert mio._cell_day(midnight, "on") == date(2025, 3, 1)
    assert mio._cell_day(date(2025, 3, 1), "on") == date(2025, 3, 1)
    assert mio._cell_day(None, "left_on", optional=True) is None
    assert mio._cell_amount(19.99, "amount") == Decimal("19.99")
    assert mio._cell_amount(7, "amount") == Decimal(7)
    assert mio._cell_amount(Decimal("1.5"), "amount") == Decimal("1.5")
    for value in (midnight + timedelta(hours=9), midnight.replace(tzinfo=UTC)):
        with pytest.raises(InvalidInputError, match="on: must be a day"):
            mio._cell_day(value, "on")
    with pytest.raises(InvalidInputError, match="on: must be a date, got '2025-03-01'"):
        mio._cell_day("2025-03-01", "on")
    with pytest.raises(InvalidInputError, match="amount: must be a number, got True"):
        mio._cell_amount(True, "amount")  # noqa: FBT003 - the bad cell


def test_bad_parquet_rows_are_named_by_their_row(tmp_path):
    members = pl.concat([_members_frame(), _members_frame().head(1)]).with_columns(
        pl.when(pl.col("member_id") == "c").then(pl.lit("")).otherwise("member_id")
        .alias("member_id")
    )  # fmt: skip
    members.write_parquet(tmp_path / "m.parquet")
    with pytest.raises(InvalidInputError) as caught:
        mio.analyse_files(tmp_path / "m.parquet", tmp_path / "t.parquet", AS_OF, engine="python")
    assert [str(p) for p in caught.value.problems] == [
        "m.parquet:row 3.id: must not be empty, got ''",
        "m.parquet:row 4.member_id: duplicate id 'a'",
    ]
    _members_frame().write_parquet(tmp_path / "m.parquet")
    sales = _sales_frame().with_columns(pl.col("amount").cast(pl.String))
    sales.write_parquet(tmp_path / "t.parquet")
    with pytest.raises(InvalidInputError) as caught:
        mio.analyse_files(tmp_path / "m.parquet", tmp_path / "t.parquet", AS_OF, engine="python")
    assert str(caught.value.problems[0]) == "t.parquet:row 1.amount: must be a number, got '30'"
    stranger = _sales_frame().with_columns(pl.Series("member_id", ["a", "b", "z", "c"]))
    stranger.write_parquet(tmp_path / "t.parquet")
    for engine in ("python", "polars"):  # the repeat models: the pure path on the rows
        with pytest.raises(InvalidInputError, match=r"^t\.parquet:row 3\.member_id: unknown"):
            mio.analyse_files(
                tmp_path / "m.parquet", tmp_path / "t.parquet", AS_OF,
                MembershipPolicy(models="both"), engine=engine,
            )  # fmt: skip


def test_integer_member_ids_are_text_on_every_path(tmp_path):
    members = _members_frame().with_columns(pl.Series("member_id", [101, 102, 103]))
    sales = _sales_frame().with_columns(pl.Series("member_id", [101, 102, 102, 103]))
    members.write_parquet(tmp_path / "m.parquet")
    sales.write_parquet(tmp_path / "t.parquet")
    policy = MembershipPolicy(models="contractual")
    paths = (tmp_path / "m.parquet", tmp_path / "t.parquet", AS_OF, policy)
    rows = mio.analyse_files(*paths, engine="python")
    assert rows == mio.analyse_files(*paths, engine="polars")
    assert rows.rfm_cuts.frequency_ids[0] in {"101", "102", "103"}


def test_a_bad_parquet_column_type_is_the_frames_path_error(tmp_path):
    _members_frame().with_columns(pl.lit(1.5).alias("member_id")).write_parquet(tmp_path / "m.pq")
    _sales_frame().write_parquet(tmp_path / "t.pq")
    with pytest.raises(InvalidInputError, match=r"members\.member_id: must be text"):
        mio.analyse_files(tmp_path / "m.pq", tmp_path / "t.pq", AS_OF)
