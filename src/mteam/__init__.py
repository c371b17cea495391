"""mteam: model how a marketing team is staffed, reviewed, rewarded and trained.

The most-used names are re-exported here; every module documents its own.

Examples:
    >>> import mteam
    >>> from decimal import Decimal
    >>> mteam.apportion(Decimal(10), {"a": 1, "b": 2})
    {'a': Decimal('3'), 'b': Decimal('7')}
"""

from importlib.metadata import PackageNotFoundError, version

from mteam._batch import batch
from mteam.errors import InvalidInputError, MteamError
from mteam.io import load_sample_team
from mteam.labels import Label
from mteam.money import Currency, Money, apportion, currency, quantize
from mteam.periods import Period
from mteam.report import format_report
from mteam.review import ReviewOutcome, ReviewPolicy, TeamDocument, run_review
from mteam.scales import FEEDBACK_SCALE, PROFICIENCY_SCALE, RatingScale

try:
    __version__ = version("mteam")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "FEEDBACK_SCALE",
    "PROFICIENCY_SCALE",
    "Currency",
    "InvalidInputError",
    "Label",
    "Money",
    "MteamError",
    "Period",
    "RatingScale",
    "ReviewOutcome",
    "ReviewPolicy",
    "TeamDocument",
    "__version__",
    "apportion",
    "batch",
    "currency",
    "format_report",
    "load_sample_team",
    "quantize",
    "run_review",
]
