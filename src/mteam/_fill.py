"""Water-filling: split an amount in proportion to weights between floors and caps (private).

Everyone gets clamp(λ × weight, floor, cap) for the one λ that spends the total; exact
Fractions throughout. The callers deal the exact amounts out in minor units with
`mteam.money.apportion`.
"""

from __future__ import annotations

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


def _level(claims: Sequence[Claim], total: Fraction, floors: Fraction) -> Fraction:
    """The λ at which S(λ) = Σ clamp(λ·w, floor, cap) reaches the total.

    S is non-decreasing and piecewise linear; it bends where a claimant leaves their floor
    (λ = floor / w) or reaches their cap (λ = cap / w). Walk the bends in order, keeping the
    sum of floors still binding, the sum of caps reached and the weight in between.
    """
    # Sorted by the float of each bend first: rounding to a float never reverses an order, so
    # only bends with the same float can be out of order, and the exact point (then the kind,
    # floors first) decides between those. Fractions are compared only where floats tie.
    events: list[tuple[float, Fraction, int, int, Claim]] = []
    for i, c in enumerate(claims):
        point = c.floor / c.weight
        events.append((float(point), point, 0, i, c))
        if c.cap is not None:
            point = c.cap / c.weight
            events.append((float(point), point, 1, i, c))
    events.sort()
    at_floor, at_cap, linear_weight = floors, Fraction(0), Fraction(0)
    for _, point, kind, _, c in events:
        if linear_weight > 0 and at_floor + at_cap + point * linear_weight >= total:
            break
        if kind == 0:
            at_floor -= c.floor
            linear_weight += c.weight
        else:
            linear_weight -= c.weight
            at_cap += c.cap or 0
    return (total - at_floor - at_cap) / linear_weight


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
    floors = sum((c.floor for c in active), Fraction(0))
    caps = [c.cap for c in active if c.cap is not None]
    if len(caps) == len(active) and sum(caps, Fraction(0)) <= rest:
        amounts.update({c.key: c.cap or Fraction(0) for c in active})
        return amounts, rest - sum(caps, Fraction(0))
    lam = _level(active, rest, floors)
    for c in active:
        value = max(c.floor, lam * c.weight)
        amounts[c.key] = value if c.cap is None else min(value, c.cap)
    return amounts, Fraction(0)
