"""Probe: ask a trained model to fill a blank or continue a text, see where it looks, watch it learn."""

import pandas as pd
import streamlit as st

from lab import charts, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import probe, runs
from selfsup_core.corpus import builtin_probes


@st.cache_data(max_entries=64, show_spinner=False)
def timeline(run_id: str, finished: float | None, text: str, answer: str | None) -> list[dict]:
    run = runs.load_run(run_id)
    return probe.timeline(run.checkpoints(), run.model_path, text, answer=answer)


PROMPT_END = "▍"  # drawn where the prompt ends and the model's continuation begins


def prompt_of(text: str) -> str:
    """An AR model's prompt for a probe: the text left of its blank."""
    return text.split("[MASK]")[0].strip()


st.title(t("probe.title"))
st.caption(t("probe.caption"))


def main() -> None:
    """The page below its title; returns early when there is no model to probe (st.stop would also end the
    sidebar, which app.py draws after the page)."""
    ready = [r.id for r in resources.all_runs() if (r.model_path / "model.safetensors").exists()]
    if not ready:
        st.info(t("probe.none"))
        st.page_link("lab/pages/train.py", label=t("probe.train_one"), icon="🏋️")
        return
    current = url_state.current_run()
    left, right = st.columns(2)
    run_id = left.selectbox(
        t("probe.model"),
        ready,
        index=ready.index(current) if current in ready else 0,
        format_func=widgets.run_label,
        key="probe_run",
        on_change=lambda: url_state.set_current_run(st.session_state["probe_run"]),
    )
    try:
        run = runs.load_run(run_id)
        model, tok, objective = resources.model(run.model_path, attention=True)
    except (ValueError, LookupError) as e:
        widgets.error(e)
        return

    examples = builtin_probes(run.config.get("corpus", ""))
    if objective == "ar":  # a GPT reads left to right: only a question its left side answers, shown as a prompt
        examples = [e for e in examples if not e.needs_right_context and prompt_of(e.text)]
    example = None
    if examples:
        if objective == "mlm":
            pick = right.selectbox(
                t("probe.example"),
                range(len(examples)),
                key="probe_example",
                format_func=lambda i: f"{examples[i].text}  →  {examples[i].answer}",
            )
        else:
            pick = right.selectbox(
                t("probe.example_ar"),
                range(len(examples)),
                key="probe_example_ar",
                format_func=lambda i: f"{prompt_of(examples[i].text)} …  →  {examples[i].answer}",
            )
        example = examples[pick]
    blank = example.text if example else ("the [MASK] sat on the mat ." if objective == "mlm" else "the")

    if objective == "mlm":
        st.markdown(t("probe.mlm_what"))
        sentence = st.text_input(
            t("probe.sentence"), blank if not example else example.filled(), key=f"probe_sentence_{blank}"
        )
        words = probe.split_words(sentence)
        hidden = [i for i, w in enumerate(probe.split_words(blank)) if w.upper() == "[MASK]"] if example else []
        hidden = st.pills(
            t("probe.hide"),
            range(len(words)),
            selection_mode="multi",
            format_func=words.__getitem__,
            key=f"probe_hide_{sentence}",
            default=hidden if sentence == (example.filled() if example else blank) else [],
        )
        text = probe.mask_words(sentence, hidden)
        st.code(text, language=None, wrap_lines=True)
    else:
        st.markdown(t("probe.ar_what"))
        text = st.text_input(t("probe.prompt"), prompt_of(blank), key=f"probe_prompt_{blank}")
    expected = example.answer if example and text in (example.text, prompt_of(example.text)) else None

    answers, looks, learns = st.tabs([t("probe.tab.guesses"), t("probe.tab.attention"), t("probe.tab.timeline")])
    with answers:
        try:
            if objective == "mlm":
                preds = probe.fill_mask(model, tok, text, top_k=5)
                for i, col in enumerate(st.columns(min(len(preds), 3))):
                    with col:
                        for j in range(i, len(preds), 3):
                            widgets.token_bars(preds[j].candidates, t("probe.blank", n=j + 1), expected)
            else:
                widgets.token_bars(probe.next_token(model, tok, text, top_k=5), t("probe.next_word"), expected)
                st.subheader(t("probe.write"))
                a, b, c, d = st.columns(4)
                greedy = a.toggle(t("probe.greedy"), help=t("probe.greedy_help"), key="probe_greedy")
                temperature = b.slider(
                    t("probe.temperature"), 0.1, 2.0, 1.0, 0.1, disabled=greedy, key="probe_temperature"
                )
                top_k = c.slider(t("probe.top_k"), 0, 50, 0, key="probe_topk", disabled=greedy)
                length = d.slider(t("probe.length"), 1, 60, 20, key="probe_length")
                seed = st.session_state.setdefault("probe_seed", 0)
                if st.button(t("probe.resample"), icon="🎲", disabled=greedy, key="probe_resample"):
                    seed = st.session_state["probe_seed"] = seed + 1
                more = probe.generate(model, tok, text, length, temperature, top_k, greedy, seed)
                st.code(text + PROMPT_END + more.text, language=None, wrap_lines=True)  # newlines kept
                st.caption(t("probe.prompt_end"))
                if more.ended:
                    st.info(t("probe.ended"), icon="🏁")
        except (ValueError, LookupError) as e:
            widgets.error(e)

    with looks:
        try:
            maps = probe.attention(model, tok, text)
            layers, heads = maps.weights.shape[:2]
            a, b = st.columns(2)
            layer = a.segmented_control(
                t("probe.layer"),
                range(layers),
                default=0,
                required=True,
                format_func=lambda i: f"{i + 1}",
                key=f"probe_layer_{layers}",
            )
            head = b.segmented_control(
                t("probe.head"),
                range(heads),
                default=0,
                required=True,
                format_func=lambda i: f"{i + 1}",
                key=f"probe_head_{heads}",
            )
            st.caption(t("probe.attention_help"))
            labels = [widgets.token_label(tk) for tk in maps.tokens]
            widgets.chart(charts.heatmap(maps.weights[layer, head], labels, height=max(420, 34 * len(labels))))
        except (ValueError, LookupError) as e:
            widgets.error(e)

    with learns:
        what = t("probe.first_blank") if objective == "mlm" else t("probe.the_next_word")
        st.caption(t("probe.timeline_help", what=what))
        try:
            with st.spinner(t("probe.asking")):
                rows = timeline(run_id, run.summary.get("finished"), text, expected)
            answer = rows[0]["answer"]
            names = {tk: widgets.token_label(tk) for tk in rows[0]["probs"]}
            if answer in names:
                names[answer] = t("probe.true_answer", answer=names[answer])
            series = {names[tk]: [r["probs"][tk] for r in rows] for tk in rows[0]["probs"]}
            widgets.chart(charts.probability_lines([r["step"] for r in rows], series))
            step, top, probability = t("probe.col.step"), t("probe.col.top"), t("probe.col.probability")
            table = pd.DataFrame(
                {
                    step: [r["step"] for r in rows],
                    top: [widgets.token_label(r["top1"]) for r in rows],
                    probability: [r["top1_prob"] for r in rows],
                }
            )
            st.dataframe(
                table, hide_index=True, column_config={probability: st.column_config.NumberColumn(format="percent")}
            )
        except (ValueError, LookupError) as e:
            widgets.error(e)


main()
