"""Lessons as files: the built-in ones (assets/lessons/) and those a teacher loaded into <runs>/lessons/, read
once per change of that folder, and the teacher's box for loading a lesson file."""

from __future__ import annotations

import streamlit as st

from lab import widgets
from lab.i18n import t
from lab.ownership import is_teacher
from lab.resources import jobs
from selfsup_core import lessons
from selfsup_core.runs import runs_root


@st.cache_resource(max_entries=4, show_spinner=False)
def _available(root: str, stamp: tuple) -> tuple[dict[str, lessons.Lesson], list[str]]:
    return lessons.available(root)


def available() -> dict[str, lessons.Lesson]:
    """Every lesson this server offers, built-in first; a teacher's file that no longer loads is reported to the
    teacher (students just do not see it)."""
    root = runs_root()
    folder = root / lessons.LESSON_FOLDER
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml"))) if folder.is_dir() else ()
    found, problems = _available(str(root), stamp)
    if problems and is_teacher():
        for problem in problems:
            st.warning(t("lessons.file_problem", problem=problem), icon=":material/description:")
    return found


def upload_box() -> None:
    """Teacher mode: load an edited copy of a lesson file (.toml); it is checked, then kept in the runs folder
    for every student. Capped like the other uploads (lessons.LESSON_MAX_BYTES, SELFSUP_UPLOAD_MB)."""
    if not is_teacher():
        return
    st.caption(t("lessons.file_help", folder=runs_root() / lessons.LESSON_FOLDER))
    upload = widgets.upload(t("lessons.file_upload"), (".toml",), key="lesson_file")
    if upload is None or st.session_state.get("lesson_file_done") == upload.file_id:
        return
    limit = min(lessons.LESSON_MAX_BYTES, jobs().settings.upload_mb * 1024 * 1024)
    if upload.size > limit:
        st.error(t("lessons.file_too_big", limit=limit // 1024), icon=":material/warning:")
        return
    try:
        lesson = lessons.save_lesson_file(upload.getvalue(), upload.name, runs_root())
    except lessons.LessonFileError as e:
        st.error(str(e), icon=":material/warning:")  # names the line and field: the same words in both languages
        return
    st.session_state["lesson_file_done"] = upload.file_id
    st.success(t("lessons.file_loaded", id=lesson.id, steps=len(lesson.steps)), icon=":material/check_circle:")
