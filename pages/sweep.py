"""Masking sweeps & augmentation: train several runs that differ in one setting, then plot what changed."""

import pandas as pd
import streamlit as st

import ui
from selfsup_core import charts, experiments, models, runs
from selfsup_core.augment import EXPLANATIONS

RATES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
STRENGTHS = (0.0, 0.1, 0.2, 0.3, 0.4)
WETTIG = ("BERT masks 15% of the tokens. Wettig et al. (2023), *Should You Mask 15% in Masked Language Modeling?*, "
          "found that 40% did better than 15% for large models on downstream tasks. Does anything like it show in a "
          "tiny model trained for a few seconds? Launch the sweep and let the plot answer.")  # fmt: skip


def launch(key: str, cfgs: list, what: str) -> None:
    """Estimated time, then a button that queues `cfgs` (the server runs a few at a time)."""
    slots, ahead = ui.jobs().max_concurrent, len(ui.jobs().active())
    total = experiments.estimated_seconds(cfgs, slots)
    st.caption(f"{len(cfgs)} runs, {slots} at a time: about **{total / 60:.1f} min** at most"
               + (f", after the {ahead} runs already in the queue." if ahead else "."))  # fmt: skip
    if st.button(f"Launch {what}", type="primary", icon="🚀", key=f"sw_launch_{key}", disabled=not cfgs):
        try:
            ui.launch(key, cfgs)
        except ValueError as e:
            ui.error(e)


def results(key: str, label) -> list:
    """Live status and curves of `key`'s runs; returns them once all are finished (else [])."""
    ids = ui.run_ids_param(key)
    if not ids and not ui.waiting(key):
        return []

    @st.fragment(run_every=1.0 if ui.live(key, ids) else None)
    def progress(was_live: bool) -> None:
        ids = ui.launch_pending(key)
        if was_live and not ui.live(key, ids):
            st.rerun()  # all done: redraw the page without the timer, with the results
        done = [runs.load_run(i) for i in ids]
        ui.run_status(ids, [label(r.config) for r in done])
        if ui.waiting(key):
            st.info(f"{ui.waiting(key)} more run(s) wait for a place in the queue (a student may only have a few "
                    "queued at once); they start as these finish.", icon="⏳")  # fmt: skip
        curves = [(label(r.config), r.metrics()) for r in done]
        with st.expander("Training curves of each run", expanded=was_live):
            st.plotly_chart(charts.loss_curves(curves, x="elapsed_s"), key=f"sw_curves_{key}")

    progress(ui.live(key, ids))
    done = [runs.load_run(i) for i in ids]
    return [] if ui.live(key, ids) else [r for r in done if r.status in ("completed", "stopped")]


def measured(done: list, setting) -> pd.DataFrame:
    """Per run: the accuracy on the same held-out blanks (comparable across runs) and its own held-out figures."""
    rows = []
    for r in done:
        m = ui.comparable_metrics(r.id, r.summary.get("finished"))
        rows.append({"setting": setting(r.config), "same blanks: accuracy": m["blank_accuracy"],
                     "own held-out accuracy": r.summary.get("val_accuracy"), "same blanks: loss": m["blank_loss"],
                     "own held-out loss": r.summary.get("val_loss"), "steps": r.summary.get("steps")})  # fmt: skip
    return pd.DataFrame(rows)


def show(table: pd.DataFrame, rate: bool = False) -> None:
    fmt = {
        c: st.column_config.NumberColumn(format="percent" if "accuracy" in c else "%.2f") for c in table.columns[1:5]
    }
    st.dataframe(table, hide_index=True, column_config={**fmt, "setting": st.column_config.NumberColumn(
        "mask rate", format="percent")} if rate else fmt)  # fmt: skip


def rate_of(config: dict) -> float:
    return config["masking"]["rate"]


def trained_with(config: dict) -> str:
    aug = experiments.augmentation_of(config)
    return f"trained with {aug[0]} {aug[1]:.0%}" if aug else "trained without"


