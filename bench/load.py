"""Classroom load test: N students at once against one real `streamlit run app.py` server on localhost.

Each simulated student is a page in its own browser context (its own cookies, so its own owner id) of
one headless Chromium, all driven at once from one asyncio loop. Each opens the Train page, picks the
nano model and a small step count, launches a run, reloads the page (a new Streamlit session, which
must find the run again), then watches its run's live view (which refreshes every second) until the
run has finished. Runs beyond the server's concurrency cap queue: the queue must drain.

Reported:
- response time p50 / p95 (nearest rank, over every interaction of every student): the time from an
  interaction to the page being idle again. Opening (or reloading) the page: from navigation start
  until the app is connected, its script is not running and the Launch button (the run's status) is
  shown. A click or an Enter: from the
  event until the app's script state (`data-test-script-state`, which the frontend turns to
  `rerunRequested` as soon as a widget changes) has left `notRunning` and come back to it, and the
  expected content is shown (page clock, recorded by a MutationObserver).
- runs completed / stopped / failed; runs lost: launches that left no run folder, plus runs still not
  finished at the deadline (stuck). Must be 0.
- server memory: the peak, sampled every 0.5 s, of the summed RSS of the server process and all its
  descendants (the training workers).

    python bench/load.py --sessions 10
    python bench/load.py --sessions 40 --steps 30 --timeout 900

The browser runs on the same machine and competes for the same cores: the figures include that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from selfsup_core.runs import FINISHED, list_runs  # noqa: E402
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, CONNECTED, CURVE_POINTS, IDLE, start_server, stop_server  # noqa: E402

# Records every change of the app's script state with the page clock.
RECORD_SCRIPT_STATE = """
window.__scriptStates = [];
new MutationObserver(changes => { for (const c of changes) window.__scriptStates.push(
    [performance.now(), c.target.getAttribute('data-test-script-state')]); })
  .observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
# Page-clock time at which the first script run requested after t0 was over (falsy until then).
SETTLED = f"""t0 => {{
  const log = window.__scriptStates.filter(([t]) => t >= t0);
  const i = log.findIndex(([, s]) => s !== 'notRunning');
  const end = i < 0 ? undefined : log.slice(i).find(([, s]) => s === 'notRunning');
  return end && document.querySelector("{CONNECTED}") ? end[0] : 0;
}}"""
STATUS_SHOWN = re.compile("Queued at position|Running ·|Completed|Stopped at|Failed")  # the live view
FINAL_SHOWN = re.compile("Completed|Stopped at|Failed")
ACTION_TIMEOUT_MS = 180_000  # one interaction; beyond that the student counts as failed


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


async def interact(page, action, expect, timeout_ms: int) -> float:
    """Do `action` (a coroutine function); seconds until the rerun it caused is over and `expect` shows."""
    t0 = await page.evaluate("performance.now()")
    await action()
    settled = await page.wait_for_function(SETTLED, arg=t0, timeout=timeout_ms, polling=50)
    end = await settled.json_value()
    if not await expect.first.is_visible():
        await expect.first.wait_for(timeout=timeout_ms)
        end = await page.evaluate("performance.now()")
    return (end - t0) / 1000


async def set_steps(page, steps: int, launch, tries: int = 3) -> float:
    """Type the step count and press Enter; seconds until that rerun is over. Under heavy load the box
    can be redrawn between typing and Enter, losing the keystroke: then it is typed again, and the time
    counts from the first try."""
    t0 = await page.evaluate("performance.now()")
    box = page.get_by_role("spinbutton", name="Steps")
    for _ in range(tries - 1):
        await box.fill(str(steps))
        await box.press("Enter")
        try:
            settled = await page.wait_for_function(SETTLED, arg=t0, timeout=20_000, polling=50)
            break
        except PlaywrightTimeout:
            continue
    else:
        await box.fill(str(steps))
        await box.press("Enter")
        settled = await page.wait_for_function(SETTLED, arg=t0, timeout=ACTION_TIMEOUT_MS, polling=50)
    end = await settled.json_value()
    await launch.wait_for()
    return (end - t0) / 1000


