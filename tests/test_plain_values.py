"""Plain values in (DESIGN principle 9): what a notebook has is accepted where it is unambiguous.

One test per item of the friction list of issue 18, and properties of the conversion rules.
"""

import math
import numbers
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam import _validate as v
from mteam.errors import InvalidInputError
from mteam.experiments import two_proportion_ztest
from mteam.membership.cltv import cohort_cltv, geometric_cltv, sbg_cltv, simple_cltv
from mteam.membership.records import Member
from mteam.membership.sbg import fit_sbg, fit_sbg_durations
from mteam.membership.summary import summarise
from mteam.membership.survival import duration_table, kaplan_meier
from mteam.membership.units import Duration, Rate, TimeUnit, as_duration, as_rate, as_unit
from mteam.money import TWD, USD, Money

# Fader & Hardie (2007), "How to Project Customer Retention", the high-end segment.
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
DURATIONS = [2, 3, 3, 5, 6, 8]
OBSERVED = [True, True, False, True, False, True]


def error_of(call):
    with pytest.raises(InvalidInputError) as info:
        call()
    return info.value


def is_plain_number(x):
    return type(x) in {int, float}


# --- the friction list ------------------------------------------------------------------------


def test_kaplan_meier_takes_numpy_arrays():
    curve = kaplan_meier(np.array([1.0, 2.0]), np.array([True, False]))
    assert curve == kaplan_meier([1.0, 2.0], [True, False])
    assert curve.survival == (0.5,)
    assert all(type(t) is float for t in curve.times)


def test_kaplan_meier_takes_numpy_ints():
    curve = kaplan_meier(np.array(DURATIONS, dtype=np.int64), OBSERVED)
    assert curve == kaplan_meier(DURATIONS, OBSERVED)
    assert all(type(t) is int for t in curve.times)
    assert kaplan_meier([np.int64(d) for d in DURATIONS], OBSERVED) == curve


def test_curve_at_takes_numpy_scalars():
    curve = kaplan_meier(DURATIONS, OBSERVED)
    assert curve.at(np.int64(3)) == curve.at(3) == pytest.approx(4 / 6)
    assert curve.at(np.float32(5.0)) == curve.at(5)


def test_fit_sbg_takes_numpy_ints_and_arrays():
    model = fit_sbg(HIGH_END, unit="year")
    assert fit_sbg([np.int64(n) for n in HIGH_END], unit="year") == model
    assert fit_sbg(np.array(HIGH_END), unit="year") == model
    assert fit_sbg(np.array(HIGH_END, dtype=float), unit="year") == model
    assert fit_sbg(pd.Series(HIGH_END), unit="year") == model
    assert fit_sbg(pl.Series(HIGH_END), unit="year") == model


def test_fit_sbg_takes_a_2d_array_of_cohorts():
    # two cohorts of the same age, as rows of a retention table: pooled likelihoods
    rows = np.array([HIGH_END[:4], [500, 430, 370, 330]])
    assert fit_sbg(rows, unit="year") == fit_sbg([HIGH_END[:4], [500, 430, 370, 330]], "year")
    assert fit_sbg([pd.Series(HIGH_END[:4]), np.array([500, 430])], "year") == fit_sbg(
        [HIGH_END[:4], [500, 430]], "year"
    )


def test_model_survival_takes_numpy_scalars():
    model = fit_sbg(HIGH_END, unit="year")
    assert model.survival(np.int64(12)) == model.survival(12)
    assert model.retention(np.int64(3)) == model.retention(3)
    assert model.churn_probability(np.int64(2)) == model.churn_probability(2)
    assert type(model.retention(np.int64(3))) is float


def test_two_proportion_ztest_takes_numpy_ints():
    expected = two_proportion_ztest(200, 2000, 250, 2000)
    got = two_proportion_ztest(np.int64(200), np.int64(2000), np.int32(250), np.int64(2000))
    assert got == expected
    assert type(got.z) is float
    assert two_proportion_ztest(200, 2000, 250, 2000, alpha=np.float64(0.05)) == expected
    # a float32 is taken at its own value (0.0500000007…), as a plain float
    assert type(two_proportion_ztest(200, 2000, 250, 2000, alpha=np.float32(0.05)).alpha) is float


def test_zero_one_event_flags():
    assert kaplan_meier(DURATIONS, [1, 1, 0, 1, 0, 1]) == kaplan_meier(DURATIONS, OBSERVED)
    assert kaplan_meier(DURATIONS, np.array([1, 1, 0, 1, 0, 1])) == kaplan_meier(
        DURATIONS, OBSERVED
    )
    assert kaplan_meier(DURATIONS, pd.Series([1.0, 1.0, 0.0, 1.0, 0.0, 1.0])) == kaplan_meier(
        DURATIONS, OBSERVED
    )
    durations = [1, 2, 2, 3, 4, 4]
    assert fit_sbg_durations(durations, [1, 1, 0, 1, 0, 1]) == fit_sbg_durations(
        durations, OBSERVED
    )


