"""Probe: ask a trained model to fill a blank or continue a text, see where it looks, watch it learn."""

import pandas as pd
import streamlit as st

from lab import charts, measures, run_picker, timing, widgets
from lab.i18n import t
from selfsup_core import probe, runs
from selfsup_core.corpus import builtin_probes

PROMPT_END = "▍"  # drawn where the prompt ends and the model's continuation begins


def prompt_of(text: str) -> str:
    """An AR model's prompt for a probe: the text left of its blank."""
    return text.split("[MASK]")[0].strip()


def pick_example(examples: list, objective: str, where):
    """One of the corpus's questions; an AR model is shown each as the prompt left of its blank."""
    if not examples:
        return None
    ar = objective == "ar"
    label, key = (t("probe.example_ar"), "probe_example_ar") if ar else (t("probe.example"), "probe_example")
    asked = (lambda e: f"{prompt_of(e.text)} …") if ar else (lambda e: e.text)
    shown = lambda i: f"{asked(examples[i])}  →  {examples[i].answer}"  # noqa: E731
    pick = where.selectbox(label, range(len(examples)), key=key, format_func=shown)
    return examples[pick]


def question(objective: str, example) -> tuple[str, str | None]:
    """The text to ask (a sentence with words hidden for MLM, a prompt for AR) and its answer, when known."""
    blank = example.text if example else ("the [MASK] sat on the mat ." if objective == "mlm" else "the")
    if objective == "ar":
        st.markdown(t("probe.ar_what"))
        text = st.text_input(t("probe.prompt"), prompt_of(blank), key=f"probe_prompt_{blank}")
    else:
        st.markdown(t("probe.mlm_what"))
        start = example.filled() if example else blank
        sentence = st.text_input(t("probe.sentence"), start, key=f"probe_sentence_{blank}")
        words = probe.split_words(sentence)
        hidden = [i for i, w in enumerate(probe.split_words(blank)) if w.upper() == "[MASK]"] if example else []
        default = hidden if sentence == start else []
        key, label = f"probe_hide_{sentence}", words.__getitem__
        hidden = st.pills(
            t("probe.hide"), range(len(words)), selection_mode="multi", format_func=label, key=key, default=default
        )
        text = probe.mask_words(sentence, hidden)
        st.code(text, language=None, wrap_lines=True)
    return text, example.answer if example and text in (example.text, prompt_of(example.text)) else None


def answer_rank(path, text: str, expected: str | None, top: list) -> None:
    """When the known answer is not among the `top` guesses drawn: where it stands among all the tokens."""
    if not expected or any(c.token.strip() == expected.strip() for c in top):
        return
    rank = measures.ask(path, "answer_rank", text, expected)
    if rank is not None:
        st.markdown(t("probe.answer_rank", answer=expected, rank=rank.rank, prob=rank.prob, n=rank.vocabulary))


def guesses(path, objective: str, text: str, expected: str | None) -> None:
    """Tab: the top guesses for each blank (MLM), what the decoder writes in each gap (T5), how likely each word
    was replaced (ELECTRA), or the next word and a continuation (AR); where the answer stands when it is not
    among the guesses."""
    if objective == "t5":
        st.caption(t("probe.t5_what"))
        for fill in measures.ask(path, "fill_spans", text):
            st.code(f"{fill.sentinel} → {fill.text}", language=None, wrap_lines=True)
        return
    if objective == "electra":
        words = measures.ask(path, "replaced_probabilities", text)
        labels = [f"{i + 1}. {widgets.token_label(w.token)}" for i, w in enumerate(words)]  # a word may repeat
        widgets.chart(charts.bars(labels, [w.prob for w in words], title=t("probe.replaced")))
        st.caption(t("probe.electra_what"))
        return
    if objective == "mlm":
        preds = measures.ask(path, "fill_mask", text, 5)
        for i, col in enumerate(st.columns(min(len(preds), 3))):
            with col:
                for j in range(i, len(preds), 3):
                    widgets.token_bars(preds[j].candidates, t("probe.blank", n=j + 1), expected)
        if len(preds) == 1:  # the answer of a question with one blank
            answer_rank(path, text, expected, preds[0].candidates)
        return
    top = measures.ask(path, "next_token", text, 5)
    widgets.token_bars(top, t("probe.next_word"), expected)
    answer_rank(path, text, expected, top)
    st.subheader(t("probe.write"))
    a, b, c, d = st.columns(4)
    greedy = a.toggle(t("probe.greedy"), help=t("probe.greedy_help"), key="probe_greedy")
    temperature = b.slider(t("probe.temperature"), 0.1, 2.0, 1.0, 0.1, disabled=greedy, key="probe_temperature")
    top_k = c.slider(t("probe.top_k"), 0, 50, 0, key="probe_topk", disabled=greedy)
    length = d.slider(t("probe.length"), 1, 60, 20, key="probe_length")
    seed = st.session_state.setdefault("probe_seed", 0)
    if st.button(t("probe.resample"), icon=":material/casino:", disabled=greedy, key="probe_resample"):
        seed = st.session_state["probe_seed"] = seed + 1
    more = measures.ask(path, "generate", text, length, temperature, top_k, greedy, seed)
    st.code(text + PROMPT_END + more.text, language=None, wrap_lines=True)  # newlines kept
    st.caption(t("probe.prompt_end"))
    if more.ended:
        st.info(t("probe.ended"), icon=":material/flag:")


