"""The classroom flow in a real browser: quick demo -> train a nano MLM -> live curve -> stop -> probe."""

import time

from tests.e2e.helpers import curve_points, shot, wait_idle


def test_demo_then_train_watch_stop_and_probe(app_server, page):
    page.goto(app_server)
    wait_idle(page)
    page.get_by_role("button", name="Run the quick demo").click()
    # the demo trains for 30 s, then fills a blank and shows the top-5 bars
    page.get_by_text("Top guess:").wait_for(timeout=150_000)
    shot(page, "01-home-demo-done")

    page.goto(f"{app_server}/train")
    wait_idle(page)
    page.get_by_text("nano", exact=True).first.click()
    wait_idle(page)
    page.get_by_role("spinbutton", name="Steps").fill("3000")
    page.get_by_role("spinbutton", name="Steps").press("Enter")
    wait_idle(page)
    shot(page, "02-train-before-launch")
    page.get_by_role("button", name="Launch").click()

    # the live curve gains points while the run trains
    deadline = time.monotonic() + 120
    while curve_points(page) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    first = curve_points(page)
    deadline = time.monotonic() + 60  # a point every 5 steps; slow when the machine is shared
    while curve_points(page) <= first and time.monotonic() < deadline:
        time.sleep(0.5)
    second = curve_points(page)
    assert second > first >= 2, (first, second)
    shot(page, "03-train-live")

    page.get_by_test_id("stMain").get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped at step").wait_for(timeout=60_000)
    shot(page, "04-train-stopped")

    page.get_by_role("link", name="Probe this model").click()
    wait_idle(page)
    box = page.get_by_role("textbox", name="Sentence")
    box.fill("the capital of norland is [MASK] .")
    box.press("Enter")
    wait_idle(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot .bars .point').length >= 5", timeout=60_000
    )
    assert "Traceback" not in page.content()
    shot(page, "05-probe-bars")