@pytest.mark.parametrize("flag", [2, -1, 0.5, "yes", "1", None, float("nan")])
def test_a_flag_other_than_0_or_1_is_refused(flag):
    err = error_of(lambda: kaplan_meier([1, 2], [True, flag]))
    assert err.path == "observed[1]"
    err = error_of(lambda: fit_sbg_durations([1, 2], [True, flag]))
    assert err.path == "observed[1]"


def test_an_integral_float_is_a_count():
    model = fit_sbg([float(n) for n in HIGH_END], unit="year")
    assert model == fit_sbg(HIGH_END, unit="year")
    assert model.members == 1000
    assert type(model.members) is int
    assert two_proportion_ztest(200.0, 2000.0, 250, 2000) == two_proportion_ztest(
        200, 2000, 250, 2000
    )


@pytest.mark.parametrize("bad", [999.5, float("nan"), float("inf"), True, "1000"])
def test_a_count_must_be_whole(bad):
    err = error_of(lambda: fit_sbg([1000, bad], unit="year"))
    assert err.path == "survivors[1]"
    err = error_of(lambda: two_proportion_ztest(bad, 2000, 250, 2000))
    assert err.path == "successes_a"


def test_an_integral_float_is_a_period():
    model = fit_sbg(HIGH_END, unit="year")
    assert model.project(8.0) == model.project(8)
    assert model.survival(8.0) == model.survival(8)
    assert model.derl(Rate(0.1, "year"), 2.0) == model.derl(Rate(0.1, "year"), 2)
    assert error_of(lambda: model.project(8.5)).path == "periods"
    assert error_of(lambda: model.survival(-1.0)).path == "t"


@pytest.mark.parametrize("name", ["years", "Year", "YEARS", "year", TimeUnit.YEAR])
def test_unit_names_are_plural_and_case_insensitive(name):
    assert fit_sbg(HIGH_END, unit=name).unit is TimeUnit.YEAR
    assert Rate(0.1, name).per is TimeUnit.YEAR
    assert Duration(2, name).unit is TimeUnit.YEAR
    assert kaplan_meier([1], [True], unit=name).unit is TimeUnit.YEAR


def test_duration_table_takes_a_plural_unit():
    base = summarise([Member("a", date(2025, 1, 1), date(2025, 3, 15))], [], date(2025, 6, 1))
    assert duration_table(base, "Months") == duration_table(base, "month")


@pytest.mark.parametrize("name", ["fortnight", "yr", "", "monthss", 12, None])
def test_an_unknown_unit_is_refused(name):
    assert error_of(lambda: fit_sbg(HIGH_END, unit=name)).path == "unit"
    assert error_of(lambda: as_unit("per", name)).path == "per"


def test_geometric_cltv_of_plain_numbers_needs_a_currency_and_a_period():
    expected = geometric_cltv(Money(Decimal(300), TWD), Rate(0.9, "month"), Rate(0.01, "month"))
    assert geometric_cltv(300, 0.9, 0.01, per="month", currency="TWD") == expected
    assert geometric_cltv(300, 0.9, 0.01, per="months", currency=TWD) == expected
    assert geometric_cltv("300", np.float64(0.9), np.float64(0.01), per="month", currency=TWD) == (
        expected
    )
    err = error_of(lambda: geometric_cltv(300, 0.9, 0.01))
    assert err.path == "margin"
    assert "currency" in err.message
    err = error_of(lambda: geometric_cltv(300, 0.9, 0.01, currency="TWD"))
    assert err.path == "retention"
    assert "per=" in err.message
    # a Rate may stand beside a plain number with per=, if their periods agree
    assert geometric_cltv(300, Rate(0.9, "month"), 0.01, per="month", currency="TWD") == expected
    err = error_of(lambda: geometric_cltv(300, Rate(0.9, "year"), 0.01, per="month", currency=TWD))
    assert err.path == "retention"


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (300, "TWD", Money(Decimal(300), TWD)),
        (300.0, "TWD", Money(Decimal(300), TWD)),
        ("12.50", "USD", Money(Decimal("12.50"), USD)),
        (12.5, USD, Money(Decimal("12.50"), USD)),
        (Decimal("12.5"), "USD", Money(Decimal("12.50"), USD)),
        (np.int64(300), "TWD", Money(Decimal(300), TWD)),
    ],
)
def test_a_plain_amount_with_its_currency_is_money(amount, currency, expected):
    got = geometric_cltv(amount, 0.5, 0.0, per="month", currency=currency, first_payment=True)
    # m × (1 + 0) / (1 − 0.5) = 2 m
    assert got == Money(expected.amount * 2, expected.currency)