def attention(path, text: str) -> None:
    """Tab: one head's attention weights, token by token, titled with who attends to whom."""
    maps = measures.ask(path, "attention", text)
    layers, heads = maps.weights.shape[:2]
    a, b = st.columns(2)
    layer = widgets.numbered(t("probe.layer"), layers, f"probe_layer_{layers}", a)
    head = widgets.numbered(t("probe.head"), heads, f"probe_head_{heads}", b)
    st.caption(t("probe.attention_help"))
    labels = [widgets.token_label(tk) for tk in maps.tokens]
    title = t("probe.attention_title", layer=layer + 1, head=head + 1)
    widgets.chart(charts.heatmap(maps.weights[layer, head], labels, title=title, height=max(460, 34 * len(labels))))


def learning(run: runs.RunInfo, objective: str, text: str, expected: str | None) -> None:
    """Tab: the same question put to every checkpoint of the run: how the answer's probability grew."""
    what = t("probe.first_blank") if objective == "mlm" else t("probe.the_next_word")
    st.caption(t("probe.timeline_help", what=what))
    with st.spinner(t("probe.asking")):
        rows = measures.timeline(run.id, run.summary.get("finished"), text, expected)
    answer = rows[0]["answer"]
    names = {tk: widgets.token_label(tk) for tk in rows[0]["probs"]}
    if answer in names:
        names[answer] = t("probe.true_answer", answer=names[answer])
    series = {names[tk]: [r["probs"][tk] for r in rows] for tk in rows[0]["probs"]}
    widgets.chart(charts.probability_lines([r["step"] for r in rows], series))
    step, top, probability = t("probe.col.step"), t("probe.col.top"), t("probe.col.probability")
    table = {step: [r["step"] for r in rows], top: [widgets.token_label(r["top1"]) for r in rows],
             probability: [r["top1_prob"] for r in rows]}  # fmt: skip
    percent = {probability: st.column_config.NumberColumn(format="percent")}
    st.dataframe(pd.DataFrame(table), hide_index=True, column_config=percent)


def main() -> None:
    """The page below its title, in a fragment: typing a sentence, hiding a word or picking a tab reruns only
    this, not the frame around it. Returns early when there is no model to probe (st.stop would also end the
    sidebar, which app.py draws after the page)."""
    with timing.timed("fragment:probe"):
        left, right = st.columns(2)
        run_id = run_picker.ready_run(t("probe.model"), "probe_run", left)
        if run_id is None:
            st.info(t("probe.none"))
            st.page_link("lab/pages/train.py", label=t("probe.train_one"), icon=":material/fitness_center:")
            return
        try:
            run = runs.load_run(run_id)
            path, objective = run.model_path, run.config["objective"]
        except (ValueError, LookupError) as e:
            return widgets.error(e)
        examples = builtin_probes(run.config.get("corpus", ""))
        if objective == "ar":  # a GPT reads left to right: only a question its left side answers, shown as a prompt
            examples = [e for e in examples if not e.needs_right_context and prompt_of(e.text)]
        text, expected = question(objective, pick_example(examples, objective, right))
        # only the open tab is drawn (on_change="rerun" makes .open known): one figure per rerun, not three
        names = [t("probe.tab.guesses"), t("probe.tab.attention"), t("probe.tab.timeline")]
        answers, looks, learns = st.tabs(names, key="probe_tab", on_change="rerun")
        for tab, draw, args in (
            (answers, guesses, (path, objective, text, expected)),
            (looks, attention, (path, text)),
            (learns, learning, (run, objective, text, expected)),
        ):
            if tab.open:
                with tab:
                    shown(draw, *args)


def shown(tab, *args) -> None:
    """Draw a tab; a core error (a text the tokenizer cannot read, a run without checkpoints) is shown in it."""
    try:
        tab(*args)
    except (ValueError, LookupError) as e:
        widgets.error(e)


st.title(t("probe.title"))
st.caption(t("probe.caption"))
st.fragment(main)()
