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
    assert any("probability" in s and "training step" in s for s in specs)  # the timeline
    steps = list(at.dataframe[0].value["step"])
    assert steps == sorted(steps) and len(steps) == 3 and question is not None


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
