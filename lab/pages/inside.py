"""Inside the model: at which layer the answer appears (logit lens), the words' embeddings as a map, checkpoint
by checkpoint, and BERT writing by unmasking beside GPT writing left to right."""

import streamlit as st

from lab import charts, i18n, resources, run_picker, widgets, writing_view
from lab.i18n import t
from selfsup_core import runs
from selfsup_core.corpus import builtin_categories, builtin_probes
from selfsup_core.embedding_map import embedding_map, frequent_words
from selfsup_core.lens import logit_lens
from selfsup_core.tokenization import MASK_TOKEN
from selfsup_core.unmasking import write

SHOWN_SKIPPED = 12  # words named in the "not drawn" note


def model_at(run: runs.RunInfo, step: int):
    """(model, tokenizer, objective) of the run at a checkpoint's step (cached, see `resources.model`)."""
    folder = dict(run.checkpoints())[step]
    return resources.model(folder, tokenizer_path=None if folder == run.model_path else run.model_path)


def checkpoint(run: runs.RunInfo, key: str, where, slider: bool = False) -> int:
    """The step of the checkpoint picked (the final model first), from a select box or a slider."""
    steps = [s for s, _ in run.checkpoints()]
    if len(steps) < 2:
        return steps[0]
    name = lambda s: t("inside.step_final" if s == steps[-1] else "inside.step_n", n=s)  # noqa: E731
    if slider:
        return where.select_slider(t("inside.checkpoint"), steps, steps[-1], format_func=name, key=f"{key}_{run.id}")
    return where.selectbox(t("inside.checkpoint"), steps, len(steps) - 1, format_func=name, key=f"{key}_{run.id}")


def asked(run: runs.RunInfo, objective: str, pick, edit) -> tuple[str, str | None]:
    """A question of the corpus's world (MLM: its sentence with the blank; AR: the prompt left of the blank),
    as the student edits it, and its answer while the text is the question's own."""
    ar = objective == "ar"
    examples = [e for e in builtin_probes(run.config.get("corpus", "")) if not (ar and e.needs_right_context)]
    ask = (lambda e: e.text.split(MASK_TOKEN)[0].strip()) if ar else (lambda e: e.text)  # noqa: E731
    example = None
    if examples:
        shown = lambda e: f"{ask(e)}{' …' if ar else ''}  →  {e.answer}"  # noqa: E731
        example = pick.selectbox(
            t(f"inside.example{'_ar' if ar else ''}"), examples, format_func=shown, key=f"inside_example_{run.id}"
        )
    start = ask(example) if example else ("the" if ar else "the [MASK] sat on the mat .")
    text = edit.text_input(t("inside.prompt" if ar else "inside.sentence"), start, key=f"inside_text_{start}")
    return text, example.answer if example and text == start else None


def lens_tab(run: runs.RunInfo, objective: str) -> None:
    a, b, c = st.columns([1.7, 2.3, 2.0])
    step = checkpoint(run, "inside_lens_step", a)
    text, answer = asked(run, objective, b, c)
    model, tok, _ = model_at(run, step)
    lens = logit_lens(model, tok, text, top_k=5, answer=answer)
    rows = [t("inside.embeddings")] + [t("inside.layer_n", n=g.layer) for g in lens.layers[1:-1]]
    rows.append(t("inside.layer_last", n=lens.layers[-1].layer))
    guesses = [[(widgets.token_label(c.token), c.prob) for c in g.candidates] for g in lens.layers]
    shown = widgets.token_label(lens.answer) if lens.answer else None
    widgets.chart(charts.lens_grid(rows, guesses, t("inside.guess_rank"), shown, lens.answer_appears))
    if shown and lens.answer_appears is not None:
        layer = t("inside.layer_n", n=lens.answer_appears) if lens.answer_appears else rows[0]
        st.success(t("inside.appears", answer=shown, layer=layer), icon=":material/flashlight_on:")
    elif shown:
        st.info(t("inside.not_yet", answer=shown, rank=lens.layers[-1].answer_rank), icon=":material/hourglass_empty:")
    st.caption(t(f"inside.lens_{objective}") + " " + t("inside.lens_help"))


