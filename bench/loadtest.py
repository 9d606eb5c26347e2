"""A load test: N readers step the date slider at once, speaking Streamlit's own websocket protocol.

Each simulated reader does what the browser's frontend does on /_stcore/stream, with the protobuf
classes streamlit ships: it asks for a first run with the page's query string, finds the "Date"
slider among the deltas, then asks for reruns with the slider's new value in
`ClientState.widget_states`, one step at a time. A step is timed from sending the BackMsg to the
ForwardMsg `script_finished` that ends the (full or fragment) run; one that takes over 10 s is an
error, and stays in the percentiles as "> 10,000 ms". The server's memory is read with psutil at
the start, at its peak and 10 s after the readers have left.

    python -m bench.loadtest --readers 1 10 50
    python -m bench.loadtest --readers 50 --servers 2    # two server processes, readers spread over them

With `--servers K`, K server processes run side by side (as behind a reverse proxy with sticky
sessions, README *Deployment*): reader i talks to server i mod K for the whole round, and the memory
is the sum of the K processes. Each server runs with the deployment settings of the README
(`DEPLOY_ARGS`: no file watcher).

`make bench` prints the same rows after its own (BENCH_READERS="1 10 50" overrides the list).
What a reader does not do: run the page's JavaScript, so streamlit-folium's component never sends
a value of its own, and nothing but the slider's state is sent (the server keeps the others).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin, Subprotocol

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.devserver import serve  # noqa: E402

QUERY = "date=2018-06-01&level=county&view=effective"
SLIDER_LABEL = "Date"
SLIDER_KEY = "date"
STEPS = 10
STEP_TIMEOUT = 10.0
#: N first runs share two cores: generous, but bounded
LOAD_TIMEOUT = 240.0
#: a step that timed out may still be running; wait this long for it before the next step
DRAIN_TIMEOUT = 30.0
#: between steps, as bench/__main__.py pauses between its browser steps
PAUSE = 0.3
SETTLE = 10.0
SAMPLE_EVERY = 0.1
DEFAULT_READERS = (1, 10, 50)
#: the README's deployment settings that the command line sets (the rest are in .streamlit/config.toml)
DEPLOY_ARGS = ("--server.fileWatcherType", "none", "--server.runOnSave", "false")
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
MB = 1024 * 1024


class StepError(Exception):
    """A step (or the first run) that did not finish cleanly."""


class StepTimeout(StepError):
    """No script_finished in time: the run may still be going."""


@dataclass
class Slider:
    """What the client knows of the "Date" slider: enough to send the next value."""

    widget_id: str
    options: list[str]
    value: str
    fragment_id: str


@dataclass
class RunOutcome:
    errors: list[str] = field(default_factory=list)
    slider: Slider | None = None


@dataclass
class ReaderResult:
    steps_ms: list[float] = field(default_factory=list)
    loaded: bool = False
    load_s: float | None = None
    timeouts: int = 0
    #: how long the timed-out steps took in the end, when they did finish
    late_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class RoundResult:
    readers: int
    servers: int
    steps_ms: list[float]
    timeouts: int
    errors: int
    attempted: int
    pages_not_loaded: int
    rss_start: int
    rss_peak: int
    rss_after: int

    def row(self) -> str:
        # A step that timed out took longer than STEP_TIMEOUT: it stays in the percentiles as such,
        # or a round where most steps time out would show only its fast ones.
        times = sorted([*self.steps_ms, *[math.inf] * self.timeouts])

        def pct(q: int) -> str:
            if not times:
                return "n/a"
            value = times[0] if len(times) == 1 else statistics.quantiles(times, n=100, method="inclusive")[q - 1]
            return f"> {STEP_TIMEOUT * 1000:,.0f} ms" if math.isinf(value) or math.isnan(value) else f"{value:,.0f} ms"

        unloaded = f" ({plural(self.pages_not_loaded, 'page')} never loaded)" if self.pages_not_loaded else ""
        on = f", {self.servers} servers" if self.servers > 1 else ""
        return (
            f"| load test: {plural(self.readers, 'reader')}{on} | p50 {pct(50)} | p95 {pct(95)} "
            f"| {self.errors} errors of {self.attempted} steps{unloaded} "
            f"| RSS {self.rss_start / MB:,.0f} → {self.rss_peak / MB:,.0f} → {self.rss_after / MB:,.0f} MB "
            f"(start → peak → {SETTLE:g} s after) |"
        )


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def find_slider(msg: ForwardMsg, known: Slider | None = None) -> Slider | None:
    """The "Date" slider, if this delta draws it: found by label or key, wherever the page puts it.

    Its value is what the frontend would show: the one the script set, else the one the reader
    last sent (`known`), else the default.
    """
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    if element.WhichOneof("type") != "slider":
        return None
    slider = element.slider
    if slider.label != SLIDER_LABEL and not slider.id.endswith(f"-{SLIDER_KEY}"):
        return None
    options = list(slider.options)
    if not options:
        return None
    # A select_slider's state is its formatted option (string_array_value): raw_value holds the value
    # the script set (with set_value), `default` the index of the default option.
    if slider.set_value and slider.raw_value:
        value = slider.raw_value[0]
    elif known is not None and known.widget_id == slider.id and known.value in options:
        value = known.value
    else:
        value = options[min(int(slider.default[0]), len(options) - 1)] if slider.default else options[0]
    return Slider(slider.id, options, value, msg.delta.fragment_id)


def run_error(msg: ForwardMsg) -> str | None:
    """An exception drawn on the page, or a script that did not compile."""
    kind = msg.WhichOneof("type")
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "exception" and not element.exception.is_warning:
            return f"{element.exception.type}: {element.exception.message}"
    if kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
        return "script compilation error"
    return None


class Reader:
    """One simulated browser tab on the page."""

    def __init__(self, ws: ClientConnection, base_url: str) -> None:
        self.ws = ws
        self.base_url = base_url
        self.query_string = QUERY
        self.page_script_hash = ""
        # The frontend keeps cacheable messages and tells the server their hashes, so an unchanged
        # large element comes back as a reference: do the same, so the server sends what it would.
        self.cache: dict[str, ForwardMsg] = {}
        self.slider: Slider | None = None
        self.sent_at = 0.0

    def rerun(self, slider: Slider | None = None, value: str | None = None) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.cached_message_hashes.extend(self.cache)
        state.context_info.url = f"{self.base_url}/?{self.query_string}"
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        if slider is not None and value is not None:
            widget = state.widget_states.widgets.add()
            widget.id = slider.widget_id
            widget.string_array_value.data.append(value)
            state.fragment_id = slider.fragment_id
        return msg.SerializeToString()

    async def next_message(self, deadline: float) -> ForwardMsg:
        raw = await asyncio.wait_for(self.ws.recv(decode=False), max(deadline - time.monotonic(), 0.001))
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.HasField("ref_hash"):
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise StepError(f"reference to a message never received: {msg.ref_hash}")
            msg = cached
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        return msg

    async def until_finished(self, timeout: float) -> RunOutcome:
        """Read messages until a run finishes; keep track of the slider, the URL and the page."""
        deadline = time.monotonic() + timeout
        outcome = RunOutcome()
        while True:
            try:
                msg = await self.next_message(deadline)
            except TimeoutError as exc:
                raise StepTimeout(f"no script_finished within {timeout:g} s") from exc
            kind = msg.WhichOneof("type")
            # With st.navigation the page run is named by the navigation message, after new_session.
            if kind == "new_session" and msg.new_session.page_script_hash:
                self.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif (slider := find_slider(msg, self.slider)) is not None:
                outcome.slider = self.slider = slider
            elif (error := run_error(msg)) is not None:
                outcome.errors.append(error)
            elif kind == "script_finished":
                if msg.script_finished in DONE:
                    return outcome
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    raise StepError(f"script_finished status {msg.script_finished}")

    async def open_page(self) -> Slider:
        await self.ws.send(self.rerun())
        outcome = await self.until_finished(LOAD_TIMEOUT)
        if outcome.errors:
            raise StepError("; ".join(outcome.errors))
        if self.slider is None:
            raise StepError(f"no slider labelled {SLIDER_LABEL!r} or keyed {SLIDER_KEY!r} on the page")
        return self.slider

    async def step(self) -> float:
        """Move the slider one option right (one month here); the time until its run finished, in ms."""
        slider = self.slider
        if slider is None or slider.value not in slider.options:
            raise StepError("the slider's value is not among its options")
        index = slider.options.index(slider.value)
        if index + 1 >= len(slider.options):
            raise StepError("the slider is at its last option")
        value = slider.options[index + 1]
        slider.value = value  # the frontend keeps what was sent unless the script sets another
        self.sent_at = time.perf_counter()
        await self.ws.send(self.rerun(slider, value))
        outcome = await self.until_finished(STEP_TIMEOUT)
        elapsed = (time.perf_counter() - self.sent_at) * 1000
        if outcome.errors:
            raise StepError("; ".join(outcome.errors))
        return elapsed


class Gate:
    """Opens once every reader has its page (or has given up on it), so the steps overlap."""

    def __init__(self, parties: int) -> None:
        self.waiting = parties
        self.open = asyncio.Event()
        if parties <= 0:
            self.open.set()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.open.set()


def open_stream(base_url: str) -> connect:
    # ping_interval=None: browsers send no pings, and a busy server must not look dead.
    return connect(base_url.replace("http://", "ws://", 1) + "/_stcore/stream", subprotocols=[Subprotocol("streamlit")],
                   origin=Origin(base_url), max_size=None, ping_interval=None, open_timeout=LOAD_TIMEOUT,
                   close_timeout=2)


async def reader(base_url: str, gate: Gate, result: ReaderResult) -> None:
    """Open the page, wait until every reader has it, then step the slider STEPS times.

    Every step that does not end in a timed run is an error; the result holds the timed ones.
    """
    arrived = False
    try:
        async with open_stream(base_url) as ws:
            page = Reader(ws, base_url)
            start = time.perf_counter()
            try:
                await page.open_page()
                result.loaded, result.load_s = True, time.perf_counter() - start
            finally:
                arrived = True
                gate.arrive()
            await gate.open.wait()
            for _ in range(STEPS):
                try:
                    result.steps_ms.append(await page.step())
                except StepTimeout as exc:
                    result.timeouts += 1
                    result.problems.append(f"step: {exc}")
                    await page.until_finished(DRAIN_TIMEOUT)  # let the late run end before the next step
                    result.late_ms.append((time.perf_counter() - page.sent_at) * 1000)
                except StepError as exc:
                    result.problems.append(f"step: {exc}")
                await asyncio.sleep(PAUSE)
    except (StepError, OSError, TimeoutError, WebSocketException) as exc:
        # Refused, reset, closed, or a page or late run that never finished: the rest is lost.
        result.problems.append(f"reader stopped: {type(exc).__name__}: {exc}")
    finally:
        if not arrived:
            gate.arrive()


async def run_readers(base_urls: Sequence[str], n: int) -> list[ReaderResult]:
    """N readers, reader i on server i mod K for the whole round (sticky, as the proxy would keep it)."""
    gate = Gate(n)
    results = [ReaderResult() for _ in range(n)]
    tasks = [asyncio.create_task(reader(base_urls[i % len(base_urls)], gate, r)) for i, r in enumerate(results)]
    # Every wait inside is bounded; this bounds the whole round as well.
    limit = LOAD_TIMEOUT + STEPS * (STEP_TIMEOUT + DRAIN_TIMEOUT + PAUSE) + 30
    _done, pending = await asyncio.wait(tasks, timeout=limit)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return results


def tree_rss(processes: Sequence[psutil.Process]) -> int:
    """Resident memory of the servers and their children, in bytes."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            for p in (process, *process.children(recursive=True)):
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
    return total


