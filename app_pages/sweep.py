"""Masking sweeps & augmentation: train several runs that differ in one setting, then plot what changed."""

import pandas as pd
import streamlit as st

import i18n
import ui
from i18n import t
from lab import charts
from selfsup_core import experiments, models, runs

RATES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
STRENGTHS = (0.0, 0.1, 0.2, 0.3, 0.4)


def launch(key: str, cfgs: list) -> None:
    """Estimated time, then a button that queues `cfgs` (the server runs a few at a time)."""
    slots, ahead = ui.jobs().max_concurrent, len(ui.jobs().active())
    total = experiments.estimated_seconds(cfgs, slots)
    st.caption(t("sweep.estimate", n=len(cfgs), slots=slots, minutes=total / 60)
               + (t("sweep.after_queue", ahead=ahead) if ahead else t("sweep.end")))  # fmt: skip
    if st.button(t(f"sweep.launch.{key}"), type="primary", icon="🚀", key=f"sw_launch_{key}", disabled=not cfgs):
        try:
            ui.launch(key, cfgs)
        except ValueError as e:
            ui.error(e)


def results(key: str, label) -> list:
    """Live status and curves of `key`'s runs; returns them once all are finished (else [])."""
    ids = ui.run_ids_param(key)
    if not ids and not ui.waiting(key):
        return []

    phase = ui.phase(ids, key)

    @st.fragment(run_every=ui.REFRESH_S.get(phase))
    def progress(drawn: str | None) -> None:
        ids = ui.launch_pending(key)
        if ui.phase(ids, key) != drawn:
            st.rerun()  # started or all done: redraw the page with the new timer (none, and the results)
        done = [runs.load_run(i) for i in ids]
        ui.run_status(ids, [label(r.config) for r in done])
        if ui.waiting(key):
            st.info(t("sweep.waiting", n=ui.waiting(key)), icon="⏳")
        curves = [(label(r.config), r.metrics()) for r in done]
        with st.expander(t("sweep.curves"), expanded=drawn is not None):
            ui.chart(charts.loss_curves(curves, x="elapsed_s"), key=f"sw_curves_{key}")

    progress(phase)
    done = [runs.load_run(i) for i in ids]
    return [] if phase else [r for r in done if r.status in ("completed", "stopped")]


def measured(done: list, setting) -> pd.DataFrame:
    """Per run: the accuracy on the same held-out blanks (comparable across runs) and its own held-out figures.
    Columns are ids; `col` gives their names on screen."""
    rows = []
    for r in done:
        m = ui.comparable_metrics(r.id, r.summary.get("finished"))
        rows.append({"setting": setting(r.config), "blank_accuracy": m["blank_accuracy"],
                     "own_accuracy": r.summary.get("val_accuracy"), "blank_loss": m["blank_loss"],
                     "own_loss": r.summary.get("val_loss"), "steps": r.summary.get("steps")})  # fmt: skip
    return pd.DataFrame(rows)


def col(name: str) -> str:
    return t(f"sweep.col.{name}")


def show(table: pd.DataFrame, rate: bool = False) -> None:
    fmt = {
        col(c): st.column_config.NumberColumn(format="percent" if "accuracy" in c else "%.2f")
        for c in table.columns[1:5]
    }
    st.dataframe(table.rename(columns=col), hide_index=True, column_config={**fmt, col("setting"):
        st.column_config.NumberColumn(t("sweep.mask_rate_axis"), format="percent")} if rate else fmt)  # fmt: skip


def rate_of(config: dict) -> float:
    return config["masking"]["rate"]


def strategy_of(config: dict) -> str:
    return t(f"strategy.{config['masking']['strategy']}")


def trained_with(config: dict) -> str:
    aug = experiments.augmentation_of(config)
    return t("sweep.trained_with", kind=t(f"aug.{aug[0]}"), strength=aug[1]) if aug else t("sweep.trained_without")


