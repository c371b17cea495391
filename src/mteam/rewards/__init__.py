"""Rewards: bonus-pool allocation and personalised, non-monetary recognition.

The names of [`mteam.rewards.bonus`][mteam.rewards.bonus] and
[`mteam.rewards.recognition`][mteam.rewards.recognition] are re-exported here.
"""

from mteam.rewards.bonus import (
    DEFAULT_MULTIPLIERS,
    BandFairness,
    BonusAllocation,
    BonusLine,
    BonusMember,
    BonusPolicy,
    FairnessSummary,
    allocate_bonus_pool,
    compute_bonuses,
    fairness_summary,
)
from mteam.rewards.recognition import (
    REWARD_KIND_LABELS,
    Recipient,
    RecognitionLine,
    RecognitionResult,
    Reward,
    RewardKind,
    assign_recognition,
)

__all__ = [
    "DEFAULT_MULTIPLIERS",
    "REWARD_KIND_LABELS",
    "BandFairness",
    "BonusAllocation",
    "BonusLine",
    "BonusMember",
    "BonusPolicy",
    "FairnessSummary",
    "Recipient",
    "RecognitionLine",
    "RecognitionResult",
    "Reward",
    "RewardKind",
    "allocate_bonus_pool",
    "assign_recognition",
    "compute_bonuses",
    "fairness_summary",
]
