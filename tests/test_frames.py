# ruff: noqa: PLC0415, N812, DTZ001, PLR0124
# (engines are imported inside their constructors, so a missing one skips only itself; Spark's
# `types as T` is its documented idiom; naive datetimes are the engines' own; NaN != NaN is the
# test for pandas' missing recency)
"""The frames path against the pure path, on every engine installed.

As narwhals' own suite does, a `constructor` fixture turns the same records into each
engine's native frames; the property is equality (`==`) with `summarise`/`analyse`.
"""

import importlib
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership import frames
from mteam.membership.analysis import MembershipPolicy, analyse, score_members
from mteam.membership.records import Member, Transaction
from mteam.membership.rfm import RFMPolicy
from mteam.membership.summary import summarise
from mteam.membership.tiers import PointsPolicy
from mteam.money import USD


def _needed(module: str) -> object:
    """Import `module`, or skip this file where it is not installed (fail in CI, which has it)."""
    return importlib.import_module(module) if os.environ.get("CI") else pytest.importorskip(module)


_needed("narwhals")

AS_OF = date(2025, 12, 31)
Columns = dict[str, list[object]]


def _columns(
    members: list[Member] | None, sales: list[Transaction]
) -> tuple[Columns | None, Columns]:
    m = (
        None
        if members is None
        else {
            "member_id": [x.id for x in members],
            "joined_on": [x.joined_on for x in members],
            "left_on": [x.left_on for x in members],
        }
    )
    t = {
        "member_id": [x.member_id for x in sales],
        "on": [x.on for x in sales],
        "amount": [x.amount for x in sales],  # Decimals with two places at most
    }
    return m, t


def _pandas(m: Columns | None, t: Columns) -> tuple[object, object]:
    import pandas as pd

    def frame(cols: Columns, days: tuple[str, ...]) -> object:
        df = pd.DataFrame({"member_id": pd.Series(cols["member_id"], dtype=object)})
        for c in days:
            df[c] = pd.to_datetime(pd.Series(cols[c], dtype=object))
        if "amount" in cols:
            df["amount"] = pd.Series([float(a) for a in cols["amount"]], dtype="float64")
        return df

    members = None if m is None else frame(m, ("joined_on", "left_on"))
    return members, frame(t, ("on",))


def _arrow(m: Columns | None, t: Columns) -> tuple[object, object]:
    import pyarrow as pa

    schema_m = pa.schema(
        [("member_id", pa.string()), ("joined_on", pa.date32()), ("left_on", pa.date32())]
    )
    schema_t = pa.schema(
        [("member_id", pa.string()), ("on", pa.date32()), ("amount", pa.decimal128(12, 2))]
    )
    members = None if m is None else pa.table(m, schema=schema_m)
    return members, pa.table(t, schema=schema_t)


def _polars(m: Columns | None, t: Columns) -> tuple[object, object]:
    import polars as pl

    members, sales = _arrow(m, t)
    return (None if members is None else pl.from_arrow(members)), pl.from_arrow(sales)


def _polars_lazy(m: Columns | None, t: Columns) -> tuple[object, object]:
    members, sales = _polars(m, t)
    return (None if members is None else members.lazy()), sales.lazy()  # type: ignore[attr-defined]


def _duckdb(m: Columns | None, t: Columns) -> tuple[object, object]:
    """DuckDB relations (each collect is a query: the slow engines get few examples)."""
    import duckdb

    members, sales = _arrow(m, t)
    con = duckdb.connect()
    return (None if members is None else con.from_arrow(members)), con.from_arrow(sales)


ENGINES: dict[str, tuple[str, Callable[..., tuple[object, object]]]] = {
    "pandas": ("pandas", _pandas),
    "polars": ("polars", _polars),
    "polars-lazy": ("polars", _polars_lazy),
    "pyarrow": ("pyarrow", _arrow),
    "duckdb": ("duckdb", _duckdb),
    "dask": ("dask", None),  # type: ignore[dict-item]
    "pyspark": ("pyspark", None),  # type: ignore[dict-item]
}
SLOW = {"duckdb", "dask", "pyspark"}  # a fixed cost per collect (a query, a graph, a job)
# Random bases per engine: each collect costs the slow engines a query, a graph or a job (a
# random base costs Spark and Dask a minute or more on a busy 2-core machine), so they get one
# or two and the in-process engines three; the worked bases of the tests below (members who
# left, a member without purchases, a base without members, the scores) run on every engine.
# Derandomised in CI, so a run is repeatable.
EXAMPLES = {
    name: 1 if name in {"dask", "pyspark"} else 2 if name in SLOW else 3 for name in ENGINES
}
NEEDS = {"dask": ("dask", "distributed")}  # Dask's LocalCluster is distributed's


