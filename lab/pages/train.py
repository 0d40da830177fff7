"""Train: choose an objective and a size, launch a run in the background, watch it learn, compare runs."""

import functools

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, ownership, resources, tables, url_state, widgets
from lab.i18n import t
from selfsup_core import export, models, runs
from selfsup_core.config import TrainConfig

OBJECTIVES = ["mlm", "ar"]


@resources.spinner("train.timing")
@st.cache_data(show_spinner=False, max_entries=64, ttl="5m")  # timing drifts with load
def estimate(objective: str, size: str, seq_len: int, batch_size: int, tokenizer: str, vocab: int | None) -> dict:
    cfg = TrainConfig(
        objective=objective,
        size=size,
        seq_len=seq_len,
        batch_size=batch_size,
        tokenizer=tokenizer,
        vocab_size=vocab,
        steps=1,
    )
    return models.estimate(cfg)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return t("train.seconds_short", n=seconds) if seconds < 90 else t("train.minutes_short", n=seconds / 60)


st.title(t("train.title"))
st.caption(t("train.caption"))

cfg = url_state.config_from_url(
    widgets=(
        "train_objective",
        "train_size",
        "train_by_time",
        "train_budget",
        "train_steps",
        "train_lr",
        "train_batch",
        "train_seed",
    )
)
summary = st.container()  # filled below, once this run's choices are known
left, right = st.columns([3, 2], gap="large")
with left:
    objective = st.radio(
        t("train.objective"),
        OBJECTIVES,
        format_func=i18n.labels("train.objective."),
        horizontal=True,
        captions=[t(f"train.predicts.{o}") for o in OBJECTIVES],
        index=OBJECTIVES.index(cfg.objective),
        key="train_objective",
    )
    size = st.segmented_control(
        t("train.size"), models.available_sizes(), default=cfg.size, required=True, key="train_size"
    )
    a, b = st.columns(2)
    by_time = a.toggle(t("train.by_time"), value=cfg.time_budget_s is not None, key="train_by_time")
    if by_time:
        budget = b.number_input(
            t("train.seconds"), *url_state.LIMITS["time_budget_s"], int(cfg.time_budget_s or 60), 5, key="train_budget"
        )
        limits = {"time_budget_s": float(budget), "steps": url_state.NO_STEP_LIMIT}
    else:
        steps = b.number_input(
            t("train.steps"), 1, 20_000, min(cfg.steps, 300 if cfg.time_budget_s else 20_000), 50, key="train_steps"
        )
        limits = {"time_budget_s": None, "steps": steps}
    a, b, c = st.columns(3)
    lr = a.number_input(t("train.lr"), value=cfg.lr, step=1e-4, format="%.4f", key="train_lr")
    batch = b.number_input(t("train.batch"), *url_state.LIMITS["batch_size"], cfg.batch_size, key="train_batch")
    seed = c.number_input(
        t("train.seed"), *url_state.LIMITS["seed"], cfg.seed, key="train_seed", help=t("train.seed_help")
    )

with right:
    try:
        cfg = url_state.update_config(objective=objective, size=size, lr=lr, batch_size=batch, seed=seed, **limits)
        vocab = len(resources.tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size, cfg.lowercase))
        est = estimate(cfg.objective, cfg.size, cfg.seq_len, cfg.batch_size, cfg.tokenizer, vocab)
        n, step_s = est["parameters"], est["step_s"]
        st.metric(
            t("train.parameters"),
            f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.0f} k",
            help=t("train.vocab", n=vocab),
        )
        total = step_s * (min(cfg.steps, cfg.time_budget_s / step_s) if by_time else cfg.steps)
        st.metric(t("train.estimate"), duration(total), help=t("train.per_step", ms=step_s * 1000))
    except ValueError as e:
        widgets.error(e)
        cfg = None
    if st.button(
        t("train.launch"), type="primary", icon="🚀", disabled=cfg is None, width="stretch", key="train_launch"
    ):
        url_state.set_current_run(actions.submit(cfg))
    with st.expander(t("train.reproduce"), icon="🔁"):
        up = st.file_uploader(t("train.reproduce_upload"), type=["json"], key="train_reproduce")
        try:
            again = url_state.config_from_upload(up.getvalue()) if up else None
        except ValueError as e:
            widgets.error(e)
            again = None
        if again and st.button(t("train.reproduce_launch"), icon="🔁", key="train_reproduce_launch"):
            url_state.set_current_run(actions.submit(again))
    widgets.share_link("train")

