"""A lesson in a real browser, in English and in Chinese: open it, predict, run, read the result and the debrief."""

import pytest
from playwright.sync_api import expect

from lab.i18n import text
from selfsup_core.lessons import LESSONS, tr
from tests.e2e.helpers import shot, wait_idle


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_student_predicts_runs_and_reads_the_debrief(app_server, page, lang):
    step = LESSONS["masking"].steps[0]
    page.goto(f"{app_server}/?lang={lang}")  # a fresh server knows the st.navigation pages once app.py has run
    wait_idle(page, timeout_ms=150_000)  # the first run imports torch and transformers: slow on a busy machine
    page.get_by_test_id("stSidebarNav").get_by_text(text("nav.lessons", lang), exact=True).click()
    wait_idle(page)
    page.get_by_role("radiogroup", name=text("lessons.control.size", lang)).get_by_role(
        "radio", name=text("size.nano", lang)
    ).click()
    wait_idle(page)
    seconds = page.get_by_role("spinbutton", name=text("lessons.control.seconds", lang))
    seconds.fill("10")  # 5 s can end before the first step on a busy machine: no result to judge
    seconds.press("Enter")
    wait_idle(page)
    run = page.get_by_role("button", name=text("lessons.run", lang))
    assert run.is_disabled()  # predict first

    page.get_by_text(tr(step.choices["mid"], lang), exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name=text("lessons.commit", lang)).click()
    expect(run).to_be_enabled(timeout=60_000)  # the rerun after the commit may still be on its way
    shot(page, f"lesson-{lang}-1-predicted")
    run.click()
    debrief = page.get_by_text(text("lessons.debrief", lang), exact=True)
    debrief.wait_for(timeout=150_000)
    wait_idle(page, timeout_ms=60_000)
    page.set_viewport_size({"width": 1400, "height": 2000})  # the app scrolls inside its own frame: show it all
    assert page.get_by_text(text("lessons.you_said", lang), exact=True).is_visible()
    assert page.get_by_text(text("lessons.happened", lang), exact=True).is_visible()
    assert "ls0=" in page.url  # a reload reattaches to the run
    page.wait_for_timeout(1500)  # plotly draws the result chart after the script is idle
    shot(page, f"lesson-{lang}-2-debrief")