@pytest.fixture(params=list(ENGINES))
def constructor(
    request: pytest.FixtureRequest, require_engine: Callable[..., None]
) -> Callable[..., tuple[object, object]]:
    """The engine's frames of the same records; an engine not installed skips (fails in CI)."""
    name = request.param
    require_engine(*NEEDS.get(name, (ENGINES[name][0],)), java=name == "pyspark")
    if name == "dask":
        request.getfixturevalue("dask_client")
        import dask.dataframe as dd

        def make_dask(m: Columns | None, t: Columns) -> tuple[object, object]:
            members, sales = _pandas(m, t)
            return (
                None if members is None else dd.from_pandas(members, npartitions=2),
                dd.from_pandas(sales, npartitions=2),
            )

        make_dask.slow = True
        make_dask.engine = name
        return make_dask
    if name == "pyspark":
        session = request.getfixturevalue("spark")
        from pyspark.sql import types as T

        def make_spark(m: Columns | None, t: Columns) -> tuple[object, object]:
            schema_m = T.StructType(
                [
                    T.StructField("member_id", T.StringType()),
                    T.StructField("joined_on", T.DateType()),
                    T.StructField("left_on", T.DateType()),
                ]
            )
            schema_t = T.StructType(
                [
                    T.StructField("member_id", T.StringType()),
                    T.StructField("on", T.DateType()),
                    T.StructField("amount", T.DecimalType(12, 2)),
                ]
            )
            members = (
                None
                if m is None
                else session.createDataFrame(list(zip(*m.values(), strict=True)), schema_m)
            )
            return members, session.createDataFrame(list(zip(*t.values(), strict=True)), schema_t)

        make_spark.slow = True
        make_spark.engine = name
        return make_spark
    build = ENGINES[name][1]

    def make(m: Columns | None, t: Columns) -> tuple[object, object]:
        return build(m, t)

    make.slow = name in SLOW
    make.engine = name
    return make


@st.composite
def member_bases(draw: st.DrawFn, max_members: int = 10) -> tuple[list[Member], list[Transaction]]:
    n = draw(st.integers(1, max_members))
    members, sales = [], []
    for i in range(n):
        joined = draw(st.dates(date(2023, 1, 1), AS_OF))
        left = draw(st.none() | st.dates(joined, AS_OF))
        members.append(Member(f"m{i:02d}", joined, left))
        for _ in range(draw(st.integers(0, 4))):
            day = draw(st.dates(joined, AS_OF))
            cents = draw(st.integers(0, 500_000))
            sales.append(Transaction(f"m{i:02d}", day, Decimal(cents).scaleb(-2)))
    return members, sales


def _outcome(compute: Callable[[], object]) -> object:
    try:
        return compute()
    except InvalidInputError as err:
        return ("error", err.path)


# EXAMPLES[engine] random bases each; the worked base runs on every engine in
# test_the_sample_is_the_same_on_every_engine. No shrinking: a failing base is small already,
# and shrinking through an engine takes minutes.
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


def _per_engine(engine: str) -> settings:
    return settings(
        max_examples=EXAMPLES[engine],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=_PHASES,
    )


def test_random_bases_give_the_pure_results(constructor):
    policy = MembershipPolicy(currency=USD)

    @_per_engine(constructor.engine)
    @given(member_bases(), st.sampled_from(["rank", "shared"]))
    def check(data, ties):
        members, sales = data
        m, t = constructor(*_columns(members, sales))
        assert frames.summarise(m, t, AS_OF, currency=USD) == summarise(members, sales, AS_OF)
        # the contractual models: frames does not compute the repeat purchases (yet)
        pol = MembershipPolicy(currency=USD, rfm=RFMPolicy(ties=ties), models="contractual")
        expected = _outcome(lambda: analyse(members, sales, AS_OF, pol))
        assert _outcome(lambda: frames.analyse(m, t, AS_OF, pol)) == expected

    check()
    assert policy.currency is USD