with summary:
    c = cfg or url_state.config()
    mlm = c.objective == "mlm"
    masking = (
        t("train.masking.mlm", rate=c.masking.rate, strategy=t(f"strategy.{c.masking.strategy}"))
        if mlm
        else t("train.masking.ar")
    )
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.markdown(
        t(
            "train.summary",
            corpus=c.corpus,
            tokenizer=t(f"corpus.kind.{c.tokenizer}"),
            masking=masking,
            augment=t("train.augment.on" if c.augment.active else "train.augment.off"),
        )
    )
    c2.page_link("lab/pages/corpus.py", label=t("train.corpus_link"), icon="📚")
    c3.page_link("lab/pages/masking.py", label=t("train.masking_link"), icon="🎭")

run_id = url_state.current_run()


def live_run(ids: list[str], drawn: str | None) -> None:
    """This session's current run while it trains (a live view): status, figures, curves; then its exports."""
    run_id = ids[0]
    try:
        run = runs.load_run(run_id)
    except runs.RunNotFoundError as e:
        return widgets.error(e)
    if not ownership.visible_runs([run]):
        return st.info(t("train.private"))
    job, lines = resources.jobs().status(run_id), run.metrics()
    p = runs.progress(run.config, lines, run.summary)
    c = run.config
    name = t(f"train.objective.{c['objective']}")
    st.subheader(t("train.this_run", objective=name, size=c["size"], corpus=c["corpus"]))
    st.caption(t("train.run_id", run_id=run_id))
    queued = job and job.state == "queued"
    if queued:
        st.info(t("train.queued", n=job.queue_position), icon="⏳")
    elif job:
        st.progress(p["fraction"], text=t("train.running", step=p["step"], left=duration(p["eta_s"])))
    elif run.status == "failed":
        st.error(t("train.failed", error=run.summary.get("error", t("train.unknown_error"))), icon="⚠️")
    elif run.status == "completed":
        st.success(t("train.completed", steps=p["step"], time=duration(p["elapsed_s"])), icon="✅")
    elif run.status == "stopped":
        st.warning(t("train.stopped", step=p["step"]), icon="⏹️")
    else:
        st.warning(t("train.interrupted", status=widgets.status(run.status)))
    if not queued:  # while queued there is nothing to show yet (and no figure to build every few seconds)
        m = st.columns(4)
        m[0].metric(t("train.val_loss"), "—" if p["val_loss"] is None else f"{p['val_loss']:.3f}")
        m[1].metric(t("train.val_accuracy"), "—" if p["val_accuracy"] is None else f"{p['val_accuracy']:.1%}")
        m[2].metric(t("train.tokens_per_s"), "—" if p["tokens_per_s"] is None else f"{p['tokens_per_s']:,.0f}")
        m[3].metric(t("train.time_left") if job else t("train.time"), duration(p["eta_s"] if job else p["elapsed_s"]))
        widgets.chart(charts.loss_curves([(name, lines)]), key=f"live-{run_id}")
    st.download_button(
        t("train.download_config"),
        (run.path / "config.json").read_bytes(),
        f"{run_id}-config.json",
        "application/json",
        icon="⬇️",
        key=f"config-{run_id}",
        help=t("train.download_config_help"),
    )
    if (
        job
        and ownership.may_change(run)
        and st.button(t("train.stop"), icon="⏹️", key=f"stop-live-{run_id}", help=t("train.stop_help"))
    ):
        actions.stop_run(run_id)
    if not job and (run.model_path / "model.safetensors").exists():
        st.page_link("lab/pages/probe.py", label=t("train.probe_link"), icon="🔍", query_params={"run": run_id})
        exports(run)


