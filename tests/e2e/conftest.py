"""Fixtures for end-to-end tests: a real `streamlit run app.py` server and a headless Chromium page.

The helpers they use (start_server, wait_idle, shot, …) live in tests/e2e/helpers.py, shared with bench/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e runs a real server, most with a browser: marked `browser` (select with
    -m browser, skip with -m 'not browser')."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """Base URL of a fresh app server with its own runs directory (one per test module)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is not installed: apt-get install -y chromium (see README)")
    runs = tmp_path_factory.mktemp("e2e") / "runs"
    runs.mkdir()
    proc, url = start_server(runs)
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
