"""MLM vs AR: a matched pair (same text, size, time and seed), then the same questions put to both."""

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, measures, resources, tables, url_state, widgets
from lab.i18n import t
from selfsup_core import experiments, models, probe, runs
from selfsup_core.config import COMPARE_BUDGET, TrainConfig
from selfsup_core.corpus import builtin_probes

OBJECTIVES = ("mlm", "ar")
# the pair's own defaults (config.COMPARE_BUDGET: where both models have learned enough to compare); the rest is shared
PAIR = TrainConfig(size=COMPARE_BUDGET.size, time_budget_s=COMPARE_BUDGET.seconds, steps=20_000)
OWN = ("size", "time_budget_s", "steps")  # set here for the pair only, not in the shared settings
PAIR_LIMITS = {"time_budget_s": (5, 600), "steps": (1, 20_000)}
# how experiments.answer_blank answers, in the order of its answers: MLM fills; AR tries the candidates,
# then (blank at the end) predicts the next word
ANSWERS = {"mlm": ("fill",), "ar": ("candidates", "next")}
name = i18n.labels("compare.name.")


def launch_pair(own: TrainConfig) -> None:
    """The tab that launches a matched pair: this page's size, time and steps on the shared settings."""
    base = url_state.config()
    a, b, c = st.columns(3)
    size = a.segmented_control(
        t("compare.size"), models.available_sizes(), default=own.size, required=True, key="cmp_size"
    )
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
        pair = experiments.matched_pair(chosen)
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
        if st.button(t("compare.launch"), type="primary", icon="🚀", key="cmp_launch"):
            actions.launch("pair", list(pair))
    except ValueError as e:
        widgets.error(e)


def pick_pair() -> None:
    """The tab that pairs two finished runs, one of each objective."""
    done = [r for r in resources.all_runs() if r.kind == "train" and (r.model_path / "model.safetensors").exists()]
    by = {o: [r.id for r in done if r.config.get("objective") == o] for o in OBJECTIVES}
    if not (by["mlm"] and by["ar"]):
        st.info(t("compare.needs_two"))
        return
    a, b = st.columns(2)
    picked = [
        a.selectbox(t("compare.mlm_run"), by["mlm"], format_func=widgets.run_label, key="cmp_pick_mlm"),
        b.selectbox(t("compare.ar_run"), by["ar"], format_func=widgets.run_label, key="cmp_pick_ar"),
    ]
    if st.button(t("compare.pick"), key="cmp_pick"):
        url_state.set_run_ids_param("pair", picked)


def progress(ids: list[str], drawn: str | None) -> None:
    """The pair's status and live curves (a live view, see lab.live)."""
    curves = [(name(runs.load_run(i).config["objective"]), runs.load_run(i).metrics()) for i in ids]
    widgets.run_status(ids, [label for label, _ in curves])
    left, right = st.columns(2)
    with left:
        widgets.chart(charts.loss_curves(curves, x="elapsed_s"), key="cmp_loss")
    with right:
        widgets.chart(charts.loss_curves(curves, x="elapsed_s", metric="accuracy"), key="cmp_accuracy")
    st.markdown(t("compare.honest"))


def scoreboard(pair: dict, stamp: dict, probes: list, words: list[str]) -> None:
    if not probes:
        st.info(t("compare.no_probes"))
        return
    st.caption(t("compare.board_help", n=len(words)))
    same = st.toggle(t("compare.same_candidates"), key="cmp_mlm_candidates")
    rows = {o.upper(): measures.scoreboard(pair[o].id, stamp[o], same and o == "mlm") for o in OBJECTIVES}
    summary = {name(o.lower()): experiments.scoreboard_summary(r) for o, r in rows.items()}
    series = {
        t("compare.series", name=n, right=s[2]["right"], total=s[2]["total"]): [g["accuracy"] for g in s[:2]]
        for n, s in summary.items()
    }
    groups = [
        t(f"compare.group.{g}", total=s["total"])
        for g, s in zip(("right", "left"), summary[name("mlm")][:2], strict=True)
    ]
    widgets.chart(charts.grouped_bars(groups, series, y_title=t("compare.answered")), key="cmp_board")
    st.dataframe(tables.scoreboard(experiments.scoreboard_table(rows)), hide_index=True, height="content")


def one_sentence(loaded: dict, probes: list, words: list[str], middle) -> None:
    texts = [p.text for p in probes] or ["the [MASK] sat on the mat ."]
    ends = [s for s in texts if experiments.blank_at_end(s)] or texts
    answers = {p.text: p.answer for p in probes}
    for n, (label, options) in enumerate([(t("compare.blank_middle"), texts), (t("compare.blank_end"), ends)]):
        text = st.selectbox(
            label, options, index=options.index(middle.text) if middle and n == 0 else 0, key=f"cmp_sentence_{n}"
        )
        for col, o in zip(st.columns(2), OBJECTIVES, strict=True):
            col.markdown(f"**{name(o)}**")
            for i, ans in enumerate(experiments.answer_blank(*loaded[o], text, words)):
                col.caption(t(f"compare.answer.{ANSWERS[o][i]}", n=len(dict.fromkeys(words))))
                with col:
                    widgets.chart(
                        charts.bars(*zip(*ans.options, strict=True), highlight=answers.get(text), height=260),
                        key=f"cmp_bars_{n}_{o}_{i}",
                    )


