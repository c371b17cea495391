"""Water-filling: the exact core of `mteam.money.allocate` (private).

Everyone gets clamp(λ × weight, floor, cap) for the one λ that spends the total; the result is
exact (Fractions). `mteam.money.allocate` checks the input, calls this and deals the exact
amounts out in quanta by largest remainder; nothing else calls it.

The search for λ runs on integers: the weights are scaled by the least common multiple of their
denominators, and the floors, caps and total by that of theirs (a few powers of ten and days in
practice), so that each step of the walk is a few integer operations instead of Fraction
arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from fractions import Fraction

import attrs


@attrs.frozen
class Claim:
    """One claimant: a key, a weight (≥ 0), a floor and an optional cap (floor ≤ cap)."""

    key: Hashable
    weight: Fraction
    floor: Fraction = Fraction(0)
    cap: Fraction | None = None


# A bend of S(μ): (the float of its point, its point as numerator and denominator, kind (0: a
# claimant leaves their floor, 1: one reaches their cap), the claimant's index).
_Bend = tuple[float, int, int, int, int]


def _bends(floors: list[int], caps: list[int | None], weights: list[int]) -> list[_Bend]:
    """The bends of S in order: by point, then floors before caps, then by claimant.

    Sorted by the float of each point first: rounding to a float never reverses an order, so
    only bends with the same float can be out of order, and those runs are put in exact order.
    """
    bends: list[_Bend] = []
    for i, (floor, cap, weight) in enumerate(zip(floors, caps, weights, strict=True)):
        bends.append((floor / weight, floor, weight, 0, i))
        if cap is not None:
            bends.append((cap / weight, cap, weight, 1, i))
    bends.sort(key=lambda b: (b[0], b[3], b[4]))
    start = 0
    for end in range(1, len(bends) + 1):
        if end == len(bends) or bends[end][0] != bends[start][0]:
            if end - start > 1:
                run = bends[start:end]
                if any(b[1] * run[0][2] != run[0][1] * b[2] for b in run):
                    run.sort(key=lambda b: (Fraction(b[1], b[2]), b[3], b[4]))
                    bends[start:end] = run
            start = end
    return bends


def _scale(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """Integers proportional to `values`, and the common denominator they are over."""
    denominator = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (denominator // v.denominator) for v in values], denominator


def water_fill(
    claims: Sequence[Claim], total: Fraction
) -> tuple[dict[Hashable, Fraction], Fraction]:
    """Exact amounts and what is left over.

    Claimants with weight 0 get their floor. Something is left over only when every claimant
    with weight is at their cap (or there is none). The caller must check that the floors fit
    (`sum of floors <= total`).

    >>> amounts, left = water_fill(
    ...     [Claim("a", Fraction(3), cap=Fraction(50)), Claim("b", Fraction(1))], Fraction(100))
    >>> {k: str(v) for k, v in amounts.items()}, left
    ({'a': '50', 'b': '50'}, Fraction(0, 1))
    """
    amounts: dict[Hashable, Fraction] = {c.key: c.floor for c in claims if c.weight <= 0}
    active = [c for c in claims if c.weight > 0]
    rest = total - sum(amounts.values(), Fraction(0))
    if not active:
        return amounts, rest
    caps = [c.cap for c in active if c.cap is not None]
    if len(caps) == len(active) and sum(caps, Fraction(0)) <= rest:
        amounts.update({c.key: c.cap or Fraction(0) for c in active})
        return amounts, rest - sum(caps, Fraction(0))
    # In units of 1/unit: claimant i gets clamp(μ × weights[i], floors[i], caps[i]), where
    # μ = λ × unit / weight_unit; S(μ), the sum, is non-decreasing and piecewise linear.
    weights, _ = _scale([c.weight for c in active])
    values, unit = _scale([rest, *(c.floor for c in active), *caps])
    target, floors = values[0], values[1 : len(active) + 1]
    scaled_caps = iter(values[len(active) + 1 :])
    cap_units = [None if c.cap is None else next(scaled_caps) for c in active]
    mu = _level(floors, cap_units, weights, target)
    for c, floor, cap, weight in zip(active, floors, cap_units, weights, strict=True):
        share = mu * weight
        if share <= floor:
            amounts[c.key] = c.floor
        elif cap is not None and share >= cap:
            amounts[c.key] = c.cap or Fraction(0)
        else:
            amounts[c.key] = share / unit
    return amounts, Fraction(0)


def _level(floors: list[int], caps: list[int | None], weights: list[int], total: int) -> Fraction:
    """The μ at which S(μ) = Σ clamp(μ·w, floor, cap) reaches the total (all integers).

    S bends where a claimant leaves their floor (μ = floor / w) or reaches their cap
    (μ = cap / w). Walk the bends in order, keeping the sum of floors still binding, the sum of
    caps reached and the weight in between; S at a bend p/q is reached when
    (floors + caps)·q + p·weight ≥ total·q.
    """
    at_floor, at_cap, linear_weight = sum(floors), 0, 0
    for _, p, q, kind, i in _bends(floors, caps, weights):
        if linear_weight > 0 and (at_floor + at_cap) * q + p * linear_weight >= total * q:
            break
        if kind == 0:
            at_floor -= floors[i]
            linear_weight += weights[i]
        else:
            linear_weight -= weights[i]
            at_cap += caps[i] or 0
    return Fraction(total - at_floor - at_cap, linear_weight)
