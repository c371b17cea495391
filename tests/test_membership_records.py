import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.io import (
    members_csv,
    parse_transaction,
    read_members,
    read_transactions,
    transactions_csv,
)
from mteam.membership.records import Member, Transaction
from mteam.membership.units import Duration, Rate, TimeUnit, same_unit

MEMBERS = "member_id,joined_on,left_on\nA,2025-01-15,\nB,2025-02-01,2025-08-31\n"
SALES = "member_id,on,amount\nA,2025-01-20,120.50\nB,2025-03-01,80\n"


def test_read_members_and_transactions():
    members = read_members(io.StringIO(MEMBERS))
    assert members == [
        Member("A", date(2025, 1, 15)),
        Member("B", date(2025, 2, 1), date(2025, 8, 31)),
    ]
    sales = list(read_transactions(io.StringIO(SALES)))
    assert sales == [
        Transaction("A", date(2025, 1, 20), Decimal("120.50")),
        Transaction("B", date(2025, 3, 1), Decimal(80)),
    ]
    assert sales[1].line == 3
    assert members[1].is_member_on(date(2025, 8, 31))
    assert not members[1].is_member_on(date(2025, 9, 1))


def test_csv_writers_round_trip(tmp_path):
    members = read_members(io.StringIO(MEMBERS))
    sales = list(read_transactions(io.StringIO(SALES)))
    (tmp_path / "m.csv").write_text(members_csv(members), encoding="utf-8")
    (tmp_path / "t.csv").write_text(transactions_csv(sales), encoding="utf-8")
    assert read_members(tmp_path / "m.csv") == members
    assert list(read_transactions(str(tmp_path / "t.csv"))) == sales


def test_every_bad_member_row_is_reported_with_its_line():
    text = (
        "member_id,joined_on,left_on\n"
        "A,2025-01-15,\n"
        "B,2025-13-01,\n"
        "C,2025-02-01,2025-01-01\n"
        "A,2025-03-01,\n"
        "D,2025-03-01\n"
        "E,2025-03-01,soon\n"
    )
    with pytest.raises(InvalidInputError) as info:
        read_members(io.StringIO(text))
    assert [str(p) for p in info.value.problems] == [
        "members:3.joined_on: invalid date '2025-13-01'",
        "members:4.left_on: must not be before joined_on (2025-02-01), got 2025-01-01",
        "members:5.member_id: duplicate id 'A'",
        "members:6: expected 3 columns, got 2",
        "members:7.left_on: invalid date 'soon'",
    ]


def test_every_bad_transaction_row_is_reported_after_the_last_row():
    text = (
        "member_id,on,amount\n"
        "A,2025-01-20,10\n"
        "A,2025-02-30,10\n"
        "A,2025-01-21,ten\n"
        "A,2025-01-22,NaN\n"
        ",2025-01-22,5\n"
        "A,2025-01-23\n"
    )
    seen = []
    with pytest.raises(InvalidInputError) as info:
        seen.extend(read_transactions(io.StringIO(text)))
    assert len(seen) == 1  # the good row streamed, then the error: never silently half-way
    assert [p.path for p in info.value.problems] == [
        "transactions:3.on",
        "transactions:4.amount",
        "transactions:5.amount",
        "transactions:6.member_id",
        "transactions:7",
    ]


def test_problem_lists_are_capped():
    rows = "".join(f"A,2025-01-{i:02d},x\n" for i in range(1, 21))
    with pytest.raises(InvalidInputError) as info:
        list(read_transactions(io.StringIO("member_id,on,amount\n" + rows), max_problems=5))
    assert len(info.value.problems) == 6
    assert info.value.problems[-1].message == "... and 15 more bad rows"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("id,joined,left\n", "members:1"),
        ("", "members:1"),
    ],
)
def test_a_wrong_header_is_refused(text, path):
    with pytest.raises(InvalidInputError) as info:
        read_members(io.StringIO(text))
    assert info.value.path == path


