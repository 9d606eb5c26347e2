"""What one slider step costs the server: CPU by function (cProfile), and what it sends.

    python -m bench.stepcost [--steps 20] [--top 25]

Serves bench/profiled_app.py (the app under cProfile, one profile per script run), opens the page
the load test opens with one simulated reader (bench/loadtest.py's protocol), steps the slider, and
prints, per step: the server's script time and its heaviest functions, and the bytes and number of
ForwardMsgs sent, by element (a chart, the map component, a download button...). Diagnosis, not a
timed figure: cProfile slows what it measures, so compare the parts, not the totals, with the load test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.loadtest import Reader, open_stream  # noqa: E402
from tests.devserver import serve  # noqa: E402


def element_label(msg: ForwardMsg) -> str:
    """What a ForwardMsg carries, in a few words: 'vega_lite_chart', 'component_instance st_folium', 'ref'..."""
    kind = msg.WhichOneof("type")
    if kind != "delta":
        return kind or "?"
    delta = msg.delta.WhichOneof("type")
    if delta != "new_element":
        return f"delta {delta}"
    element = msg.delta.new_element
    name = element.WhichOneof("type")
    if name == "component_instance":
        return f"component {element.component_instance.component_name.split('.')[-1]}"
    return name


class CountingReader(Reader):
    """A Reader that tallies what each run sends, by element, in bytes on the wire."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sent: Counter[str] = Counter()
        self.count: Counter[str] = Counter()

    async def next_message(self, deadline: float) -> ForwardMsg:
        raw = await asyncio.wait_for(self.ws.recv(decode=False), max(deadline - time.monotonic(), 0.001))
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        label = "ref (cached element)" if msg.HasField("ref_hash") else element_label(msg)
        self.sent[label] += len(raw)
        self.count[label] += 1
        if msg.HasField("ref_hash"):
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise RuntimeError(f"reference to a message never received: {msg.ref_hash}")
            return cached
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        return msg


async def measure(base_url: str, steps: int) -> tuple[list[float], Counter[str], Counter[str]]:
    async with open_stream(base_url) as ws:
        page = CountingReader(ws, base_url)
        await page.open_page()
        page.sent.clear()
        page.count.clear()
        times = []
        for _ in range(steps):
            times.append(await page.step())
            await asyncio.sleep(0.3)
        return times, page.sent, page.count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stepcost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    args = parser.parse_args(argv)
    keep = os.environ.get("BENCH_PROFILE_KEEP")
    with (contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory()) as profiles, \
            contextlib.ExitStack() as stack:
        env = {**os.environ, "BENCH_PROFILE_DIR": profiles}
        env.setdefault("GEODATA_CACHE_DIR", stack.enter_context(tempfile.TemporaryDirectory()))
        base_url = stack.enter_context(serve("bench/profiled_app.py", env))
        asyncio.run(measure(base_url, 1))  # warm: the first page builds the shared caches
        before = set(Path(profiles).glob("run-*.prof"))
        times, sent, count = asyncio.run(measure(base_url, args.steps))
        runs = sorted(set(Path(profiles).glob("run-*.prof")) - before)
        step_runs = runs[1:]  # the first is the page load
        stats = pstats.Stats(str(step_runs[0]), stream=io.StringIO())
        for run in step_runs[1:]:
            stats.add(str(run))
        n = len(step_runs)
        print(f"# one slider step, {n} steps, one reader (under cProfile)")
        print(f"round trip: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
        print(f"server script time: {stats.total_tt / n * 1000:.0f} ms per step (profiled)")
        total = sum(sent.values())
        print(f"sent per step: {total / args.steps / 1024:,.1f} KB in {sum(count.values()) / args.steps:.0f} messages")
        print("| element | KB per step | messages per step |")
        print("|---|---|---|")
        for label, size in sent.most_common():
            print(f"| {label} | {size / args.steps / 1024:,.1f} | {count[label] / args.steps:.1f} |")
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(args.sort).print_stats(args.top)
        print(f"\n# heaviest functions, summed over {n} steps (divide by {n} for one step)")
        print(out.getvalue().split("\n", 3)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