@pytest.mark.parametrize(
    ("amount", "currency", "path"),
    [
        (300.5, "TWD", "margin"),  # more decimals than TWD allows
        ("12.345", "USD", "margin"),
        ("abc", "USD", "margin"),
        (float("nan"), "USD", "margin"),
        (Decimal("Infinity"), "USD", "margin"),
        (True, "USD", "margin"),
        ([1], "USD", "margin"),
        (300, "XXX", "currency"),
        (300, 840, "currency"),
    ],
)
def test_a_bad_plain_amount_is_refused(amount, currency, path):
    err = error_of(lambda: geometric_cltv(amount, 0.5, 0.01, per="month", currency=currency))
    assert err.path == path


def test_money_in_another_currency_than_named_is_refused():
    err = error_of(
        lambda: geometric_cltv(Money(Decimal(1), TWD), 0.5, 0.01, per="month", currency=USD)
    )
    assert err.path == "margin"
    assert "TWD" in err.message


def test_simple_and_sbg_cltv_take_plain_values():
    assert simple_cltv("25.00", 2, np.float64(0.5), 10, per="week", currency="USD") == simple_cltv(
        Money(Decimal("25.00"), USD), Rate(2, "week"), 0.5, Duration(10, "week")
    )
    model = fit_sbg(HIGH_END, unit="year")
    assert sbg_cltv(model, 100, 0.1, np.int64(2), per="year", currency="USD") == sbg_cltv(
        model, Money(Decimal(100), USD), Rate(0.1, "year"), 2
    )
    err = error_of(lambda: sbg_cltv(model, 100, 0.1, currency="USD"))
    assert err.path == "discount_rate"
    err = error_of(lambda: sbg_cltv(model, 100, 0.1, per="month", currency="USD"))
    assert err.path == "discount_rate"  # the model is yearly
    assert error_of(lambda: simple_cltv("1", 2, 0.5, 10, per="week")).path == (
        "average_order_value"
    )


def test_cohort_cltv_takes_a_numpy_or_decimal_margin():
    base = summarise([Member("a", date(2025, 1, 1))], [], date(2025, 6, 1))
    assert cohort_cltv(base, np.float64(0.5)) == cohort_cltv(base, 0.5)
    assert cohort_cltv(base, Decimal("0.5")) == cohort_cltv(base, 0.5)
    assert error_of(lambda: cohort_cltv(base, True)).path == "gross_margin"  # noqa: FBT003 - a bool in the wrong place is the point


# --- rates -----------------------------------------------------------------------------------


def test_a_rate_is_a_rate_or_a_number_with_its_period():
    assert as_rate("d", 0.1, per="year") == Rate(0.1, "year")
    assert as_rate("d", Rate(0.1, "year")) == Rate(0.1, "year")
    assert as_rate("d", Rate(0.1, "year"), per="Years") == Rate(0.1, "year")
    assert error_of(lambda: as_rate("d", 0.1)).path == "d"
    assert error_of(lambda: as_rate("d", -0.1, per="year")).path == "d"
    assert error_of(lambda: as_rate("d", Duration(1, "year"), per="year")).path == "d"
    assert error_of(lambda: as_rate("d", 0.1, per="fortnight")).path == "per"
    assert as_duration("l", np.int64(18), per="month") == Duration(18, "month")
    assert error_of(lambda: as_duration("l", Duration(1, "year"), per="month")).path == "l"
    assert error_of(lambda: as_duration("l", Rate(1, "year"), per="year")).path == "l"
    assert error_of(lambda: as_duration("l", 18)).path == "l"


def test_rate_and_duration_hold_plain_numbers():
    rate = Rate(np.float64(0.1), "year")
    assert type(rate.value) is float
    assert rate == Rate(0.1, "year")
    assert type(Duration(np.int64(18), "month").value) is int
    assert type(Duration(np.float32(1.5), "month").value) is float
    assert error_of(lambda: Rate(True, "year")).path == "value"  # noqa: FBT003 - a bool in the wrong place is the point
    assert error_of(lambda: Rate(np.bool_(True), "year")).path == "value"  # noqa: FBT003 - a bool in the wrong place is the point


# --- the rules -------------------------------------------------------------------------------


def test_a_bool_is_never_a_number():
    assert error_of(lambda: kaplan_meier([True, 2], [True, True])).path == "durations[0]"
    assert error_of(lambda: kaplan_meier([np.True_], [True])).path == "durations[0]"
    assert error_of(lambda: v.as_number("x", np.bool_(False))).path == "x"  # noqa: FBT003 - a bool in the wrong place is the point
    assert error_of(lambda: v.as_count("x", np.True_)).path == "x"
    assert error_of(lambda: fit_sbg(HIGH_END, "year").survival(True)).path == "t"  # noqa: FBT003 - a bool in the wrong place is the point


