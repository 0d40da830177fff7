"""App responsiveness in a real browser, each interaction timed twice: on the server (the script or fragment
run, from the app's own timer: SELFSUP_TIMING=1, see lab/timing.py) and in the browser (from the action until
the app is idle again, drawing included). Idle first, then with two runs training on the same cores (issue #16's
goal: probe <= 150 ms server-side median, page switch <= 250 ms, Launch -> first curve point <= 1.5 s, first
page of a fresh server <= 2 s).

Starts `streamlit run app.py` on a free localhost port with a temporary runs directory and two training
workers (SELFSUP_MAX_CONCURRENT=2), drives it with headless Chromium (Debian's /usr/bin/chromium):
1. the first page of the fresh server (browser: goto -> idle; server: its first script run);
2. Launch of a nano MLM run -> the first point of its live curve (browser only: the worker's share);
3. page switches (Home, Corpus, Masking, Lessons, Probe; each visited once untimed first, as a student has
   after a minute) and fill-mask probes on the finished run: a new sentence each time, then the same
   sentences again (asked before: served from the cache);
4. another session launches two long nano runs; 3 again while both train; they are stopped.

    python -m bench.ui_latency            # 7 of each interaction and condition
    python -m bench.ui_latency --quick    # 3 of each: a smoke run
    python -m bench.ui_latency --worker-nice 0   # the trainers at the server's priority: the lever's ratio

Prints one line per interaction and condition: the server-side and browser medians, min-max and n.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, CURVE_POINTS, start_server, stop_server, wait_idle

# (url path, title in the navigation); not Train: the other session's live view reruns that page
PAGES = (("corpus", "Corpus & tokens"), ("masking", "Masking lab"), ("lessons", "Lessons"), ("probe", "Probe"))
PAGES += (("home", "Start here"),)
WORDS = ("norland", "velmar", "robin", "lemon", "river", "stone", "winter", "castle", "orchard")
TIMING = re.compile(r"timing (\S+) ([0-9.]+) ms")
VIEWPORT = {"width": 1280, "height": 800}


class ServerLog:
    """The server's timing lines since the last `since()` (SELFSUP_TIMING=1 makes the app log them)."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def since(self, what: str) -> float | None:
        """Seconds of the last `what` run logged since `mark()` (a fragment or page name), None if none."""
        with self.path.open() as f:
            f.seek(self.offset)
            found = [float(ms) / 1000 for name, ms in TIMING.findall(f.read()) if name == what]
        return found[-1] if found else None


def timed(log: ServerLog, what: str, act, page) -> tuple[float | None, float]:
    """(server seconds of the `what` run, browser seconds) of `act()` until the page is idle again."""
    log.mark()
    start = time.perf_counter()
    act()
    time.sleep(0.05)  # let the browser send the rerun before waiting for idle
    wait_idle(page)
    return log.since(what), time.perf_counter() - start


def launch_nano(page, url: str, steps: str) -> float:
    """Launch a nano MLM run from the Train page; seconds from the click to the first curve point."""
    page.goto(f"{url}/train")
    wait_idle(page)
    page.get_by_text("nano", exact=True).first.click()
    wait_idle(page)
    box = page.get_by_role("spinbutton", name="Steps")
    box.fill(steps)
    box.press("Enter")
    wait_idle(page)
    start = time.perf_counter()
    page.get_by_test_id("stMain").get_by_role("button", name="Launch").click()
    page.wait_for_function(f"({CURVE_POINTS})() >= 1", timeout=180_000)
    return time.perf_counter() - start


def visit_every_page(page, url: str) -> None:
    """Each page once, untimed, as a student has after a minute: a page's first visit imports its modules
    (torch for the Masking lab, pandas for a table), which the first page of a fresh server is timed without."""
    page.goto(url)
    wait_idle(page)
    for _, title in PAGES:
        page.get_by_test_id("stSidebarNav").locator("a", has_text=title).click()
        time.sleep(0.05)
        wait_idle(page)


def interactions(page, url: str, log: ServerLog, n: int) -> dict[str, list[tuple[float | None, float]]]:
    """Page switches and probes (new sentences, then the same again), `n` of each."""
    out: dict[str, list] = {"page switch": [], "probe (new sentence)": [], "probe (asked before)": []}
    page.goto(url)
    wait_idle(page)
    for i in range(n):
        name, title = PAGES[i % len(PAGES)]
        link = page.get_by_test_id("stSidebarNav").locator("a", has_text=title)
        out["page switch"].append(timed(log, f"page:{name}", link.click, page))
    page.goto(f"{url}/probe")
    wait_idle(page)
    box = page.get_by_role("textbox", name="Sentence")
    sentences = [f"the capital of {WORDS[i % len(WORDS)]} is {i} ." for i in range(n)]
    for kind in ("probe (new sentence)", "probe (asked before)"):
        for sentence in sentences:

            def ask(sentence=sentence):
                box.fill(sentence)
                box.press("Enter")

            out[kind].append(timed(log, "fragment:probe", ask, page))
    return out


def report(condition: str, found: dict[str, list[tuple[float | None, float]]]) -> None:
    for what, pairs in found.items():
        cells = []
        for side, values in (("server", [s for s, _ in pairs if s is not None]), ("browser", [b for _, b in pairs])):
            if values:
                ms = [v * 1000 for v in values]
                cells.append(f"{side} {statistics.median(ms):6.0f} ms ({min(ms):.0f}-{max(ms):.0f}, n={len(ms)})")
            else:
                cells.append(f"{side}      - (not logged)")
        print(f"{condition:<22} {what:<22} {' | '.join(cells)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 of each interaction instead of 7: a smoke run")
    parser.add_argument("--worker-nice", type=int, default=10, help="SELFSUP_WORKER_NICE (0: the lever off)")
    args = parser.parse_args()
    n = 3 if args.quick else 7
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        runs = Path(tmp) / "runs"
        runs.mkdir()
        env = {"SELFSUP_TIMING": "1", "SELFSUP_MAX_CONCURRENT": "2", "SELFSUP_WORKER_NICE": str(args.worker_nice)}
        proc, url = start_server(runs, env)
        log = ServerLog(Path(tmp) / f"streamlit-{url.rsplit(':', 1)[1]}.log")
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            first = timed(log, "page:home", lambda: page.goto(url), page)
            report("fresh server", {"first page": [first]})
            visit_every_page(page, url)  # meanwhile the workers have imported torch and warmed up
            first_point = launch_nano(page, url, "60")
            print(f"{'idle':<22} {'Launch -> first point':<22} browser {first_point * 1000:6.0f} ms (n=1)")
            page.get_by_role("link", name="Probe this model").wait_for(timeout=180_000)
            report("idle", interactions(page, url, log, n))
            other = browser.new_page(viewport=VIEWPORT)  # another student: two runs, one per worker
            for _ in range(2):
                launch_nano(other, url, "20000")
            report("two runs training", interactions(page, url, log, n))
            other.goto(f"{url}/train")
            wait_idle(other)
            for stop in other.get_by_test_id("stSidebar").get_by_role("button", name="Stop").all():
                stop.click()
                wait_idle(other)
            browser.close()
        finally:
            stop_server(proc)


if __name__ == "__main__":
    main()
