"""Inside the model: at which layer the answer appears (logit lens), the words' embeddings as a map, checkpoint
by checkpoint, and BERT writing by unmasking beside GPT writing left to right."""

import streamlit as st

from lab import charts, i18n, resources, run_picker, widgets
from lab.i18n import t
from selfsup_core import runs
from selfsup_core.corpus import builtin_categories, builtin_probes
from selfsup_core.embedding_map import embedding_map, frequent_words
from selfsup_core.lens import logit_lens
from selfsup_core.masking import Fate
from selfsup_core.tokenization import MASK_TOKEN
from selfsup_core.unmasking import write

PLAY_S = 0.8  # seconds between two steps while the writing plays
SHOWN_SKIPPED = 12  # words named in the "not drawn" note


def model_at(run: runs.RunInfo, step: int):
    """(model, tokenizer, objective) of the run at a checkpoint's step (cached, see `resources.model`)."""
    folder = dict(run.checkpoints())[step]
    return resources.model(folder, tokenizer_path=None if folder == run.model_path else run.model_path)


def checkpoint(run: runs.RunInfo, key: str, slider: bool = False) -> int:
    """The step of the checkpoint picked (the final model first), from a select box or a slider."""
    steps = [s for s, _ in run.checkpoints()]
    if len(steps) < 2:
        return steps[0]
    name = lambda s: t("inside.step_final" if s == steps[-1] else "inside.step_n", n=s)  # noqa: E731
    if slider:
        return st.select_slider(t("inside.checkpoint"), steps, steps[-1], format_func=name, key=f"{key}_{run.id}")
    return st.selectbox(t("inside.checkpoint"), steps, len(steps) - 1, format_func=name, key=f"{key}_{run.id}")


def asked(run: runs.RunInfo, objective: str, where) -> tuple[str, str | None]:
    """A question of the corpus's world (MLM: its sentence with the blank; AR: the prompt left of the blank),
    as the student edits it, and its answer while the text is the question's own."""
    ar = objective == "ar"
    examples = [e for e in builtin_probes(run.config.get("corpus", "")) if not (ar and e.needs_right_context)]
    ask = (lambda e: e.text.split(MASK_TOKEN)[0].strip()) if ar else (lambda e: e.text)  # noqa: E731
    example = None
    if examples:
        shown = lambda e: f"{ask(e)}{' …' if ar else ''}  →  {e.answer}"  # noqa: E731
        example = where.selectbox(
            t(f"inside.example{'_ar' if ar else ''}"), examples, format_func=shown, key=f"inside_example_{run.id}"
        )
    start = ask(example) if example else ("the" if ar else "the [MASK] sat on the mat .")
    text = st.text_input(t("inside.prompt" if ar else "inside.sentence"), start, key=f"inside_text_{start}")
    return text, example.answer if example and text == start else None


def lens_tab(run: runs.RunInfo, objective: str) -> None:
    a, b = st.columns([1, 3])
    with a:
        step = checkpoint(run, "inside_lens_step")
    text, answer = asked(run, objective, b)
    model, tok, _ = model_at(run, step)
    lens = logit_lens(model, tok, text, top_k=5, answer=answer)
    last = lens.layers[-1].layer
    rows = [t("inside.embeddings")] + [t("inside.layer_n", n=g.layer) for g in lens.layers[1:-1]]
    rows.append(t("inside.layer_last", n=last))
    guesses = [[(widgets.token_label(c.token), c.prob) for c in g.candidates] for g in lens.layers]
    shown = widgets.token_label(lens.answer) if lens.answer else None
    st.markdown(t(f"inside.lens_{objective}"))
    widgets.chart(
        charts.lens_grid(rows, guesses, t("inside.guess_rank"), t("inside.layer"), shown, lens.answer_appears)
    )
    if shown and lens.answer_appears is not None:
        st.success(t("inside.appears", answer=shown, layer=rows[lens.answer_appears]), icon="🔦")
    elif shown:
        st.info(t("inside.not_yet", answer=shown, rank=lens.layers[-1].answer_rank), icon="⏳")
    st.caption(t("inside.lens_help"))


def category_name(category: str | None) -> str:
    return t(f"inside.cat.{category}") if f"inside.cat.{category}" in i18n.TEXT else str(category or "")


def map_tab(run: runs.RunInfo, objective: str) -> None:
    step = checkpoint(run, "inside_map_step", slider=True)
    model, tok, _ = model_at(run, step)
    spec = run.config.get("corpus", "")
    groups = builtin_categories(spec) or {
        None: frequent_words(tok, resources.corpus(spec, run.config.get("text_column")).documents)
    }
    found = embedding_map(model, tok, groups)
    x, y = (t("inside.pc", n=n, share=share) for n, share in enumerate(found.explained, 1))
    names = {c: category_name(c) for c in groups}
    labelled = [(widgets.token_label(p.token), p.category, p.x, p.y) for p in found.points]
    widgets.chart(charts.word_map(labelled, names, x, y))
    skipped = [w for words in found.skipped.values() for w in words]
    if None in groups:
        st.caption(t("inside.frequent", n=len(found.points)))
    elif skipped:
        more = " …" if len(skipped) > SHOWN_SKIPPED else ""
        st.caption(t("inside.skipped", n=len(skipped), words="、".join(skipped[:SHOWN_SKIPPED]) + more))
    st.caption(t("inside.map_help", hidden=model.config.hidden_size))


