"""Train: choose an objective and a size, launch a run in the background, watch it learn, compare runs."""

import pandas as pd
import streamlit as st

import ui
from selfsup_core import charts, models, runs
from selfsup_core.config import TrainConfig

OBJECTIVES = {"mlm": "MLM (BERT-style)", "ar": "AR (GPT-style)"}
PREDICTS = ["Hide some words; predict them from the words on both sides.",
            "Predict every next word from the words before it only."]  # fmt: skip
COLUMNS = ["yours", "by", "status", "objective", "size", "steps", "val_loss", "val_accuracy", "tokens/s", "corpus",
           "tokenizer", "mask rate", "masking", "seed", "error", "run"]  # fmt: skip
COLUMN_CONFIG = {
    "yours": st.column_config.CheckboxColumn(help="Runs you launched: tick them to stop or delete them."),
    "by": st.column_config.TextColumn("student", help="The nickname the run was launched under."),
    "val_loss": st.column_config.NumberColumn("held-out loss", format="%.3f"),
    "val_accuracy": st.column_config.NumberColumn("held-out accuracy", format="percent"),
    "tokens/s": st.column_config.NumberColumn(format="%.0f"),
    "mask rate": st.column_config.NumberColumn(format="percent"),
}


@st.cache_data(show_spinner="Timing a few training steps…", max_entries=64, ttl="5m")  # timing drifts with load
def estimate(objective: str, size: str, seq_len: int, batch_size: int, tokenizer: str, vocab: int | None) -> dict:
    cfg = TrainConfig(objective=objective, size=size, seq_len=seq_len, batch_size=batch_size, tokenizer=tokenizer,
                      vocab_size=vocab, steps=1)  # fmt: skip
    return models.estimate(cfg)


def duration(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


st.title("Train a model")
st.caption("Train a tiny language model from scratch on your corpus and watch its loss fall as it learns.")

cfg = ui.config_from_url(widgets=("train_objective", "train_size", "train_by_time", "train_budget", "train_steps",
                                   "train_lr", "train_batch", "train_seed"))  # fmt: skip
summary = st.container()  # filled below, once this run's choices are known
left, right = st.columns([3, 2], gap="large")
with left:
    objective = st.radio("Objective", list(OBJECTIVES), format_func=OBJECTIVES.get, horizontal=True, captions=PREDICTS,
                         index=list(OBJECTIVES).index(cfg.objective), key="train_objective")  # fmt: skip
    size = st.segmented_control(
        "Model size", models.available_sizes(), default=cfg.size, required=True, key="train_size"
    )
    a, b = st.columns(2)
    by_time = a.toggle("Time budget instead of steps", value=cfg.time_budget_s is not None, key="train_by_time")
    if by_time:
        budget = b.number_input("Seconds", *ui.LIMITS["time_budget_s"], int(cfg.time_budget_s or 60), 5,
                                key="train_budget")  # fmt: skip
        limits = {"time_budget_s": float(budget), "steps": ui.NO_STEP_LIMIT}
    else:
        steps = b.number_input("Steps", 1, 20_000, min(cfg.steps, 300 if cfg.time_budget_s else 20_000), 50,
                               key="train_steps")  # fmt: skip
        limits = {"time_budget_s": None, "steps": steps}
    a, b, c = st.columns(3)
    lr = a.number_input("Learning rate", value=cfg.lr, step=1e-4, format="%.4f", key="train_lr")
    batch = b.number_input("Batch size", *ui.LIMITS["batch_size"], cfg.batch_size, key="train_batch")
    seed = c.number_input("Seed", *ui.LIMITS["seed"], cfg.seed, key="train_seed",
                          help="Same seed, same settings, same machine: the same run, curve for curve.")  # fmt: skip

with right:
    try:
        cfg = ui.update_config(objective=objective, size=size, lr=lr, batch_size=batch, seed=seed, **limits)
        vocab = len(ui.tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size))
        est = estimate(cfg.objective, cfg.size, cfg.seq_len, cfg.batch_size, cfg.tokenizer, vocab)
        n, step_s = est["parameters"], est["step_s"]
        st.metric(
            "Parameters", f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.0f} k", help=f"vocabulary: {vocab} tokens"
        )
        total = step_s * (min(cfg.steps, cfg.time_budget_s / step_s) if by_time else cfg.steps)
        st.metric("Estimated training time", duration(total), help=f"{step_s * 1000:.0f} ms per step here, now")
    except ValueError as e:
        ui.error(e)
        cfg = None
    if st.button("Launch", type="primary", icon="🚀", disabled=cfg is None, width="stretch"):
        ui.set_current_run(ui.submit(cfg))
    with st.expander("Reproduce a run from its config.json", icon="🔁"):
        up = st.file_uploader("A run's config.json (download it from the run below)", type=["json"],
                              key="train_reproduce")  # fmt: skip
        try:
            again = ui.config_from_upload(up.getvalue()) if up else None
        except ValueError as e:
            ui.error(e)
            again = None
        if again and st.button("Launch this exact configuration", icon="🔁", key="train_reproduce_launch"):
            ui.set_current_run(ui.submit(again))
    ui.share_link("train")

