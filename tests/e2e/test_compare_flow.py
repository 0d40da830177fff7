"""Compare objectives in a real browser: launch a matched nano pair, watch it train, read the scoreboard."""

import pytest

from tests.e2e.helpers import shot, wait_idle


@pytest.mark.browser
def test_matched_pair_trains_in_the_browser_and_the_comparisons_appear(app_server, page):
    page.goto(app_server)  # a fresh server knows the st.navigation pages only once app.py has run
    wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Compare objectives").click()
    wait_idle(page)
    page.get_by_role("radiogroup", name="Model size").get_by_role("radio", name="nano", exact=True).click()
    wait_idle(page)
    steps = page.get_by_role("spinbutton", name="…or stop after steps")
    steps.fill("10")
    steps.press("Enter")
    wait_idle(page)
    shot(page, "compare-1-before-launch")

    page.get_by_role("button", name="Launch MLM + AR").click()
    page.get_by_text("The signal meter: how many tokens", exact=False).first.wait_for(timeout=120_000)  # live view
    shot(page, "compare-2-training")
    page.get_by_text("questions with known answers", exact=False).wait_for(timeout=300_000)
    wait_idle(page, timeout_ms=120_000)
    assert page.get_by_role("tab", name="Scoreboard").is_visible()
    assert "pair=" in page.url  # a reload reattaches to the same two runs
    shot(page, "compare-3-scoreboard")
    for i, tab in enumerate(["Same blanks", "One sentence, both models", "Who sees what", "Generation"], start=4):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page, timeout_ms=120_000)
        shot(page, f"compare-{i}-{tab.lower().replace(' ', '-').replace(',', '')}")
    assert page.get_by_text("iterative mask-filling", exact=False).is_visible()

    page.reload()
    wait_idle(page, timeout_ms=120_000)
    page.get_by_text("questions with known answers", exact=False).wait_for(timeout=120_000)
