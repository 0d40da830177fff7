"""Probe page (AppTest): fill-mask bars for an MLM run, next-token bars and generation for an AR run,
the probe timeline over checkpoints, and errors shown as messages."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import probe, runs
from selfsup_core.config import TrainConfig
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A runs folder with one finished nano MLM run and one nano AR run (3 checkpoints each)."""
    root = tmp_path_factory.mktemp("runs")
    ids = {}
    for objective in ("mlm", "ar"):
        cfg = TrainConfig(objective=objective, size="nano", steps=20, batch_size=8, eval_every=10, checkpoints=3)
        path = runs.create_run(cfg.to_dict(), root)
        train(cfg, path)
        ids[objective] = path.name
    return root, ids


def open_probe_page(monkeypatch, trained, objective: str) -> AppTest:
    root, ids = trained
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = ids[objective]
    at.run()
    at.switch_page("lab/pages/probe.py")
    at.query_params["run"] = ids[objective]  # switching pages clears the URL's parameters
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="probe_run").value == ids[objective]
    return at


def charts_titled(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_mlm_run_fills_the_corpus_question_blank_with_bars_and_a_timeline(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "mlm")
    question = at.selectbox(key="probe_example").value
    assert at.text_input[0].value.count("[MASK]") == 0  # the full sentence; the blank is a clicked word
    assert "[MASK]" in at.code[0].value and not at.error
    specs = charts_titled(at)
    assert any("Blank 1" in s for s in specs)  # top-k bars
    assert len(specs) == 1  # only the open tab is drawn: no heatmap or timeline computed for nothing
    open_tab(at, "Learning timeline")
    specs = charts_titled(at)
    assert any("probability" in s and "training step" in s for s in specs)  # the timeline
    steps = list(at.dataframe[0].value["step"])
    assert steps == sorted(steps) and len(steps) == 3 and question is not None
    drawn = {trace["name"] for trace in json.loads(specs[0])["data"]}
    assert all(any(top in name for name in drawn) for top in at.dataframe[0].value["top guess"])  # table = chart


def open_tab(at: AppTest, label: str) -> None:
    at.session_state["probe_tab"] = label
    at.run()
    assert not at.exception, at.exception


def test_attention_is_a_light_map_titled_who_attends_to_whom_with_tokens_on_both_axes(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "mlm")
    open_tab(at, "Attention")
    fig = json.loads(charts_titled(at)[0])
    layout, heat = fig["layout"], fig["data"][0]
    assert "who (row) attends to whom (column)" in layout["title"]["text"]
    assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"]
    assert layout["xaxis"]["ticktext"] == layout["yaxis"]["ticktext"] and len(layout["xaxis"]["ticktext"]) > 2
    assert heat["colorscale"][0][1].lower() in ("#f7fbff", "rgb(247,251,255)")  # Blues: 0 is near white


def test_the_probe_opens_on_this_browser_s_latest_run_labelled_yours(monkeypatch, trained):
    from lab.ownership import owner_id

    root, ids = trained
    newest, older = sorted(ids.values(), reverse=True)  # the newest would be a classmate's in a class
    token = "t" * 24
    runs.set_meta(older, root, owner=owner_id(token), nickname="ann")
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["owner_token"] = token
        at.run()
        at.switch_page("lab/pages/probe.py").run()
        box = at.selectbox(key="probe_run")
        assert box.value == older
        objective = runs.load_run(older, root).config["objective"].upper()
        mine, other = box.format_func(older), box.format_func(newest)
        assert mine.startswith(f"yours · {objective} nano · 20 steps · "), mine
        assert "yours" not in other and "nano · 20 steps" in other
    finally:
        runs.set_meta(older, root, owner=None, nickname=None)


def test_the_answer_s_rank_and_probability_are_given_when_it_is_not_a_top_guess(monkeypatch, trained):
    import streamlit as st

    st.cache_data.clear()
    at = open_probe_page(monkeypatch, trained, "mlm")
    from selfsup_core.corpus import builtin_probes

    answer = builtin_probes("world-en")[at.selectbox(key="probe_example").value].answer
    unlikely = [probe.Candidate(w, 0.1) for w in ("zz", "yy", "xx", "ww", "vv")]
    monkeypatch.setattr(probe, "fill_mask", lambda *a, **k: [probe.MaskPrediction(1, unlikely)])
    st.cache_data.clear()  # the real guesses of this question are cached: ask again
    at.run()
    said = [m.value for m in at.markdown if "is not among these" in m.value]
    assert said and f"**{answer}**" in said[0] and "guess number" in said[0]


def test_mlm_clicking_words_hides_them(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "mlm")
    at.text_input[0].set_value("the dogs bark all day long .").run()
    at.pills[0].set_value([1, 2]).run()
    assert at.code[0].value == "the [MASK] [MASK] all day long ."
    assert sum("Blank" in s for s in charts_titled(at)) == 2


def test_mlm_text_without_mask_says_what_to_do(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "mlm")
    at.text_input[0].set_value("the cat sat on the mat").run()
    assert not at.exception
    assert any("[MASK]" in e.value and "Type at least one" in e.value for e in at.error)


def test_ar_run_shows_next_token_bars_and_generates_text(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "ar")
    prompt = at.text_input[0].value
    assert prompt and "[MASK]" not in prompt
    assert any("Next token" in s for s in charts_titled(at))
    generated = at.code[0].value
    assert generated.startswith(prompt + "▍") and len(generated) > len(prompt) + 1
    assert any("▍ marks where your prompt ends" in c.value for c in at.caption)
    at.toggle(key="probe_greedy").set_value(True).run()
    assert at.code[0].value.startswith(prompt + "▍") and not at.exception


def test_ar_examples_are_prompts_the_left_side_answers_not_blanks(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "ar")
    box = at.selectbox(key="probe_example_ar")
    labels = list(box.options)  # as shown
    assert labels and not any("[MASK]" in label for label in labels)
    assert all(" …  →  " in label for label in labels)
    assert at.text_input[0].value == labels[0].split(" …")[0]


def test_ar_says_when_the_model_ended_the_text(monkeypatch, trained):
    import streamlit as st

    st.cache_data.clear()  # an earlier test's answer to the same prompt would be served from the cache
    monkeypatch.setattr(probe, "generate", lambda *a, **k: probe.Continuation("\nthe end", True))
    at = open_probe_page(monkeypatch, trained, "ar")
    assert at.code[0].value.endswith("▍\nthe end")
    assert any("The model ended the text here (it wrote the end-of-text token)." in i.value for i in at.info)


# A play: speeches (paragraphs) separated by blank lines, a speaker's name on the first line of each.
PLAY = "\n\n".join(
    f"{who}:\n{line}"
    for who, line in [
        ("ROMEO", "But soft, what light through yonder window breaks?"),
        ("JULIET", "O Romeo, Romeo, wherefore art thou Romeo?"),
        ("ROMEO", "It is the east, and Juliet is the sun."),
        ("JULIET", "Deny thy father and refuse thy name."),
    ]
    * 30
)


@pytest.fixture(scope="module")
def play_run(tmp_path_factory):
    """A runs folder with one nano AR run (char tokens) trained on a play whose lines each start a speech."""
    root, text = tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("text") / "play.txt"
    text.write_text(PLAY, encoding="utf-8")
    cfg = TrainConfig(
        objective="ar", corpus=str(text), tokenizer="char", size="nano", steps=150, checkpoints=0, device="cpu"
    )
    path = runs.create_run(cfg.to_dict(), root)
    train(cfg, path)
    return root, {"ar": path.name}


def test_ar_run_on_a_play_continues_across_lines_after_the_prompt_marker(monkeypatch, play_run):
    at = open_probe_page(monkeypatch, play_run, "ar")
    at.text_input[0].set_value("ROMEO:").run()
    at.toggle(key="probe_greedy").set_value(True).run()
    assert not at.exception, at.exception
    generated = at.code[0].value
    assert generated.startswith("ROMEO:▍") and "\n" in generated.split("▍", 1)[1], generated
    labels = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if "Next token" in c.proto.spec))
    assert "↵" in labels["data"][0]["y"]  # the newline a speaker's name is followed by, as a visible mark
