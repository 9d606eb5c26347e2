"""Keep Python's garbage collector off the data that lives as long as the server.

The tables, boundaries and click indexes are a few hundred thousand objects that never die.
Left to the collector, every rerun (a click, a slider step) ends up paying a full collection
over all of them: 70–150 ms measured, about half of a click's time on the server. Once a
cached resource is built, `freeze_new_long_lived()` moves everything alive into the
collector's permanent generation, which it never scans again (see `gc.freeze`).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_built_since_freeze = False


def long_lived(build: Callable[P, R]) -> Callable[P, R]:
    """Mark a cache builder: what it returns stays alive for the life of the server."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        global _built_since_freeze
        result = build(*args, **kwargs)
        with _lock:
            _built_since_freeze = True
        return result

    return wrapper


def freeze_new_long_lived() -> bool:
    """After a run that built a cache: collect once, then freeze what survives. True if it froze."""
    global _built_since_freeze
    with _lock:
        if not _built_since_freeze:
            return False
        _built_since_freeze = False
    # Collect first, so this run's garbage is freed instead of frozen with the caches.
    gc.collect()
    gc.freeze()
    return True
