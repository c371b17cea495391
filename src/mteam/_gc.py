"""Bulk calls pause the cyclic garbage collector (private).

A bulk call (loading a document, a review cycle, a member-base summary) builds hundreds of
thousands of small objects and no reference cycles: reference counting frees all of them. The
cyclic collector, though, is triggered by the allocations themselves and walks the growing
object graph again and again, which costs about a third of such a call. `bulk` turns it off for
the call and back on afterwards (also on an error), and only if it was on: collection is
deferred, never lost, and nested or concurrent bulk calls leave it as they found it.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def bulk(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` with the cyclic garbage collector paused."""

    @functools.wraps(func)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused
