"""Fine-tune: teach a pretrained model a labelled task with few labels, and compare with no pretraining."""

from pathlib import Path

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, ownership, resources, run_table, url_state, widgets
from lab.i18n import t
from selfsup_core import finetune, runs, tasks

method_name = i18n.labels("finetune.method.")


def start_and_task(choices: list, link) -> tuple:
    """Step 1: the model to start from (a pretraining run, or none) and the labelled task (built in, or a file)."""
    named = widgets.run_labels()
    scratch = lambda r: t("finetune.scratch_start") if r is None else named(r)  # noqa: E731
    index = choices.index(link.pretrained) if link else ownership.own_latest(choices)
    pretrained = st.selectbox(t("finetune.start"), choices, index, key="ft_pretrained", format_func=scratch)
    sources = ["built-in", "upload"]
    source_label = i18n.labels("finetune.source.")
    source = st.segmented_control(
        t("finetune.task"), sources, default="built-in", required=True, format_func=source_label, key="ft_source"
    )
    if source == "built-in":
        names = tasks.builtin_task_names()
        mine = next((i for i, n in enumerate(names) if tasks.BUILTIN_TASKS[n]["language"] == i18n.lang()), 0)
        return pretrained, st.selectbox(t("finetune.builtin"), names, mine, key="ft_task")
    up = widgets.upload(t("finetune.upload"), (".csv", ".jsonl"), key="ft_upload")
    task_spec = None
    try:
        task_spec = resources.use_task_upload(up.getvalue(), up.name) if up else st.session_state.get("ft_linked_task")
    except ValueError as e:
        widgets.error(e)
    if task_spec and not up:
        st.caption(t("finetune.linked_file"))
    return pretrained, task_spec


def how(pretrained, any_pretrained: bool) -> dict:
    """Step 2: the method, the label budget and the finer settings, as FinetuneConfig fields. From scratch,
    what the other methods need (a pretrained model: made on the Train page when there is none yet)."""
    methods = list(finetune.METHODS) if pretrained else ["scratch"]
    index = methods.index("full") if pretrained else 0
    key = f"ft_method_{bool(pretrained)}"
    method = st.radio(t("finetune.method"), methods, index=index, horizontal=True, format_func=method_name, key=key)
    if not pretrained:
        others = t("finetune.list_sep").join(method_name(m) for m in finetune.METHODS if m != "scratch")
        st.info(
            t("finetune.more_methods" if any_pretrained else "finetune.pretrain_first", methods=others),
            icon=":material/lightbulb:",
        )
    st.markdown(f"**{method_name(method)}**: {t(f'finetune.explain.{method}')}")
    all_or = lambda k: t("finetune.budget.all") if k == "all" else k  # noqa: E731
    budget = st.segmented_control(
        t("finetune.budget"),
        list(url_state.FINETUNE_BUDGETS),
        default="32",
        required=True,
        key="ft_budget",
        format_func=all_or,
        help=t("finetune.budget_help"),
    )
    with st.expander(t("finetune.settings")):
        a, b, c, d = st.columns(4)
        steps = a.number_input(
            t("finetune.steps"), *url_state.FINETUNE_LIMITS["steps"], finetune.FinetuneConfig.steps, key="ft_steps"
        )
        default_lr = finetune.DEFAULT_LR[method]
        lr = b.number_input(
            t("finetune.lr"), *url_state.FINETUNE_LIMITS["lr"], default_lr, format="%.4f", key=f"ft_lr_{method}"
        )
        seed = c.number_input(t("finetune.seed"), *url_state.FINETUNE_LIMITS["seed"], 0, key="ft_seed")
        rank = d.number_input(
            t("finetune.rank"), *url_state.FINETUNE_LIMITS["lora_rank"], 8, key="ft_rank", disabled=method != "lora"
        )
        arch_label = i18n.labels("finetune.arch.")
        arch = st.radio(
            t("finetune.arch"),
            url_state.FINETUNE_ARCHS,
            format_func=arch_label,
            horizontal=True,
            key="ft_arch",
            disabled=pretrained is not None,
        )
    return dict(
        method=method,
        lr=lr,
        seed=seed,
        label_budget=url_state.FINETUNE_BUDGETS[budget],
        steps=steps,
        lora_rank=rank,
        scratch_objective=arch,
    )


