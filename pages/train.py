"""Train: choose an objective and a size, launch a run in the background, watch it learn, compare runs."""

import pandas as pd
import streamlit as st

import ui
from selfsup_core import charts, models, runs
from selfsup_core.config import TrainConfig

OBJECTIVES = {"mlm": "MLM (BERT-style)", "ar": "AR (GPT-style)"}
PREDICTS = ["Hide some words; predict them from the words on both sides.",
            "Predict every next word from the words before it only."]  # fmt: skip
NO_STEP_LIMIT = 100_000  # with a time budget, the budget ends the run
COLUMNS = ["status", "objective", "size", "steps", "val_loss", "val_accuracy", "tokens/s", "corpus", "tokenizer",
           "mask rate", "masking", "seed", "error", "run"]  # fmt: skip
COLUMN_CONFIG = {
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

cfg = ui.config()
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
        budget = b.number_input("Seconds", 5, 3600, int(cfg.time_budget_s or 60), 5, key="train_budget")
        limits = {"time_budget_s": float(budget), "steps": NO_STEP_LIMIT}
    else:
        steps = b.number_input("Steps", 1, 20_000, min(cfg.steps, 300 if cfg.time_budget_s else 20_000), 50,
                               key="train_steps")  # fmt: skip
        limits = {"time_budget_s": None, "steps": steps}
    a, b, c = st.columns(3)
    lr = a.number_input("Learning rate", value=cfg.lr, step=1e-4, format="%.4f", key="train_lr")
    batch = b.number_input("Batch size", 1, 512, cfg.batch_size, key="train_batch")
    seed = c.number_input("Seed", 0, 2**31 - 1, cfg.seed, key="train_seed")

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
        ui.set_current_run(ui.jobs().submit(cfg, owner=ui.session_id()))

with summary:
    c = cfg or ui.config()
    masking = f"{c.masking.rate:.0%} {c.masking.strategy} masking" if c.objective == "mlm" else "no masking (AR)"
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="center")
    c1.markdown(f"Corpus **{c.corpus}** · tokenizer **{c.tokenizer}** · {masking} · "
                f"augmentation {'on' if c.augment.active else 'off'}")  # fmt: skip
    c2.page_link("pages/corpus.py", label="Corpus", icon="📚")
    c3.page_link("pages/masking.py", label="Masking", icon="🎭")

run_id = ui.current_run()


@st.fragment(run_every=1.0 if run_id and ui.jobs().status(run_id) else None)
def live_view(run_id: str, was_live: bool) -> None:
    try:
        run = runs.load_run(run_id)
    except runs.RunNotFoundError as e:
        return ui.error(e)
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
    if job and st.button("Stop", icon="⏹️", key=f"stop-live-{run_id}", help="Stop now; the model so far is saved."):
        ui.jobs().stop(run_id)
        st.toast("Stopping…")
    if not job and (run.model_path / "model.safetensors").exists():
        st.page_link("pages/probe.py", label="Probe this model", icon="🔍", query_params={"run": run_id})


if run_id:
    live_view(run_id, ui.jobs().status(run_id) is not None)

st.header("Past runs")
rows = runs.table(list(reversed(runs.list_runs())))  # oldest first: new runs do not shift a selection
if not rows:
    st.info("No runs yet: launch one above.")
    st.stop()
table = pd.DataFrame(rows)
picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="multi-row", key="runs_table",
                      column_order=COLUMNS, column_config=COLUMN_CONFIG)  # fmt: skip
chosen = [rows[i] for i in picked.selection.rows]
if not chosen:
    st.caption("Tick runs in the table to compare their curves.")
    st.stop()
a, b = st.columns(2)
x = a.segmented_control("x axis", ["step", "elapsed_s"], default="step", required=True,
                        format_func={"step": "steps", "elapsed_s": "seconds"}.get)  # fmt: skip
metric = b.segmented_control("Show", ["loss", "accuracy"], default="loss", required=True)
try:
    curves = [(f"{r['objective']} {r['size']} #{r['run'][-4:]}", runs.load_run(r["run"]).metrics()) for r in chosen]
    st.plotly_chart(charts.loss_curves(curves, x=x, metric=metric), key="compare", theme=None)
except runs.RunNotFoundError as e:  # deleted meanwhile
    ui.error(e)
