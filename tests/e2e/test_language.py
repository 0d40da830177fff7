"""The language switch in a real browser: the sidebar's 中文 button translates the corpus page, keeps its
settings, puts ?lang=zh in the URL, and a reload (or a shared link) opens in Chinese."""

from tests.e2e.helpers import shot, wait_idle


def test_switching_to_chinese_on_the_corpus_page_keeps_the_settings_and_the_link(app_server, page):
    page.goto(app_server)  # first the entry point: a fresh server serves a deep link before st.navigation ran
    wait_idle(page)
    page.goto(f"{app_server}/corpus")
    wait_idle(page)
    page.get_by_role("radio", name="Characters").check(force=True)  # the tokenizer
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="中文").click()
    wait_idle(page)
    page.get_by_role("heading", name="语料与词元").wait_for()
    shot(page, "corpus_zh_switched")
    # the sidebar (and with it the URL) is drawn after the page's heading: wait for it, do not read it once
    page.wait_for_url(lambda url: "lang=zh" in url)
    assert page.get_by_role("radio", name="按字符").is_checked()  # the setting survived the switch
    page.reload()
    wait_idle(page)
    page.get_by_role("heading", name="语料与词元").wait_for()
    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    wait_idle(page)
    page.get_by_role("heading", name="Corpus & tokens").wait_for()
    page.wait_for_url(lambda url: "lang=" not in url)