def test_the_sample_is_the_same_on_every_engine(constructor):
    members = [
        Member("a", date(2024, 1, 31)),
        Member("b", date(2024, 2, 29), date(2025, 3, 31)),
        Member("c", date(2024, 3, 15), date(2024, 9, 1)),
        Member("d", date(2025, 1, 1)),
        Member("e", date(2025, 6, 30)),
    ]
    sales = [
        Transaction("a", date(2024, 2, 29), Decimal("19.99")),
        Transaction("a", date(2025, 12, 31), Decimal("5.01")),
        Transaction("b", date(2024, 3, 1), Decimal(100)),
        Transaction("b", date(2025, 3, 30), Decimal("0.50")),
        Transaction("d", date(2025, 1, 31), Decimal(7)),
        Transaction("d", date(2025, 2, 28), Decimal(7)),
    ]
    policy = MembershipPolicy(currency=USD, points=PointsPolicy(Decimal("0.5"), 12))
    m, t = constructor(*_columns(members, sales))
    result = frames.analyse(m, t, AS_OF, policy)
    assert result == analyse(members, sales, AS_OF, policy)
    # points, each purchase rounded down: a 5.01 x 0.5 -> 2; d 7 x 0.5 -> 3, twice; b 0.50 x 0.5
    # -> 0 (b holds none); c bought nothing
    assert (result.points_held, result.points_holders) == (8, 2)
    if constructor.engine == "pyspark":  # the members' figures were cached, and released
        assert t.sparkSession._jsparkSession.sharedState().cacheManager().isEmpty()


IN_PROCESS = [name for name in ENGINES if name not in {"dask", "pyspark"}]


@pytest.mark.parametrize("engine", IN_PROCESS)
def test_analyse_makes_three_collects_and_score_with_cuts_one(engine, require_engine, monkeypatch):
    """What the frames guide promises: the checks, the count tables, the segment sizes."""
    require_engine(ENGINES[engine][0])
    members = [Member("a", date(2024, 1, 31)), Member("b", date(2024, 2, 29), date(2025, 3, 31))]
    sales = [
        Transaction("a", date(2024, 2, 29), Decimal("19.99")),
        Transaction("b", date(2024, 3, 1), Decimal(100)),
    ]
    policy = MembershipPolicy(currency=USD, models="contractual")
    m, t = ENGINES[engine][1](*_columns(members, sales))
    collected: list[object] = []
    real = frames._collect_rows
    monkeypatch.setattr(frames, "_collect_rows", lambda f: collected.append(f) or real(f))
    result = frames.analyse(m, t, AS_OF, policy)
    assert len(collected) == 3
    collected.clear()
    frames.score(m, t, AS_OF, policy, cuts=result.rfm_cuts)
    assert len(collected) == 1  # the checks only


LAZY = {"polars-lazy": "LazyFrame", "duckdb": "DuckDBPyRelation", "dask": "DataFrame"}


def test_scores_are_a_frame_of_the_engine_with_the_pure_scores(constructor):
    members = [
        Member("a", date(2024, 1, 31)),
        Member("b", date(2024, 2, 29), date(2025, 3, 31)),
        Member("c", date(2024, 3, 15)),
        Member("d", date(2025, 1, 1)),
    ]
    sales = [
        Transaction("a", date(2024, 2, 29), Decimal("19.99")),
        Transaction("a", date(2025, 12, 31), Decimal("5.01")),
        Transaction("b", date(2024, 3, 1), Decimal(100)),
        Transaction("d", date(2025, 1, 31), Decimal(7)),
        Transaction("d", date(2025, 2, 28), Decimal(7)),
    ]
    policy = MembershipPolicy(currency=USD, models="contractual")
    m, t = constructor(*_columns(members, sales))
    out = frames.score(m, t, AS_OF, policy)
    # the engine's own frame: lazy (nothing collected yet) where the input was lazy
    assert type(out).__module__.split(".")[0].lstrip("_") == ENGINES[constructor.engine][0]
    if constructor.engine in LAZY:
        assert type(out).__name__ == LAZY[constructor.engine]
    expected = score_members(summarise(members, sales, AS_OF), policy).scores
    got = [(r["member_id"], r["r"], r["f"], r["m"], r["segment"], r["tier"]) for r in _rows(out)]
    assert got == [(s.member_id, s.r, s.f, s.m, s.segment, s.tier) for s in expected]
    assert [int(r["revenue_minor"]) for r in _rows(out)] == [2500, 10000, 0, 1400]


