"""App responsiveness in a real browser: launch-to-first-curve-point, probe latency, and page response
while two runs train.

Starts `streamlit run app.py` on a free localhost port with a temporary runs directory and drives it
with headless Chromium (Debian's /usr/bin/chromium).

    python -m bench.ui_latency
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, CURVE_POINTS, start_server, stop_server, wait_idle

ROOT = Path(__file__).resolve().parents[1]


def launch_nano(page, url: str, steps: str) -> tuple[float, str]:
    """Launch a nano MLM run from the Train page; seconds from the click to the first curve point, and
    the run's own URL (the Train page with ?run=, which a full page load needs to find the run again)."""
    page.goto(f"{url}/train")
    wait_idle(page)
    page.get_by_text("nano", exact=True).first.click()
    wait_idle(page)
    box = page.get_by_role("spinbutton", name="Steps")
    box.fill(steps)
    box.press("Enter")
    wait_idle(page)
    t = time.perf_counter()
    page.get_by_role("button", name="Launch").click()
    page.wait_for_function(f"({CURVE_POINTS})() >= 1", timeout=180_000)
    return time.perf_counter() - t, page.url


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        runs = Path(tmp) / "runs"
        runs.mkdir()
        proc, url = start_server(runs)
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            wait_idle(page)
            first_point, page_run = launch_nano(page, url, "300")
            # a second run from another session, so two train at once (one per worker)
            other = browser.new_page(viewport={"width": 1400, "height": 900})
            other.goto(url)
            wait_idle(other)
            _, other_run = launch_nano(other, url, "3000")
            response = []
            for _ in range(5):  # full page loads while both runs train
                t = time.perf_counter()
                page.goto(f"{url}/corpus")
                wait_idle(page)
                response.append(time.perf_counter() - t)
            for tab, run_url in ((page, page_run), (other, other_run)):
                tab.goto(run_url)
                wait_idle(tab)
                stop = tab.get_by_test_id("stMain").get_by_role("button", name="Stop")
                if stop.count():
                    stop.click()
            page.get_by_role("link", name="Probe this model").wait_for(timeout=120_000)
            page.get_by_role("link", name="Probe this model").click()
            wait_idle(page)
            probes = []
            box = page.get_by_role("textbox", name="Sentence")
            for i, word in enumerate(["norland", "velmar", "robin", "lemon", "dog"]):
                t = time.perf_counter()
                box.fill(f"the {word} is [MASK] . {i}")
                box.press("Enter")
                wait_idle(page)
                probes.append(time.perf_counter() - t)
            print(f"launch click -> first curve point: {first_point:.1f} s")
            print(
                f"Corpus page load while two runs train: median {statistics.median(response):.2f} s, "
                f"max {max(response):.2f} s (n={len(response)})"
            )
            print(
                f"fill-mask probe round trip in the browser: median {statistics.median(probes):.2f} s, "
                f"max {max(probes):.2f} s (n={len(probes)})"
            )
            browser.close()
        finally:
            stop_server(proc)


if __name__ == "__main__":
    main()