async def student(browser, url: str, steps: int, deadline: float, timeout_ms: int = ACTION_TIMEOUT_MS) -> Student:
    """One student's session, start to finish (see the module docstring)."""
    me = Student()
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(RECORD_SCRIPT_STATE)
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    main = page.get_by_test_id("stMain")
    try:
        t = time.perf_counter()
        await page.goto(f"{url}/train")
        launch = page.get_by_role("button", name="Launch")
        await launch.wait_for()
        await page.wait_for_selector(CONNECTED)
        await page.wait_for_selector(IDLE)
        me.note("open", time.perf_counter() - t)
        nano = main.get_by_text("nano", exact=True).first  # the default size is mini: this changes it
        me.note("click", await interact(page, nano.click, launch, timeout_ms))
        me.note("enter", await set_steps(page, steps, launch))
        status = main.get_by_text(STATUS_SHOWN)
        me.launched = True
        me.note("launch", await interact(page, launch.click, status, timeout_ms))
        me.run_id = _query(page.url, "run")
        t = time.perf_counter()  # a reload: a new session, which must find the run again (and own it)
        await page.goto(f"{url}/train?run={me.run_id}")
        await status.first.wait_for()
        await page.wait_for_selector(CONNECTED)
        me.note("reload", time.perf_counter() - t)
        final = main.get_by_text(FINAL_SHOWN)
        while not await final.count():  # watch the live view, as a student would
            me.saw_curve = me.saw_curve or await page.evaluate(CURVE_POINTS) > 0
            if time.monotonic() > deadline:
                raise TimeoutError("the run had not finished by the deadline")
            await asyncio.sleep(1.0)
        if not me.saw_curve:  # the final redraw may still be drawing its chart
            await page.wait_for_function(f"({CURVE_POINTS})() > 0", timeout=15_000)
            me.saw_curve = True
    except Exception as e:  # a student's failure is a finding, not a crash of the benchmark
        me.error = (
            f"after {sum(map(len, me.times.values()))} interactions: {type(e).__name__}: {str(e).splitlines()[0]}"
        )
    finally:
        await context.close()
    return me


def _query(url: str, key: str) -> str | None:
    return (parse_qs(urlparse(url).query).get(key) or [None])[0]


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


async def drive(url: str, runs_dir: Path, server_pid: int, sessions: int, steps: int, timeout_s: float,
                stagger_s: float = 0.1) -> dict:  # fmt: skip
    """Run `sessions` students against the server at `url`; returns the report (see the module docstring)."""
    from playwright.async_api import async_playwright

    peak = 0
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, tree_rss_bytes(server_pid))
            await asyncio.sleep(0.5)

    start = time.monotonic()
    deadline = start + timeout_s
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sampler = asyncio.create_task(sample())
        warm = await browser.new_page()  # a fresh server knows the st.navigation pages once app.py has run
        await warm.goto(url)
        await warm.wait_for_selector(CONNECTED)
        await warm.close()

        async def staggered(i: int) -> Student:
            await asyncio.sleep(i * stagger_s)
            return await student(browser, url, steps, deadline)

        students = await asyncio.gather(*(staggered(i) for i in range(sessions)))
        sampling = False
        await sampler
        await browser.close()
    runs = {r.id: r for r in list_runs(runs_dir)}
    statuses = [r.status for r in runs.values()]
    launched = sum(s.launched for s in students)
    times = [t for s in students for ts in s.times.values() for t in ts]
    by_kind = {
        k: [t for s in students for t in s.times.get(k, [])] for k in ("open", "click", "enter", "launch", "reload")
    }
    return {
        "sessions": sessions,
        "steps": steps,
        "response_p50_s": round(statistics.median(times), 2) if times else None,
        "response_p95_s": round(nearest_rank(times, 0.95), 2) if times else None,
        "response_by_kind_p50_s": {k: round(statistics.median(v), 2) for k, v in by_kind.items() if v},
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
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPU cores, "
          f"load average {os.getloadavg()[0]:.1f} at start")  # fmt: skip
    for n in args.sessions:
        print(json.dumps(measure(n, args.steps, args.timeout)), flush=True)


if __name__ == "__main__":
    main()
