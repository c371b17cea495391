"""Shared fixtures for the repeat-purchase model tests: the CDNOW data and peers."""

import warnings
from functools import cache

from mteam.membership.bgnbd import fit_bgnbd
from mteam.membership.gamma_gamma import fit_gamma_gamma
from mteam.membership.repeat import repeat_members, repeat_summary
from tests import cdnow


@cache
def cdnow_summary():
    return repeat_summary(
        cdnow.transactions(), calibration_end=cdnow.CALIBRATION_END, holdout_end=cdnow.HOLDOUT_END
    )


@cache
def cdnow_members():
    return repeat_members(
        cdnow.transactions(), calibration_end=cdnow.CALIBRATION_END, holdout_end=cdnow.HOLDOUT_END
    )


@cache
def cdnow_bgnbd():
    return fit_bgnbd(cdnow_summary())


@cache
def cdnow_gamma_gamma():
    return fit_gamma_gamma(cdnow_summary())


def lifetimes():
    """Import lifetimes (test-only peer) with its own deprecation warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import lifetimes as peer  # noqa: PLC0415
    return peer