def task_box(task_spec, pretrained):
    """The task's description, examples per split and label, a few sentences; a warning when the task's world
    is not the pretraining corpus. The task (None when there is none, or it cannot be read: the reason is shown)."""
    try:
        task = resources.task(task_spec) if task_spec else None
    except ValueError as e:
        return widgets.error(e)
    if task:
        st.markdown(f"**{task.name}** · {task.description}")
        st.dataframe(pd.DataFrame(task.counts()).rename_axis(t("finetune.col.label")), key="ft_counts")
        st.markdown("\n".join(f"- {e.text} → **{e.label}**" for e in task.train[:4]))
        corpus = runs.load_run(pretrained).config.get("corpus") if pretrained else None
        if corpus and task.world and corpus != task.world:
            st.warning(t("finetune.world", corpus=corpus, world=task.world), icon=":material/public:")
    return task


def launch_box(task, task_spec, pretrained, settings: dict) -> None:
    """Launch (the settings go into the URL first, for the share link)."""
    cfg = None
    try:
        if task:
            cfg = finetune.FinetuneConfig(pretrained=pretrained, task=task_spec, **settings)
    except ValueError as e:
        widgets.error(e)
    if cfg is not None:
        url_state.settings_to_url(cfg, url_state.finetune_link_base(), url_state.FINETUNE_LINKED)
    if st.button(t("finetune.launch"), type="primary", icon=":material/tune:", disabled=cfg is None, width="stretch"):
        st.query_params["ft"] = actions.submit(cfg, kind="finetune")
    widgets.share_link("finetune")


def live_run(ids: list[str], drawn: str | None) -> None:
    """The fine-tuning run's progress and held-out accuracy while it trains (a live view), then its result."""
    run_id = ids[0]
    try:
        run = runs.load_run(run_id)
    except runs.RunNotFoundError as e:
        return widgets.error(e)
    job, lines = resources.jobs().status(run_id), run.metrics()
    p, c, s = runs.progress(run.config, lines), run.config, run.summary
    st.subheader(f"{method_name(c.get('method'))} · {Path(str(c.get('task'))).name} · {run_id}")
    if job:
        at = t("finetune.step", step=p["step"], steps=p["steps"])
        st.progress(p["fraction"], text=t("finetune.queued") if job.state == "queued" else at)
    elif run.status == "failed":
        st.error(t("finetune.failed", error=s.get("error") or t("status.unknown")), icon=":material/warning:")
    else:
        status = t(f"status.{run.status}").capitalize()
        done = t("finetune.done", status=status, accuracy=s.get("test_accuracy", 0), f1=s.get("macro_f1", 0))
        st.success(done, icon=":material/check_circle:")
    fig = charts.loss_curves([(method_name(c.get("method")), lines)], metric="accuracy").update_yaxes(range=[0, 1.02])
    if s.get("labels"):
        fig.add_hline(1 / len(s["labels"]), line_dash="dot", annotation_text=t("finetune.chance"))
    widgets.chart(fig, key=f"ft-live-{run_id}")


st.title(t("finetune.title"))
st.caption(t("finetune.caption"))
choices = [*finetune.pretrained_runs(), None]
link = url_state.finetune_link(choices)
left, right = st.columns([3, 2], gap="large")
with left:
    pretrained, task_spec = start_and_task(choices, link)
    settings = how(pretrained, any_pretrained=len(choices) > 1)
with right:
    launch_box(task_box(task_spec, pretrained), task_spec, pretrained, settings)
run_id = st.query_params.get("ft")
if run_id:
    live.view(live_run, [run_id])
st.header(t("finetune.results"))
run_table.finetune_runs()
