"""Hypothesis strategies, one per domain class (valid values), plus invalid-value strategies."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from mteam.money import CURRENCIES, Currency
from mteam.scales import RatingScale

finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
non_finite = st.sampled_from([float("nan"), float("inf"), float("-inf")])

currencies = st.sampled_from(sorted(CURRENCIES.values(), key=lambda c: c.code)) | st.builds(
    Currency,
    code=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    exponent=st.integers(0, 4),
)


@st.composite
def amounts(draw: st.DrawFn, currency: Currency, max_units: int = 10**12) -> Decimal:
    """A non-negative amount that is a whole number of the currency's minor units."""
    units = draw(st.integers(0, max_units))
    return Decimal(units).scaleb(-currency.exponent)


weight_values = (
    st.integers(0, 10**6)
    | st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=3)
    | st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
)

weight_maps = st.dictionaries(
    st.text(alphabet="abcdefghij", min_size=1, max_size=4), weight_values, min_size=1, max_size=12
).filter(lambda w: any(v > 0 for v in w.values()))


@st.composite
def rating_scales(draw: st.DrawFn) -> RatingScale:
    """A rating scale: integral with labels or continuous."""
    if draw(st.booleans()):
        low = draw(st.integers(-5, 5))
        high = draw(st.integers(low + 1, low + 10))
        labels = draw(
            st.none()
            | st.lists(st.text(min_size=1), min_size=high - low + 1, max_size=high - low + 1)
        )
        return RatingScale(low, high, integral=True, labels=tuple(labels or ()))
    low_f = draw(st.floats(-100, 100))
    high_f = draw(st.floats(low_f + 0.5, low_f + 200))
    return RatingScale(low_f, high_f)
