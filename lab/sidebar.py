"""The frame every page shares: the language switch, the current settings, this student's active runs with
their stop buttons, the nickname box and the teacher login."""

from __future__ import annotations

import streamlit as st

from lab import i18n, live
from lab.actions import stop_run
from lab.i18n import t
from lab.ownership import is_teacher, last_nickname, session_id, shown_path, teacher_login
from lab.resources import jobs
from lab.url_state import config, update_config
from lab.widgets import run_labels
from selfsup_core.runs import FINISHED, NICKNAME_MAX, RunNotFoundError, live_status, load_run, runs_root

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

# Above the fold: Streamlit leaves 6 rem (108 px) above a page's title; on a projector's 800 pixels that pushes a
# lesson's question below the fold. 3.5 rem still clears the (minimal) toolbar.
FOLD_CSS = '[data-testid="stMainBlockContainer"]{padding-top:3.5rem!important}'

# No label is cut off ("Lock in my pred…", "held-out loss (nat…"): Streamlit ends a label that does not fit its
# button, widget or metric tile with an ellipsis; here it wraps onto a second line instead (a Chinese label may
# be longer than the English one the layout was tried with). Metric values are a size smaller, so that a
# seven-digit count fits a fifth of the page. tests/e2e/test_overflow.py checks every page at 1280x800.
WRAP = "white-space:normal!important;overflow:visible!important;text-overflow:clip!important"
NO_CUT_CSS = (
    '[data-testid="stMetricLabel"],[data-testid="stMetricLabel"] *,'
    'button [data-testid="stMarkdownContainer"],button [data-testid="stMarkdownContainer"] p,'
    '[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"],'
    '[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] p,'
    'label [data-testid="stMarkdownContainer"],label [data-testid="stMarkdownContainer"] p'
    f"{{{WRAP}}}"
    '[data-testid="stMetricValue"]{font-size:2rem!important}'
)


def mine_active() -> list:
    """The job manager's runs this session may stop (all of them for the teacher), running first; not those
    whose summary says they have ended (`runs.live_status`) though their worker has not reported yet."""
    me = session_id()
    return [j for j in jobs().active() if (is_teacher() or j.owner == me) and not _ended(j)]


def _ended(job) -> bool:
    try:
        return live_status(load_run(job.run_id), job.state) in FINISHED
    except RunNotFoundError:
        return True


def active_runs(ids: list[str], drawn: str | None) -> None:
    """How many runs the class has going, and this student's own, each named as a run picker names it, with
    where it stands and a stop button: a live view, so it never says "running" beside a table saying
    "completed" (both read `runs.live_status`; the page reruns when a run ends)."""
    active, mine, named = jobs().active(), mine_active(), run_labels()
    yours = t("sidebar.yours", n=len(mine)) if active and not is_teacher() else ""
    st.markdown(t("sidebar.active", n=len(active) or t("sidebar.none"), yours=yours))
    for job in mine:
        where = t("status.running") if job.state == "running" else t("status.queued_at", n=job.queue_position)
        st.caption(f"{named(job.run_id)}  \n{where}")
        if st.button(
            t("sidebar.stop"), key=f"stop-{job.run_id}", help=t("sidebar.stop_help"), icon=":material/stop_circle:"
        ):
            stop_run(job.run_id)


WORLD_OF_LANG = {"en": "world-en", "zh": "world-zh"}  # the built-in world written in each language


def offer_world() -> None:
    """After a switch of language, while the corpus is the other language's built-in world (a class that
    switched to 中文 would otherwise mask and probe English text): a button to use this language's world.
    Asked, not done silently: the student may have chosen that world on purpose."""
    corpus, wanted = config().corpus, WORLD_OF_LANG[i18n.lang()]
    if corpus not in WORLD_OF_LANG.values() or corpus == wanted:
        return
    st.info(t("sidebar.other_world", corpus=corpus, wanted=wanted), icon=":material/public:")
    st.button(t("sidebar.use_world", wanted=wanted), key="world_switch", on_click=use_world, args=(wanted,))


def use_world(name: str) -> None:
    """The offer's callback: the shared settings' corpus becomes `name` (the Corpus page's picker follows)."""
    update_config(corpus=name, text_column=None)
    st.session_state.pop("corpus_builtin", None)


def sidebar() -> None:
    """Current corpus / tokenizer, the nickname box, and this student's active runs (all of them for
    the teacher) with where each stands and a stop button; others' runs are only counted."""
    cfg = config()
    with st.sidebar:
        st.html(
            f"<style>{FOCUS_CSS}{READABLE_CSS}{FOLD_CSS}{NO_CUT_CSS}</style>"
        )  # style only: applied without adding an element
        i18n.switch()
        offer_world()
        corpus = shown_path(cfg.corpus)  # an upload's server path only in teacher mode
        st.markdown(
            t(
                "sidebar.settings",
                corpus=corpus if len(corpus) < 40 else "…" + corpus[-38:],
                tokenizer=cfg.tokenizer,
                objective=cfg.objective.upper(),
            )
        )
        live.view(active_runs, [j.run_id for j in mine_active()], name="sidebar")
        if "nickname" not in st.session_state:
            st.session_state["nickname"] = last_nickname()
        st.text_input(t("sidebar.nickname"), key="nickname", max_chars=NICKNAME_MAX, help=t("sidebar.nickname_help"))
        st.caption(t("sidebar.runs_folder", path=shown_path(runs_root())))
        teacher_login()
