"""Per-member value and the holdout check on CDNOW."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mteam.errors import InvalidInputError
from mteam.membership.bgnbd import BGNBDModel
from mteam.membership.gamma_gamma import GammaGammaModel
from mteam.membership.pareto_nbd import ParetoNBDModel
from mteam.membership.predict import holdout_check, member_value, member_values
from mteam.membership.repeat import Profile, RepeatSummary
from mteam.membership.units import Rate
from mteam.money import USD
from tests.models_common import cdnow_bgnbd, cdnow_gamma_gamma, cdnow_members, cdnow_summary

D = Decimal

BG = BGNBDModel(0.243, 4.414, 0.793, 2.426)
GG = GammaGammaModel(6.25, 3.74, 15.44)
KW = {"horizon": 52, "discount_rate": Rate(0.0015, "week"), "margin": 0.3, "currency": USD}


def test_clv_equals_its_defining_sum():
    v = member_value(BG, GG, 2, 30.43, 38.86, 22.35, **KW)
    e = [BG.expected_purchases(k, 2, 30.43, 38.86) for k in range(53)]
    direct = sum((e[k] - e[k - 1]) / 1.0015**k for k in range(1, 53))
    assert float(v.clv) == pytest.approx(0.3 * GG.expected_spend(2, 22.35) * direct, abs=0.005)
    assert v.lower is None  # models built by hand have no covariance
    assert v.expected_purchases == pytest.approx(e[52])
    assert v.p_alive == BG.p_alive(2, 30.43, 38.86)
    assert (
        member_value(ParetoNBDModel(0.553, 10.578, 0.606, 11.669), GG, 0, 0, 38.86, 0, **KW).clv > 0
    )


def test_cdnow_table_has_intervals():
    bg, gg = cdnow_bgnbd(), cdnow_gamma_gamma()
    members = cdnow_members()[:40]
    table = member_values(members, bg, gg, **KW)
    assert len(table.rows) == 40
    assert table.total == sum(r.clv for r in table.rows)
    for r in table.rows:
        assert D(0) <= r.lower <= r.clv <= r.upper
    rec = table.to_records()[0]
    assert set(rec) >= {"member_id", "x", "t_x", "T", "p_alive", "clv", "lower", "upper"}


def test_holdout_check_on_cdnow():
    # 1,882 repeat purchases by the 2,357 customers in the 39-week holdout; the model's
    # expectation is the sum of each customer's E[Y(39) | x, t_x, T]
    s = cdnow_summary()
    model = cdnow_bgnbd()
    check = holdout_check(s, model)
    last = check.by_period[-1]
    assert last.actual == 1882
    direct = sum(model.expected_purchases(39, r.x, r.t_x, r.T) for r in cdnow_members())
    assert last.expected == pytest.approx(direct, rel=1e-9)
    assert last.expected == pytest.approx(1882, rel=0.15)
    assert all(
        a.actual <= b.actual for a, b in zip(check.by_period, check.by_period[1:], strict=False)
    )
    zero = check.by_frequency[0]
    assert zero.x == 0
    assert zero.members == 1411  # the one-time buyers
    assert len(check.to_records()) == len(check.by_period) + len(check.by_frequency)


@given(st.floats(0.0, 0.2), st.floats(0.0, 0.2))
def test_clv_falls_with_the_discount_rate(d1, d2):
    lo, hi = sorted((d1, d2))
    kw = dict(KW, horizon=20)
    a = member_value(BG, GG, 1, 5, 10, 30, **dict(kw, discount_rate=Rate(lo, "week")))
    b = member_value(BG, GG, 1, 5, 10, 30, **dict(kw, discount_rate=Rate(hi, "week")))
    assert b.clv <= a.clv


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: member_value("m", GG, 1, 1, 2, 3, **KW), "model"),
        (lambda: member_value(BG, "g", 1, 1, 2, 3, **KW), "spend"),
        (lambda: member_value(BG, GG, 1, 1, 2, 3, **dict(KW, horizon=0)), "horizon"),
        (
            lambda: member_value(BG, GG, 1, 1, 2, 3, **dict(KW, discount_rate=Rate(0.1, "month"))),
            "discount_rate",
        ),
        (lambda: member_value(BG, GG, 1, 1, 2, 3, **dict(KW, margin=2)), "margin"),
        (lambda: member_value(BG, GG, 1, 3, 2, 3, **KW), "t_x"),
        (lambda: member_values([1], BG, GG, **KW), "members[0]"),
        (
            lambda: holdout_check(RepeatSummary("week", [Profile(0, 0, 1)]), BG),
            "summary.holdout_end",
        ),
        (lambda: holdout_check(RepeatSummary("day", [Profile(0, 0, 1)]), BG), "model"),
    ],
)
def test_bad_input(call, path):
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.path == path
