"""selfsup-lab: the Streamlit entry point (`streamlit run app.py`). Lists the pages in their sections, runs the
page, draws the shared frame. The app itself is the package `lab/` (pages in lab/pages/)."""

import logging
import os

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # before transformers is imported (lazily, by a page)
import streamlit as st  # noqa: E402

from lab import ownership, sidebar, timing  # noqa: E402
from lab.i18n import t  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(page_title="selfsup-lab", page_icon=":material/extension:", layout="wide")
sections = {
    t("nav.section.learn"): [
        st.Page("lab/pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
        st.Page("lab/pages/corpus.py", title=t("nav.corpus"), icon=":material/menu_book:"),
        st.Page("lab/pages/masking.py", title=t("nav.masking"), icon=":material/theater_comedy:"),
        st.Page("lab/pages/lessons.py", title=t("nav.lessons"), icon=":material/school:"),
    ],
    t("nav.section.experiment"): [
        st.Page("lab/pages/train.py", title=t("nav.train"), icon=":material/fitness_center:"),
        st.Page("lab/pages/probe.py", title=t("nav.probe"), icon=":material/search:"),
        st.Page("lab/pages/inside.py", title=t("inside.nav"), icon=":material/biotech:"),
        st.Page("lab/pages/compare.py", title=t("nav.compare"), icon=":material/balance:"),
        st.Page("lab/pages/sweep.py", title=t("nav.sweep"), icon=":material/science:"),
        st.Page("lab/pages/finetune.py", title=t("nav.finetune"), icon=":material/tune:"),
    ],
    t("nav.section.class"): [
        st.Page("lab/pages/class_results.py", title=t("nav.class_results"), icon=":material/groups:"),
    ],
}
page = st.navigation(sections)
with timing.timed(f"page:{page.url_path or 'home'}"):
    ownership.remember_owner()  # before the page: a page may end the script early (st.stop), sidebar included
    try:
        page.run()
    finally:
        sidebar.sidebar()  # after the page, so it shows the settings the page has just changed
