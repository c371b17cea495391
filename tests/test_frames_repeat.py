# ruff: noqa: F401, F811, S311, PLC0415
# (the engine fixtures are imported from test_frames, so pytest finds them here: they look
# unused and are redefined as arguments; the seeded generator makes a synthetic base; the
# engines are imported where used, so a missing one skips only itself)
"""The repeat purchases on the user's engine against the pure path, on every engine installed.

The engine computes each member's x, t_x and T (calendar months), their repeat spend and their
holdout purchases, and only the count tables come back: the property is that they are the
pure path's (`analysis.analyse` gathers the same aggregates from records), and that the whole
analysis is then equal (`==`) on a base whose models converge.
"""

import importlib.util
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership import analysis, frames
from mteam.membership.analysis import MembershipPolicy
from mteam.membership.records import Member, Transaction
from mteam.money import USD
from tests.test_frames import (
    AS_OF,
    _columns,
    _outcome,
    _per_engine,
    constructor,
)

pytest.importorskip("narwhals")

# the 28th to the 31st: the days where calendar months and 30-day months part
_MONTH_ENDS = [
    date(y, m, 1) + timedelta(days=d - 1)
    for y in (2024, 2025)
    for m in range(1, 13)
    for d in (28, 29, 30, 31)
    if (date(y, m, 1) + timedelta(days=d - 1)).month == m
]
_DAYS = st.one_of(st.dates(date(2024, 1, 1), AS_OF), st.sampled_from(_MONTH_ENDS))


@st.composite
def purchase_logs(draw: st.DrawFn, max_members: int = 8) -> list[Transaction]:
    """Random purchases: several on a day at times, amounts of 0 too, cents."""
    sales = []
    for i in range(draw(st.integers(1, max_members))):
        days = draw(st.lists(_DAYS, min_size=1, max_size=5))
        days += draw(st.lists(st.sampled_from(days), max_size=2))  # the same day again
        for day in days:
            cents = draw(st.integers(0, 90_000))
            sales.append(Transaction(f"c{i:02d}", day, Decimal(cents).scaleb(-2)))
    return sales


def _pure_aggregates(
    members: list[Member] | None, sales: list[Transaction], policy: MembershipPolicy
) -> object:
    """What the pure path fits its models on (its `_Aggregates`), or its input error."""
    captured: list[object] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "_from_aggregates", lambda agg, _policy: captured.append(agg))
        outcome = _outcome(lambda: analysis.analyse(members, sales, AS_OF, policy))
    return captured[0] if captured else outcome


def _engine_aggregates(m: object, t: object, policy: MembershipPolicy) -> object:
    return _outcome(lambda: frames._aggregates(m, t, AS_OF, policy, None))


HOLDOUTS = st.sampled_from([None, 1, 3, 7])


def test_random_purchase_logs_give_the_pure_counts(constructor):
    @_per_engine(constructor.engine)
    @given(purchase_logs(), HOLDOUTS)
    def check(sales, holdout):
        policy = MembershipPolicy(currency=USD, holdout_months=holdout)
        m, t = constructor(*_columns(None, sales))
        got = _engine_aggregates(m, t, policy)
        assert got == _pure_aggregates(None, sales, policy)
        assert got.repeat is not None  # a purchase log gets the repeat-purchase models

    check()


@st.composite
def member_bases(draw: st.DrawFn) -> tuple[list[Member], list[Transaction]]:
    """Members (some who left), their purchases, and some who never bought."""
    members, sales = [], []
    for i in range(draw(st.integers(1, 6))):
        joined = draw(st.dates(date(2024, 1, 1), AS_OF))
        left = draw(st.none() | st.dates(joined, AS_OF))
        members.append(Member(f"m{i}", joined, left))
        for _ in range(draw(st.integers(0, 4))):
            day = draw(st.dates(joined, left or AS_OF))
            sales.append(Transaction(f"m{i}", day, Decimal(draw(st.integers(0, 9_000)))))
    return members, sales


def test_members_with_the_models_of_both_kinds_give_the_pure_counts(constructor):
    @_per_engine(constructor.engine)
    @given(member_bases(), st.sampled_from(["auto", "both", "non-contractual"]), HOLDOUTS)
    def check(data, models, holdout):
        members, sales = data
        policy = MembershipPolicy(currency=USD, models=models, holdout_months=holdout)
        m, t = constructor(*_columns(members, sales))
        assert _engine_aggregates(m, t, policy) == _pure_aggregates(members, sales, policy)

    check()


