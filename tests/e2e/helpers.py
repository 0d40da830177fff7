"""Drive a real `streamlit run app.py` server from headless Chromium: start it, wait for it, look at it.

Shared by the browser tests (tests/e2e) and the browser benchmarks (bench/ui_latency.py, bench/load.py);
import it as `tests.e2e.helpers` (two conftest modules cannot import each other). Readiness the way
Streamlit's own e2e suite does it: poll /_stcore/health, then wait for the app to be connected and its
script idle. Screenshots go to artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# points on the page's plotly curves (the most of any chart)
CURVE_POINTS = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return plots.length ? Math.max(...plots.map(p => (p.data || []).reduce((n, t) => n + (t.x ? t.x.length : 0), 0))) : 0;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(runs_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start the app on a free localhost port; returns the process and its base URL once healthy."""
    port = free_port()
    env = {**os.environ, "SELFSUP_RUNS_DIR": str(runs_dir), **(extra_env or {})}
    log = open(runs_dir.parent / f"streamlit-{port}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy; see {log.name}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server (its job manager stops the workers); kill it if it does not go in 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app is connected and no script run is in progress."""
    page.wait_for_selector(CONNECTED, timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def curve_points(page) -> int:
    return page.evaluate(CURVE_POINTS)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
