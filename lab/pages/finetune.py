"""Fine-tune: teach a pretrained model a labelled task with few labels, and compare with no pretraining."""

from pathlib import Path

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, resources, tables, url_state, widgets
from lab.i18n import t
from selfsup_core import finetune, runs, tasks

BUDGETS = {"8": 8, "32": 32, "128": 128, "all": None}
ARCHS = ("mlm", "ar")  # the architecture of a model from scratch: BERT or GPT-2
# the settings in the URL: a FinetuneConfig's, those that differ from this one; LIMITS: what the widgets accept
LINK_BASE = finetune.FinetuneConfig(method="scratch", label_budget=32)
LINKED = ("pretrained", "task", "method", "label_budget", "steps", "lr", "seed", "lora_rank", "scratch_objective")
LIMITS = {
    "label_budget": list(BUDGETS.values()),
    "steps": (1, 5000),
    "lr": (1e-5, 1.0),
    "seed": (0, 2**31 - 1),
    "lora_rank": (1, 64),
    "scratch_objective": list(ARCHS),
}
method_name = i18n.labels("finetune.method.")


def results() -> None:
    """Every fine-tuning run in a table; the picked one's confusion matrix and a sentence to try on it."""
    done = finetune.finetune_runs()
    if not done:
        st.info(t("finetune.no_runs"))
        return
    table = tables.finetune_results(finetune.results_table(done))
    picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="ft_table")
    st.caption(t("finetune.table_help"))
    finished = [r for r in done if r.status in ("completed", "stopped")]
    chosen = next((done[i] for i in picked.selection.rows), finished[0] if finished else None)
    if chosen is None or chosen.status not in ("completed", "stopped"):
        return
    a, b = st.columns(2, gap="large")
    with a:
        st.subheader(t("finetune.confusion"), help=t("finetune.confusion_help", run=chosen.id))
        widgets.chart(charts.confusion(chosen.summary["confusion"], chosen.summary["labels"]), key="ft_confusion")
    with b:
        st.subheader(t("finetune.try"))
        text = st.text_input(
            t("finetune.sentence"), finetune.example_sentence(chosen.config), key=f"ft_try_{chosen.id}"
        )
        if text.strip():
            try:
                label, probs = finetune.predict(resources.classifier(finetune.classifier_dir(chosen.id)), [text])[0]
                widgets.chart(charts.bars(list(probs), list(probs.values()), highlight=label), key="ft_try_bars")
            except ValueError as e:
                widgets.error(e)


st.title(t("finetune.title"))
st.caption(t("finetune.caption"))

choices = [*finetune.pretrained_runs(), None]
link = url_state.settings_from_url(
    LINK_BASE,
    LINKED,
    {**LIMITS, "pretrained": choices, "task": [*tasks.builtin_task_names(), *resources.saved_uploads(tasks=True)]},
)
if link is not None:  # opened from a link: its settings go into the widgets
    builtin = link.task in tasks.builtin_task_names()
    st.session_state.pop("ft_pretrained", None)  # set through its index: a selectbox's None means "nothing picked"
    st.session_state.update(
        {
            "ft_source": "built-in" if builtin else "upload",
            "ft_linked_task": None if builtin else link.task,
            f"ft_method_{link.pretrained is not None}": link.method,
            "ft_budget": next(k for k, v in BUDGETS.items() if v == link.label_budget),
            "ft_steps": link.steps,
            f"ft_lr_{link.method}": link.lr,
            "ft_seed": link.seed,
            "ft_rank": link.lora_rank,
            "ft_arch": link.scratch_objective,
            **({"ft_task": link.task} if builtin else {}),
        }
    )

