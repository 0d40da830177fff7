"""Inside the model page (AppTest): with no run, a link to train one; with an MLM and an AR run, the logit lens
per checkpoint, the embedding map coloured by the world's categories, and both models writing step by step."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import runs
from selfsup_core.config import TrainConfig
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A runs folder with one finished nano MLM run and one nano AR run (2 checkpoints each), and an MLM-only one."""
    root, alone = tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("mlm-only")
    ids = {}
    for objective, where in (("mlm", root), ("ar", root), ("alone", alone)):
        cfg = TrainConfig(objective="mlm" if objective == "alone" else objective, size="nano", steps=16,
                          batch_size=8, eval_every=8, checkpoints=2)  # fmt: skip
        path = runs.create_run(cfg.to_dict(), where)
        train(cfg, path)
        ids[objective] = path.name
    return root, alone, ids


def open_page(monkeypatch, root, run_id: str | None = None) -> AppTest:
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("lab/pages/inside.py")
    if run_id:
        at.query_params["run"] = run_id
    at.run()
    assert not at.exception, at.exception
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def writers(at: AppTest) -> list[str]:
    """The titles above the writings, in order."""
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**") and ": " in m.value]


def test_an_empty_runs_folder_says_to_train_first(monkeypatch, runs_dir):
    at = open_page(monkeypatch, runs_dir)
    assert any("No trained model yet" in i.value for i in at.info)
    assert not at.get("plotly_chart") and not at.tabs


def test_the_lens_shows_each_layer_and_follows_the_checkpoint(monkeypatch, trained):
    root, _, ids = trained
    at = open_page(monkeypatch, root, ids["mlm"])
    assert at.selectbox(key="inside_run").value == ids["mlm"]
    grid = chart_specs(at)[0]["data"][0]
    assert grid["type"] == "heatmap" and len(grid["z"]) == 3  # nano: the embeddings and 2 layers
    assert any("velmar" in m.value for m in [*at.info, *at.success])  # the world's first question, its answer
    box = at.selectbox(key=f"inside_lens_step_{ids['mlm']}")
    steps = [s for s, _ in runs.load_run(ids["mlm"], root).checkpoints()]
    assert box.value == steps[-1] and len(steps) >= 2
    box.set_value(steps[0]).run()
    assert not at.exception and len(chart_specs(at)[0]["data"][0]["z"]) == 3


def test_an_mlm_sentence_without_a_blank_is_explained_in_its_tab(monkeypatch, trained):
    root, _, ids = trained
    at = open_page(monkeypatch, root, ids["mlm"])
    at.text_input[0].set_value("the capital of norland is velmar .").run()
    assert not at.exception and any("[MASK]" in e.value for e in at.error)


def test_the_map_is_coloured_by_the_worlds_categories(monkeypatch, trained):
    root, _, ids = trained
    at = open_page(monkeypatch, root, ids["ar"])
    scatter = chart_specs(at)[1]["data"]
    legend = [trace["name"] for trace in scatter]
    assert legend[:4] == ["countries", "capitals", "fruits", "colours"]
    assert "velmar" in scatter[1]["text"]
    steps = [s for s, _ in runs.load_run(ids["ar"], root).checkpoints()]
    at.select_slider(key=f"inside_map_step_{ids['ar']}").set_value(steps[0]).run()
    assert not at.exception and chart_specs(at)[1]["data"][1]["text"] == scatter[1]["text"]


def test_both_models_write_and_the_slider_and_play_move_the_step(monkeypatch, trained):
    root, _, ids = trained
    at = open_page(monkeypatch, root, ids["mlm"])
    assert writers(at) == ["BERT (MLM): by unmasking", "GPT (AR): left to right"]
    assert at.selectbox(key="in_other").value == ids["ar"]
    assert sum("The prompt alone" in c.value for c in at.caption) == 2
    at.slider(key="inside_step").set_value(1).run()
    assert sum("Step 1: wrote" in c.value for c in at.caption) == 2
    at.number_input(key="inside_tokens").set_value(3).run()
    at.slider(key="inside_step").set_value(3).run()
    assert any("Finished after 3 steps" in c.value for c in at.caption)
    at.button(key="inside_play").click().run()  # at the end: plays again from the start, one step per tick
    assert at.session_state["inside_playing"] and at.slider(key="inside_step").value == 1
    assert at.button(key="inside_play").label == "Pause"


def test_with_one_kind_of_run_it_says_which_to_train(monkeypatch, trained):
    _, alone, ids = trained
    at = open_page(monkeypatch, alone, ids["alone"])
    assert any("Train an AR (GPT) run on the same corpus too" in i.value for i in at.info)
    assert writers(at) == ["BERT (MLM): by unmasking"]


def test_an_electra_run_shows_its_embedding_map_and_says_why_only_that(monkeypatch, tmp_path):
    cfg = TrainConfig(objective="electra", size="nano", steps=4, batch_size=4, eval_every=4, checkpoints=0)
    path = runs.create_run(cfg.to_dict(), tmp_path)
    train(cfg, path)
    at = open_page(monkeypatch, tmp_path, path.name)
    assert [tab.label for tab in at.tabs] == ["Embedding map"]
    assert any("ELECTRA (replaced words): its embedding map" in i.value for i in at.info)
    points = sum(len(trace["x"]) for spec in chart_specs(at) for trace in spec["data"])
    assert points >= 10 and not at.error  # the world's one-token words, drawn