def test_a_table_is_not_a_column():
    frame = pd.DataFrame({"d": DURATIONS, "e": OBSERVED})
    err = error_of(lambda: kaplan_meier(frame, OBSERVED))
    assert err.path == "durations"
    assert "DataFrame" in err.message
    assert kaplan_meier(frame["d"], frame["e"]) == kaplan_meier(DURATIONS, OBSERVED)
    polars = pl.DataFrame({"d": DURATIONS, "e": OBSERVED})
    assert error_of(lambda: kaplan_meier(DURATIONS, polars)).path == "observed"
    assert kaplan_meier(polars["d"], polars["e"]) == kaplan_meier(DURATIONS, OBSERVED)


@pytest.mark.parametrize("bad", [np.array(3.0), 5, "abc", {"a": 1}, b"ab", {1, 2}, frozenset()])
def test_a_scalar_is_not_a_column(bad):
    assert error_of(lambda: kaplan_meier(bad, [True])).path == "durations"


def test_missing_values_in_a_column_are_refused():
    err = error_of(lambda: kaplan_meier(pd.Series([1.0, None]), [True, True]))
    assert err.path == "durations[1]"
    err = error_of(lambda: kaplan_meier(pl.Series([1, None]), [True, True]))
    assert err.path == "durations[1]"
    err = error_of(lambda: kaplan_meier([1, 2], pd.array([True, None], dtype="boolean")))
    assert err.path == "observed[1]"


def test_complex_numbers_are_refused():
    assert "real" in error_of(lambda: v.as_number("x", 1j)).message
    assert error_of(lambda: v.as_flag("x", 1 + 0j)).path == "x"


class Index:
    """A whole number known only by `__index__` (no numpy)."""

    def __init__(self, n):
        self.n = n

    def __index__(self):
        return self.n


class Real(float):
    """A float subclass."""


Quarter = type(
    "Quarter",
    (numbers.Real,),
    {name: lambda *_: 0.25 for name in numbers.Real.__abstractmethods__},
)
"""A numbers.Real that is neither a float nor a numpy scalar; its float is 0.25."""


def test_duck_typed_numbers():
    assert v.as_count("x", Index(4)) == 4
    assert v.as_number("x", Index(4)) == 4
    assert v.to_number(Index(4)) == 4
    assert type(v.as_number("x", Real(1.5))) is Real  # a float subclass is a float
    assert v.as_number("x", Fraction(1, 4)) == 0.25
    assert v.as_number("x", Quarter()) == 0.25
    assert type(v.to_number(Quarter())) is float
    assert v.to_number([1]) == [1]  # not a number: left for the validator to refuse
    assert error_of(lambda: v.as_number("x", Decimal("NaN"))).message.startswith("must be a fin")
    assert v.to_number(np.float32(0.5)) == 0.5
    assert type(v.to_number(np.float32(0.5))) is float


def test_a_fractional_decimal_is_not_a_count():
    assert error_of(lambda: v.as_count("x", Decimal("2.5"))).message.startswith("must be a whole")
    assert v.as_count("x", Fraction(6, 3)) == 2


@given(st.integers(-(10**15), 10**15))
def test_every_integral_float_is_the_count_it_names(n):
    assert v.as_count("n", float(n)) == n
    assert v.as_count("n", np.int64(n)) == n
    assert v.as_count("n", Decimal(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)))
def test_no_fractional_float_is_a_count(x):
    with pytest.raises(InvalidInputError):
        v.as_count("n", x)


@given(st.one_of(st.integers(), st.floats(), st.booleans()))
def test_flags_are_exactly_bools_and_0_and_1(x):
    if isinstance(x, bool):
        assert v.as_flag("f", x) is x
    elif x in {0, 1}:
        assert v.as_flag("f", x) is (x == 1)
    else:
        with pytest.raises(InvalidInputError):
            v.as_flag("f", x)


@given(
    st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=30),
)
def test_numpy_pandas_and_polars_columns_give_the_list_result(rows):
    durations = [d for d, _ in rows]
    observed = [o for _, o in rows]
    expected = kaplan_meier(durations, observed)
    assert kaplan_meier(np.array(durations), np.array(observed)) == expected
    assert kaplan_meier(pd.Series(durations), pd.Series(observed).astype(int)) == expected
    assert kaplan_meier(pl.Series(durations, dtype=pl.Float64), pl.Series(observed)) == expected
    curve = kaplan_meier(np.array(durations, dtype=float), observed)
    assert all(is_plain_number(t) for t in curve.times)
    assert all(math.isfinite(s) for s in curve.survival)
