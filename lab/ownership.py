"""Who may do what: the owner cookie (this browser's runs), the nickname, teacher mode, and which runs this
session may see or change (the core enforces the same rules in `JobManager`)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import streamlit as st

from lab.i18n import t
from lab.resources import all_runs, jobs
from selfsup_core import runs as runs_mod
from selfsup_core.runs import RunInfo, clean_nickname

OWNER_COOKIE = "selfsup_owner"


OWNER_COOKIE_MAX_AGE_S = 12 * 3600  # a school day: a lab PC's next class starts as someone new


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def session_id() -> str:
    """This browser's owner id: recorded with every run it launches; only it (or the teacher) may
    stop or delete those runs (the rule is enforced in `JobManager`).

    The id is derived from a random secret token kept in a cookie. session_state alone would not do:
    a full page reload starts a new session and would orphan the student's runs. The token is made on
    the first visit, stored by `remember_owner` (a one-line script; Streamlit cannot set cookies from
    Python) and read back from the connection's cookies (`st.context.cookies`) after a reload, in any
    tab of the same browser. Run folders store only a hash of it, so a run's meta.json is no key.

    Why not the URL's query string, which is simpler: links get pasted into the class chat and shown
    on the projector, and a token in the link would hand ownership to whoever opens it. A cookie stays
    in the browser that launched the run; shared links (`?run=…`) give read-only views only.
    The trade-offs, by design: ownership belongs to a browser profile, not a person (two students on
    one profile share it; a private window or cleared cookies start afresh, and earlier runs become
    read-only: the teacher can still stop them); the cookie is readable by the page's scripts (the app
    renders no untrusted HTML) and is not `Secure`, since a classroom server often has no HTTPS.
    """
    if "owner_token" not in st.session_state:
        token = st.context.cookies.get(OWNER_COOKIE)
        valid = isinstance(token, str) and _TOKEN.match(token)
        st.session_state["owner_token"] = token if valid else secrets.token_urlsafe(24)
    return owner_id(st.session_state["owner_token"])


def owner_id(token: str) -> str:
    """The id recorded as a run's owner: a hash of the browser's secret token."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def remember_owner() -> None:
    """Store this session's owner token in the browser's cookie (an invisible script in the sidebar),
    unless the connection already sent it. A cookie the browser already has is kept: the first tab wins.
    app.py calls it before the page, as a page may end the script early (st.stop)."""
    session_id()
    token = st.session_state["owner_token"]
    if st.context.cookies.get(OWNER_COOKIE) == token:
        return
    cookie = f"{OWNER_COOKIE}={token}; path=/; max-age={OWNER_COOKIE_MAX_AGE_S}; SameSite=Strict"
    st.sidebar.html(
        f"<script>if (!document.cookie.split('; ').some(c => c.startsWith('{OWNER_COOKIE}=')))"
        f" document.cookie = '{cookie}';</script>",
        unsafe_allow_javascript=True,
    )


def nickname() -> str | None:
    """The nickname typed in the sidebar, cleaned (`runs.clean_nickname`); stored with each run launched."""
    return clean_nickname(st.session_state.get("nickname"))


def last_nickname() -> str:
    """After a reload, the nickname of this browser's latest run, so the student need not type it again."""
    me = session_id()
    return next((r.nickname for r in all_runs() if r.owner == me and r.nickname), "")


def is_teacher() -> bool:
    """True once this session has entered the server's teacher password (SELFSUP_TEACHER_PASSWORD)."""
    return bool(st.session_state.get("teacher"))


def shown_path(path: str | os.PathLike) -> str:
    """A server path as this session may see it: the file's (or folder's) own name for a student, as the
    projector shows it to the class; the full path in teacher mode, who may need to find it on the server."""
    return str(path) if is_teacher() else Path(path).name


def teacher_login() -> None:
    """A small sidebar form that unlocks teacher mode for this session; hidden when no password is set."""
    if not jobs().settings.teacher_password:
        return
    if is_teacher():
        if st.button(t("teacher.leave"), key="teacher-logout"):
            st.session_state["teacher"] = False
            st.rerun()
        return
    with st.expander(t("teacher.title")), st.form("teacher-login", border=False):
        password = st.text_input(t("teacher.password"), type="password", key="teacher-password")
        if st.form_submit_button(t("teacher.unlock")):
            st.session_state["teacher"] = jobs().settings.is_teacher(password)
            if not st.session_state["teacher"]:
                st.error(t("teacher.wrong"))
            else:
                st.rerun()


def may_change(run: RunInfo) -> bool:
    """May this session stop or delete `run` (its own, or any in teacher mode)?"""
    return runs_mod.may_change(run, session_id(), is_teacher())


def own_latest(ids: list[str]) -> int:
    """Where a run picker opens: the index in `ids` (newest first) of this browser's latest run, else 0 (the
    newest): in a class the newest run on the server is usually a classmate's."""
    me = session_id()
    owners = {r.id: r.owner for r in all_runs()}
    return next((i for i, run_id in enumerate(ids) if owners.get(run_id) == me), 0)


def visible_runs(among: list[RunInfo] | None = None) -> list[RunInfo]:
    """The runs (default: all, newest first) this session may see: only its own when SELFSUP_SHARE_RUNS=0,
    except for the teacher."""
    return runs_mod.visible(
        all_runs() if among is None else among, session_id(), is_teacher(), jobs().settings.share_runs
    )
