"""Compare objectives: a matched group (MLM + AR, or any 2-4 objectives: same text, size, time and seed), then
their common ground (facts, fine-tuning); for MLM + AR also the same questions put to both."""

import streamlit as st

from lab import actions, group_view, i18n, live, ownership, pair_view, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import experiments
from selfsup_core.config import COMPARE_BUDGET, OBJECTIVES, TrainConfig

# the pair's own defaults (config.COMPARE_BUDGET: where both models have learned enough to compare); the rest is shared
PAIR = TrainConfig(size=COMPARE_BUDGET.size, time_budget_s=COMPARE_BUDGET.seconds, steps=20_000)
OWN = ("size", "time_budget_s", "steps")  # set here for the pair only, not in the shared settings
PAIR_LIMITS = {"time_budget_s": (5, 600), "steps": (1, 20_000)}
name = i18n.labels("compare.name.")


def launch_pair(own: TrainConfig) -> None:
    """The tab that launches a matched group: its 2-4 objectives (MLM + AR unless changed), and this page's size,
    time and steps on the shared settings."""
    base = url_state.config()
    linked = [o for o in (st.query_params.get("objectives") or "").split(",") if o in OBJECTIVES]
    chosen_objectives = st.multiselect(
        t("compare.objectives"),
        OBJECTIVES,
        default=linked if len(linked) >= 2 else list(experiments.PAIR),
        max_selections=len(OBJECTIVES),
        format_func=name,
        key="cmp_objectives",
        help=t("compare.objectives_help"),
    )
    if chosen_objectives == list(experiments.PAIR):  # the share link holds the objectives unless MLM + AR
        st.query_params.pop("objectives", None)
    else:
        st.query_params["objectives"] = ",".join(chosen_objectives)
    a, b, c = st.columns(3)
    size = widgets.size_picker(t("compare.size"), own.size, "cmp_size", a)
    seconds = b.number_input(
        t("compare.seconds"),
        *PAIR_LIMITS["time_budget_s"],
        int(own.time_budget_s or COMPARE_BUDGET.seconds),
        5,
        key="cmp_seconds",
    )
    steps = c.number_input(
        t("compare.steps"), *PAIR_LIMITS["steps"], own.steps, 50, key="cmp_steps", help=t("compare.steps_help")
    )
    try:
        chosen = base.replace(size=size, time_budget_s=float(seconds), steps=int(steps))
        url_state.settings_to_url(chosen, PAIR, url_state.SETTINGS_IN_URL)
        pair = experiments.matched_group(chosen, chosen_objectives)
        total = experiments.estimated_seconds(pair, resources.jobs().max_concurrent)
        st.caption(
            t(
                "compare.estimate",
                corpus=base.corpus,
                tokenizer=base.tokenizer,
                rate=base.masking.rate,
                strategy=t(f"strategy.{base.masking.strategy}"),
                total=total,
            )
        )
        launch = t("compare.launch", names=" + ".join(o.upper() for o in chosen_objectives))
        if st.button(launch, type="primary", icon=":material/rocket_launch:", key="cmp_launch"):
            actions.forget(group_view.FT_KEY)  # the previous group's fine-tuning
            actions.launch("pair", pair)
    except ValueError as e:
        widgets.error(e)


def pick_group() -> None:
    """The tab that groups 2-4 finished runs of different objectives (by default this browser's latest MLM and AR,
    or the latest of the first two objectives that have one)."""
    done = [r for r in ownership.visible_runs() if r.kind == "train" and (r.model_path / "model.safetensors").exists()]
    objective = {r.id: r.config.get("objective") for r in done}
    by = {o: ids for o in OBJECTIVES if (ids := [i for i in objective if objective[i] == o])}
    if len(by) < 2:
        st.info(t("compare.needs_two"))
        return
    default = [ids[ownership.own_latest(ids)] for ids in by.values()][:2]
    picked = st.multiselect(
        t("compare.pick_runs"),
        list(objective),
        default=default,
        max_selections=len(OBJECTIVES),
        format_func=widgets.run_labels(),
        key="cmp_picked",
    )
    distinct = len(picked) >= 2 and len({objective[i] for i in picked}) == len(picked)
    if not distinct:
        st.caption(t("compare.pick_distinct"))
    if st.button(t("compare.pick"), key="cmp_pick", disabled=not distinct):
        actions.forget(group_view.FT_KEY)  # the previous group's fine-tuning
        url_state.set_run_ids_param("pair", picked)


st.title(t("compare.title"))
st.caption(t("compare.caption"))
# the URL holds the pair's base config: the shared settings with this page's own size, time and steps
own = url_state.settings_from_url(PAIR, url_state.SETTINGS_IN_URL, {**url_state.settings_limits(), **PAIR_LIMITS})
if own is not None:  # opened from a link: it sets the shared settings too, and this page's widgets
    url_state.update_config(**{k: v for k, v in own.to_dict().items() if k not in OWN})
    for key in ("cmp_size", "cmp_seconds", "cmp_steps"):
        st.session_state.pop(key, None)
new, old = st.tabs([t("compare.tab.new"), t("compare.tab.old")])
with new:
    launch_pair(own or PAIR)
with old:
    pick_group()
widgets.share_link("compare")

ids = url_state.run_ids_param("pair")
if ids or actions.waiting("pair"):
    live.view(group_view.progress, ids, "pair")
    group = group_view.finished(url_state.run_ids_param("pair"))
    if group:
        found = group_view.judged(group)
        if set(group) == set(experiments.PAIR):
            pair_view.compared(group)
        group_view.finetuning(group, found)
else:
    st.info(t("compare.start"))
