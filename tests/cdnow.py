"""The CDNOW sample (Fader, Hardie & Lee 2005), read from the installed `lifetimes` wheel.

The data are not ours to ship: `lifetimes` distributes them (`lifetimes/datasets/`). The
sample is 2,357 customers who first bought in the first quarter of 1997; the calibration period
ends on 30 September 1997 (39 weeks) and the holdout on 30 June 1998 (78 weeks).
"""

import csv
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from mteam.membership.records import Transaction

CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


def _data(name):
    # located without importing lifetimes (and its scientific stack)
    spec = find_spec("lifetimes")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    return Path(next(iter(spec.submodule_search_locations)), "datasets", name)


@cache
def transactions():
    """CDNOW_sample.txt: customer id, sample id, day (YYYYMMDD), CDs bought, dollars."""
    out = []
    for line in _data("CDNOW_sample.txt").read_text().splitlines():
        _, sample_id, day, _, amount = line.split()
        on = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        out.append(Transaction(sample_id, on, Decimal(amount)))
    return tuple(out)


@cache
def published_summary():
    """cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T (weeks), zbar."""
    with _data("cdnow_customers_summary_with_transactions.csv").open() as handle:
        return tuple(
            (int(r["ID"]), int(r["x"]), float(r["t_x"]), float(r["T"]), float(r["zbar"]))
            for r in csv.DictReader(handle)
        )
