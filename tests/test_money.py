import decimal
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.money import (
    JPY,
    MAX_MINOR_UNITS,
    TWD,
    USD,
    Currency,
    Money,
    allocate,
    apportion,
    check_amount,
    currency,
    quantize,
)
from tests.strategies import amounts, currencies, non_finite, weight_maps


def test_hare_quota_example_from_the_largest_remainder_literature():
    # Wikipedia, "Largest remainder method", worked example (Hare quota): 100,000 votes,
    # 10 seats -> Yellows 5, Whites 2, Reds 1, Greens 1, Blues 1, Pinks 0.
    votes = {
        "yellows": 47_000,
        "whites": 16_000,
        "reds": 15_800,
        "greens": 12_000,
        "blues": 6_100,
        "pinks": 3_100,
    }
    seats = apportion(10, votes)
    assert {k: int(v) for k, v in seats.items()} == {
        "blues": 1,
        "greens": 1,
        "pinks": 0,
        "reds": 1,
        "whites": 2,
        "yellows": 5,
    }


def test_ties_go_in_key_order():
    assert apportion(Decimal(2), {"c": 1, "a": 1, "b": 1}) == {
        "a": Decimal(1),
        "b": Decimal(1),
        "c": Decimal(0),
    }


def test_cents_example_by_hand():
    # 10,000.00 split 3:2:2 is 4285.714..., 2857.142..., 2857.142...; floors leave one cent,
    # which goes to the largest remainder (x: .4 of a cent against .2 and .2).
    parts = apportion(Decimal("10000.00"), {"x": 3, "y": 2, "z": 2}, USD.quantum)
    assert parts == {"x": Decimal("4285.72"), "y": Decimal("2857.14"), "z": Decimal("2857.14")}
    assert all(p.as_tuple().exponent == -2 for p in parts.values())


def test_negative_total_is_split_like_its_absolute_value():
    assert apportion(Decimal(-10), {"a": 1, "b": 2}) == {"a": Decimal(-3), "b": Decimal(-7)}


def test_zero_total_gives_zeros_whatever_the_weights():
    assert apportion(Decimal("0.00"), {"a": 0, "b": 0}, USD.quantum) == {
        "a": Decimal("0.00"),
        "b": Decimal("0.00"),
    }
    assert apportion(0, {}) == {}


def test_float_weights_are_taken_exactly():
    parts = apportion(Decimal(3), {"a": 0.1, "b": 0.2})
    assert sum(parts.values()) == 3
    assert parts == {"a": Decimal(1), "b": Decimal(2)}


def test_totals_up_to_the_limit_stay_exact():
    # 10^18 cents (10^16 USD) is the largest total accepted: 33 significant digits of parts
    # would not fit the default 28-digit context, but nothing here uses it.
    total = Decimal(MAX_MINOR_UNITS).scaleb(-2)
    parts = apportion(total, {"a": 1, "b": 1, "c": 1}, USD.quantum)
    assert sum(Fraction(p) for p in parts.values()) == Fraction(total)
    assert parts["a"] == Decimal("3333333333333333.34")
    assert allocate(total, {"a": 1, "b": 1}, USD.quantum, caps={"b": Decimal("0.01")}) == {
        "a": total - Decimal("0.01"),
        "b": Decimal("0.01"),
    }


@pytest.mark.parametrize(
    ("total", "weights", "quantum", "path"),
    [
        (Decimal(10), {"a": -1, "b": 2}, 1, "weights['a']"),
        (Decimal(10), {"a": float("nan")}, 1, "weights['a']"),
        (Decimal(10), {"a": float("inf")}, 1, "weights['a']"),
        (Decimal(10), {"a": "1"}, 1, "weights['a']"),
        (Decimal(10), {"a": True}, 1, "weights['a']"),
        (Decimal(10), {"a": 0, "b": 0}, 1, "weights"),
        (Decimal(10), {}, 1, "weights"),
        (Decimal("10.5"), {"a": 1}, 1, "total"),
        (10.5, {"a": 1}, 1, "total"),
        (Decimal("NaN"), {"a": 1}, 1, "total"),
        (Decimal(10), {"a": 1}, 0, "quantum"),
        (Decimal(10), {"a": 1, 2: 1}, 1, "weights"),
    ],
)
def test_bad_input_is_an_invalid_input_error_naming_the_field(total, weights, quantum, path):
    with pytest.raises(InvalidInputError) as info:
        apportion(total, weights, quantum)
    assert info.value.path == path


