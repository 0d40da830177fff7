"""Lessons: pick a guided lesson, walk its steps; each step is predict, run, see what happened and why."""

import streamlit as st

from lab import actions, charts, i18n, lesson_files, live, measures, ownership, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import classroom, experiments, lessons, runs
from selfsup_core.lessons import tr

LANG = i18n.lang()  # the page's words come from the catalogue (t); the lessons' own texts are course data (tr)


def go_to(lesson_id: str, step: int) -> None:
    """Show `step` of `lesson_id`; another lesson forgets the runs of the previous one."""
    if lesson_id != st.query_params.get("lesson"):
        for key in [k for k in st.query_params if k.startswith("ls")]:
            del st.query_params[key]
    st.query_params.update(lesson=lesson_id, step=str(step))


st.title(t("lessons.title"))
st.caption(t("lessons.caption"))
LESSONS = lesson_files.available()  # built in, and loaded by a teacher (assets/lessons/, <runs>/lessons/)
if st.query_params.get("lesson") not in LESSONS:
    go_to(next(iter(LESSONS)), 0)
lesson = LESSONS[st.query_params["lesson"]]
st.session_state["lesson_pick"] = lesson.id
st.selectbox(
    t("lessons.pick"),
    list(LESSONS),
    key="lesson_pick",
    format_func=lambda i: tr(LESSONS[i].title, LANG),
    on_change=lambda: go_to(st.session_state["lesson_pick"], 0),
)
st.markdown(tr(lesson.summary, LANG))
raw = st.query_params.get("step", "0")
index = min(int(raw) if raw.isdigit() else 0, len(lesson.steps) - 1)
step = lesson.steps[index]


def set_state(control: str) -> None:
    state = st.session_state[f"lt_{lesson.id}_{control}"]
    classroom.set_control_state(lesson.id, control, state, teacher=ownership.is_teacher())


states = classroom.control_states(lesson.id)
if ownership.is_teacher():
    with st.expander(t("lessons.teacher"), icon="🔒"):
        lesson_files.upload_box()
        st.caption(t("lessons.teacher_help"))
        for control in lessons.CONTROLS:
            st.session_state[f"lt_{lesson.id}_{control}"] = states.get(control, "open")  # as stored, for every teacher
            st.segmented_control(
                t(f"lessons.control.{control}"),
                lessons.STATES,
                required=True,
                key=f"lt_{lesson.id}_{control}",
                format_func=i18n.labels("lessons.state."),
                on_change=set_state,
                args=(control,),
            )

st.progress(
    (index + 1) / len(lesson.steps),
    text=t("lessons.step", n=index + 1, total=len(lesson.steps), title=tr(step.title, LANG)),
)
preset = lessons.preset_values(lesson, LANG)
chosen = {}
if step.experiment != "reuse":
    shown = [c for c in lessons.CONTROLS if states.get(c, "open") != "hidden"]
    for control, col in zip(shown, st.columns(len(lessons.CONTROLS)), strict=False):
        locked = states.get(control) == "locked"
        args = dict(
            label=t(f"lessons.control.{control}"),
            disabled=locked,
            help=t("lessons.locked") if locked else None,
            key=f"lc_{lesson.id}_{control}" + ("_locked" if locked else ""),
        )
        if control in ("size", "corpus"):
            options = lessons.SIZES if control == "size" else list(lessons.TASK_OF_CORPUS)
            chosen[control] = col.segmented_control(options=options, default=preset[control], required=True, **args)
        elif control == "seconds":
            chosen[control] = col.number_input(
                min_value=lessons.SECONDS[0], max_value=lessons.SECONDS[1], value=preset[control], step=5, **args
            )
        else:
            chosen[control] = col.number_input(min_value=0, max_value=2**31 - 1, value=preset[control], **args)
values = lessons.effective_values(lesson, LANG, chosen, states)
st.markdown(tr(step.intro, LANG, **values))

key = f"ls{index}"
earlier = {
    i: [r for r in url_state.run_ids_param(f"ls{i}") if runs.load_run(r).status == "completed"] for i in range(index)
}
source, planned = step.params.get("from_step"), None
if source is not None and not earlier.get(source):
    st.info(t("lessons.needs_earlier", n=source + 1), icon="👣")
else:
    try:
        planned = lessons.plan(step, values, earlier)
        if not planned:
            st.caption(t("lessons.plan_reuse", n=source + 1))
        elif planned[0].kind == "finetune":
            st.caption(t("lessons.plan_finetune", n=len(planned)))
        else:
            total = experiments.estimated_seconds([p.config for p in planned], resources.jobs().max_concurrent)
            st.caption(t("lessons.plan", n=len(planned), seconds=values["seconds"], total=total))
    except ValueError as e:
        widgets.error(e)

