"""Membership analytics: retention, cohorts, survival, the sBG model, CLTV, RFM and tiers.

The modules:

* [`records`][mteam.membership.records]: members and transactions (the CSV readers are in
  [`mteam.io`][mteam.io]);
* [`summary`][mteam.membership.summary]: a member base summarised in one pass, mergeable;
* [`retention`][mteam.membership.retention]: period retention and monthly cohorts;
* [`survival`][mteam.membership.survival]: Kaplan–Meier;
* [`sbg`][mteam.membership.sbg]: the shifted-beta-geometric model;
* [`cltv`][mteam.membership.cltv]: lifetime value four ways;
* [`rfm`][mteam.membership.rfm] and [`tiers`][mteam.membership.tiers];
* [`units`][mteam.membership.units]: explicit time units;
* [`repeat`][mteam.membership.repeat], [`bgnbd`][mteam.membership.bgnbd],
  [`pareto_nbd`][mteam.membership.pareto_nbd], [`gamma_gamma`][mteam.membership.gamma_gamma]
  and [`predict`][mteam.membership.predict]: repeat purchases without contracts;
* [`analysis`][mteam.membership.analysis]: everything in one call (its text report is in
  [`mteam.report`][mteam.report]).
"""

from mteam.membership.analysis import (
    MemberAnalysis,
    MembershipPolicy,
    analyse,
    analyse_base,
)
from mteam.membership.bgnbd import BGNBDModel, fit_bgnbd
from mteam.membership.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from mteam.membership.pareto_nbd import ParetoNBDModel, fit_pareto_nbd
from mteam.membership.predict import holdout_check, member_value, member_values
from mteam.membership.records import Member, Transaction
from mteam.membership.repeat import RepeatSummary, repeat_members, repeat_summary
from mteam.membership.retention import cohort_table, period_retention
from mteam.membership.sbg import SBGModel, fit_sbg, fit_sbg_durations
from mteam.membership.summary import MemberBase, summarise
from mteam.membership.survival import kaplan_meier
from mteam.membership.units import Duration, Rate, TimeUnit

__all__ = [
    "BGNBDModel",
    "Duration",
    "GammaGammaModel",
    "Member",
    "MemberAnalysis",
    "MemberBase",
    "MembershipPolicy",
    "ParetoNBDModel",
    "Rate",
    "RepeatSummary",
    "SBGModel",
    "TimeUnit",
    "Transaction",
    "analyse",
    "analyse_base",
    "cohort_table",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "fit_sbg",
    "fit_sbg_durations",
    "holdout_check",
    "kaplan_meier",
    "member_value",
    "member_values",
    "period_retention",
    "repeat_members",
    "repeat_summary",
    "summarise",
]
