"""dashboard/app.py under cProfile, one profile file per script run (bench/stepcost.py serves this).

Streamlit runs each script run in its own thread, which a profiler started elsewhere does not see;
so the run profiles itself. A slider step reruns only a fragment, not the script: each fragment
(`st.fragment`) is wrapped so that a run of its own is profiled too. BENCH_PROFILE_DIR names the
folder of `run-NNNN.prof` files.
"""

from __future__ import annotations

import cProfile
import functools
import itertools
import os
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from dashboard.compat import is_own_fragment_run  # noqa: E402

APP = REPO / "dashboard" / "app.py"
OUT = Path(os.environ.get("BENCH_PROFILE_DIR", "bench/output/profile"))
COUNTER = sys.modules.setdefault("_bench_profile_counter", type(sys)("_bench_profile_counter"))
if not hasattr(COUNTER, "runs"):
    COUNTER.runs = itertools.count()
    COUNTER.fragment = st.fragment


def profiled(run: Callable[[], Any]) -> Any:
    profile = cProfile.Profile()
    profile.enable()
    try:
        return run()
    finally:
        profile.disable()
        OUT.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(OUT / f"run-{next(COUNTER.runs):04d}.prof")


def fragment(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """`st.fragment`, profiling the runs that are the fragment's own (a full run is profiled as a whole)."""
    if func is None:
        return lambda f: fragment(f, **options)

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if is_own_fragment_run():
            return profiled(lambda: func(*args, **kwargs))
        return func(*args, **kwargs)

    return COUNTER.fragment(run, **options)


st.fragment = fragment
profiled(lambda: runpy.run_path(str(APP), run_name="__main__"))