def category_name(category: str | None) -> str:
    return t(f"inside.cat.{category}") if f"inside.cat.{category}" in i18n.TEXT else str(category or "")


def map_tab(run: runs.RunInfo, objective: str) -> None:
    side, plot = st.columns([1, 3])
    step = checkpoint(run, "inside_map_step", side, slider=True)
    words = side.toggle(t("inside.show_words"), key="inside_words")
    model, tok, _ = model_at(run, step)
    spec = run.config.get("corpus", "")
    groups = builtin_categories(spec) or {
        None: frequent_words(tok, resources.corpus(spec, run.config.get("text_column")).documents)
    }
    found = embedding_map(model, tok, groups)
    x, y = (t("inside.pc", n=n, share=share) for n, share in enumerate(found.explained, 1))
    names = {c: category_name(c) for c in groups}
    labelled = [(widgets.token_label(p.token), p.category, p.x, p.y) for p in found.points]
    with plot:
        widgets.chart(charts.word_map(labelled, names, x, y, labels=words or None in groups))
    skipped = [w for words in found.skipped.values() for w in words]
    if None in groups:
        side.caption(t("inside.frequent", n=len(found.points)))
    elif skipped:
        more = " …" if len(skipped) > SHOWN_SKIPPED else ""
        side.caption(
            t("inside.skipped", n=len(skipped), words=t("inside.list_sep").join(skipped[:SHOWN_SKIPPED]) + more)
        )
    side.caption(t("inside.map_help", hidden=model.config.hidden_size))


def writes_tab(run: runs.RunInfo, objective: str) -> None:
    other = "ar" if objective == "mlm" else "mlm"
    a, b, c, d = st.columns([3, 1, 2.5, 1.5], vertical_alignment="bottom")
    examples = builtin_probes(run.config.get("corpus", ""))
    start = examples[0].text.split(MASK_TOKEN)[0].strip() if examples else "the"
    prompt = a.text_input(t("inside.prompt"), start, key="inside_prompt")
    n = b.number_input(t("inside.tokens"), 1, 24, 8, key="inside_tokens")
    writers = {objective: run.id}
    others = run_picker.ready_runs(other, run.config.get("corpus"))  # the same world and words
    if others:
        writers[other] = c.selectbox(
            t(f"inside.other.{other}"), others, format_func=widgets.run_labels(), key="in_other"
        )
    writings = {}
    for kind in ("mlm", "ar"):
        if kind in writers:
            model, tok, _ = resources.model(runs.load_run(writers[kind]).model_path)
            writings[kind] = write(model, tok, prompt, int(n))
    writing_view.player(writings, d)
    if not others:
        st.info(t(f"inside.train.{other}"), icon=":material/fitness_center:")
    st.caption(t("inside.writes_help"))


def main() -> None:
    """The page below its title; returns early when there is no model to look into."""
    run_id = run_picker.ready_run(t("inside.model"), "inside_run")
    if run_id is None:
        st.info(t("inside.none"))
        st.page_link("lab/pages/train.py", label=t("inside.train_one"), icon=":material/fitness_center:")
        return
    try:
        run = runs.load_run(run_id)
        _, _, objective = resources.model(run.model_path)
    except (ValueError, LookupError) as e:
        return widgets.error(e)
    views = {"lens": lens_tab, "map": map_tab, "writes": writes_tab}
    if objective not in ("mlm", "ar"):  # ELECTRA's and T5's heads answer no blank left to right: their map only
        views = {"map": map_tab}
        st.info(t("inside.map_only", name=t(f"compare.name.{objective}")), icon=":material/info:")
    for tab, draw in zip(st.tabs([t(f"inside.tab.{v}") for v in views]), views.values(), strict=True):
        with tab:
            try:
                draw(run, objective)
            except (ValueError, LookupError) as e:  # a core error: a text the model cannot read, a missing run
                widgets.error(e)


st.title(t("inside.title"))
st.caption(t("inside.caption"))
main()