def test_without_members_each_joins_at_the_first_purchase(constructor):
    sales = [
        Transaction("a", date(2024, 2, 29), Decimal("19.99")),
        Transaction("a", date(2025, 12, 31), Decimal("5.01")),
        Transaction("d", date(2025, 1, 31), Decimal(7)),
        Transaction("d", date(2025, 3, 2), Decimal(3)),
    ]
    only = [Member("a", date(2024, 2, 29)), Member("d", date(2025, 1, 31))]
    _, t = constructor(*_columns(None, sales))
    assert frames.summarise(None, t, AS_OF, currency=USD) == summarise(only, sales, AS_OF)
    # a purchase log gets the repeat-purchase models' counts from the engine (equal to the pure
    # path's: tests/test_frames_repeat.py; two members are too few for a fit worth the time)
    policy = MembershipPolicy(currency=USD)
    assert frames._aggregates(None, t, AS_OF, policy, None).repeat is not None


def _decimal_sales(places: int) -> object:
    """pandas transactions whose amounts are an Arrow decimal of `places` decimals."""
    import pyarrow as pa

    amounts = [Decimal("19.99"), Decimal("5.01"), Decimal("7.5")]
    if places > 2:
        amounts[1] = Decimal("5.015")
    return pd.DataFrame(
        {
            "member_id": ["a", "a", "b"],
            "on": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-01"]),
            "amount": pd.Series(amounts, dtype=pd.ArrowDtype(pa.decimal128(12, places))),
        }
    )


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_pandas_arrow_decimal_amounts_are_exact_or_refused(engine, request):
    members = [Member("a", date(2025, 1, 1)), Member("b", date(2025, 2, 1), date(2025, 6, 1))]
    m, _ = _pandas(*_columns(members, []))
    sales = [_decimal_sales(2), _decimal_sales(4)]
    if engine == "dask":
        request.getfixturevalue("dask_client")  # skips where Dask is not installed (not in CI)
        import dask.dataframe as dd

        m = dd.from_pandas(m, npartitions=1)
        sales = [dd.from_pandas(s, npartitions=2) for s in sales]
    base = frames.summarise(m, sales[0], AS_OF, currency=USD)
    assert (base.stats["a"].revenue, base.stats["b"].revenue) == (Decimal("25.00"), Decimal("7.50"))
    # in whole units (no currency), 19.99 has too many decimals; with cents, 5.0150 has
    with pytest.raises(InvalidInputError, match=r"currency's 0 \(pass currency=\): 3 rows"):
        frames.summarise(m, sales[0], AS_OF)
    with pytest.raises(InvalidInputError, match=r"currency's 2: 1 row, e\.g\. 'a'"):
        frames.summarise(m, sales[1], AS_OF, currency=USD)


def _rows(native: object) -> list[dict[str, object]]:
    import narwhals.stable.v2 as nw

    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return sorted(frame.rows(named=True), key=lambda r: r["member_id"])


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "pandas"])
@settings(max_examples=3, deadline=None, phases=_PHASES)
@given(data=member_bases())
def test_scores_are_score_members_in_the_users_engine(engine, data):
    pytest.importorskip(ENGINES[engine][0])
    members, sales = data
    m, t = ENGINES[engine][1](*_columns(members, sales))
    policy = MembershipPolicy(currency=USD)
    out = frames.score(m, t, AS_OF, policy)
    lazy = engine == "polars-lazy"
    assert (type(out).__name__ in {"LazyFrame", "DuckDBPyRelation"}) == lazy
    expected = score_members(summarise(members, sales, AS_OF), policy).scores
    got = _rows(out)
    assert [r["member_id"] for r in got] == [s.member_id for s in expected]
    for r, s in zip(got, expected, strict=True):
        assert (r["r"], r["f"], r["m"], r["segment"], r["tier"]) == (
            s.r,
            s.f,
            s.m,
            s.segment,
            s.tier,
        )
        assert r["purchases"] == s.frequency
        assert Decimal(int(r["revenue_minor"])).scaleb(-2) == s.monetary
        assert Decimal(int(r["trailing_minor"])).scaleb(-2) == s.trailing_revenue
        recency = r["recency"]
        assert (None if recency is None or recency != recency else int(recency)) == s.recency
    # with the cut points of the whole base given, nothing is collected before the frame
    cuts = analyse(members, sales, AS_OF, policy).rfm_cuts if _fits(members, sales) else None
    if cuts is not None:
        assert [
            (r["r"], r["f"], r["m"]) for r in _rows(frames.score(m, t, AS_OF, policy, cuts=cuts))
        ] == [(s.r, s.f, s.m) for s in expected]


