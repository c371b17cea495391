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


# --- mteam.money.allocate: the public capped proportional split ------------------------------

from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402

from mteam.errors import InvalidInputError  # noqa: E402
from mteam.money import USD, allocate, apportion  # noqa: E402


def test_allocate_by_hand_with_a_cap_and_a_floor():
    # 1,000.00 over weights 5 : 3 : 2, a capped at 400.00, c floored at 250.00:
    # a would get 500 -> 400; the other 600 goes 3 : 2 -> 360 / 240, but c's floor is 250,
    # so c gets 250 and b the remaining 350.
    parts = allocate(
        Decimal("1000.00"),
        {"a": 5, "b": 3, "c": 2},
        USD.quantum,
        floors={"c": Decimal(250)},
        caps={"a": Decimal(400)},
    )
    assert parts == {"a": Decimal("400.00"), "b": Decimal("350.00"), "c": Decimal("250.00")}


def test_allocate_leaves_what_no_one_can_take_and_never_pays_more():
    parts = allocate(100, {"a": 1, "b": 2}, caps={"a": 10, "b": 20})
    assert parts == {"a": Decimal(10), "b": Decimal(20)}
    assert allocate(100, {"a": 0, "b": 0}, floors={"a": 5}) == {"a": Decimal(5), "b": Decimal(0)}


def test_allocate_without_bounds_is_apportion():
    weights = {"x": 3, "y": 2, "z": 2}
    assert allocate(Decimal("10000.00"), weights, USD.quantum) == apportion(
        Decimal("10000.00"), weights, USD.quantum
    )


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: allocate(-1, {"a": 1}), "total"),
        (lambda: allocate(10, {"a": 1}, floors={"b": 1}), "floors['b']"),
        (lambda: allocate(10, {"a": 1}, caps={"a": -1}), "caps['a']"),
        (lambda: allocate(10, {"a": 1}, caps={"a": Decimal("1.5")}), "caps['a']"),
        (lambda: allocate(10, {"a": 1}, floors={"a": 5}, caps={"a": 4}), "caps['a']"),
        (lambda: allocate(10, {"a": 1, "b": 1}, floors={"a": 6, "b": 6}), "floors"),
        (lambda: allocate(10, {"a": 1}, floors=[1]), "floors"),
        (lambda: allocate(10, ["a"]), "weights"),
        (lambda: allocate(10, {"a": -1}), "weights['a']"),
        (lambda: allocate(10, {"a": 1}, 0), "quantum"),
    ],
)
def test_allocate_names_the_wrong_argument(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path


@st.composite
def _bounded_splits(draw):
    keys = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True))
    weights = {k: draw(st.integers(0, 50) | st.fractions(0, 50, max_denominator=7)) for k in keys}
    floors = {k: draw(st.integers(0, 300)) for k in keys if draw(st.booleans())}
    caps = {}
    for k in keys:
        if draw(st.booleans()):
            caps[k] = floors.get(k, 0) + draw(st.integers(0, 500))
    total = sum(floors.values()) + draw(st.integers(0, 3000))
    return total, weights, floors, caps


@given(_bounded_splits(), st.randoms(use_true_random=False))
def test_allocate_against_the_fraction_oracle(case, rnd):
    total, weights, floors, caps = case
    parts = allocate(total, weights, floors=floors, caps=caps)
    claims = [
        Claim(
            k,
            Fraction(w),
            Fraction(floors.get(k, 0)),
            None if k not in caps else Fraction(caps[k]),
        )
        for k, w in weights.items()
    ]
    exact, left = _reference(claims, Fraction(total))
    # exact to the unit: parts add up to the total less what every capped key left over
    assert sum(parts.values()) == total - left
    assert left >= 0
    for k, part in parts.items():
        assert part >= 0
        assert floors.get(k, 0) <= part
        assert k not in caps or part <= caps[k]
        assert abs(Fraction(part) - exact[k]) < 1  # within one unit of the exact share
    # a higher weight with the same bounds never gets less
    for a in weights:
        for b in weights:
            same = floors.get(a, 0) == floors.get(b, 0) and caps.get(a) == caps.get(b)
            if same and weights[a] > weights[b]:
                assert parts[a] >= parts[b]
    # the order of the keys does not matter
    items = list(weights.items())
    rnd.shuffle(items)
    assert allocate(total, dict(items), floors=floors, caps=caps) == parts
