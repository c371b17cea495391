"""An explicit opt-in for batch speed: `mteam.batch()` (private module, public name).

No library call touches process-wide state. A caller who runs one large job at a time (the
`mteam` command, a benchmark, a notebook cell) may choose to pause Python's cyclic garbage
collector around it: a review cycle or a member-base summary builds hundreds of thousands of
small objects and no reference cycles, and the collector, triggered by the allocations
themselves, walks that growing graph again and again (about a third of such a call's time).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["batch"]


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
