"""dashboard/app.py under cProfile, one profile file per script run (bench/stepcost.py serves this).

Streamlit runs each script run in its own thread, which a profiler started elsewhere does not see;
so the run profiles itself. BENCH_PROFILE_DIR names the folder of `run-NNNN.prof` files.
"""

from __future__ import annotations

import cProfile
import itertools
import os
import runpy
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
OUT = Path(os.environ.get("BENCH_PROFILE_DIR", "bench/output/profile"))
COUNTER = sys.modules.setdefault("_bench_profile_counter", type(sys)("_bench_profile_counter"))
if not hasattr(COUNTER, "runs"):
    COUNTER.runs = itertools.count()

profile = cProfile.Profile()
profile.enable()
try:
    runpy.run_path(str(APP), run_name="__main__")
finally:
    profile.disable()
    OUT.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(OUT / f"run-{next(COUNTER.runs):04d}.prof")
