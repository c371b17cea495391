"""mteam: model how a marketing team is staffed, reviewed, rewarded and trained.

The most-used names are re-exported here; every module documents its own.

Examples:
    >>> import mteam
    >>> from decimal import Decimal
    >>> mteam.apportion(Decimal(10), {"a": 1, "b": 2})
    {'a': Decimal('3'), 'b': Decimal('7')}
"""

import contextlib
import gc
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version

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

# `batch` is the one explicit opt-in that touches process-wide state (DESIGN principle 8):
# it lives here, at the package's top, beside the edge it serves (the command, benchmarks,
# notebooks), and no domain module calls it. A caller who runs one large job at a time may
# pause Python's cyclic garbage collector around it: a review cycle or a member-base summary
# builds hundreds of thousands of small objects and no reference cycles, and the collector,
# triggered by the allocations themselves, walks that growing graph again and again (about a
# third of such a call's time).


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, and restore it as it was.

    The collector is process-wide: while the block runs, garbage with reference cycles made
    by *any* thread of the process waits to be collected (it is collected after the block,
    never lost). Use it where one job has the process to itself (a command-line run, a
    batch script, a benchmark), not inside a server that handles other requests meanwhile.
    A collector that was already off stays off; an error inside the block still restores it.

    Examples:
        >>> import gc
        >>> import mteam
        >>> with mteam.batch():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