@given(currencies, weight_maps, st.data())
def test_parts_sum_exactly_to_the_total(cur, weights, data):
    total = data.draw(amounts(cur))
    parts = apportion(total, weights, cur.quantum)
    assert sum(parts.values()) == total
    assert list(parts) == sorted(weights)
    assert all(p % cur.quantum == 0 for p in parts.values())


@given(currencies, weight_maps, st.data())
def test_each_part_is_within_one_quantum_of_its_exact_share(cur, weights, data):
    total = data.draw(amounts(cur))
    parts = apportion(total, weights, cur.quantum)
    weight_sum = sum(Fraction(w) for w in weights.values())
    for key, part in parts.items():
        exact = Fraction(total) * Fraction(weights[key]) / weight_sum
        assert abs(Fraction(part) - exact) < Fraction(cur.quantum)


@given(weight_maps, st.integers(0, 10**9))
def test_a_larger_weight_never_gets_less(weights, total):
    parts = apportion(total, weights)
    for a in weights:
        for b in weights:
            if weights[a] > weights[b]:
                assert parts[a] >= parts[b]


@given(weight_maps, st.integers(0, 10**9), st.randoms(use_true_random=False))
def test_order_of_the_weights_does_not_matter(weights, total, rnd):
    items = list(weights.items())
    rnd.shuffle(items)
    assert apportion(total, dict(items)) == apportion(total, weights)


@given(weight_maps, st.integers(0, 10**6), st.integers(1, 50))
def test_scaling_the_total_scales_every_part_up_to_one_quantum(weights, total, k):
    scaled = apportion(total * k, weights)
    base = apportion(total, weights)
    for key in weights:
        # each part is within one quantum of k x its exact share, and k x base is within k
        assert abs(scaled[key] - k * base[key]) <= k
        assert (
            abs(
                Fraction(scaled[key])
                - k
                * Fraction(total)
                * Fraction(weights[key])
                / sum(Fraction(w) for w in weights.values())
            )
            < 1
        )


@given(weight_maps, st.text(alphabet="klmn", min_size=1), st.integers(1, 10**6))
def test_a_zero_weight_gets_nothing(weights, zero_key, total):
    weights = {**weights, zero_key: 0}
    parts = apportion(total, weights)
    for key, w in weights.items():
        if w == 0:
            assert parts[key] == 0


def test_currency_quanta_and_lookup():
    assert USD.quantum == Decimal("0.01")
    assert TWD.quantum == Decimal(1)
    assert JPY.exponent == 0
    assert currency("USD") is USD
    assert str(TWD) == "TWD"


@pytest.mark.parametrize("code", ["XXX", "usd", 3])
def test_unknown_currency_codes_are_input_errors(code):
    with pytest.raises(InvalidInputError, match="currency"):
        currency(code)


@pytest.mark.parametrize(
    ("code", "exponent", "path"),
    [
        ("usd", 2, "code"),
        ("US", 2, "code"),
        ("USD", 5, "exponent"),
        ("USD", -1, "exponent"),
        ("USD", True, "exponent"),
    ],
)
def test_currency_validates(code, exponent, path):
    with pytest.raises(InvalidInputError) as info:
        Currency(code, exponent)
    assert info.value.path == path


def test_quantize_rounds_half_up_by_default():
    assert quantize(Decimal("0.125"), USD) == Decimal("0.13")
    assert quantize(Decimal("-0.125"), USD) == Decimal("-0.13")
    assert quantize(Decimal("2.5"), TWD) == Decimal(3)
    assert quantize(7, USD) == Decimal("7.00")


