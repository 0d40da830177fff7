"""MLM vs AR: a matched pair (same text, size, time and seed), then the same questions put to both."""

import pandas as pd
import streamlit as st

import ui
from selfsup_core import charts, experiments, models, probe, runs
from selfsup_core.config import TrainConfig
from selfsup_core.corpus import builtin_probes

NAMES = {"mlm": "MLM (BERT-style)", "ar": "AR (GPT-style)"}
HONEST = ("**Why not just compare the losses?** They answer different questions: MLM's loss is averaged over the "
          "masked tokens only, each guessed from both sides; AR's over every next token, guessed from the left only. "
          "The fair test is in the tab *Same blanks*: the same held-out tokens, hidden one at a time from both models "
          "trained for the same time.")  # fmt: skip
PAIR = TrainConfig(size="mini", time_budget_s=30.0, steps=20_000)  # the pair's own defaults; the rest is shared
OWN = ("size", "time_budget_s", "steps")  # set here for the pair only, not in the shared settings
PAIR_LIMITS = {"time_budget_s": (5, 600), "steps": (1, 20_000)}

st.title("MLM vs AR")
st.caption("Two models that differ in one thing only, the objective: same text, tokenizer, size, time and seed.")
# the URL holds the pair's base config: the shared settings with this page's own size, time and steps
own = ui.settings_from_url(PAIR, ui.SETTINGS_IN_URL, {**ui.settings_limits(), **PAIR_LIMITS})
if own is not None:  # opened from a link: it sets the shared settings too, and this page's widgets
    ui.update_config(**{k: v for k, v in own.to_dict().items() if k not in OWN})
    for key in ("cmp_size", "cmp_seconds", "cmp_steps"):
        st.session_state.pop(key, None)
own = own or PAIR
base = ui.config()
new, old = st.tabs(["Launch a matched pair", "Pick two finished runs"])
with new:
    a, b, c = st.columns(3)
    size = a.segmented_control("Model size", models.available_sizes(), default=own.size, required=True,
                               key="cmp_size")  # fmt: skip
    seconds = b.number_input("Seconds per run", *PAIR_LIMITS["time_budget_s"], int(own.time_budget_s or 30), 5,
                             key="cmp_seconds")  # fmt: skip
    steps = c.number_input("…or stop after steps", *PAIR_LIMITS["steps"], own.steps, 50, key="cmp_steps",
                           help="Each run stops at its time budget or after this many steps, whichever comes first.")  # fmt: skip
    try:
        chosen = base.replace(size=size, time_budget_s=float(seconds), steps=int(steps))
        ui.settings_to_url(chosen, PAIR, ui.SETTINGS_IN_URL)
        pair = experiments.matched_pair(chosen)
        total = experiments.estimated_seconds(pair, ui.jobs().max_concurrent)
        st.caption(f"Corpus **{base.corpus}** · tokenizer **{base.tokenizer}** · masking {base.masking.rate:.0%} "
                   f"{base.masking.strategy} · both runs done in about **{total:.0f} s** at most.")  # fmt: skip
        if st.button("Launch MLM + AR", type="primary", icon="🚀", key="cmp_launch"):
            ui.launch("pair", list(pair))
    except ValueError as e:
        ui.error(e)
with old:
    done = [r for r in runs.list_runs() if r.kind == "train" and (r.model_path / "model.safetensors").exists()]
    by = {o: [r.id for r in done if r.config.get("objective") == o] for o in NAMES}
    if by["mlm"] and by["ar"]:
        a, b = st.columns(2)
        picked = [a.selectbox("MLM run", by["mlm"], format_func=ui.run_label, key="cmp_pick_mlm"),
                  b.selectbox("AR run", by["ar"], format_func=ui.run_label, key="cmp_pick_ar")]  # fmt: skip
        if st.button("Compare these two", key="cmp_pick"):
            ui.set_run_ids_param("pair", picked)
    else:
        st.info("This needs one finished MLM run and one finished AR run.")
ui.share_link("compare")

ids = ui.run_ids_param("pair")
if not ids and not ui.waiting("pair"):
    st.info("Launch a matched pair above (or pick two finished runs) to see them compared.")
    st.stop()


@st.fragment(run_every=1.0 if ui.live("pair", ids) else None)
def progress(was_live: bool) -> None:
    ids = ui.launch_pending("pair")
    if was_live and not ui.live("pair", ids):
        st.rerun()  # both done: redraw the page without the timer, with the comparisons
    curves = [(NAMES[runs.load_run(i).config["objective"]], runs.load_run(i).metrics()) for i in ids]
    ui.run_status(ids, [name for name, _ in curves])
    left, right = st.columns(2)
    left.plotly_chart(charts.loss_curves(curves, x="elapsed_s"), key="cmp_loss")
    right.plotly_chart(charts.loss_curves(curves, x="elapsed_s", metric="accuracy"), key="cmp_accuracy")
    st.markdown(HONEST)


progress(ui.live("pair", ids))
pair = {runs.load_run(i).config["objective"]: runs.load_run(i) for i in ids}
if ui.live("pair", ids) or set(pair) != set(NAMES) or any(r.status != "completed" for r in pair.values()):
    st.stop()
if not experiments.same_held_out(pair["mlm"].config, pair["ar"].config):
    st.warning("These two runs hold out different text (corpus, tokenizer, seed…): their blanks are not the same.")
loaded = {o: ui.model(r.model_path, attention=True)[:2] for o, r in pair.items()}
stamp = {o: r.summary.get("finished") for o, r in pair.items()}
probes = builtin_probes(pair["mlm"].config["corpus"])
words = experiments.candidate_words(pair["mlm"].config["corpus"]) or ["cat", "dog"]
middle = next((p for p in probes if p.needs_right_context and not p.text.startswith("[MASK]")), None)

