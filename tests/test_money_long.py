"""`apportion` and `allocate` against an exact oracle, over many random calls.

In the `ci` profile this is one more property among many; `HYPOTHESIS_PROFILE=fuzz` runs it
for 100,000 calls each (the long run of ../shared/DESIGN.md's money promise: nothing lost,
nothing paid beyond the total, every part within one quantum of its exact share).
"""

import os
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.money import allocate, apportion

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
CALLS = settings(max_examples=100_000) if LONG else settings()

QUANTA = st.sampled_from([Decimal(1), Decimal("0.01"), Decimal(100)])
KEYS = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


def _water_fill(
    units: int, weights: dict[str, Fraction], floors: dict[str, int], caps: dict[str, int | None]
) -> dict[str, Fraction]:
    """The exact water-filling shares (in quanta): clamp(λ w, floor, cap) spending `units`."""

    def spent_by(k: str, lam: Fraction) -> Fraction:
        share = max(Fraction(floors[k]), lam * weights[k])
        cap = caps[k]
        return share if cap is None else min(share, Fraction(cap))

    def spent(lam: Fraction) -> Fraction:
        return sum((spent_by(k, lam) for k in weights), Fraction(0))

    saturated = all(caps[k] is not None for k, w in weights.items() if w > 0)
    if saturated and spent(Fraction(10**30)) <= units:  # every key at its cap: the rest is over
        return {k: spent_by(k, Fraction(10**30)) for k in weights}
    lo, hi = Fraction(0), Fraction(1)
    while spent(hi) < units:
        hi *= 2
    # the breakpoints are where λ w meets a floor or a cap: solve exactly on that segment
    points = sorted(
        {lo, hi}
        | {Fraction(floors[k]) / w for k, w in weights.items() if w > 0}
        | {Fraction(c) / weights[k] for k, c in caps.items() if c is not None and weights[k] > 0}
    )
    for a, b in pairwise(points):
        if spent(a) <= units <= spent(b):
            fa, fb = spent(a), spent(b)
            lam = a if fb == fa else a + (b - a) * (units - fa) / (fb - fa)
            break
    else:  # pragma: no cover - the loop above always brackets the total
        raise AssertionError
    return {k: spent_by(k, lam) for k in weights}


@CALLS
@given(
    keys=KEYS,
    data=st.data(),
    units=st.integers(0, 10**12),
    quantum=QUANTA,
)
def test_apportion_is_exact_and_within_one_quantum(keys, data, units, quantum):
    weights = {k: data.draw(st.integers(0, 10**6), label=k) for k in keys}
    total = units * quantum
    if not any(weights.values()) and units:
        with pytest.raises(InvalidInputError, match="weights: must not all be zero"):
            apportion(total, weights, quantum)
        return
    parts = apportion(total, weights, quantum)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for k, part in parts.items():
        assert part >= 0
        assert part % quantum == 0
        if weight_sum:
            exact = Fraction(units) * weights[k] / weight_sum
            assert abs(Fraction(part / quantum) - exact) < 1


@CALLS
@given(keys=KEYS, data=st.data(), quantum=QUANTA)
def test_allocate_never_pays_beyond_the_total_and_keeps_floors_and_caps(keys, data, quantum):
    weights = {k: data.draw(st.integers(0, 1000), label=f"w_{k}") for k in keys}
    floors = {k: data.draw(st.integers(0, 50), label=f"floor_{k}") for k in keys}
    caps: dict[str, int | None] = {
        k: data.draw(
            st.one_of(st.none(), st.integers(floors[k], floors[k] + 500)), label=f"cap_{k}"
        )
        for k in keys
    }
    units = data.draw(st.integers(sum(floors.values()), sum(floors.values()) + 5000), label="units")
    parts = allocate(
        units * quantum,
        weights,
        quantum,
        floors={k: f * quantum for k, f in floors.items()},
        caps={k: c * quantum for k, c in caps.items() if c is not None},
    )
    in_units = {k: Fraction(v / quantum) for k, v in parts.items()}
    assert all(v.denominator == 1 for v in in_units.values())
    paid = sum(in_units.values())
    assert paid <= units  # never beyond the total
    exact = _water_fill(units, {k: Fraction(w) for k, w in weights.items()}, floors, caps)
    assert paid == sum(exact.values())
    for k in keys:
        assert floors[k] <= in_units[k]
        if caps[k] is not None:
            assert in_units[k] <= caps[k]
        assert abs(in_units[k] - exact[k]) < 1