# predict, then run
predictions = st.session_state.setdefault("lesson_predictions", {})
mine = predictions.get(f"{lesson.id}/{index}")
choices = list(step.choices)
guess = st.radio(
    tr(step.question, LANG, **values),
    choices,
    format_func=lambda c: tr(step.choices[c], LANG),
    index=choices.index(mine) if mine else None,
    disabled=mine is not None,
    key=f"lp_{lesson.id}_{index}_{mine}",
)
ids = url_state.run_ids_param(key)
a, b, c = st.columns([1, 1, 2], vertical_alignment="center")
if mine is None:
    if a.button(t("lessons.commit"), icon="✍️", disabled=guess is None, key="lesson_commit", width="stretch"):
        predictions[f"{lesson.id}/{index}"] = guess
        st.rerun()
    c.caption(t("lessons.predict_first"))
run_label = t("lessons.reveal") if step.experiment == "reuse" else t("lessons.run")
if b.button(
    run_label,
    type="primary",
    icon="🚀",
    key="lesson_run",
    width="stretch",
    disabled=mine is None or planned is None or live.phase(ids, key) is not None,
):
    try:
        if step.experiment == "reuse":
            url_state.set_run_ids_param(key, earlier[source])
        else:
            actions.launch(key, [p.config for p in planned], kind=planned[0].kind)
        st.rerun()
    except ValueError as e:
        widgets.error(e)
ids = url_state.run_ids_param(key)


def measure(run_id: str) -> float | None:
    """The judge's metric of a finished run (the same-blanks accuracy is measured on demand, cached)."""
    run = runs.load_run(run_id)
    if run.status != "completed":
        return None
    if step.judge.metric == "blank_accuracy":
        return measures.comparable_metrics(run_id, measures.finished_stamp(run_id))["blank_accuracy"]
    return run.summary.get(step.judge.metric)


def live_runs(ids: list[str], drawn: str | None) -> None:
    """The step's runs while they train (a live view): where each stands, and their curves."""
    labels = [lessons.run_label(runs.load_run(i).config, LANG) for i in ids]
    widgets.run_status(ids, labels)
    finetuning = runs.load_run(ids[0]).kind == "finetune"
    curves = [(label, runs.load_run(i).metrics()) for label, i in zip(labels, ids, strict=True)]
    fig = charts.loss_curves(curves, x="elapsed_s", metric="accuracy" if finetuning else "loss")
    widgets.chart(fig, key=f"lesson_curve_{index}")


phase = live.view(live_runs, ids, key) if ids else live.phase(ids, key)
if ids and phase is None:
    labels = [lessons.run_label(runs.load_run(i).config, LANG) for i in ids]
    results = [measure(i) for i in ids]
    answer = lessons.outcome(step, results)
    early = None  # runs compared while still guessing: no verdict (a single run or fine-tuning is not judged so)
    if len(ids) > 1 and all(runs.load_run(i).kind == "train" and runs.load_run(i).status == "completed" for i in ids):
        early = experiments.judge_runs({label: [measures.run_results(i)] for label, i in zip(labels, ids, strict=True)})
        early = early if early.kind == experiments.TOO_EARLY else None
        answer = None if early else answer
    metric = t(f"lessons.metric.{step.judge.metric}")
    said, happened = st.columns(2)
    said.container(border=True).markdown(
        f"**{t('lessons.you_said')}**  \n{tr(step.choices[mine], LANG) if mine else t('lessons.no_prediction')}"
    )
    happened.container(border=True).markdown(
        f"**{t('lessons.happened')}**  \n{tr(step.choices[answer], LANG) if answer else '—'}"
    )
    if early:
        widgets.verdict(early, t("verdict.both") if len(ids) == 2 else t("verdict.all", n=len(ids)))
    elif answer is None:
        st.warning(t("lessons.no_verdict"), icon="⚠️")
    elif answer == mine:
        st.success(t("lessons.right"), icon="✅")
    else:
        st.info(t("lessons.wrong"), icon="🔬")
    percent = step.judge.metric != "val_loss"
    widgets.chart(
        charts.grouped_bars(labels, {metric: results}, y_title=metric, percent=percent, height=340),
        key=f"lesson_result_{index}",
    )
    st.subheader(t("lessons.debrief"))
    st.markdown(tr(step.debrief, LANG))

st.divider()
back, forward, _ = st.columns([1, 1, 3])
if back.button(t("lessons.back"), icon="⬅️", disabled=index == 0, key="lesson_back"):
    go_to(lesson.id, index - 1)
    st.rerun()
if index + 1 < len(lesson.steps):
    if forward.button(t("lessons.next"), icon="➡️", key="lesson_next"):
        go_to(lesson.id, index + 1)
        st.rerun()
elif ids and phase is None:
    st.success(t("lessons.done"), icon="🎓")
    st.page_link("lab/pages/class_results.py", label=t("nav.class_results"), icon="👩‍🏫")
