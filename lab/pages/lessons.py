"""Lessons: pick a guided lesson, walk its steps; each step is predict, run, see what happened and why."""

import streamlit as st

from lab import actions, i18n, lesson_files, lesson_view, live, ownership, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import classroom, experiments, lessons, runs
from selfsup_core.lessons import tr

LANG = i18n.lang()  # the page's words come from the catalogue (t); the lessons' own texts are course data (tr)


def words(values: dict) -> dict:
    """The step's values as its texts show them: the size by its name in the page's language (mini is 迷你)."""
    return {**values, "size": i18n.size_name(values["size"], LANG)}


def go_to(lesson_id: str, step: int) -> None:
    """Show `step` of `lesson_id`; another lesson forgets the runs of the previous one."""
    if lesson_id != st.query_params.get("lesson"):
        for key in [k for k in st.query_params if k.startswith("ls")]:
            del st.query_params[key]
    st.query_params.update(lesson=lesson_id, step=str(step))


def pick_lesson(found: dict) -> tuple:
    """The lesson picker; (the lesson, the index of the step shown) from the URL."""
    if st.query_params.get("lesson") not in found:
        go_to(next(iter(found)), 0)
    lesson = found[st.query_params["lesson"]]
    st.session_state["lesson_pick"] = lesson.id
    title = lambda i: tr(found[i].title, LANG)  # noqa: E731
    again = lambda: go_to(st.session_state["lesson_pick"], 0)  # noqa: E731
    st.selectbox(t("lessons.pick"), list(found), key="lesson_pick", format_func=title, on_change=again)
    st.markdown(tr(lesson.summary, LANG))
    raw = st.query_params.get("step", "0")
    return lesson, min(int(raw) if raw.isdigit() else 0, len(lesson.steps) - 1)


def plan_box(step, values: dict, earlier: dict):
    """What Run will launch (or why it cannot yet); the planned runs, None when there are none to launch."""
    source = step.params.get("from_step")
    if source is not None and not earlier.get(source):
        st.info(t("lessons.needs_earlier", n=source + 1), icon=":material/directions_walk:")
        return None
    try:
        planned = lessons.plan(step, values, earlier)
    except ValueError as e:
        widgets.error(e)
        return None
    if not planned:
        st.caption(t("lessons.plan_reuse", n=source + 1))
    elif planned[0].kind == "finetune":
        st.caption(t(i18n.counted("lessons.plan_finetune", len(planned)), n=len(planned)))
    else:
        total = experiments.estimated_seconds([p.config for p in planned], resources.jobs().max_concurrent)
        st.caption(
            t(i18n.counted("lessons.plan", len(planned)), n=len(planned), seconds=values["seconds"], total=total)
        )
    return planned


def predict_and_run(lesson, step, index: int, values: dict, earlier: dict, planned) -> str | None:
    """Commit to an answer first; then Run (or Reveal, for a step that measures earlier runs again). The answer."""
    predictions = st.session_state.setdefault("lesson_predictions", {})
    mine, choices = predictions.get(f"{lesson.id}/{index}"), list(step.choices)
    answer_of = lambda c: tr(step.choices[c], LANG)  # noqa: E731
    guess = st.radio(
        tr(step.question, LANG, **words(values)),
        choices,
        format_func=answer_of,
        index=choices.index(mine) if mine else None,
        disabled=mine is not None,
        key=f"lp_{lesson.id}_{index}_{mine}",
    )
    key = f"ls{index}"
    row = st.container(horizontal=True, vertical_alignment="center")  # buttons as wide as their labels
    if mine is None and row.button(
        t("lessons.commit"), icon=":material/edit:", disabled=guess is None, key="lesson_commit"
    ):
        predictions[f"{lesson.id}/{index}"] = guess
        st.rerun()
    label = t("lessons.reveal") if step.experiment == "reuse" else t("lessons.run")
    busy = mine is None or planned is None or live.phase(url_state.run_ids_param(key), key) is not None
    if row.button(label, type="primary", icon=":material/rocket_launch:", key="lesson_run", disabled=busy):
        try:
            if step.experiment == "reuse":
                again = {i: runs.load_run(i).config for i in earlier[step.params["from_step"]]}
                url_state.set_run_ids_param(key, lessons.reused(step, again))
            else:
                actions.launch(key, [p.config for p in planned], kind=planned[0].kind)
            st.rerun()
        except ValueError as e:
            widgets.error(e)
    if mine is None:
        row.caption(t("lessons.predict_first"))
    return mine


def step_page(lesson, index: int) -> None:
    """One step: its controls and intro, the plan, predict and run, the live runs, then what they say."""
    step, states = lesson.steps[index], classroom.control_states(lesson.id)
    if ownership.is_teacher():
        lesson_view.teacher_box(lesson, states)
    title = tr(step.title, LANG)
    st.progress(
        (index + 1) / len(lesson.steps), text=t("lessons.step", n=index + 1, total=len(lesson.steps), title=title)
    )
    chosen = lesson_view.controls(lesson, states, LANG) if step.experiment != "reuse" else {}
    values = lessons.effective_values(lesson, LANG, chosen, states)
    st.markdown(tr(step.intro, LANG, **words(values)))
    done = lambda i: [r for r in url_state.run_ids_param(f"ls{i}") if runs.load_run(r).status == "completed"]  # noqa: E731
    earlier = {i: done(i) for i in range(index)}
    mine = predict_and_run(lesson, step, index, values, earlier, plan_box(step, values, earlier))
    key = f"ls{index}"
    ids = url_state.run_ids_param(key)
    phase = (
        live.view(lambda ids, drawn: lesson_view.live_runs(ids, drawn, index, LANG), ids, key)
        if ids
        else live.phase(ids, key)
    )
    if ids and phase is None:
        lesson_view.outcome(step, index, ids, mine, LANG)
    st.divider()
    row = st.container(horizontal=True)
    if row.button(t("lessons.back"), icon=":material/arrow_back:", disabled=index == 0, key="lesson_back"):
        go_to(lesson.id, index - 1)
        st.rerun()
    if index + 1 < len(lesson.steps):
        if row.button(t("lessons.next"), icon=":material/arrow_forward:", key="lesson_next"):
            go_to(lesson.id, index + 1)
            st.rerun()
    elif ids and phase is None:
        st.success(t("lessons.done"), icon=":material/school:")
        st.page_link("lab/pages/class_results.py", label=t("nav.class_results"), icon=":material/groups:")


st.title(t("lessons.title"))
st.caption(t("lessons.caption"))
step_page(
    *pick_lesson(lesson_files.available())
)  # built in, and loaded by a teacher (assets/lessons/, <runs>/lessons/)