def test_unreadable_files(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_members(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    good = b"A,2025-01-01,1\n" * 2000  # past the first buffer, so the header reads fine
    bad.write_bytes(b"member_id,on,amount\n" + good + b"\xff\xfe,2025-01-01,1\n")
    with pytest.raises(InvalidInputError, match=r"bad\.csv:2002: not UTF-8 text"):
        list(read_transactions(bad))
    worse = tmp_path / "worse.csv"
    worse.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInputError, match=r"worse\.csv:1: not UTF-8 text"):
        read_members(worse)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: Member("", date(2025, 1, 1)), "id"),
        (lambda: Member("a", "2025-01-01"), "joined_on"),
        (lambda: Member("a", date(2025, 1, 1), "2025-02-01"), "left_on"),
        (lambda: Transaction("a", date(2025, 1, 1), 1.5), "amount"),
        (lambda: Rate(-0.1, "month"), "value"),
        (lambda: Rate(0.1, "fortnight"), "per"),
        (lambda: Duration(float("nan"), "day"), "value"),
    ],
)
def test_bad_records(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_units_must_agree():
    assert same_unit(("a", TimeUnit.WEEK), ("b", Rate(1, "week"))) is TimeUnit.WEEK
    with pytest.raises(InvalidInputError) as info:
        same_unit(("discount_rate", Rate(0.1, "year")), ("retention", Rate(0.9, "month")))
    assert str(info.value) == (
        "retention: is per month but discount_rate is per year; convert one explicitly"
    )
    with pytest.raises(InvalidInputError, match="is in weeks but lifetime is in days"):
        same_unit(("lifetime", Duration(3, "day")), ("horizon", Duration(3, "week")))


@given(
    st.lists(
        st.tuples(st.dates(date(2020, 1, 1), date(2026, 1, 1)), st.integers(0, 900)), max_size=20
    )
)
def test_members_round_trip_through_csv(rows):
    members = [
        Member(f"m{i}", d, None if k == 0 else d + timedelta(days=k))
        for i, (d, k) in enumerate(rows)
    ]
    assert read_members(io.StringIO(members_csv(members))) == members


def test_a_datetime_is_not_a_day():
    moment = datetime(2025, 2, 1, 9, 30, tzinfo=UTC)
    with pytest.raises(InvalidInputError, match="on: must be a date"):
        Transaction("A", moment, Decimal(1))
    with pytest.raises(InvalidInputError, match="left_on: must be a date"):
        Member("A", date(2025, 1, 1), moment)


@given(
    st.text(alphabet=" ab1-", max_size=5),
    st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(date.isoformat) | st.just("2025-02-30"),
    st.decimals(allow_nan=True, allow_infinity=True, places=2).map(str) | st.just(" 12 "),
)
def test_a_transaction_read_is_the_record_its_constructor_builds(member_id, on, amount):
    text = f"member_id,on,amount\n{member_id},{on},{amount}\n"
    try:
        (read,) = read_transactions(io.StringIO(text))
    except InvalidInputError:
        return
    assert read == Transaction(read.member_id, read.on, read.amount, line=2)
    assert (read.member_id, read.on, read.amount, read.line) == (
        member_id.strip(),
        date.fromisoformat(on),
        Decimal(amount),
        2,
    )
    assert type(read.amount) is Decimal


@pytest.mark.parametrize("bad", [0, -1, "5", 2.5, None])
def test_max_problems_must_be_a_positive_whole_number(bad):
    with pytest.raises(InvalidInputError, match="max_problems"):
        read_members(io.StringIO(MEMBERS), max_problems=bad)


@pytest.mark.parametrize("bad", [123, None, ["member_id,joined_on,left_on"]])
def test_a_source_must_be_a_path_or_an_open_file(bad):
    with pytest.raises(InvalidInputError, match="file: must be a path or an open text file"):
        read_members(bad)
    with pytest.raises(InvalidInputError, match="file: must be a path or an open text file"):
        list(read_transactions(bad))


def test_a_binary_file_is_not_readable_csv():
    with pytest.raises(InvalidInputError, match="not a readable CSV file"):
        read_members(io.BytesIO(MEMBERS.encode()))


@pytest.mark.parametrize("bad", [None, "A,2025-01-01,1", [1, 2, 3]])
def test_parse_transaction_takes_a_list_of_text_cells(bad):
    with pytest.raises(InvalidInputError, match="row: must be a list of text cells"):
        parse_transaction(bad)