def _fits(members: list[Member], sales: list[Transaction]) -> bool:
    try:
        analyse(members, sales, AS_OF)
    except InvalidInputError:
        return False
    return True


# --- bad input -------------------------------------------------------------------------------

pd = _needed("pandas")
pl = _needed("polars")


def _members(**changes: object) -> object:
    cols = {
        "member_id": ["a", "b"],
        "joined_on": [date(2025, 1, 1), date(2025, 2, 1)],
        "left_on": [None, date(2025, 6, 1)],
    }
    cols.update(changes)
    return pl.DataFrame(cols)


def _sales(**changes: object) -> object:
    cols = {
        "member_id": ["a", "b", "a"],
        "on": [date(2025, 1, 5), date(2025, 3, 1), date(2025, 4, 1)],
        "amount": [10, 20, 30],
    }
    cols.update(changes)
    return pl.DataFrame(cols)


@pytest.mark.parametrize(
    ("members", "sales", "kwargs", "path", "message"),
    [
        (_members(), _sales().drop("amount"), {}, "transactions.amount", "no such column"),
        (_members(), _sales().rename({"on": "day"}), {}, "transactions.on", "no such column"),
        (_members().drop("left_on"), _sales(), {}, "members.left_on", "no such column"),
        (_members(), _sales(on=["2025-01-05"] * 3), {}, "transactions.on", "date or datetime"),
        (_members(), _sales(amount=["1", "2", "3"]), {}, "transactions.amount", "number"),
        (_members(member_id=[1.5, 2.5]), _sales(), {}, "members.member_id", "text"),
        (_members(), _sales(amount=[10, None, 30]), {}, "transactions.amount", "is null: 1 row"),
        (_members(joined_on=[None, date(2025, 2, 1)]), _sales(), {}, "members.joined_on", "null"),
        (_members(), _sales(member_id=["a", "zz", "a"]), {}, "transactions.member_id", "'zz'"),
        (
            _members(member_id=["a", "a"]),
            _sales(member_id=["a"] * 3),
            {},
            "members.member_id",
            "duplicate",
        ),
        (
            _members(),
            _sales(on=[date(2025, 1, 5), date(2026, 3, 1), date(2025, 4, 1)]),
            {},
            "transactions.on",
            "after as_of",
        ),
        (
            _members(),
            _sales(on=[date(2024, 12, 5), date(2025, 3, 1), date(2025, 4, 1)]),
            {},
            "transactions.on",
            "before the member joined: 1 row, e.g. 'a'",
        ),
        (_members(left_on=[None, date(2024, 1, 1)]), _sales(), {}, "members.left_on", "before"),
        (_members(left_on=[None, date(2026, 1, 1)]), _sales(), {}, "members.left_on", "after"),
        (
            _members(joined_on=[date(2025, 1, 1), date(2026, 1, 2)]),
            _sales(),
            {},
            "members.joined_on",
            "after",
        ),
        (_members(), _sales(amount=[10, -20, 30]), {}, "transactions.amount", "refunds"),
        (
            _members(),
            _sales(amount=[10.5, 20.25, 30.125]),
            {"currency": USD},
            "transactions.amount",
            "more decimals than the currency's 2: 1 row, e.g. 'a'",
        ),
        (
            _members(),
            _sales(on=[datetime(2025, 1, 5, 12), datetime(2025, 3, 1), datetime(2025, 4, 1)]),
            {},
            "transactions.on",
            "time of day",
        ),
        (_members(), _sales(), {"columns": {"when": "on"}}, "columns['when']", "must map"),
        ("not a frame", _sales(), {}, "members", "dataframe"),
        (_members(), _sales(), {"currency": "USD"}, "currency", "Currency"),
    ],
)
def test_bad_input_names_the_column_with_examples(members, sales, kwargs, path, message):
    with pytest.raises(InvalidInputError, match=message) as err:
        frames.summarise(members, sales, AS_OF, **kwargs)
    assert err.value.path == path or path in str(err.value)


