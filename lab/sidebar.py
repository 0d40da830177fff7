"""The frame every page shares: the language switch, the current settings, this student's active runs with
their stop buttons, the nickname box and the teacher login."""

from __future__ import annotations

import streamlit as st

from lab import i18n
from lab.actions import stop_run
from lab.i18n import t
from lab.ownership import is_teacher, last_nickname, session_id, shown_path, teacher_login
from lab.resources import jobs
from lab.url_state import config
from selfsup_core.runs import NICKNAME_MAX, runs_root

# Keyboard users: a focus ring that shows on a projector. Streamlit's radios and checkboxes hide the focused
# <input> itself, so the ring goes on its label; text boxes and select boxes ring their frame.
FOCUS_CSS = (
    ":focus-visible{outline:3px solid #0072B2!important;outline-offset:2px}"
    "label:has(input:focus-visible){outline:3px solid #0072B2;outline-offset:2px;border-radius:4px}"
    "[data-baseweb=select]:focus-within,[data-baseweb=input]:focus-within,[data-baseweb=textarea]:focus-within"
    "{outline:3px solid #0072B2;outline-offset:1px;border-radius:8px}"
)
# Projector legibility: Streamlit draws captions and widget help at 0.875 rem (15.75 px at baseFontSize 18) in a
# light grey (and at 60% opacity); the class reads them from the back of the room: the body size, a dark grey.
CAPTION_PX = 18
CAPTION_COLOUR = "#3d3f4a"  # about 10:1 on white (Streamlit's caption grey: about 4:1)
READABLE_CSS = (
    '[data-testid="stCaptionContainer"],[data-testid="stCaptionContainer"] p,'
    '[data-testid="stWidgetLabel"] small'
    f"{{font-size:{CAPTION_PX}px!important;color:{CAPTION_COLOUR}!important;opacity:1!important}}"
)


def sidebar() -> None:
    """Current corpus / tokenizer, the nickname box, and this student's active runs (all of them for
    the teacher) with where each stands and a stop button; others' runs are only counted."""
    cfg = config()
    with st.sidebar:
        st.html(f"<style>{FOCUS_CSS}{READABLE_CSS}</style>")  # style only: applied without adding an element
        i18n.switch()
        corpus = shown_path(cfg.corpus)  # an upload's server path only in teacher mode
        st.markdown(
            t(
                "sidebar.settings",
                corpus=corpus if len(corpus) < 40 else "…" + corpus[-38:],
                tokenizer=cfg.tokenizer,
                objective=cfg.objective.upper(),
            )
        )
        active, me = jobs().active(), session_id()
        mine = [j for j in active if is_teacher() or j.owner == me]
        yours = t("sidebar.yours", n=len(mine)) if active and not is_teacher() else ""
        st.markdown(t("sidebar.active", n=len(active) or t("sidebar.none"), yours=yours))
        for job in mine:
            where = t("status.running") if job.state == "running" else t("status.queued_at", n=job.queue_position)
            c1, c2 = st.columns([3, 1])
            c1.caption(f"{job.run_id}  \n{where}")
            if c2.button(t("sidebar.stop"), key=f"stop-{job.run_id}", help=t("sidebar.stop_help")):
                stop_run(job.run_id)
        if "nickname" not in st.session_state:
            st.session_state["nickname"] = last_nickname()
        st.text_input(t("sidebar.nickname"), key="nickname", max_chars=NICKNAME_MAX, help=t("sidebar.nickname_help"))
        st.caption(t("sidebar.runs_folder", path=shown_path(runs_root())))
        teacher_login()
