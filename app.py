"""selfsup-lab: the Streamlit entry point. Lists the pages, draws the shared sidebar, runs the page."""

import logging

import streamlit as st
from transformers.utils import logging as hf_logging

import ui

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
hf_logging.disable_progress_bar()

st.set_page_config(page_title="selfsup-lab", page_icon="🧩", layout="wide")
pages = [
    st.Page("pages/home.py", title="Start here", icon="🏠", default=True),
    st.Page("pages/corpus.py", title="Corpus & tokens", icon="📚"),
    st.Page("pages/masking.py", title="Masking lab", icon="🎭"),
    st.Page("pages/train.py", title="Train", icon="🏋️"),
    st.Page("pages/probe.py", title="Probe", icon="🔍"),
    st.Page("pages/compare.py", title="MLM vs AR", icon="⚖️"),
    st.Page("pages/sweep.py", title="Masking sweeps & augmentation", icon="🧪"),
    st.Page("pages/finetune.py", title="Fine-tune", icon="🎯"),
]
page = st.navigation(pages)
try:
    page.run()
finally:
    ui.sidebar()  # after the page, so it shows the settings the page has just changed
