"""Classroom load test: N students at once against one real `streamlit run app.py` server on localhost.

Each simulated student is a light websocket client that speaks Streamlit's own protocol (the protobuf
`BackMsg` / `ForwardMsg` on /_stcore/stream) as the browser's frontend does, with a cookie of its own (so
its own owner id). It opens the Train page from a link that picks the nano model and a small step count
(the app keeps every setting in the URL), clicks Launch, reloads (a new session, which must find the run
again), then watches its run's live view: the view asks to be refreshed every second (`st.fragment(
run_every=...)`) and the client sends those refreshes, as the frontend's timer would, until the run has
finished and the page shows its final status. Runs beyond the server's concurrency cap queue: the queue
must drain. Browsers would draw the pages on the same 2 cores as the server and its trainers; in a
classroom every student's laptop draws its own, so the clients here do only what reaches the server.

Reported:
- response time p50 / p95 (nearest rank, over every interaction of every student, and by kind): from
  sending a request (open the page, click, reload, live-view refresh) until the server has sent the
  script run's last message (`script_finished`), i.e. the page is complete in the student's browser
  apart from drawing it.
- runs completed / stopped / failed; runs lost: launches that left no run folder, plus runs still not
  finished at the deadline (stuck). Must be 0.
- server memory: the peak, sampled every 0.5 s, of the summed RSS of the server process and all its
  descendants (the training workers).

    python -m bench.load --sessions 10 40
    python -m bench.load --sessions 40 --steps 30 --timeout 900
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from selfsup_core.runs import FINISHED, list_runs
from tests.e2e.helpers import start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]

STATUS_SHOWN = re.compile("Queued at position|Running ·|Completed|Stopped at|Failed")  # the live view
FINAL_SHOWN = re.compile("Completed|Stopped at|Failed")
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
ACTION_TIMEOUT_S = 180  # one interaction; beyond that the student counts as failed


class Page:
    """One browser tab's Streamlit session over its websocket: what the frontend sends, what it keeps."""

    def __init__(self, ws, page_name: str, query: str) -> None:
        self.ws, self.page_name, self.query = ws, page_name, query
        self.page_hash = ""  # the page's script hash, known after its first run (as the frontend keeps it)
        self.widgets: dict[str, str] = {}  # widget key -> Streamlit's element id
        self.texts: list[str] = []  # alerts, progress bars, markdown of the latest script run
        self.curve_points = 0  # points on the plotly charts of the latest run (the most of any chart)
        self.timers: dict[str, float] = {}  # fragment id -> seconds between its automatic reruns

    @classmethod
    async def open(cls, url: str, cookie: str, page_name: str, query: str) -> tuple[Page, float]:
        """Connect (a new session) and run the page; also returns the seconds until it was complete."""
        t = time.perf_counter()
        ws = await connect(
            url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=url,
            additional_headers={"Cookie": cookie},
            max_size=None,
            ping_interval=None,
        )
        page = cls(ws, page_name, query)
        await page.rerun()
        return page, time.perf_counter() - t

    async def rerun(self, click: str | None = None, fragment: str | None = None) -> float:
        """Ask for a script run (clicking the button with key `click`, or refreshing one fragment) and read
        what the server sends until that run, and any rerun it asked for, is over; returns the seconds."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string, state.page_name, state.page_script_hash = self.query, self.page_name, self.page_hash
        if click:
            state.widget_states.widgets.append(WidgetState(id=self.widgets[click], trigger_value=True))
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        t = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        fragment_run = bool(fragment)  # the next run starting is that fragment's; any later one (st.rerun) is not
        while True:
            fwd = ForwardMsg.FromString(await asyncio.wait_for(self.ws.recv(), ACTION_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":  # a script run starts (whole page or fragment)
                self.texts, self.curve_points = [], 0
                if not fragment_run:  # a whole-page run: the frontend forgets the old page's timers
                    self.timers = {}
                fragment_run = False
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._read(fwd.delta.new_element)
            elif kind == "navigation":  # st.navigation names the page it ran
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.timers[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "script_finished" and fwd.script_finished in DONE:
                return time.perf_counter() - t

    def _read(self, element) -> None:
        kind = element.WhichOneof("type")
        value = getattr(element, kind)
        if kind == "exception":
            raise RuntimeError(f"the page raised {value.type}: {value.message}")
        if getattr(value, "id", "").startswith("$$ID-"):
            self.widgets[value.id.rsplit("-", 1)[1]] = value.id
        if kind in ("alert", "markdown", "heading"):
            self.texts.append(value.body)
        elif kind == "progress":
            self.texts.append(value.text)
        elif kind == "plotly_chart":
            traces = json.loads(value.spec).get("data", [])
            self.curve_points = max(self.curve_points, sum(_length(trace.get("x")) for trace in traces))

    def shows(self, pattern: re.Pattern) -> bool:
        return any(pattern.search(text) for text in self.texts)

    @property
    def run_id(self) -> str | None:
        return (parse_qs(self.query).get("run") or [None])[0]


def _length(xs) -> int:
    """Points in a plotly trace's x: a list, or a typed array ({"dtype", "bdata", "shape"})."""
    if isinstance(xs, dict):
        return int(str(xs.get("shape", "0")).split(",")[0] or 0)
    return len(xs or [])


