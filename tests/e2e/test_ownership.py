"""Run ownership in a real browser: a reload keeps a student's runs theirs (the owner cookie); another
browser, even with a link to the run, can look but not stop it."""

from playwright.sync_api import expect

from tests.e2e.helpers import shot, wait_idle


def open_train(browser, url: str, query: str = ""):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)  # a fresh server knows the st.navigation pages only once app.py has run
    wait_idle(page)
    page.goto(f"{url}/train{query}")
    wait_idle(page)
    return page


def test_a_reload_keeps_the_run_yours_and_another_browser_cannot_stop_it(app_server, browser):
    ann = open_train(browser, app_server)
    nickname = ann.get_by_test_id("stSidebar").get_by_role("textbox", name="Your nickname")
    nickname.fill("Ann")
    nickname.press("Enter")
    wait_idle(ann)
    ann.get_by_text("nano", exact=True).first.click()
    wait_idle(ann)
    ann.get_by_role("spinbutton", name="Steps").fill("20000")
    ann.get_by_role("spinbutton", name="Steps").press("Enter")
    wait_idle(ann)
    ann.get_by_role("button", name="Launch").click()
    ann.wait_for_url("**run=*")
    run_id = ann.url.split("run=")[1].split("&")[0]

    ann.reload()  # a new Streamlit session: session_state is gone, the cookie is not
    wait_idle(ann)
    sidebar = ann.get_by_test_id("stSidebar")
    sidebar.get_by_text("(1 yours)").wait_for()
    # the box can mount empty and be filled a moment later: wait for the value, as a student would see it
    expect(sidebar.get_by_role("textbox", name="Your nickname")).to_have_value("Ann")
    shot(ann, "ownership-1-after-reload")

    bob = open_train(browser, app_server, f"?run={run_id}")
    bob.get_by_text(f"Run {run_id}").wait_for()  # he sees the run…
    assert bob.get_by_text("(0 yours)").count() == 1
    assert bob.get_by_role("button", name="Stop").count() == 0  # …but has nothing to stop it with
    shot(bob, "ownership-2-someone-elses-run")

    sidebar.get_by_role("button", name="Stop").click()
    ann.get_by_text("Stopped at step").wait_for(timeout=60_000)
    assert "Traceback" not in ann.content() + bob.content()
