"""A base of purchases only: the member analysis fits the repeat-purchase models."""

import importlib.util
import io
import json
import random
from datetime import date, timedelta
from decimal import Decimal as D  # noqa: N817 - the amounts of the examples

import pytest

from mteam.cli import main
from mteam.convert import dumps, loads
from mteam.errors import InvalidInputError
from mteam.io import analyse_sample, read_and_analyse, transactions_csv
from mteam.membership.analysis import MemberAnalysis, MembershipPolicy, analyse, analyse_base
from mteam.membership.bgnbd import fit_bgnbd
from mteam.membership.gamma_gamma import fit_gamma_gamma
from mteam.membership.predict import holdout_check, member_values
from mteam.membership.records import Member, Transaction
from mteam.membership.repeat import repeat_members, repeat_summary
from mteam.membership.summary import summarise
from mteam.membership.units import Rate
from mteam.report import format_member_report
from mteam.report.html import member_page

AS_OF = date(2025, 12, 31)


def _sales(n=120, seed=7):
    """A simulated BG/NBD base: first purchases from January to March 2025, then purchases at
    each customer's own rate until they drop out after some purchase; spend by customer."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation
    out = []
    for i in range(n):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(90))
        rate = rng.gammavariate(1.0, 0.8)  # purchases a month
        dropout = rng.betavariate(1.0, 3.0)
        scale = rng.gammavariate(4.0, 5.0)
        while day <= AS_OF:
            amount = D(round(rng.gammavariate(3.0, scale / 3.0), 2) + 1).quantize(D("0.01"))
            out.append(Transaction(f"c{i:03d}", day, amount))
            if rng.random() < dropout:
                break
            day += timedelta(days=1 + int(rng.expovariate(rate) * 30))
    out.append(Transaction(out[0].member_id, out[0].on, D(5)))  # two on one day: one purchase
    return out


SALES = _sales()
FIRST = sorted(
    {t.member_id: min(u.on for u in SALES if u.member_id == t.member_id) for t in SALES}.items()
)
MEMBERS = [Member(m, day) for m, day in FIRST]


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_transaction_only_base_gets_the_repeat_purchase_models():
    result = analyse(None, SALES, AS_OF)
    assert result.models == "non-contractual"
    assert (result.sbg, result.retention, result.survival, result.cltv_sbg) == (None,) * 4
    assert result.projection == ()
    r = result.repeat
    assert r is not None
    # the same models as fitting the repeat summary directly, in months
    summary = repeat_summary(SALES, calibration_end=AS_OF, unit="month")
    assert r.bgnbd == fit_bgnbd(summary)
    assert r.gamma_gamma == fit_gamma_gamma(summary)
    days = {(t.member_id, t.on) for t in SALES}
    repeaters = {m for m, _ in days if sum(1 for n, _ in days if n == m) > 1}
    assert (r.members, r.repeat_buyers) == (120, len(repeaters))
    # the aggregate figures are the per-member table's sums
    values = member_values(
        repeat_members(SALES, calibration_end=AS_OF, unit="month"),
        r.bgnbd,
        r.gamma_gamma,
        horizon=12,
        discount_rate=Rate(0.01, "month"),
        margin=0.35,
        currency=result.rfm_cuts and MembershipPolicy().currency,
    )
    assert r.clv_total is not None
    assert r.clv_total.amount == values.total
    assert r.expected_purchases == pytest.approx(sum(v.expected_purchases for v in values.rows))
    assert r.expected_alive == pytest.approx(sum(v.p_alive for v in values.rows))
    assert 0 < r.expected_alive <= r.members
    assert r.holdout is None


def test_members_without_leave_dates_are_the_same_base_whichever_path():
    a = analyse(None, SALES, AS_OF)
    assert analyse(MEMBERS, SALES, AS_OF) == a
    text = transactions_csv(SALES)
    assert read_and_analyse(None, io.StringIO(text), AS_OF) == a
    members = "member_id,joined_on,left_on\n" + "".join(
        f"{m.id},{m.joined_on}," + "\n" for m in MEMBERS
    )
    assert read_and_analyse(io.StringIO(members), io.StringIO(text), AS_OF) == a
    assert loads(MemberAnalysis, dumps(a)) == a
    # the shuffled rows give the same analysis
    assert analyse(None, list(reversed(SALES)), AS_OF) == a
    # a base already summarised has no purchase days: a clear error, not an sBG one
    with pytest.raises(InvalidInputError, match=r"policy\.models"):
        analyse_base(summarise(MEMBERS, SALES, AS_OF))


def test_the_holdout_check_and_both_models():
    policy = MembershipPolicy(holdout_months=3, models="both")
    left = [*MEMBERS[:-1], Member(MEMBERS[-1].id, MEMBERS[-1].joined_on, date(2025, 6, 30))]
    sales = [t for t in SALES if t.member_id != MEMBERS[-1].id or t.on <= date(2025, 6, 30)]
    result = analyse(left, sales, AS_OF, policy)
    assert result.models == "both"
    assert result.sbg is not None
    assert result.repeat is not None
    r = result.repeat
    assert r.calibration_end == date(2025, 9, 30)
    calibration = repeat_summary(
        sales, calibration_end=date(2025, 9, 30), unit="month", holdout_end=AS_OF
    )
    assert r.holdout_model == fit_bgnbd(calibration)
    assert r.holdout == holdout_check(calibration, r.holdout_model)
    assert r.holdout.by_period[-1].actual == sum(
        1 for t in {(t.member_id, t.on) for t in sales} if t[1] > date(2025, 9, 30)
    )
    text = format_member_report(result, policy)
    for heading in ("RETENTION", "sBG MODEL", "REPEAT PURCHASES", "HOLDOUT CHECK"):
        assert heading in text
    # by default that base (someone left) is contractual
    assert analyse(left, sales, AS_OF).repeat is None


def test_policy_and_bad_input():
    with pytest.raises(InvalidInputError, match="models: must be one of"):
        MembershipPolicy(models="lifetimes")
    with pytest.raises(InvalidInputError, match="holdout_months"):
        MembershipPolicy(holdout_months=0)
    with pytest.raises(InvalidInputError, match=r"transactions\[1\]"):
        analyse(None, [SALES[0], "x"], AS_OF)
    one_timers = [Transaction(f"c{i}", date(2025, 1, 1 + i), D(10)) for i in range(5)]
    with pytest.raises(InvalidInputError, match="nobody made a repeat purchase"):
        analyse(None, one_timers, AS_OF)
    refunds = [*SALES, Transaction("c01", date(2025, 12, 1), D(-500))]
    with pytest.raises(InvalidInputError, match="allow_refunds"):
        analyse(None, refunds, AS_OF, MembershipPolicy(allow_refunds=True))
    # the contractual sample stays as it was
    assert analyse_sample().repeat is None


def test_the_members_command_on_transactions_alone(tmp_path):
    path = tmp_path / "transactions.csv"
    path.write_text(transactions_csv(SALES), encoding="utf-8")
    code, text, err = run("members", path, "--as-of", AS_OF, "--holdout-months", 3)
    assert (code, err) == (0, "")
    for heading in (
        "COHORTS",
        "CLTV",
        "REPEAT PURCHASES",
        "BG/NBD",
        "Gamma-Gamma",
        "HOLDOUT CHECK",
        "RFM SEGMENTS",
        "TIERS",
    ):
        assert heading in text
    assert "RETENTION" not in text
    assert "sBG" not in text
    code, out, err = run("members", path, "--as-of", AS_OF, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["models"] == "non-contractual"
    assert data["sbg"] is None
    assert data["repeat"]["members"] == 120
    code, page, err = run(
        "members", path, "--as-of", AS_OF, "--holdout-months", 3, "--format", "html"
    )
    assert (code, err) == (0, "")
    assert page == member_page(
        read_and_analyse(None, path, AS_OF, MembershipPolicy(holdout_months=3))
    )
    assert "expected and actual" in page
    assert page.count("<svg") == 3
    code, out, err = run("members", path, path, path)
    assert (code, out) == (2, "")
    code, out, err = run("members", path, "--as-of", AS_OF, "--models", "contractual")
    assert code == 2
    assert "sBG" in err


@pytest.mark.skipif(importlib.util.find_spec("lifetimes") is None, reason="needs lifetimes' data")
def test_the_cdnow_sample_as_a_transactions_file(tmp_path):
    from tests import cdnow  # noqa: PLC0415

    path = tmp_path / "cdnow.csv"
    path.write_text(transactions_csv(cdnow.transactions()), encoding="utf-8")
    code, text, err = run("members", path, "--as-of", cdnow.HOLDOUT_END, "--holdout-months", 9)
    assert (code, err) == (0, "")
    assert "2,357 members with a purchase" in text
    assert "HOLDOUT CHECK (fitted to 1997-09-30, checked to 1998-06-30)" in text
    result = read_and_analyse(None, path, cdnow.HOLDOUT_END, MembershipPolicy(holdout_months=9))
    # the holdout fit is the BG/NBD model of the papers' calibration period, in months
    model = result.repeat.holdout_model
    assert model.diagnostics.converged
    # in weeks, the paper's r = 0.243, a = 0.793, b = 2.426 are free of the unit; alpha scales
    assert (round(model.r, 2), round(model.a, 1), round(model.b, 1)) == (0.24, 0.8, 2.4)
    assert result.repeat.holdout.by_period[-1].actual == 1882