def writes_tab(run: runs.RunInfo, objective: str) -> None:
    st.caption(t("inside.writes_help"))
    other = "ar" if objective == "mlm" else "mlm"
    a, b, c = st.columns([3, 1, 3])
    examples = builtin_probes(run.config.get("corpus", ""))
    start = examples[0].text.split(MASK_TOKEN)[0].strip() if examples else "the"
    prompt = a.text_input(t("inside.prompt"), start, key="inside_prompt")
    n = b.number_input(t("inside.tokens"), 1, 24, 8, key="inside_tokens")
    writers = {objective: run.id}
    others = run_picker.ready_runs(other)
    if others:
        writers[other] = c.selectbox(t(f"inside.other.{other}"), others, format_func=widgets.run_label, key="in_other")
    writings = {}
    for kind in ("mlm", "ar"):
        if kind in writers:
            model, tok, _ = resources.model(runs.load_run(writers[kind]).model_path)
            writings[kind] = write(model, tok, prompt, int(n))
    if not others:
        c.info(t(f"inside.train.{other}"), icon="🏋️")
    player(writings)


def toggle_play(last: int) -> None:
    playing = not st.session_state.get("inside_playing", False)
    if playing and st.session_state.get("inside_step", 0) >= last:
        st.session_state["inside_step"] = 0  # play again from the start
    st.session_state["inside_playing"] = playing


def player(writings: dict) -> None:
    """A step slider and a play button; while playing, a fragment moves the slider on every PLAY_S seconds
    (the script thread is never held), and the whole page reruns at the last step to stop its timer."""
    last = max(len(w.steps) for w in writings.values()) - 1
    st.session_state["inside_step"] = min(st.session_state.get("inside_step", 0), last)
    playing = st.session_state.get("inside_playing", False)
    widgets.tokens([(t(f"inside.legend.{k}"), f, None) for k, f in LEGEND.items()])
    st.button(t("inside.pause" if playing else "inside.play"), icon="⏸️" if playing else "▶️",
              on_click=toggle_play, args=(last,), key="inside_play")  # fmt: skip

    def frame() -> None:
        if st.session_state.get("inside_playing"):
            if st.session_state["inside_step"] >= last:
                st.session_state["inside_playing"] = False
                st.rerun()  # the whole page: the timer stops and the button says play again
            st.session_state["inside_step"] += 1
        step = st.slider(t("inside.step"), 0, last, key="inside_step")
        for column, (kind, writing) in zip(st.columns(len(writings)), writings.items(), strict=True):
            with column:
                draw_writing(kind, writing, step)

    st.fragment(frame, run_every=PLAY_S if playing else None)()


LEGEND = {"prompt": Fate.UNTOUCHED, "blank": Fate.MASKED, "written": Fate.KEPT, "new": Fate.RANDOM}


def draw_writing(kind: str, writing, step: int) -> None:
    """One model's text at `step` (or its last step, if it finished sooner), token by token."""
    k = min(step, len(writing.steps) - 1)
    now = writing.steps[k]
    st.subheader(t(f"inside.writes.{kind}"))
    items = []
    for i, token in enumerate(now.tokens):
        if token in ("[CLS]", "[SEP]"):
            continue
        what = "prompt" if i < writing.prompt_tokens else "blank" if token == MASK_TOKEN else "written"
        what = "new" if i == now.written else what
        tip = t("inside.tip.new", p=now.prob) if what == "new" else t(f"inside.tip.{what}")
        items.append((widgets.token_label(token), LEGEND[what], tip))
    widgets.tokens(items)
    if now.written is None:
        st.caption(t("inside.start"))
    else:
        st.caption(t("inside.wrote", k=k, token=widgets.token_label(now.tokens[now.written]), p=now.prob))
    if k == len(writing.steps) - 1 and k:
        st.caption(t("inside.done", k=k) + (" " + t("inside.ended") if writing.ended else ""))


def main() -> None:
    """The page below its title; returns early when there is no model to look into."""
    run_id = run_picker.ready_run(t("inside.model"), "inside_run")
    if run_id is None:
        st.info(t("inside.none"))
        st.page_link("lab/pages/train.py", label=t("inside.train_one"), icon="🏋️")
        return
    try:
        run = runs.load_run(run_id)
        _, _, objective = resources.model(run.model_path)
    except (ValueError, LookupError) as e:
        return widgets.error(e)
    names = [t("inside.tab.lens"), t("inside.tab.map"), t("inside.tab.writes")]
    for tab, draw in zip(st.tabs(names), (lens_tab, map_tab, writes_tab), strict=True):
        with tab:
            try:
                draw(run, objective)
            except (ValueError, LookupError) as e:  # a core error: a text the model cannot read, a missing run
                widgets.error(e)


st.title(t("inside.title"))
st.caption(t("inside.caption"))
main()
