"""Probe page (AppTest): fill-mask bars for an MLM run, next-token bars and generation for an AR run,
the probe timeline over checkpoints, and errors shown as messages."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import runs
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
    at.switch_page("app_pages/probe.py")
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


def test_ar_run_shows_next_word_bars_and_generates_text(monkeypatch, trained):
    at = open_probe_page(monkeypatch, trained, "ar")
    prompt = at.text_input[0].value
    assert prompt and "[MASK]" not in prompt
    assert any("Next word" in s for s in charts_titled(at))
    generated = at.code[0].value
    assert generated.startswith(prompt) and len(generated) > len(prompt)
    at.toggle(key="probe_greedy").set_value(True).run()
    assert at.code[0].value.startswith(prompt) and not at.exception
