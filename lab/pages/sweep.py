"""Masking sweeps & augmentation: train several runs that differ in one setting, then plot what changed."""

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, measures, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import experiments, models, runs
from selfsup_core.config import SWEEP_BUDGET, SWEEP_RATES

RATES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
STRENGTHS = (0.0, 0.1, 0.2, 0.3, 0.4)
MAX_SEEDS = 5  # runs per setting: more is a longer queue


def launch(key: str, cfgs: list) -> None:
    """Estimated time, then a button that queues `cfgs` (the server runs a few at a time)."""
    slots, ahead = resources.jobs().max_concurrent, len(resources.jobs().active())
    total = experiments.estimated_seconds(cfgs, slots)
    st.caption(
        t("sweep.estimate", n=len(cfgs), slots=slots, minutes=total / 60)
        + (t("sweep.after_queue", ahead=ahead) if ahead else t("sweep.end"))
    )
    if st.button(t(f"sweep.launch.{key}"), type="primary", icon="🚀", key=f"sw_launch_{key}", disabled=not cfgs):
        try:
            actions.launch(key, cfgs)
        except ValueError as e:
            widgets.error(e)


def progress(key: str, label, ids: list[str], drawn: str | None) -> None:
    """`key`'s runs while they train (a live view): where each stands, the waiting ones, their curves."""
    done = [runs.load_run(i) for i in ids]
    widgets.run_status(ids, [label(r.config) for r in done])
    if actions.waiting(key):
        st.info(t("sweep.waiting", n=actions.waiting(key)), icon="⏳")
    curves = [(label(r.config), r.metrics()) for r in done]
    with st.expander(t("sweep.curves"), expanded=drawn is not None):
        widgets.chart(charts.loss_curves(curves, x="elapsed_s"), key=f"sw_curves_{key}")


def results(key: str, label) -> list:
    """Live status and curves of `key`'s runs; returns them once all are finished (else [])."""
    ids = url_state.run_ids_param(key)
    if not ids and not actions.waiting(key):
        return []

    phase = live.view(lambda ids, drawn: progress(key, label, ids, drawn), ids, key)
    done = [runs.load_run(i) for i in ids]
    return [] if phase else [r for r in done if r.status in ("completed", "stopped")]


def measured(done: list, setting) -> pd.DataFrame:
    """Per run: the accuracy on the same held-out blanks (comparable across runs of a seed), its own held-out
    figures, its seed, and its steps next to its seconds (equal seconds are not equal steps on a busy server).
    Columns are ids; `col` gives their names on screen."""
    rows = []
    for r in done:
        m = measures.comparable_metrics(r.id, r.summary.get("finished"))
        rows.append(
            {
                "setting": setting(r.config),
                "seed": r.config["seed"],
                "steps": r.summary.get("steps"),
                "seconds": r.summary.get("elapsed_s"),
                "blank_accuracy": m["blank_accuracy"],
                "own_accuracy": r.summary.get("val_accuracy"),
                "blank_loss": m["blank_loss"],
                "own_loss": r.summary.get("val_loss"),
            }
        )
    return pd.DataFrame(rows)


def col(name: str) -> str:
    return t(f"sweep.col.{name}")


def show(table: pd.DataFrame, rate: bool = False) -> None:
    fmt = {
        col(c): st.column_config.NumberColumn(format="percent" if "accuracy" in c else "%.2f")
        for c in ("blank_accuracy", "own_accuracy", "blank_loss", "own_loss")
    }
    fmt[col("seconds")] = st.column_config.NumberColumn(format="%.0f s")
    if rate:
        fmt[col("setting")] = st.column_config.NumberColumn(t("sweep.mask_rate_axis"), format="percent")
    st.dataframe(table.rename(columns=col), hide_index=True, column_config=fmt)


def spread(table: pd.DataFrame, columns: tuple[str, ...]) -> tuple[list, dict, dict]:
    """(settings, {column name: medians}, {column name: (lows, highs)}) over each setting's seeds."""
    settings = list(dict.fromkeys(table["setting"]))
    found = {
        c: [experiments.seed_spread(list(table.loc[table["setting"] == x, c].dropna())) for x in settings]
        for c in columns
    }
    medians = {col(c): [s.median for s in found[c]] for c in columns}
    return settings, medians, {col(c): ([s.low for s in found[c]], [s.high for s in found[c]]) for c in columns}


def judged(done: list, label) -> None:
    """What the sweep supports: too early, within the seeds' spread, or which setting is ahead (same blanks)."""
    results: dict[str, list] = {}
    for r in done:
        results.setdefault(label(r.config), []).append(measures.run_results(r.id))
    if len(results) > 1:
        widgets.verdict(experiments.judge_runs(results), t("verdict.all", n=len(results)))


def rate_of(config: dict) -> float:
    return config["masking"]["rate"]


def strategy_of(config: dict) -> str:
    return t(f"strategy.{config['masking']['strategy']}")


def trained_with(config: dict) -> str:
    aug = experiments.augmentation_of(config)
    return t("sweep.trained_with", kind=t(f"aug.{aug[0]}"), strength=aug[1]) if aug else t("sweep.trained_without")