@given(non_finite)
def test_quantize_refuses_non_finite_and_floats(value):
    with pytest.raises(InvalidInputError):
        quantize(value, USD)
    with pytest.raises(InvalidInputError):
        quantize(Decimal(value), USD)


# --- the limits of accepted amounts (each of these escaped or was wrong before) --------------


@pytest.mark.parametrize(
    ("call", "path"),
    [
        # 10^28 + 1 JPY was accepted and then summed to 1.000...E+28 in the default context
        (lambda: Money(10**28 + 1, JPY), "amount"),
        (lambda: Money(Decimal("1E+30"), TWD), "amount"),
        (lambda: Money(Decimal(MAX_MINOR_UNITS + 1), TWD), "amount"),
        (lambda: Money(Decimal("1E+16") + Decimal("0.01"), USD), "amount"),
        (lambda: Money("1E+999999999", USD), "amount"),
        (lambda: Money(10**5000, TWD), "amount"),
        (lambda: Money(Decimal("1E-999999999"), USD), "amount"),
        (lambda: quantize(Decimal("1E+30"), JPY), "amount"),
        (lambda: quantize(Decimal("1E+999999999"), JPY), "amount"),
        (lambda: quantize(Decimal(MAX_MINOR_UNITS) + Decimal("0.5"), JPY), "amount"),
        (lambda: apportion(MAX_MINOR_UNITS + 1, {"a": 1}), "total"),
        (lambda: apportion(Decimal("1E+30"), {"a": 1}), "total"),
        (lambda: apportion(Decimal("1E-999999999"), {"a": 1}), "total"),
        (lambda: apportion(1, {"a": Decimal("1E+999999999")}), "weights['a']"),
        (lambda: apportion(1, {"a": Decimal("1E-999999999")}), "weights['a']"),
        (lambda: apportion(1, {"a": 10**19}), "weights['a']"),
        (lambda: apportion(1, {"a": 10**5000}), "weights['a']"),
        (lambda: apportion(1, {"a": 1e300}), "weights['a']"),
        (lambda: apportion(1, {"a": 1}, Decimal("1E-999999999")), "quantum"),
        (lambda: apportion(1, {"a": 1}, Decimal("1E+19")), "quantum"),
        (lambda: allocate(MAX_MINOR_UNITS + 1, {"a": 1}), "total"),
        (lambda: allocate(10, {"a": 1}, caps={"a": Decimal("1E+30")}), "caps['a']"),
        (lambda: allocate(10, {"a": 1}, floors={"a": 10**19}), "floors['a']"),
        (lambda: check_amount(10**19, TWD, "bonus_pool"), "bonus_pool"),
    ],
)
def test_amounts_beyond_the_limit_are_refused_naming_the_field(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


def test_the_limit_itself_is_accepted():
    assert Money(MAX_MINOR_UNITS, JPY).amount == Decimal(10**18)
    assert Money(-MAX_MINOR_UNITS, JPY).amount == Decimal(-(10**18))
    assert Money(Decimal("1E+16"), USD).amount == Decimal("10000000000000000.00")
    assert check_amount("1E+18", TWD) == Decimal(10**18)
    assert apportion(MAX_MINOR_UNITS, {"a": 1, "b": 1}) == {
        "a": Decimal(5 * 10**17),
        "b": Decimal(5 * 10**17),
    }
    assert apportion(1, {"a": Decimal(10**18), "b": Decimal("1E-36")}) == {
        "a": Decimal(1),
        "b": Decimal(0),
    }


# --- plain values for money ------------------------------------------------------------------


def test_money_takes_plain_values_and_keeps_the_currencys_decimals():
    assert Money(Decimal(300), "TWD") == Money(Decimal(300), TWD)
    assert Money(Decimal(300), "TWD").currency is TWD
    assert Money(300, USD).amount.as_tuple().exponent == -2
    assert str(Money("1200.5", USD)) == "1,200.50 USD"
    assert Money(0.1, USD).amount == Decimal("0.10")
    assert Money(1e15, USD).amount == Decimal("1000000000000000.00")
    assert Money(Decimal("-0.00"), USD).amount.is_signed() is False
    assert quantize(7, "USD") == Decimal("7.00")
    assert quantize("2.675", USD) == Decimal("2.68")
    assert quantize(2.675, USD) == Decimal("2.68")  # by its repr, not its binary value


@pytest.mark.parametrize(
    ("amount", "cur"),
    [(0.123, USD), (2.5, TWD), (0.1 + 0.2, USD), ("12.345", USD), ("x", USD), (True, USD)],
)
def test_money_refuses_what_carries_more_than_the_minor_unit(amount, cur):
    with pytest.raises(InvalidInputError) as info:
        Money(amount, cur)
    assert info.value.path == "amount"


@pytest.mark.parametrize("bad", ["XXX", 5, None, "usd"])
def test_money_refuses_unknown_currencies(bad):
    with pytest.raises(InvalidInputError) as info:
        Money(1, bad)
    assert info.value.path == "currency"


def test_bad_rounding_mode_is_an_input_error():
    with pytest.raises(InvalidInputError) as info:
        quantize(Decimal("1.5"), TWD, "SIDEWAYS")
    assert info.value.path == "rounding"


# --- nothing depends on the caller's decimal context -----------------------------------------


def _money_calls():
    big = Decimal(MAX_MINOR_UNITS - 7)
    return (
        apportion(big, {"a": 3, "b": 2, "c": Decimal("0.333333333333333333333333333333")}),
        allocate(big, {"a": 3, "b": 2}, floors={"b": 10**17}, caps={"a": 10**17 * 4}),
        quantize(Decimal("123456789012345678.5"), JPY),
        Money("9999999999999999.99", USD),
        check_amount(Decimal("1E+17"), TWD),
    )


@pytest.mark.parametrize(
    "context",
    [
        decimal.Context(prec=5),
        decimal.Context(prec=3, rounding=decimal.ROUND_DOWN, Emax=10, Emin=-10),
        decimal.Context(traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation]),
        decimal.Context(prec=28, traps=[]),
    ],
)
def test_results_do_not_depend_on_the_callers_decimal_context(context):
    expected = _money_calls()
    with localcontext(context):
        assert _money_calls() == expected
    # and the caller's context is left as it was
    assert decimal.getcontext().prec == 28


