"""Water-filling on integers against a plain Fraction walk, and its invariants."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from mteam._fill import Claim, water_fill


def _reference(claims, total):
    """The same rule walked in Fractions throughout: the oracle."""
    amounts = {c.key: c.floor for c in claims if c.weight <= 0}
    active = [c for c in claims if c.weight > 0]
    rest = total - sum(amounts.values(), Fraction(0))
    if not active:
        return amounts, rest
    caps = [c.cap for c in active if c.cap is not None]
    if len(caps) == len(active) and sum(caps, Fraction(0)) <= rest:
        amounts.update({c.key: c.cap for c in active})
        return amounts, rest - sum(caps, Fraction(0))
    events = []
    for c in active:
        events.append((c.floor / c.weight, 0, c))
        if c.cap is not None:
            events.append((c.cap / c.weight, 1, c))
    events.sort(key=lambda e: (e[0], e[1]))
    at_floor, at_cap, weight = sum((c.floor for c in active), Fraction(0)), Fraction(0), 0
    for point, kind, c in events:
        if weight > 0 and at_floor + at_cap + point * weight >= rest:
            break
        if kind == 0:
            at_floor -= c.floor
            weight += c.weight
        else:
            weight -= c.weight
            at_cap += c.cap
    lam = (rest - at_floor - at_cap) / weight
    for c in active:
        value = max(c.floor, lam * c.weight)
        amounts[c.key] = value if c.cap is None else min(value, c.cap)
    return amounts, Fraction(0)


_FRACTIONS = st.fractions(min_value=0, max_value=1000, max_denominator=400)


@st.composite
def _claims(draw):
    claims = []
    for i in range(draw(st.integers(1, 8))):
        weight = draw(st.sampled_from([Fraction(0), Fraction(1), Fraction(7, 3)]) | _FRACTIONS)
        floor = draw(st.sampled_from([Fraction(0), Fraction(5)]) | _FRACTIONS)
        cap = draw(st.none() | _FRACTIONS.map(lambda x, floor=floor: floor + x))
        claims.append(Claim(f"c{i}", weight, floor, cap))
    floors = sum((c.floor for c in claims), Fraction(0))
    total = floors + draw(_FRACTIONS)
    return claims, total


@given(_claims())
def test_the_integer_walk_matches_the_fraction_walk(data):
    claims, total = data
    assert water_fill(claims, total) == _reference(claims, total)


@given(_claims())
def test_amounts_are_within_bounds_and_spend_the_total(data):
    claims, total = data
    amounts, left = water_fill(claims, total)
    assert sum(amounts.values(), Fraction(0)) + left == total
    for c in claims:
        assert c.floor <= amounts[c.key]
        assert c.cap is None or amounts[c.key] <= c.cap
    assert left == 0 or all(
        c.cap is not None and amounts[c.key] == c.cap for c in claims if c.weight > 0
    )


def test_ties_between_floors_and_caps_at_the_same_point():
    claims = [
        Claim("a", Fraction(1), Fraction(0), Fraction(10)),
        Claim("b", Fraction(2), Fraction(20), None),
        Claim("c", Fraction(1, 3), Fraction(0), Fraction(10, 3)),
    ]
    amounts, left = water_fill(claims, Fraction(40))
    assert (amounts, left) == _reference(claims, Fraction(40))
    assert sum(amounts.values()) == 40


def test_bends_closer_than_a_float_can_tell_are_walked_in_exact_order():
    big = Fraction(10**20)
    claims = [
        Claim("a", Fraction(1), big + 1, None),  # leaves its floor at 10**20 + 1
        Claim("b", Fraction(1), Fraction(0), big),  # reaches its cap at 10**20: first
    ]
    total = 2 * big + Fraction(3, 2)
    amounts, left = water_fill(claims, total)
    assert (amounts, left) == _reference(claims, total)
    assert amounts == {"a": big + Fraction(3, 2), "b": big}