with summary:
    c = cfg or ui.config()
    masking = f"{c.masking.rate:.0%} {c.masking.strategy} masking" if c.objective == "mlm" else "no masking (AR)"
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.markdown(f"Corpus **{c.corpus}** · tokenizer **{c.tokenizer}** · {masking} · "
                f"augmentation {'on' if c.augment.active else 'off'}")  # fmt: skip
    c2.page_link("app_pages/corpus.py", label="Corpus", icon="📚")
    c3.page_link("app_pages/masking.py", label="Masking", icon="🎭")

run_id = ui.current_run()


@st.fragment(run_every=1.0 if run_id and ui.jobs().status(run_id) else None)
def live_view(run_id: str, was_live: bool) -> None:
    try:
        run = runs.load_run(run_id)
    except runs.RunNotFoundError as e:
        return ui.error(e)
    if not ui.visible_runs([run]):
        return st.info("This run belongs to another student, and this server keeps runs private.")
    job, lines = ui.jobs().status(run_id), run.metrics()
    if was_live and job is None:
        st.rerun()  # finished: redraw the whole page, without the timer, with the run in the table
    p = runs.progress(run.config, lines, run.summary)
    c = run.config
    st.subheader(f"This run: {OBJECTIVES[c['objective']]}, {c['size']}, on {c['corpus']}")
    st.caption(f"Run {run_id}")
    if job and job.state == "queued":
        st.info(f"Queued at position {job.queue_position}: it starts when a training slot is free.", icon="⏳")
    elif job:
        st.progress(p["fraction"], text=f"Running · step {p['step']} · {duration(p['eta_s'])} left")
    elif run.status == "failed":
        st.error(f"Failed: {run.summary.get('error', 'unknown error')}", icon="⚠️")
    elif run.status == "completed":
        st.success(f"Completed {p['step']} steps in {duration(p['elapsed_s'])}.", icon="✅")
    elif run.status == "stopped":
        st.warning(f"Stopped at step {p['step']}; the model so far is saved.", icon="⏹️")
    else:
        st.warning(f"Status: {run.status}, but no training process here has it: it was interrupted.")
    m = st.columns(4)
    m[0].metric("Held-out loss", "—" if p["val_loss"] is None else f"{p['val_loss']:.3f}")
    m[1].metric("Held-out accuracy", "—" if p["val_accuracy"] is None else f"{p['val_accuracy']:.1%}")
    m[2].metric("Tokens / s", "—" if p["tokens_per_s"] is None else f"{p['tokens_per_s']:,.0f}")
    m[3].metric("Time left" if job else "Time", duration(p["eta_s"] if job else p["elapsed_s"]))
    st.plotly_chart(charts.loss_curves([(OBJECTIVES[c["objective"]], lines)]), key=f"live-{run_id}", theme=None)
    st.download_button("Download config.json", (run.path / "config.json").read_bytes(), f"{run_id}-config.json",
                       "application/json", icon="⬇️", key=f"config-{run_id}",
                       help="Everything needed to run it again: upload it under *Reproduce a run*.")  # fmt: skip
    if job and ui.may_change(run) and st.button("Stop", icon="⏹️", key=f"stop-live-{run_id}",
                                                 help="Stop now; the model so far is saved."):  # fmt: skip
        ui.stop_run(run_id)
    if not job and (run.model_path / "model.safetensors").exists():
        st.page_link("app_pages/probe.py", label="Probe this model", icon="🔍", query_params={"run": run_id})