def exports(run: runs.RunInfo) -> None:
    """Download buttons for a finished run. Each file is made only when its button is clicked (in a thread of
    its own): the report's PNG charts take seconds, and most visits download nothing."""
    st.markdown(f"**{t('train.export')}**")
    st.caption(t("train.export_help"))
    a, b, c = st.columns(3)
    common = dict(icon="⬇️", on_click="ignore", width="stretch")
    a.download_button(
        t("train.export_report"),
        lambda: export.report_bundle(run)[0],
        f"{run.id}-report.zip",
        "application/zip",
        key=f"export-report-{run.id}",
        help=t("train.export_report_help"),
        **common,
    )
    b.download_button(
        t("train.export_csv"),
        functools.partial(export.metrics_csv, run),
        f"{run.id}-metrics.csv",
        "text/csv",
        key=f"export-csv-{run.id}",
        help=t("train.export_csv_help"),
        **common,
    )
    c.download_button(
        t("train.export_model"),
        functools.partial(export.model_zip, run),
        f"{run.id}-model.zip",
        "application/zip",
        key=f"export-model-{run.id}",
        help=t("train.export_model_help"),
        **common,
    )


if run_id:
    live.view(live_run, [run_id])


def manage(chosen: list[runs.RunInfo]) -> None:
    """Stop and delete buttons for the ticked runs this session may change; the others are read-only."""
    mine = [r for r in chosen if ownership.may_change(r)]
    if len(mine) < len(chosen):
        st.caption(t("train.others", n=len(chosen) - len(mine)))
    active = [r.id for r in mine if resources.jobs().status(r.id)]
    done = [r.id for r in mine if r.id not in active]
    a, b = st.columns(2)
    if active and a.button(t("train.stop_ticked", n=len(active)), icon="⏹️", key="stop_ticked"):
        for rid in active:
            actions.stop_run(rid)
    if done:
        with b.popover(t("train.delete_ticked", n=len(done)), icon="🗑️"):
            st.write(t("train.delete_warning"))
            confirmed = st.button(t("train.delete_confirm"), type="primary", key="delete_ticked")
            if confirmed and all(map(actions.delete_run, done)):
                st.session_state["runs_table_version"] = st.session_state.get("runs_table_version", 0) + 1
                st.rerun()  # a fresh table, without a selection pointing at rows that moved


def compare(chosen: list[dict]) -> None:
    """The ticked runs' curves on one chart."""
    a, b = st.columns(2)
    x = a.segmented_control(
        t("train.x_axis"),
        ["step", "elapsed_s"],
        default="step",
        required=True,
        format_func=i18n.labels("train.x."),
        key="train_compare_x",
    )
    metric = b.segmented_control(
        t("train.show"),
        ["loss", "accuracy"],
        default="loss",
        required=True,
        format_func=i18n.labels("train.metric."),
        key="train_compare_metric",
    )
    try:
        curves = [(f"{r['objective']} {r['size']} #{r['run'][-4:]}", runs.load_run(r["run"]).metrics()) for r in chosen]
        widgets.chart(charts.loss_curves(curves, x=x, metric=metric), key="compare")
    except runs.RunNotFoundError as e:  # deleted meanwhile
        widgets.error(e)


def past_runs() -> None:
    """The class's runs (only this student's when the server keeps runs private), theirs marked: tick
    runs to compare their curves, and to stop or delete one's own. Returns early instead of st.stop(),
    which would also stop the sidebar that app.py draws after the page."""
    shown = list(reversed(ownership.visible_runs()))  # oldest first: new runs do not shift a selection
    rows = runs.table(shown, ownership.session_id())
    if not rows:
        return st.info(t("train.no_runs"))
    shown_rows = pd.DataFrame(rows).assign(status=[widgets.status(r["status"]) for r in rows])
    picked = st.dataframe(
        shown_rows,
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=f"runs_table-{st.session_state.get('runs_table_version', 0)}",
        column_order=tables.RUN_COLUMNS,
        column_config=tables.run_columns(),
    )
    if not picked.selection.rows:
        return st.caption(t("train.tick"))
    manage([shown[i] for i in picked.selection.rows])
    compare([rows[i] for i in picked.selection.rows])


st.header(t("train.past"))
past_runs()