def sweeps(base, timed) -> None:
    """The three sweeps, one tab each: launch, watch, then the plots that answer the question."""
    rate_tab, strategy_tab, aug_tab = st.tabs([t("sweep.tab.rate"), t("sweep.tab.strategy"), t("sweep.tab.augment")])
    with rate_tab:
        st.info(t("sweep.wettig"), icon="📄")
        rates = st.multiselect(
            t("sweep.rates"), RATES, experiments.MASK_RATES, format_func="{:.0%}".format, key="sw_rates"
        )
        launch("rates", experiments.mask_rate_sweep(timed, sorted(rates)))
        if done := results("rates", lambda c: t("sweep.masked", rate=rate_of(c))):
            table = measured(sorted(done, key=lambda r: rate_of(r.config)), rate_of)
            st.caption(t("sweep.same_blanks_help"))
            left, right = st.columns(2)
            for place, what, y in ((left, "accuracy", t("sweep.accuracy_axis")), (right, "loss", t("sweep.loss_axis"))):
                series = {col(k): table[k] for k in (f"blank_{what}", f"own_{what}")}
                fig = charts.lines(table["setting"], series, t("sweep.mask_rate_axis"), y, percent=what == "accuracy",
                                   x_percent=True)  # fmt: skip
                with place:
                    ui.chart(fig, key=f"sw_rate_{what}")
            show(table, rate=True)
    with strategy_tab:
        rate = st.select_slider(t("sweep.rate"), RATES, value=0.15, format_func="{:.0%}".format, key="sw_strategy_rate")
        st.caption(t("sweep.strategies_help"))
        launch("strategies", experiments.strategy_sweep(timed, rate))
        if done := results("strategies", strategy_of):
            table = measured(done, strategy_of)
            series = {col(k): table[k] for k in ("blank_accuracy", "own_accuracy")}
            fig = charts.grouped_bars(table["setting"], series, y_title=t("sweep.accuracy_axis"))
            ui.chart(fig, key="sw_strategy_accuracy")
            show(table)
    with aug_tab:
        a, b, c = st.columns([1, 2, 1.4])
        objective = a.segmented_control(t("sweep.objective"), ["mlm", "ar"], default=base.objective, required=True,
                                        format_func=str.upper, key="sw_aug_objective")  # fmt: skip
        kind = b.segmented_control(t("sweep.augmentation"), experiments.AUGMENTATIONS, default="noise", required=True,
                                   format_func=i18n.labels("aug."), key="sw_aug")  # fmt: skip
        strength = c.select_slider(t("sweep.strength"), (0.05, 0.1, 0.2, 0.3, 0.5), value=0.2,
                                   format_func="{:.0%}".format, key="sw_aug_strength")  # fmt: skip
        st.caption(t(f"aug.explain.{kind}"))
        pair = experiments.ablation(timed.replace(objective=objective), kind, strength)
        launch("ablation", list(pair))
        done = results("ablation", trained_with)
        used = next(
            (experiments.augmentation_of(r.config) for r in done if experiments.augmentation_of(r.config)), None
        )
        if done and used:
            st.caption(t("sweep.robustness_help", kind=t(f"aug.{used[0]}")))
            series = {trained_with(r.config): [x["val_accuracy"] for x in ui.robustness(r.id, r.summary.get("finished"),
                      used[0], STRENGTHS)] for r in done}  # fmt: skip
            fig = charts.lines(STRENGTHS, series, t("sweep.applied", kind=t(f"aug.{used[0]}")), t("sweep.heldout_accuracy"),
                               percent=True, x_percent=True)  # fmt: skip
            ui.chart(fig, key="sw_robustness")


st.title(t("sweep.title"))
st.caption(t("sweep.caption"))
base = ui.config()
a, b, c = st.columns(3)
size = a.segmented_control(t("sweep.size"), models.available_sizes(), default="mini", required=True, key="sw_size")
seconds = b.number_input(t("sweep.seconds"), 5, 600, 20, 5, key="sw_seconds")
steps = c.number_input(t("sweep.steps"), 1, 20_000, 20_000, 50, key="sw_steps", help=t("sweep.steps_help"))
try:
    timed = base.replace(size=size, time_budget_s=float(seconds), steps=int(steps), checkpoints=0)
except ValueError as e:
    ui.error(e)
else:
    st.caption(t("sweep.using", corpus=base.corpus, tokenizer=base.tokenizer))
    sweeps(base, timed)
