"""Fine-tune page (AppTest): renders on defaults, explains each method, launches a tiny fine-tune in the
background and then shows its results row, confusion matrix and the "try it" bars."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab import resources
from selfsup_core import runs
from selfsup_core.config import TrainConfig
from selfsup_core.finetune import METHODS
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A runs folder with one nano MLM run pretrained for 20 steps on world-en."""
    root = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(
        objective="mlm", size="nano", steps=20, batch_size=8, eval_every=10, checkpoints=0, tokenizer="word"
    )
    path = runs.create_run(cfg.to_dict(), root)
    train(cfg, path)
    return root, path.name


def open_page(monkeypatch, root) -> AppTest:
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("lab/pages/finetune.py").run()
    assert not at.exception, at.exception
    return at


def test_page_renders_on_defaults_without_any_run(monkeypatch, runs_dir):
    at = open_page(monkeypatch, runs_dir)
    assert at.selectbox(key="ft_pretrained").value is None  # nothing pretrained yet: from scratch
    assert at.radio(key="ft_method_False").options == ["scratch"]
    hint = next(i.value for i in at.info if "pretrain a model first" in i.value)  # more methods come, and how
    assert "“Train” page" in hint and all(m in hint for m in ("linear-probe", "lora", "ia3", "full"))
    assert any("No fine-tuning runs yet" in i.value for i in at.info)
    assert not at.error


def test_each_method_is_explained_and_needs_a_pretrained_run_except_scratch(monkeypatch, pretrained):
    root, run_id = pretrained
    at = open_page(monkeypatch, root)
    assert at.selectbox(key="ft_pretrained").value == run_id  # the newest pretrained run by default
    assert at.radio(key="ft_method_True").options == list(METHODS)
    assert not any("pretrain a model first" in i.value for i in at.info)
    for name in METHODS:
        at.radio(key="ft_method_True").set_value(name).run()  # this run's radio: an old one replays its old page
        assert any(METHODS[name] in m.value for m in at.markdown), name
    at.selectbox(key="ft_pretrained").select_index(1).run()  # nothing: from scratch
    assert any(i.value.startswith("Start from a pretrained model") for i in at.info)


def test_a_tiny_fine_tune_launches_completes_and_can_be_tried(monkeypatch, pretrained):
    root, run_id = pretrained
    at = open_page(monkeypatch, root)
    at.radio(key="ft_method_True").set_value("lora").run()
    at.button_group(key="ft_budget").set_value("8")
    at.number_input(key="ft_steps").set_value(5).run()
    next(b for b in at.button if b.label == "Fine-tune").click().run()
    ft_id = at.query_params["ft"][0] if isinstance(at.query_params["ft"], list) else at.query_params["ft"]
    cfg = runs.load_run(ft_id).config
    assert (cfg["pretrained"], cfg["method"], cfg["label_budget"], cfg["steps"]) == (run_id, "lora", 8, 5)
    assert resources.jobs().wait(ft_id, timeout=180) == "completed"
    at.run()
    assert not at.exception, at.exception
    assert any("Completed: test accuracy" in s.value for s in at.success)
    table = at.dataframe(key="ft_table").value
    row = table[table["run"] == ft_id].iloc[0]
    assert row["method"] == "lora" and row["labels used"] == 8 and 0 < row["trainable %"] < 100
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("predicted class" in s for s in specs)  # the confusion matrix
    at.text_input(key=f"ft_try_{ft_id}").set_value("the apple tom ate is sweet .").run()
    assert not at.exception and not at.error
    assert any('"orientation":"h"' in s for s in (c.proto.spec for c in at.get("plotly_chart")))  # the bars


def test_pretrained_electra_and_t5_runs_are_offered_as_starting_points_by_name(monkeypatch, tmp_path):
    ids = {}
    for objective in ("electra", "t5"):
        cfg = TrainConfig(objective=objective, size="nano", steps=2, batch_size=4, eval_every=2, checkpoints=0)
        path = runs.create_run(cfg.to_dict(), tmp_path)
        train(cfg, path)
        ids[objective] = path.name
    at = open_page(monkeypatch, tmp_path)
    start = at.selectbox(key="ft_pretrained")
    labels = start.options  # as shown
    for objective, run_id in ids.items():  # each labelled with the objective's name and the end of its id
        assert any(f"#{run_id[-4:]}" in label and objective.upper() in label for label in labels), labels
    start.set_value(ids["electra"]).run()
    assert not at.exception, at.exception
    assert at.radio(key="ft_method_True").value == "full"  # pretrained methods apply to ELECTRA's discriminator