board, blanks, sentence, looks, writes = st.tabs(["Scoreboard", "Same blanks", "One sentence, both models",
                                                  "Who sees what", "Generation"])  # fmt: skip
with board:
    if not probes:
        st.info("An uploaded corpus has no ground-truth questions; train on a built-in corpus for the scoreboard.")
    else:
        st.caption(f"The corpus's questions with known answers. MLM fills the blank from both sides (its top token "
                   f"of the whole vocabulary). AR cannot see right of a middle blank, so it tries each of {len(words)} "
                   "candidates (every question's answer plus words of the same kind: all capitals, all weekdays…) "
                   "and keeps the sentence it finds most likely.")  # fmt: skip
        same = st.toggle("MLM also picks from the same candidates", key="cmp_mlm_candidates")
        rows = {o.upper(): ui.scoreboard(pair[o].id, stamp[o], same and o == "mlm") for o in NAMES}
        summary = {NAMES[o.lower()]: experiments.scoreboard_summary(r) for o, r in rows.items()}
        series = {f"{name}: {s[2]['right']}/{s[2]['total']} right": [g["accuracy"] for g in s[:2]]
                  for name, s in summary.items()}  # fmt: skip
        groups = [f"{g['probes']} ({g['total']})" for g in summary[NAMES["mlm"]][:2]]
        st.plotly_chart(charts.grouped_bars(groups, series, y_title="questions answered right"), key="cmp_board")
        st.dataframe(experiments.scoreboard_table(rows), hide_index=True, height="content")
with blanks:
    st.caption("Held-out tokens the models never trained on, hidden one at a time: MLM sees both sides of the blank, "
               "AR the tokens before it; both pick from the whole vocabulary.")  # fmt: skip
    metrics = {NAMES[o]: ui.comparable_metrics(pair[o].id, stamp[o]) for o in NAMES}
    st.dataframe(pd.DataFrame(experiments.comparison_table(metrics)), height="content")
with sentence:
    texts = [p.text for p in probes] or ["the [MASK] sat on the mat ."]
    ends = [t for t in texts if experiments.blank_at_end(t)] or texts
    answers = {p.text: p.answer for p in probes}
    for n, (label, options) in enumerate([("A blank in the middle", texts), ("A blank at the end", ends)]):
        text = st.selectbox(label, options, index=options.index(middle.text) if middle and n == 0 else 0,
                            key=f"cmp_sentence_{n}")  # fmt: skip
        for col, o in zip(st.columns(2), NAMES, strict=True):
            col.markdown(f"**{NAMES[o]}**")
            for i, ans in enumerate(experiments.answer_blank(*loaded[o], text, words)):
                col.caption(ans.method)
                fig = charts.bars(*zip(*ans.options, strict=True), highlight=answers.get(text), height=260)
                col.plotly_chart(fig, key=f"cmp_bars_{n}_{o}_{i}")
with looks:
    text = st.text_input("Sentence", middle.filled() if middle else "the cat sat on the mat .", key="cmp_attn")
    try:
        maps = {o: probe.attention(*loaded[o], text) for o in NAMES}
        causal, full = probe.causal_vs_bidirectional_masks(len(maps["ar"].tokens))
        st.caption("Which tokens each token may look at (row: the token looking; column: the token looked at). "
                   "This mask is the one architectural difference between the two models.")  # fmt: skip
        for col, (mask, title) in zip(
            st.columns(2), [(full, "MLM: bidirectional"), (causal, "AR: causal")], strict=True
        ):
            col.plotly_chart(charts.heatmap(mask, maps["ar"].tokens, title, height=460), key=f"cmp_mask_{title}")
        layers, heads = maps["mlm"].weights.shape[:2]
        a, b = st.columns(2)
        layer = a.segmented_control("Layer", range(layers), default=0, required=True, format_func=lambda i: f"{i + 1}")
        head = b.segmented_control("Head", range(heads), default=0, required=True, format_func=lambda i: f"{i + 1}")
        st.caption("Where the trained models really look, in this layer and head (each row adds up to 1).")
        for col, o in zip(st.columns(2), NAMES, strict=True):
            fig = charts.heatmap(maps[o].weights[layer, head], maps[o].tokens, NAMES[o], height=460)
            col.plotly_chart(fig, key=f"cmp_attention_{o}")
    except ValueError as e:
        ui.error(e)
with writes:
    a, b = st.columns([3, 1])
    prompt = a.text_input("Prompt", probes[0].text.split("[MASK]")[0].strip() if probes else "the", key="cmp_prompt")
    n = int(b.number_input("New tokens", 1, 30, 8, key="cmp_new_tokens"))
    left, right = st.columns(2)
    try:
        left.markdown(f"**{NAMES['ar']}** generates: the next token, again and again (greedy), as it was trained to.")
        left.code(prompt + probe.generate(*loaded["ar"], prompt, n, greedy=True), language=None, wrap_lines=True)
        filled = experiments.iterative_fill(*loaded["mlm"], prompt, n)
        right.markdown(f"**{NAMES['mlm']}**, iterative mask-filling: {n} [MASK]s appended, then filled one at a "
                       "time, left to right. BERT was never trained to write; this is a stunt, not generation.")  # fmt: skip
        right.code(filled.text, language=None, wrap_lines=True)
        right.expander("Step by step").code("\n".join(filled.steps), language=None)
    except ValueError as e:
        ui.error(e)