def who_sees_what(loaded: dict, middle) -> None:
    text = st.text_input(
        t("compare.sentence"), middle.filled() if middle else "the cat sat on the mat .", key="cmp_attn"
    )
    try:
        maps = {o: probe.attention(*loaded[o], text) for o in OBJECTIVES}
    except ValueError as e:
        return widgets.error(e)
    causal, full = probe.causal_vs_bidirectional_masks(len(maps["ar"].tokens))
    st.caption(t("compare.masks_help"))
    for col, (o, mask) in zip(st.columns(2), [("mlm", full), ("ar", causal)], strict=True):
        with col:
            widgets.chart(
                charts.heatmap(mask, maps["ar"].tokens, t(f"compare.mask.{o}"), height=460), key=f"cmp_mask_{o}"
            )
    layers, heads = maps["mlm"].weights.shape[:2]
    a, b = st.columns(2)
    layer = a.segmented_control(
        t("compare.layer"), range(layers), default=0, required=True, format_func=lambda i: f"{i + 1}", key="cmp_layer"
    )
    head = b.segmented_control(
        t("compare.head"), range(heads), default=0, required=True, format_func=lambda i: f"{i + 1}", key="cmp_head"
    )
    st.caption(t("compare.where"))
    for col, o in zip(st.columns(2), OBJECTIVES, strict=True):
        with col:
            fig = charts.heatmap(maps[o].weights[layer, head], maps[o].tokens, name(o), height=460)
            widgets.chart(fig, key=f"cmp_attention_{o}")


def generation(loaded: dict, probes: list) -> None:
    a, b = st.columns([3, 1])
    start = probes[0].text.split("[MASK]")[0].strip() if probes else "the"
    prompt = a.text_input(t("compare.prompt"), start, key="cmp_prompt")
    n = int(b.number_input(t("compare.new_tokens"), 1, 30, 8, key="cmp_new_tokens"))
    left, right = st.columns(2)
    try:
        left.markdown(t("compare.ar_writes", name=name("ar")))
        left.code(prompt + probe.generate(*loaded["ar"], prompt, n, greedy=True).text, language=None, wrap_lines=True)
        filled = experiments.iterative_fill(*loaded["mlm"], prompt, n)
        right.markdown(t("compare.mlm_writes", name=name("mlm"), n=n))
        right.code(filled.text, language=None, wrap_lines=True)
        right.expander(t("compare.step_by_step")).code("\n".join(filled.steps), language=None)
    except ValueError as e:
        widgets.error(e)


def judged(pair: dict) -> None:
    """Next to the result: each model's same-blanks accuracy, the guessing baseline, the facts it knows, its steps
    and seconds; then what they support (too early, no real difference, or who is ahead)."""
    found = {o: measures.run_results(pair[o].id) for o in OBJECTIVES}
    rows = [
        {
            "model": name(o),
            "blank_accuracy": m["blank_accuracy"],
            "baseline_accuracy": m["baseline_accuracy"],
            "facts": t("compare.facts", known=m["facts"]["known"], asked=m["facts"]["asked"], share=m["facts"]["share"])
            if m["facts"]
            else "—",
            "steps": m["steps"],
            "seconds": m["elapsed_s"],
        }
        for o, m in found.items()
    ]
    label = {
        "model": t("compare.col.model"),
        "blank_accuracy": t("compare.col.blank_accuracy"),
        "baseline_accuracy": t("compare.col.baseline"),
        "facts": t("compare.col.facts"),
        "steps": t("compare.row.steps"),
        "seconds": t("compare.col.time"),
    }
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        pd.DataFrame(rows).rename(columns=label),
        hide_index=True,
        column_config={
            label["blank_accuracy"]: percent,
            label["baseline_accuracy"]: st.column_config.NumberColumn(
                format="percent", help=t("compare.col.baseline_help")
            ),
            label["seconds"]: st.column_config.NumberColumn(format="%.0f s"),
        },
    )
    widgets.verdict(experiments.judge_runs({name(o): [m] for o, m in found.items()}), t("verdict.both"))


def compared(ids: list[str]) -> None:
    """The two finished runs side by side: scoreboard, same blanks, one sentence, attention, generation."""
    pair = {runs.load_run(i).config["objective"]: runs.load_run(i) for i in ids}
    if live.phase(ids, "pair") or set(pair) != set(OBJECTIVES) or any(r.status != "completed" for r in pair.values()):
        return
    if not experiments.same_held_out(pair["mlm"].config, pair["ar"].config):
        st.warning(t("compare.different_text"))
    loaded = {o: resources.model(r.model_path, attention=True)[:2] for o, r in pair.items()}
    stamp = {o: r.summary.get("finished") for o, r in pair.items()}
    probes = builtin_probes(pair["mlm"].config["corpus"])
    words = experiments.candidate_words(pair["mlm"].config["corpus"]) or ["cat", "dog"]
    middle = next((p for p in probes if p.needs_right_context and not p.text.startswith("[MASK]")), None)
    judged(pair)
    board, blanks, sentence, looks, writes = st.tabs(
        [t(f"compare.tab.{k}") for k in ("board", "blanks", "sentence", "looks", "writes")]
    )
    with board:
        scoreboard(pair, stamp, probes, words)
    with blanks:
        st.caption(t("compare.blanks_help"))
        metrics = {name(o): measures.comparable_metrics(pair[o].id, stamp[o]) for o in OBJECTIVES}
        st.dataframe(tables.comparison(metrics), height="content")
    with sentence:
        one_sentence(loaded, probes, words, middle)
    with looks:
        who_sees_what(loaded, middle)
    with writes:
        generation(loaded, probes)


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
    pick_pair()
widgets.share_link("compare")

ids = url_state.run_ids_param("pair")
if ids or actions.waiting("pair"):
    live.view(progress, ids, "pair")
    compared(url_state.run_ids_param("pair"))
else:
    st.info(t("compare.start"))