if run_id:
    live_view(run_id, ui.jobs().status(run_id) is not None)


def manage(chosen: list[runs.RunInfo]) -> None:
    """Stop and delete buttons for the ticked runs this session may change; the others are read-only."""
    mine = [r for r in chosen if ui.may_change(r)]
    if len(mine) < len(chosen):
        st.caption(f"{len(chosen) - len(mine)} of the ticked runs belong to other students: look, don't touch.")
    active = [r.id for r in mine if ui.jobs().status(r.id)]
    done = [r.id for r in mine if r.id not in active]
    a, b = st.columns(2)
    if active and a.button(f"Stop {len(active)} ticked", icon="⏹️", key="stop_ticked"):
        for rid in active:
            ui.stop_run(rid)
    if done:
        with b.popover(f"Delete {len(done)} ticked", icon="🗑️"):
            st.write("Deletes these runs for good: model, curves and checkpoints.")
            if st.button("Delete for good", type="primary", key="delete_ticked") and all(map(ui.delete_run, done)):
                st.session_state["runs_table_version"] = st.session_state.get("runs_table_version", 0) + 1
                st.rerun()  # a fresh table, without a selection pointing at rows that moved


def compare(chosen: list[dict]) -> None:
    """The ticked runs' curves on one chart."""
    a, b = st.columns(2)
    x = a.segmented_control("x axis", ["step", "elapsed_s"], default="step", required=True,
                            format_func={"step": "steps", "elapsed_s": "seconds"}.get)  # fmt: skip
    metric = b.segmented_control("Show", ["loss", "accuracy"], default="loss", required=True)
    try:
        curves = [(f"{r['objective']} {r['size']} #{r['run'][-4:]}", runs.load_run(r["run"]).metrics()) for r in chosen]
        st.plotly_chart(charts.loss_curves(curves, x=x, metric=metric), key="compare", theme=None)
    except runs.RunNotFoundError as e:  # deleted meanwhile
        ui.error(e)


def past_runs() -> None:
    """The class's runs (only this student's when the server keeps runs private), theirs marked: tick
    runs to compare their curves, and to stop or delete one's own. Returns early instead of st.stop(),
    which would also stop the sidebar that app.py draws after the page."""
    shown = list(reversed(ui.visible_runs()))  # oldest first: new runs do not shift a selection
    rows = runs.table(shown, ui.session_id())
    if not rows:
        return st.info("No runs yet: launch one above.")
    picked = st.dataframe(pd.DataFrame(rows), hide_index=True, on_select="rerun", selection_mode="multi-row",
                          key=f"runs_table-{st.session_state.get('runs_table_version', 0)}", column_order=COLUMNS,
                          column_config=COLUMN_CONFIG)  # fmt: skip
    if not picked.selection.rows:
        return st.caption("Tick runs in the table to compare their curves (and to stop or delete your own).")
    manage([shown[i] for i in picked.selection.rows])
    compare([rows[i] for i in picked.selection.rows])


st.header("Past runs")
past_runs()