left, right = st.columns([3, 2], gap="large")
with left:
    pretrained = st.selectbox(
        t("finetune.start"),
        choices,
        choices.index(link.pretrained) if link else 0,
        key="ft_pretrained",
        format_func=lambda r: t("finetune.scratch_start") if r is None else widgets.run_label(r),
    )
    source = st.segmented_control(
        t("finetune.task"),
        ["built-in", "upload"],
        default="built-in",
        required=True,
        format_func=i18n.labels("finetune.source."),
        key="ft_source",
    )
    task_spec = None
    if source == "built-in":
        names = tasks.builtin_task_names()
        mine = next((i for i, n in enumerate(names) if tasks.BUILTIN_TASKS[n]["language"] == i18n.lang()), 0)
        task_spec = st.selectbox(t("finetune.builtin"), names, mine, key="ft_task")
    else:
        up = st.file_uploader(t("finetune.upload"), type=["csv", "jsonl"], key="ft_upload")
        try:
            task_spec = (
                resources.use_task_upload(up.getvalue(), up.name) if up else st.session_state.get("ft_linked_task")
            )
        except ValueError as e:
            widgets.error(e)
        if task_spec and not up:
            st.caption(t("finetune.linked_file"))
    methods = list(finetune.METHODS) if pretrained else ["scratch"]
    method = st.radio(
        t("finetune.method"),
        methods,
        index=methods.index("full") if pretrained else 0,
        horizontal=True,
        format_func=method_name,
        key=f"ft_method_{bool(pretrained)}",
    )
    st.markdown(f"**{method_name(method)}**: {t(f'finetune.explain.{method}')}")
    budget = st.segmented_control(
        t("finetune.budget"),
        list(BUDGETS),
        default="32",
        required=True,
        key="ft_budget",
        format_func=lambda k: t("finetune.budget.all") if k == "all" else k,
        help=t("finetune.budget_help"),
    )
    with st.expander(t("finetune.settings")):
        a, b, c, d = st.columns(4)
        steps = a.number_input(t("finetune.steps"), *LIMITS["steps"], finetune.FinetuneConfig.steps, key="ft_steps")
        lr = b.number_input(
            t("finetune.lr"), *LIMITS["lr"], finetune.DEFAULT_LR[method], format="%.4f", key=f"ft_lr_{method}"
        )
        seed = c.number_input(t("finetune.seed"), *LIMITS["seed"], 0, key="ft_seed")
        rank = d.number_input(t("finetune.rank"), *LIMITS["lora_rank"], 8, key="ft_rank", disabled=method != "lora")
        arch = st.radio(
            t("finetune.arch"),
            ARCHS,
            format_func=i18n.labels("finetune.arch."),
            horizontal=True,
            key="ft_arch",
            disabled=pretrained is not None,
        )

task = None
with right:
    if task_spec:
        try:
            task = resources.task(task_spec)
        except ValueError as e:
            widgets.error(e)
    if task:
        st.markdown(f"**{task.name}** · {task.description}")
        st.dataframe(pd.DataFrame(task.counts()).rename_axis(t("finetune.col.label")), key="ft_counts")
        st.markdown("\n".join(f"- {e.text} → **{e.label}**" for e in task.train[:4]))
        corpus = runs.load_run(pretrained).config.get("corpus") if pretrained else None
        if corpus and task.world and corpus != task.world:
            st.warning(t("finetune.world", corpus=corpus, world=task.world), icon="🌍")
    cfg = None
    try:
        if task:
            cfg = finetune.FinetuneConfig(
                pretrained=pretrained,
                task=task_spec,
                method=method,
                lr=lr,
                seed=seed,
                label_budget=BUDGETS[budget],
                steps=steps,
                lora_rank=rank,
                scratch_objective=arch,
            )
    except ValueError as e:
        widgets.error(e)
    if cfg is not None:
        url_state.settings_to_url(cfg, LINK_BASE, LINKED)
    if st.button(t("finetune.launch"), type="primary", icon="🎯", disabled=cfg is None, width="stretch"):
        st.query_params["ft"] = actions.submit(cfg, kind="finetune")
    widgets.share_link("finetune")

run_id = st.query_params.get("ft")


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
        st.error(t("finetune.failed", error=s.get("error") or t("status.unknown")), icon="⚠️")
    else:
        st.success(
            t(
                "finetune.done",
                status=t(f"status.{run.status}").capitalize(),
                accuracy=s.get("test_accuracy", 0),
                f1=s.get("macro_f1", 0),
            ),
            icon="✅",
        )
    fig = charts.loss_curves([(method_name(c.get("method")), lines)], metric="accuracy").update_yaxes(range=[0, 1.02])
    if s.get("labels"):
        fig.add_hline(1 / len(s["labels"]), line_dash="dot", annotation_text=t("finetune.chance"))
    widgets.chart(fig, key=f"ft-live-{run_id}")


if run_id:
    live.view(live_run, [run_id])

st.header(t("finetune.results"))
results()