def sweeps(base, timed, seeds: int) -> None:
    """The three sweeps, one tab each: launch, watch, then the plots that answer the question."""
    rate_tab, strategy_tab, aug_tab = st.tabs([t("sweep.tab.rate"), t("sweep.tab.strategy"), t("sweep.tab.augment")])
    with rate_tab:
        st.info(t("sweep.wettig"), icon="📄")
        rates = st.multiselect(t("sweep.rates"), RATES, SWEEP_RATES, format_func="{:.0%}".format, key="sw_rates")
        launch("rates", experiments.with_seeds(experiments.mask_rate_sweep(timed, sorted(rates)), seeds))
        masked = lambda c: t("sweep.masked", rate=rate_of(c))  # noqa: E731
        if done := results("rates", masked):
            table = measured(sorted(done, key=lambda r: (rate_of(r.config), r.config["seed"])), rate_of)
            judged(done, masked)
            st.caption(t("sweep.same_blanks_help"))
            left, right = st.columns(2)
            for place, what, y in ((left, "accuracy", t("sweep.accuracy_axis")), (right, "loss", t("sweep.loss_axis"))):
                xs, medians, bars = spread(table, (f"blank_{what}", f"own_{what}"))
                fig = charts.lines(
                    xs, medians, t("sweep.mask_rate_axis"), y, percent=what == "accuracy", x_percent=True, spread=bars
                )
                with place:
                    widgets.chart(fig, key=f"sw_rate_{what}")
            st.caption(t("sweep.spread_help"))
            show(table, rate=True)
    with strategy_tab:
        rate = st.select_slider(t("sweep.rate"), RATES, value=0.15, format_func="{:.0%}".format, key="sw_strategy_rate")
        st.caption(t("sweep.strategies_help"))
        launch("strategies", experiments.with_seeds(experiments.strategy_sweep(timed, rate), seeds))
        if done := results("strategies", strategy_of):
            table = measured(sorted(done, key=lambda r: r.config["seed"]), strategy_of)
            judged(done, strategy_of)
            xs, medians, bars = spread(table, ("blank_accuracy", "own_accuracy"))
            fig = charts.lines(
                xs, medians, t("sweep.strategy_axis"), t("sweep.accuracy_axis"), percent=True, spread=bars
            )
            widgets.chart(fig, key="sw_strategy_accuracy")
            st.caption(t("sweep.spread_help"))
            show(table)
    with aug_tab:
        a, b, c = st.columns([1, 2, 1.4])
        objective = a.segmented_control(
            t("sweep.objective"),
            ["mlm", "ar"],
            default=base.objective,
            required=True,
            format_func=str.upper,
            key="sw_aug_objective",
        )
        kind = b.segmented_control(
            t("sweep.augmentation"),
            experiments.AUGMENTATIONS,
            default="noise",
            required=True,
            format_func=i18n.labels("aug."),
            key="sw_aug",
        )
        strength = c.select_slider(
            t("sweep.strength"),
            (0.05, 0.1, 0.2, 0.3, 0.5),
            value=0.2,
            format_func="{:.0%}".format,
            key="sw_aug_strength",
        )
        st.caption(t(f"aug.explain.{kind}"))
        pair = experiments.ablation(timed.replace(objective=objective), kind, strength)
        launch("ablation", experiments.with_seeds(list(pair), seeds))
        done = results("ablation", trained_with)
        used = next(
            (experiments.augmentation_of(r.config) for r in done if experiments.augmentation_of(r.config)), None
        )
        if done and used:
            st.caption(t("sweep.robustness_help", kind=t(f"aug.{used[0]}")))
            curves: dict[str, list] = {}  # label -> one accuracy curve per seed
            for r in done:
                found = measures.robustness(r.id, r.summary.get("finished"), used[0], STRENGTHS)
                curves.setdefault(trained_with(r.config), []).append([x["val_accuracy"] for x in found])
            spreads = {k: [experiments.seed_spread(list(at)) for at in zip(*v, strict=True)] for k, v in curves.items()}
            fig = charts.lines(
                STRENGTHS,
                {k: [s.median for s in v] for k, v in spreads.items()},
                t("sweep.applied", kind=t(f"aug.{used[0]}")),
                t("sweep.heldout_accuracy"),
                percent=True,
                x_percent=True,
                spread={k: ([s.low for s in v], [s.high for s in v]) for k, v in spreads.items()},
            )
            widgets.chart(fig, key="sw_robustness")
            st.caption(t("sweep.spread_help"))


st.title(t("sweep.title"))
st.caption(t("sweep.caption"))
base = url_state.config()
a, b, c, d = st.columns([1.4, 1, 1, 1])
size = a.segmented_control(
    t("sweep.size"), models.available_sizes(), default=SWEEP_BUDGET.size, required=True, key="sw_size"
)
seconds = b.number_input(t("sweep.seconds"), 5, 600, int(SWEEP_BUDGET.seconds), 5, key="sw_seconds")
steps = c.number_input(t("sweep.steps"), 1, 20_000, 20_000, 50, key="sw_steps", help=t("sweep.steps_help"))
seeds = int(
    d.number_input(t("sweep.seeds"), 1, MAX_SEEDS, SWEEP_BUDGET.seeds, key="sw_seeds", help=t("sweep.seeds_help"))
)
try:
    timed = base.replace(size=size, time_budget_s=float(seconds), steps=int(steps), checkpoints=0)
except ValueError as e:
    widgets.error(e)
else:
    st.caption(t("sweep.using", corpus=base.corpus, tokenizer=base.tokenizer))
    sweeps(base, timed, seeds)