@contextlib.contextmanager
def peak_rss(processes: Sequence[psutil.Process]) -> Iterator[list[int]]:
    """Sample the servers' RSS in a thread; the one-element list holds the peak seen."""
    peak = [tree_rss(processes)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_EVERY):
            peak[0] = max(peak[0], tree_rss(processes))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()
        peak[0] = max(peak[0], tree_rss(processes))


def server_process(base_url: str) -> psutil.Process:
    """The streamlit process tests.devserver.serve started: our child serving this URL's port."""
    port = str(urlsplit(base_url).port)
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            args = child.cmdline()
            if "streamlit" in args and port in args:
                return child
    raise RuntimeError(f"no streamlit child process on port {port}")


def report_round(n: int, results: Sequence[ReaderResult], wall_s: float, client_cpu_s: float) -> None:
    """What the row leaves out, on stderr: page loads, what went wrong, and this process's own CPU."""
    loads = sorted(r.load_s for r in results if r.load_s is not None) or [math.nan]
    print(f"  {plural(n, 'reader')}: pages loaded in {statistics.median(loads):.1f} s (median), "
          f"{loads[-1]:.1f} s (slowest); the readers' process used {client_cpu_s:.1f} s CPU in {wall_s:.1f} s",
          file=sys.stderr)
    if late := [ms for r in results for ms in r.late_ms]:
        print(f"    the timed-out steps finished after {statistics.median(late) / 1000:.1f} s (median), "
              f"{max(late) / 1000:.1f} s (slowest)", file=sys.stderr)
    for problem, count in Counter(p for r in results for p in r.problems).most_common():
        print(f"    {count} x {problem}", file=sys.stderr)


