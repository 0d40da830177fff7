"""A finished MLM/AR pair compared (the Compare page's lower half, below the group's figures and verdict): one tab
each for the scoreboard, the same blanks, one sentence, what each model sees, and what each writes."""

from __future__ import annotations

import streamlit as st

from lab import charts, measures, resources, tables, widgets
from lab.i18n import t
from selfsup_core import experiments, probe, runs
from selfsup_core.corpus import builtin_probes

OBJECTIVES = ("mlm", "ar")
# how experiments.answer_blank answers, in the order of its answers: MLM fills; AR tries the candidates,
# then (blank at the end) predicts the next word
ANSWERS = {"mlm": ("fill",), "ar": ("candidates", "next")}


def name(objective: str) -> str:
    """A model's name in the session's language ("MLM (BERT-style)"); looked up on each call, as this module
    is imported once for every session."""
    return t(f"compare.name.{objective}")


def scoreboard(pair: dict, stamp: dict, probes: list, words: list[str]) -> None:
    """Tab: both models on the corpus's questions, split by whether a question needs the words on the right."""
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


def same_blanks(pair: dict, stamp: dict) -> None:
    """Tab: both models on the same held-out blanks, with what is comparable first."""
    st.caption(t("compare.blanks_help"))
    metrics = {name(o): measures.comparable_metrics(pair[o].id, stamp[o]) for o in OBJECTIVES}
    st.dataframe(tables.comparison(metrics), height="content")


def one_sentence(loaded: dict, probes: list, words: list[str], middle) -> None:
    """Tab: one sentence with a blank in the middle, one with a blank at the end: how each model answers."""
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
    """Tab: which tokens each model may look at (causal vs bidirectional), then where one head does look."""
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
    layer = widgets.numbered(t("compare.layer"), layers, "cmp_layer", a)
    head = widgets.numbered(t("compare.head"), heads, "cmp_head", b)
    st.caption(t("compare.where"))
    for col, o in zip(st.columns(2), OBJECTIVES, strict=True):
        with col:
            fig = charts.heatmap(maps[o].weights[layer, head], maps[o].tokens, name(o), height=460)
            widgets.chart(fig, key=f"cmp_attention_{o}")


def generation(loaded: dict, probes: list) -> None:
    """Tab: GPT continues a prompt; BERT fills blanks after it one at a time."""
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


def compared(pair: dict[str, runs.RunInfo]) -> None:
    """The two finished runs (by objective: mlm, ar) side by side: scoreboard, same blanks, one sentence, attention,
    generation."""
    if not experiments.same_held_out(pair["mlm"].config, pair["ar"].config):
        st.warning(t("compare.different_text"))
    loaded = {o: resources.model(r.model_path, attention=True)[:2] for o, r in pair.items()}
    stamp = {o: r.summary.get("finished") for o, r in pair.items()}
    probes = builtin_probes(pair["mlm"].config["corpus"])
    words = experiments.candidate_words(pair["mlm"].config["corpus"]) or ["cat", "dog"]
    middle = next((p for p in probes if p.needs_right_context and not p.text.startswith("[MASK]")), None)
    board, blanks, sentence, looks, writes = st.tabs(
        [t(f"compare.tab.{k}") for k in ("board", "blanks", "sentence", "looks", "writes")]
    )
    with board:
        scoreboard(pair, stamp, probes, words)
    with blanks:
        same_blanks(pair, stamp)
    with sentence:
        one_sentence(loaded, probes, words, middle)
    with looks:
        who_sees_what(loaded, middle)
    with writes:
        generation(loaded, probes)
