"""The pieces of a lesson step (the Lessons page arranges them): its controls (model size, seconds per run, seed,
corpus), the teacher's box that locks or hides each one for every student at once (stored by `classroom`) and
loads lesson files, the step's runs while they train, and what they say once finished."""

from __future__ import annotations

import streamlit as st

from lab import charts, i18n, lesson_files, measures, ownership, widgets
from lab.i18n import t
from selfsup_core import classroom, lessons, runs
from selfsup_core.lessons import tr


def teacher_box(lesson, states: dict) -> None:
    """Teacher mode: load a lesson file; lock or hide each control of this lesson, for every student at once."""
    with st.expander(t("lessons.teacher"), icon=":material/lock:"):
        lesson_files.upload_box()
        st.caption(t("lessons.teacher_help"))
        for control in lessons.CONTROLS:
            key = f"lt_{lesson.id}_{control}"
            st.session_state[key] = states.get(control, "open")  # as stored, for every teacher
            store = lambda control=control, key=key: classroom.set_control_state(  # noqa: E731
                lesson.id, control, st.session_state[key], teacher=ownership.is_teacher()
            )
            label = i18n.labels("lessons.state.")
            st.segmented_control(
                t(f"lessons.control.{control}"),
                lessons.STATES,
                required=True,
                key=key,
                format_func=label,
                on_change=store,
            )


CONTROL_WIDTH = {"size": 4, "seconds": 3, "seed": 3, "corpus": 5}


def controls(lesson, states: dict, lang: str) -> dict:
    """The lesson's controls a teacher has not hidden (locked ones greyed out at the preset); what was chosen."""
    preset, chosen = lessons.preset_values(lesson, lang), {}
    shown = [c for c in lessons.CONTROLS if states.get(c, "open") != "hidden"]
    if not shown:
        return chosen
    widths = [CONTROL_WIDTH[c] for c in shown]  # a segmented control needs room for all its choices side by side
    for control, col in zip(shown, st.columns(widths), strict=True):
        locked = states.get(control) == "locked"
        key = f"lc_{lesson.id}_{control}" + ("_locked" if locked else "")
        args = dict(
            label=t(f"lessons.control.{control}"),
            disabled=locked,
            help=t("lessons.locked") if locked else None,
            key=key,
        )
        if control in ("size", "corpus"):
            options = lessons.SIZES if control == "size" else list(lessons.TASK_OF_CORPUS)
            shown_as = i18n.labels("size.") if control == "size" else str
            chosen[control] = col.segmented_control(
                options=options, default=preset[control], required=True, format_func=shown_as, **args
            )
        elif control == "seconds":
            low, high = lessons.SECONDS
            chosen[control] = col.number_input(min_value=low, max_value=high, value=preset[control], step=5, **args)
        else:
            chosen[control] = col.number_input(min_value=0, max_value=2**31 - 1, value=preset[control], **args)
    return chosen


def run_names(ids: list[str], lang: str) -> list[str]:
    """The step's runs' names; runs that each fine-tune another run (no scratch among them) are named by it."""
    each = len(ids) > 1 and all(runs.load_run(i).config.get("method") == "full" for i in ids)

    def source(config: dict) -> dict | None:
        try:
            return runs.load_run(config["pretrained"]).config if each else None
        except runs.RunNotFoundError:  # deleted since: the plain label
            return None

    return [lessons.run_label(c, lang, source(c)) for c in (runs.load_run(i).config for i in ids)]


def live_runs(ids: list[str], drawn: str | None, index: int, lang: str) -> None:
    """The step's runs while they train (a live view): where each stands, and their curves."""
    labels = run_names(ids, lang)
    widgets.run_status(ids, labels)
    finetuning = runs.load_run(ids[0]).kind == "finetune"
    curves = [(label, runs.load_run(i).metrics()) for label, i in zip(labels, ids, strict=True)]
    fig = charts.loss_curves(curves, x="elapsed_s", metric="accuracy" if finetuning else "loss")
    widgets.chart(fig, key=f"lesson_curve_{index}")


def outcome(step, index: int, ids: list[str], mine: str | None, lang: str) -> None:
    """The finished runs: the prediction next to what happened, the verdict, the chart, then the debrief."""
    labels = run_names(ids, lang)
    results, answer, early = measures.lesson_outcome(step, ids, labels)
    said, happened = st.columns(2)
    yours = tr(step.choices[mine], lang) if mine else t("lessons.no_prediction")
    said.container(border=True).markdown(f"**{t('lessons.you_said')}**  \n{yours}")
    found = tr(step.choices[answer], lang) if answer else "—"
    happened.container(border=True).markdown(f"**{t('lessons.happened')}**  \n{found}")
    if early:
        widgets.verdict(early, t("verdict.both") if len(ids) == 2 else t("verdict.all", n=len(ids)))
    elif answer is None:
        st.warning(t("lessons.no_verdict"), icon=":material/warning:")
    elif answer == mine:
        st.success(t("lessons.right"), icon=":material/check_circle:")
    else:
        st.info(t("lessons.wrong"), icon=":material/biotech:")
    metric, percent = t(f"lessons.metric.{step.judge.metric}"), step.judge.metric != "val_loss"
    fig = charts.grouped_bars(labels, {metric: results}, y_title=metric, percent=percent, height=340)
    widgets.chart(fig, key=f"lesson_result_{index}")
    st.subheader(t("lessons.debrief"))
    st.markdown(tr(step.debrief, lang))