def test_a_refund_that_makes_a_day_negative_is_refused_as_on_the_pure_path(constructor):
    sales = [
        Transaction("a", date(2025, 1, 5), Decimal(10)),
        Transaction("b", date(2025, 2, 1), Decimal(30)),
        Transaction("b", date(2025, 3, 1), Decimal(5)),
        Transaction("b", date(2025, 3, 1), Decimal(-8)),  # the day's total is -3
        Transaction("b", date(2025, 4, 1), Decimal(-1)),
    ]
    policy = MembershipPolicy(currency=USD, allow_refunds=True)
    m, t = constructor(*_columns(None, sales))
    with pytest.raises(InvalidInputError) as engine:
        frames.analyse(m, t, AS_OF, policy)
    with pytest.raises(InvalidInputError) as pure:
        analysis.analyse(None, sales, AS_OF, policy)
    assert engine.value.path == pure.value.path == "policy.allow_refunds"
    # the same day named (the engine gives the total in the currency's cents)
    assert "b's purchases on 2025-03-01 total -3.00" in str(engine.value)
    assert "b's purchases on 2025-03-01 total -3" in str(pure.value)


def _synthetic_log(n: int, seed: int = 7) -> list[Transaction]:
    """A BG/NBD-like purchase log: gamma purchase rates, a beta chance to stop after each."""
    rng = random.Random(seed)
    sales = []
    for i in range(n):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(90))
        rate, stop, spend = (
            rng.gammavariate(0.8, 1 / 20),
            rng.betavariate(1, 3),
            rng.gammavariate(6, 5),
        )
        while day <= date(2025, 9, 30):
            amount = Decimal(round(rng.gammavariate(8, spend / 8), 2)).quantize(Decimal("0.01"))
            sales.append(Transaction(f"c{i:03d}", day, amount))
            if rng.random() < stop:
                break
            day += timedelta(days=1 + int(rng.expovariate(rate)))
    return sales


def test_the_analysis_of_a_purchase_log_is_the_pure_one(constructor):
    sales = _synthetic_log(100)
    as_of = date(2025, 9, 30)
    policy = MembershipPolicy(currency=USD, holdout_months=3)
    m, t = constructor(*_columns(None, sales))
    result = frames.analyse(m, t, as_of, policy)
    expected = analysis.analyse(None, sales, as_of, policy)
    assert result == expected
    # the models converge here, so every figure is a number
    repeat = result.repeat
    assert repeat is not None
    assert repeat.gamma_gamma is not None
    assert repeat.holdout is not None
    assert repeat.bgnbd.diagnostics.converged
    assert repeat.clv_total is not None
    assert (repeat.members, result.models, result.sbg) == (100, "non-contractual", None)


# --- amounts too large to sum exactly --------------------------------------------------------


def _wide_decimals(amounts: list[Decimal]) -> object:
    """Transactions whose amounts are pyarrow's decimal128(38, 2)."""
    pa = pytest.importorskip("pyarrow")
    schema = pa.schema(
        [("member_id", pa.string()), ("on", pa.date32()), ("amount", pa.decimal128(38, 2))]
    )
    days = [date(2025, 1, 1) + timedelta(days=7 * i) for i in range(len(amounts))]
    return pa.table(
        {"member_id": ["a"] * len(amounts), "on": days, "amount": amounts}, schema=schema
    )


def _engines(table: object) -> dict[str, object]:
    """The same Arrow table as pyarrow, polars and DuckDB frames (those installed)."""
    out = {"pyarrow": table}
    if importlib.util.find_spec("polars"):
        import polars as pl

        out["polars"] = pl.from_arrow(table)
    if importlib.util.find_spec("duckdb"):
        import duckdb

        out["duckdb"] = duckdb.connect().from_arrow(table)
    return out


def test_wide_decimals_are_read_exactly():
    table = _wide_decimals([Decimal("1234567890123.45"), Decimal("0.55")])
    for name, frame in _engines(table).items():
        base = frames.summarise(None, frame, AS_OF, currency=USD)
        assert base.stats["a"].revenue == Decimal("1234567890124.00"), name


def test_an_amount_too_large_for_64_bit_minor_units_is_refused_by_name():
    # 10^16 dollars are 10^18 cents: past what int64 (and an 18-digit decimal) holds with room
    table = _wide_decimals([Decimal(5), Decimal(10) ** 16, Decimal(10) ** 30])
    for name, frame in _engines(table).items():
        with pytest.raises(InvalidInputError, match=r"too large to sum exactly.*2 rows") as err:
            frames.summarise(None, frame, AS_OF, currency=USD)
        assert err.value.path == "transactions.amount", name


def test_a_sum_that_would_overflow_int64_is_refused_not_wrapped():
    pl = pytest.importorskip("polars")
    # each amount fits; six of them total 5.4e18 > 2^62, which int64 sums would wrap past
    sales = pl.DataFrame(
        {
            "member_id": ["a"] * 6,
            "on": [date(2025, 1, 1 + i) for i in range(6)],
            "amount": [9 * 10**17] * 6,
        }
    )
    with pytest.raises(InvalidInputError, match=r"sizes total 5\.4e\+18"):
        frames.summarise(None, sales, AS_OF)
    # an integer column in cents: the per-row limit counts the currency's 10^2
    per_row = r"x 10\^2 must be below 10\^18, 64-bit integers\): 6 rows"
    with pytest.raises(InvalidInputError, match=per_row):
        frames.summarise(None, sales, AS_OF, currency=USD)
    assert frames.summarise(None, sales.head(5), AS_OF).stats["a"].revenue == 45 * 10**17