def test_several_problems_are_reported_together_and_nothing_is_computed():
    sales = _sales(member_id=["a", "zz", "a"], amount=[10, 20, -5])
    with pytest.raises(InvalidInputError) as err:
        frames.analyse(_members(), sales, AS_OF)
    paths = {p.path for p in err.value.problems}
    assert paths == {"transactions.member_id", "transactions.amount"}


def test_renamed_columns_decimal_amounts_and_pandas_datetimes():
    members = pd.DataFrame(
        {"id": ["a"], "since": pd.to_datetime(["2025-01-01"]), "until": pd.to_datetime([None])}
    )
    sales = pd.DataFrame(
        {
            "id": ["a", "a"],
            "on": pd.to_datetime(["2025-01-02", "2025-02-03"]),
            "amount": [1.25, 2.50],
        }
    )
    columns = {"member_id": "id", "joined_on": "since", "left_on": "until"}
    base = frames.summarise(members, sales, AS_OF, columns=columns, currency=USD)
    assert base.stats["a"].revenue == Decimal("3.75")
    assert base.stats["a"].active_months() == (0, 1)
    with pytest.raises(InvalidInputError, match="more decimals"):
        frames.summarise(members, sales, AS_OF, columns=columns)  # whole units without currency
    with pytest.raises(InvalidInputError, match="as_of"):
        frames.summarise(members, sales, "2025-12-31", columns=columns)
    with pytest.raises(InvalidInputError, match="policy"):
        frames.analyse(members, sales, AS_OF, policy="x", columns=columns)
    with pytest.raises(InvalidInputError, match="members"):
        frames.analyse(_members().head(0), _sales().head(0), AS_OF)


def test_pandas_arrow_dates_give_the_pure_results():
    # pandas' Arrow-backed integers have no `%`: the leap-year rule must not need it
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    members = [Member("a", date(2024, 1, 1)), Member("b", date(2024, 2, 1), date(2025, 6, 1))]
    sales = [
        Transaction("a", date(2024, 2, 29), Decimal("1.50")),
        Transaction("b", date(2024, 3, 1), Decimal("2.00")),
        Transaction("a", date(2025, 4, 1), Decimal("3.25")),
    ]
    m, t = _arrow(*_columns(members, sales))
    m, t = (x.to_pandas(types_mapper=pd.ArrowDtype) for x in (m, t))
    assert isinstance(m["joined_on"].dtype, pd.ArrowDtype)
    assert pa.types.is_date32(m["joined_on"].dtype.pyarrow_dtype)
    assert frames.summarise(m, t, AS_OF, currency=USD) == summarise(members, sales, AS_OF)
    policy = MembershipPolicy(currency=USD, models="contractual")
    assert frames.analyse(m, t, AS_OF, policy) == analyse(members, sales, AS_OF, policy)


def test_dask_shuffles_keep_decimal_amounts_exact(request, tmp_path):
    # a join of two many-partition Dask frames shuffles them, and the shuffle turns an Arrow
    # decimal column into Python objects: the amounts are read before the join
    request.getfixturevalue("dask_client")  # skips where Dask is not installed (not in CI)
    import dask.dataframe as dd
    import pyarrow as pa
    import pyarrow.parquet as pq

    members = [
        Member(f"m{i:02d}", date(2025, 1, 1 + i), date(2025, 6, 30) if i % 3 == 0 else None)
        for i in range(20)
    ]
    sales = [
        Transaction(f"m{i:02d}", date(2025, 3, 1 + k), Decimal(f"{i}.{k}5"))
        for i in range(20)
        for k in range(3)
    ]
    m, t = _arrow(*_columns(members, sales))
    t = t.cast(pa.schema([t.schema[0], t.schema[1], pa.field("amount", pa.decimal128(12, 2))]))
    for name, table in (("members", m), ("transactions", t)):
        (tmp_path / name).mkdir()
        half = len(table) // 2
        pq.write_table(table.slice(0, half), tmp_path / name / "0.parquet")
        pq.write_table(table.slice(half), tmp_path / name / "1.parquet")
    read = {
        name: dd.read_parquet(tmp_path / name, dtype_backend="pyarrow")
        for name in ("members", "transactions")
    }
    assert read["transactions"].npartitions == 2
    policy = MembershipPolicy(currency=USD, models="contractual")
    got = frames.analyse(read["members"], read["transactions"], AS_OF, policy)
    assert got == analyse(members, sales, AS_OF, policy)