_WRONG = (
    st.none()
    | st.booleans()
    | st.lists(st.integers(), max_size=2)
    | st.text(alphabet="xyz!$", min_size=1, max_size=4)
    | st.just(object())
    | st.sampled_from([float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
)


@given(_WRONG)
def test_money_refuses_wrong_types_naming_the_field(value):
    with pytest.raises(InvalidInputError) as info:
        Money(value, USD)
    assert info.value.path == "amount"
    with pytest.raises(InvalidInputError) as info:
        Money(1, value)
    assert info.value.path == "currency"


@given(_WRONG | st.integers(5, 10) | st.integers(-5, -1), _WRONG)
def test_currency_refuses_wrong_types_naming_the_field(exponent, code):
    with pytest.raises(InvalidInputError) as info:
        Currency("USD", exponent)
    assert info.value.path == "exponent"
    with pytest.raises(InvalidInputError) as info:
        Currency(code, 2)
    assert info.value.path == "code"


@given(st.integers(-MAX_MINOR_UNITS, MAX_MINOR_UNITS), st.sampled_from([TWD, USD, JPY]))
def test_check_amount_round_trips_every_accepted_amount(units, cur):
    amount = Decimal(units).scaleb(-cur.exponent)
    assert check_amount(amount, cur) == amount
    assert check_amount(str(amount), cur.code) == amount
    assert Money(amount, cur).amount.as_tuple().exponent == -cur.exponent
