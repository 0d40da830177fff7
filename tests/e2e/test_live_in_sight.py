"""After Launch the live view is in sight at 1280x800 (issue #16): the screen must change where the student
looks, not below the fold under the settings."""

from tests.e2e.helpers import shot, wait_idle

IN_SIGHT = """() => {
  const view = document.querySelector('.st-key-live-main');
  if (!view) return false;
  const r = view.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight - 100;
}"""


def test_launch_on_the_train_page_scrolls_the_live_view_into_sight(app_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{app_server}/train")
        wait_idle(page)
        page.get_by_text("nano", exact=True).first.click()
        wait_idle(page)
        assert not page.evaluate(IN_SIGHT)  # no live view yet
        page.get_by_test_id("stMain").get_by_role("button", name="Launch").click()
        page.wait_for_function(IN_SIGHT, timeout=60_000)
        shot(page, "live-in-sight-train")
        page.get_by_test_id("stMain").get_by_role("button", name="Stop").click()
        wait_idle(page)
    finally:
        context.close()
