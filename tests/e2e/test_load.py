"""The classroom load test, shortened: three students at once on a real server, every run accounted for.

The students are websocket clients speaking Streamlit's protocol (bench/load.py), not browsers.

The full version with its figures for 10 and 40 students is bench/load.py (see the README).
"""

import asyncio

from bench.load import drive
from tests.e2e.helpers import start_server, stop_server


def test_three_students_at_once_all_runs_complete_and_none_is_lost(tmp_path):
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    proc, url = start_server(runs_dir, {"SELFSUP_MAX_CONCURRENT": "1"})  # a queue forms, and must drain
    try:
        report = asyncio.run(drive(url, runs_dir, proc.pid, sessions=3, steps=20, timeout_s=75))
    finally:
        stop_server(proc)
    assert report["student_errors"] == [], report
    assert report["lost"] == 0 and report["completed"] == report["launched"] == 3, report
    assert report["saw_curve"] == 3, report  # every student's live view drew its curve
    assert set(report["response_by_kind_p50_s"]) == {"open", "launch", "reload", "refresh"}, report
    assert report["interactions"] >= 3 * 4 and report["server_peak_rss_mb"] > 0, report
