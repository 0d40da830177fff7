"""Masking sweeps & augmentation: train several runs that differ in one setting, then plot what changed."""

import streamlit as st

from lab import actions, charts, i18n, resources, sweep_view, url_state, widgets
from lab.i18n import t
from selfsup_core import experiments
from selfsup_core.config import SWEEP_BUDGET, SWEEP_RATES, MaskingConfig

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
    if st.button(
        t(f"sweep.launch.{key}"),
        type="primary",
        icon=":material/rocket_launch:",
        key=f"sw_launch_{key}",
        disabled=not cfgs,
    ):
        try:
            actions.launch(key, cfgs)
        except ValueError as e:
            widgets.error(e)


def rate_of(config: dict) -> float:
    return config["masking"]["rate"]


def strategy_of(config: dict) -> str:
    return t(f"strategy.{config['masking']['strategy']}")


def trained_with(config: dict) -> str:
    aug = experiments.augmentation_of(config)
    return t("sweep.trained_with", kind=t(f"aug.{aug[0]}"), strength=aug[1]) if aug else t("sweep.trained_without")


def rate_sweep(timed, seeds: int) -> None:
    """Tab: one run per mask rate (and seed), then same-blanks accuracy and loss against the rate."""
    st.info(t("sweep.wettig"), icon=":material/description:")
    rates = st.multiselect(t("sweep.rates"), RATES, SWEEP_RATES, format_func="{:.0%}".format, key="sw_rates")
    launch("rates", experiments.with_seeds(experiments.mask_rate_sweep(timed, sorted(rates)), seeds))
    masked = lambda c: t("sweep.masked", rate=rate_of(c))  # noqa: E731
    if done := sweep_view.results("rates", masked):
        table = sweep_view.measured(sorted(done, key=lambda r: (rate_of(r.config), r.config["seed"])), rate_of)
        sweep_view.judged(done, masked)
        st.caption(t("sweep.same_blanks_help"))
        left, right = st.columns(2)
        for place, what, y in ((left, "accuracy", t("sweep.accuracy_axis")), (right, "loss", t("sweep.loss_axis"))):
            xs, medians, bars = sweep_view.spread(table, (f"blank_{what}", f"own_{what}"))
            fig = charts.lines(
                xs, medians, t("sweep.mask_rate_axis"), y, percent=what == "accuracy", x_percent=True, spread=bars
            )
            with place:
                widgets.chart(fig, key=f"sw_rate_{what}")
        st.caption(t("sweep.spread_help"))
        sweep_view.show(table, rate=True)


def strategy_sweep(timed, seeds: int) -> None:
    """Tab: token, whole-word and span masking at one rate, then accuracy per strategy."""
    rate = st.select_slider(
        t("sweep.rate"), RATES, value=MaskingConfig.rate, format_func="{:.0%}".format, key="sw_strategy_rate"
    )
    st.caption(t("sweep.strategies_help"))
    launch("strategies", experiments.with_seeds(experiments.strategy_sweep(timed, rate), seeds))
    if done := sweep_view.results("strategies", strategy_of):
        table = sweep_view.measured(sorted(done, key=lambda r: r.config["seed"]), strategy_of)
        sweep_view.judged(done, strategy_of)
        xs, medians, bars = sweep_view.spread(table, ("blank_accuracy", "own_accuracy"))
        fig = charts.lines(xs, medians, t("sweep.strategy_axis"), t("sweep.accuracy_axis"), percent=True, spread=bars)
        widgets.chart(fig, key="sw_strategy_accuracy")
        st.caption(t("sweep.spread_help"))
        sweep_view.show(table)


def ablation(base, timed, seeds: int) -> None:
    """Tab: a run with an augmentation and one without, then how each holds up under that noise."""
    a, b, c = st.columns([1, 2, 1.4])
    objective = a.segmented_control(
        t("sweep.objective"),
        ["mlm", "ar"],
        default=base.objective if base.objective == "ar" else "mlm",  # augmentations are compared for MLM and AR
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
    done = sweep_view.results("ablation", trained_with)
    used = next((experiments.augmentation_of(r.config) for r in done if experiments.augmentation_of(r.config)), None)
    if done and used:
        st.caption(t("sweep.robustness_help", kind=t(f"aug.{used[0]}")))
        medians, bars = sweep_view.robustness(done, used[0], STRENGTHS, trained_with)
        x_title = t("sweep.applied", kind=t(f"aug.{used[0]}"))
        fig = charts.lines(
            STRENGTHS, medians, x_title, t("sweep.heldout_accuracy"), percent=True, x_percent=True, spread=bars
        )
        widgets.chart(fig, key="sw_robustness")
        st.caption(t("sweep.spread_help"))


def sweeps(base, timed, seeds: int) -> None:
    """The three sweeps, one tab each: launch, watch, then the plots that answer the question."""
    rate_tab, strategy_tab, aug_tab = st.tabs([t("sweep.tab.rate"), t("sweep.tab.strategy"), t("sweep.tab.augment")])
    with rate_tab:
        rate_sweep(timed, seeds)
    with strategy_tab:
        strategy_sweep(timed, seeds)
    with aug_tab:
        ablation(base, timed, seeds)


st.title(t("sweep.title"))
st.caption(t("sweep.caption"))
base = url_state.config()
a, b, c, d = st.columns([1.4, 1, 1, 1])
size = widgets.size_picker(t("sweep.size"), SWEEP_BUDGET.size, "sw_size", a)
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