def load_round(base_urls: Sequence[str], servers: Sequence[psutil.Process], n: int) -> RoundResult:
    start = tree_rss(servers)
    me = psutil.Process()
    cpu_before, wall_before = sum(me.cpu_times()[:2]), time.perf_counter()
    with peak_rss(servers) as peak:
        results = asyncio.run(run_readers(base_urls, n))
    report_round(n, results, time.perf_counter() - wall_before, sum(me.cpu_times()[:2]) - cpu_before)
    time.sleep(SETTLE)
    return RoundResult(
        readers=n,
        servers=len(servers),
        steps_ms=[ms for r in results for ms in r.steps_ms],
        timeouts=sum(r.timeouts for r in results),
        errors=n * STEPS - sum(len(r.steps_ms) for r in results),
        attempted=n * STEPS,
        pages_not_loaded=sum(not r.loaded for r in results),
        rss_start=start,
        rss_peak=peak[0],
        rss_after=tree_rss(servers),
    )


async def warm_up(base_url: str) -> None:
    """One page load nobody times: the server's first run loads the tables and builds its caches."""
    async with open_stream(base_url) as ws:
        await Reader(ws, base_url).open_page()


def readers_from_env(default: Sequence[int] = DEFAULT_READERS) -> list[int]:
    """BENCH_READERS="1 10 50" (spaces or commas); the default when unset or unusable."""
    raw = os.environ.get("BENCH_READERS", "").replace(",", " ").split()
    try:
        wanted = [int(x) for x in raw]
    except ValueError:
        print(f"BENCH_READERS={os.environ['BENCH_READERS']!r} is not a list of numbers; "
              f"using {' '.join(map(str, default))}", file=sys.stderr)
        return list(default)
    return [n for n in wanted if n > 0] or list(default)