@dataclass
class Student:
    """One simulated student: their response times by interaction, their run, and what went wrong."""

    times: dict[str, list[float]] = field(default_factory=dict)
    run_id: str | None = None
    launched: bool = False
    saw_curve: bool = False
    error: str | None = None

    def note(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)


async def student(url: str, steps: int, deadline: float) -> Student:
    """One student's session, start to finish (see the module docstring)."""
    me = Student()
    cookie = f"selfsup_owner={secrets.token_urlsafe(16)}"
    page = None
    try:
        page, seconds = await Page.open(url, cookie, "train", f"size=nano&steps={steps}")
        me.note("open", seconds)
        me.launched = True
        me.note("launch", await page.rerun(click="train_launch"))
        me.run_id = page.run_id
        if not me.run_id or not page.shows(STATUS_SHOWN):
            raise RuntimeError(f"no run after Launch (query {page.query!r})")
        await page.ws.close()  # a reload: a new session, which must find the run again (and own it)
        page, seconds = await Page.open(url, cookie, "train", f"run={me.run_id}")
        me.note("reload", seconds)
        if not page.shows(STATUS_SHOWN):
            raise RuntimeError("the reloaded page does not show the run")
        while not page.shows(FINAL_SHOWN):  # watch the live view, as the frontend's timer refreshes it
            me.saw_curve = me.saw_curve or page.curve_points > 0
            if time.monotonic() > deadline:
                raise TimeoutError("the run had not finished by the deadline")
            if not page.timers:
                raise RuntimeError("the live view stopped refreshing before the run finished")
            fragment, interval = next(iter(page.timers.items()))
            await asyncio.sleep(interval)
            me.note("refresh", await page.rerun(fragment=fragment))
        me.saw_curve = me.saw_curve or page.curve_points > 0
    except Exception as e:  # a student's failure is a finding, not a crash of the benchmark
        me.error = (
            f"after {sum(map(len, me.times.values()))} interactions: {type(e).__name__}: {str(e).splitlines()[0]}"
        )
    finally:
        if page:
            await page.ws.close()
    return me


def tree_rss_bytes(pid: int) -> int:
    """Summed resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(children.get(p, []))
    return total


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def drive(
    url: str, runs_dir: Path, server_pid: int, sessions: int, steps: int, timeout_s: float, stagger_s: float = 0.1
) -> dict:
    """Run `sessions` students against the server at `url`; returns the report (see the module docstring)."""
    peak = 0
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, tree_rss_bytes(server_pid))
            await asyncio.sleep(0.5)

    start = time.monotonic()
    deadline = start + timeout_s
    sampler = asyncio.create_task(sample())
    warm, _ = await Page.open(url, "", "", "")  # as a first visitor would: app.py runs once, cold
    await warm.ws.close()

    async def staggered(i: int) -> Student:
        await asyncio.sleep(i * stagger_s)
        return await student(url, steps, deadline)

    students = await asyncio.gather(*(staggered(i) for i in range(sessions)))
    sampling = False
    await sampler
    runs = {r.id: r for r in list_runs(runs_dir)}
    statuses = [r.status for r in runs.values()]
    launched = sum(s.launched for s in students)
    times = [t for s in students for ts in s.times.values() for t in ts]
    by_kind = {k: [t for s in students for t in s.times.get(k, [])] for k in ("open", "launch", "reload", "refresh")}
    return {
        "sessions": sessions,
        "steps": steps,
        "response_p50_s": round(statistics.median(times), 2) if times else None,
        "response_p95_s": round(nearest_rank(times, 0.95), 2) if times else None,
        "response_by_kind_p50_s": {k: round(statistics.median(v), 2) for k, v in by_kind.items() if v},
        "response_by_kind_p95_s": {k: round(nearest_rank(v, 0.95), 2) for k, v in by_kind.items() if v},
        "interactions": len(times),
        "launched": launched,
        "runs": len(runs),
        "completed": statuses.count("completed"),
        "stopped": statuses.count("stopped"),
        "failed": statuses.count("failed"),
        "lost": max(0, launched - len(runs)) + sum(st not in FINISHED for st in statuses),
        "saw_curve": sum(s.saw_curve for s in students),
        "student_errors": [s.error for s in students if s.error],
        "server_peak_rss_mb": round(peak / 2**20),
        "wall_s": round(time.monotonic() - start, 1),
    }


def measure(sessions: int, steps: int, timeout_s: float, env: dict[str, str] | None = None) -> dict:
    """Start a server on a temporary runs folder, drive it with `sessions` students, stop it; the report."""
    with tempfile.TemporaryDirectory() as tmp:
        runs_dir = Path(tmp) / "runs"
        runs_dir.mkdir()
        proc, url = start_server(runs_dir, env)
        try:
            return asyncio.run(drive(url, runs_dir, proc.pid, sessions, steps, timeout_s))
        finally:
            stop_server(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=[10, 40], help="students at once (one test per value)"
    )
    parser.add_argument("--steps", type=int, default=30, help="training steps per run (nano model)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before unfinished runs count as lost")
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPU cores, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    for n in args.sessions:
        print(json.dumps(measure(n, args.steps, args.timeout)), flush=True)


if __name__ == "__main__":
    main()