st.title("Masking sweeps & augmentation")
st.caption("Several runs identical but for one setting, trained one after the other: the plots are the evidence.")
base = ui.config()
a, b, c = st.columns(3)
size = a.segmented_control("Model size", models.available_sizes(), default="mini", required=True, key="sw_size")
seconds = b.number_input("Seconds per run", 5, 600, 20, 5, key="sw_seconds")
steps = c.number_input("…or stop after steps", 1, 20_000, 20_000, 50, key="sw_steps",
                       help="Each run stops at its time budget or after this many steps, whichever comes first.")  # fmt: skip
try:
    timed = base.replace(size=size, time_budget_s=float(seconds), steps=int(steps), checkpoints=0)
except ValueError as e:
    ui.error(e)
    st.stop()
st.caption(f"Corpus **{base.corpus}** · tokenizer **{base.tokenizer}** (change them on the Corpus page).")

rate_tab, strategy_tab, aug_tab = st.tabs(["Mask rate", "Masking strategy", "Augmentation"])
with rate_tab:
    st.info(WETTIG, icon="📄")
    rates = st.multiselect("Mask rates", RATES, experiments.MASK_RATES, format_func="{:.0%}".format, key="sw_rates")
    launch("rates", experiments.mask_rate_sweep(timed, sorted(rates)), "the mask-rate sweep")
    if done := results("rates", lambda c: f"{rate_of(c):.0%} masked"):
        table = measured(sorted(done, key=lambda r: rate_of(r.config)), rate_of)
        st.caption("*Same blanks*: the same held-out tokens hidden one at a time, for every run: comparable. *Own*: "
                   "the run's held-out text masked at its own rate: a harder test at higher rates.")  # fmt: skip
        left, right = st.columns(2)
        for col, what, y in ((left, "accuracy", "accuracy"), (right, "loss", "loss (nats)")):
            series = {k: table[k] for k in (f"same blanks: {what}", f"own held-out {what}")}
            fig = charts.lines(table["setting"], series, "mask rate", y, percent=what == "accuracy", x_percent=True)
            col.plotly_chart(fig, key=f"sw_rate_{what}")
        show(table, rate=True)
with strategy_tab:
    rate = st.select_slider("Mask rate", RATES, value=0.15, format_func="{:.0%}".format, key="sw_strategy_rate")
    st.caption("token: any token · whole-word: all pieces of a word together · span: runs of whole words (SpanBERT).")
    launch("strategies", experiments.strategy_sweep(timed, rate), "the strategy sweep")
    if done := results("strategies", lambda c: c["masking"]["strategy"]):
        table = measured(done, lambda c: c["masking"]["strategy"])
        series = {k: table[k] for k in ("same blanks: accuracy", "own held-out accuracy")}
        st.plotly_chart(charts.grouped_bars(table["setting"], series), key="sw_strategy_accuracy")
        show(table)
with aug_tab:
    a, b, c = st.columns([1, 2, 1.4])
    objective = a.segmented_control("Objective", ["mlm", "ar"], default=base.objective, required=True,
                                    format_func=str.upper, key="sw_aug_objective")  # fmt: skip
    kind = b.segmented_control("Augmentation", experiments.AUGMENTATIONS, default="noise", required=True, key="sw_aug")
    strength = c.select_slider("Strength while training", (0.05, 0.1, 0.2, 0.3, 0.5), value=0.2,
                               format_func="{:.0%}".format, key="sw_aug_strength")  # fmt: skip
    st.caption(EXPLANATIONS[kind])
    pair = experiments.ablation(timed.replace(objective=objective), kind, strength)
    launch("ablation", list(pair), "without and with it")
    done = results("ablation", trained_with)
    used = next((experiments.augmentation_of(r.config) for r in done if experiments.augmentation_of(r.config)), None)
    if done and used:
        st.caption(f"Both models are tested on their held-out text corrupted by {used[0]} at each strength "
                   "(0 = clean), as they were trained: the targets stay the clean text.")  # fmt: skip
        series = {trained_with(r.config): [x["val_accuracy"] for x in ui.robustness(r.id, r.summary.get("finished"),
                  used[0], STRENGTHS)] for r in done}  # fmt: skip
        fig = charts.lines(STRENGTHS, series, f"{used[0]} applied to the held-out text", "held-out accuracy",
                           percent=True, x_percent=True)  # fmt: skip
        st.plotly_chart(fig, key="sw_robustness")