def load_rounds(readers: Sequence[int] | None = None, servers: int = 1) -> Iterator[RoundResult | str]:
    """One result per reader count, each as its round ends, against `servers` server processes of this
    checkout; a Markdown row saying why instead when the page does not load."""
    counts = list(readers) if readers else readers_from_env()
    with contextlib.ExitStack() as stack:
        cache = os.environ.get("GEODATA_CACHE_DIR") or stack.enter_context(tempfile.TemporaryDirectory())
        env = {**os.environ, "GEODATA_CACHE_DIR": cache}
        base_urls = [stack.enter_context(serve("dashboard/app.py", env, args=DEPLOY_ARGS)) for _ in range(servers)]
        processes = [server_process(url) for url in base_urls]
        try:
            for url in base_urls:
                asyncio.run(warm_up(url))
        except (StepError, OSError, TimeoutError, WebSocketException) as exc:
            yield f"| load test | skipped: the page did not load ({exc}) | | | |"
            return
        for n in counts:
            yield load_round(base_urls, processes, n)


def load_rows(readers: Sequence[int] | None = None, servers: int = 1) -> Iterator[str]:
    """One Markdown row per reader count, each as its round ends."""
    for result in load_rounds(readers, servers):
        yield result if isinstance(result, str) else result.row()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, nargs="+", metavar="N",
                        help="reader counts to run, one round each (default: BENCH_READERS or 1 10 50)")
    parser.add_argument("--servers", type=int, nargs="+", metavar="K", default=[1],
                        help="server processes, readers spread over them and each kept on one (default: 1); "
                             "several values run the rounds once per value")
    args = parser.parse_args(argv)
    if args.readers and min(args.readers) < 1:
        parser.error("--readers: every count must be at least 1")
    if min(args.servers) < 1:
        parser.error("--servers: at least 1")
    print("| figure | p50 step | p95 step | errors | server memory |")
    print("|---|---|---|---|---|")
    for k in args.servers:
        for line in load_rows(args.readers, k):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
