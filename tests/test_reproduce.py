"""Reproduce a run: its config.json, launched again, gives the same curve on the same machine; the Train page
takes an uploaded config.json and launches exactly that configuration; a bad file is explained."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab import resources
from selfsup_core import runs
from selfsup_core.config import TrainConfig, load_config_json
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CFG = TrainConfig(
    size="nano",
    steps=8,
    batch_size=4,
    seq_len=32,
    eval_every=4,
    eval_batches=2,
    checkpoints=0,
    log_every=2,
    tokenizer="word",
    seed=5,
    device="cpu",
)


def losses(run_dir: Path) -> list[tuple]:
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [(m["step"], m.get("train_loss"), m.get("val_loss")) for m in lines]


def test_a_run_launched_again_from_its_config_json_gives_the_same_curve(tmp_path):
    first = runs.create_run(CFG.to_dict(), tmp_path)
    train(CFG, first)
    again = load_config_json((first / "config.json").read_bytes())
    assert again == CFG
    second = runs.create_run(again.to_dict(), tmp_path)
    train(again, second)
    curve = losses(first)
    assert len(curve) >= 4 and any(v is not None for _, _, v in curve)
    assert losses(second) == curve  # exactly: same seed, same data order, same maths


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xff\xfe not text", "not JSON"),
        (b"{steps: 3}", "not JSON"),
        (b"[1, 2]", "one JSON object"),
        (b'{"steps": 3, "colour": "red"}', "Unknown config keys"),
        (b'{"masking": {"rate": 2}}', "Mask rate"),
        (b'{"masking": {"size": 2}}', "does not fit"),
        (b'{"steps": "many"}', "does not fit"),
    ],
)
def test_a_bad_config_file_is_refused_with_a_reason(data, says):
    with pytest.raises(ValueError, match=says):
        load_config_json(data)


def reproduce_page(data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("lab/pages/train.py").run()
    at.file_uploader(key="train_reproduce").set_value(("config.json", data, "application/json")).run()
    assert not at.exception, at.exception
    return at


def test_an_uploaded_config_json_launches_a_run_with_exactly_that_config(runs_dir):
    at = reproduce_page(CFG.to_json().encode())
    next(b for b in at.button if b.label == "Launch this exact configuration").click().run()
    run_id = at.query_params["run"][-1] if isinstance(at.query_params["run"], list) else at.query_params["run"]
    assert runs.load_run(run_id).config == CFG.to_dict()
    assert resources.jobs().wait(run_id, timeout=120) == "completed"
    at.run()
    assert any(b.label == "Download config.json" for b in at.get("download_button"))


def test_an_uploaded_config_whose_text_is_not_on_this_server_is_refused(runs_dir):
    at = reproduce_page(CFG.replace(corpus="/home/someone/notes.txt").to_json().encode())
    assert any("text this server does not have" in e.value for e in at.error)
    assert not any(b.label == "Launch this exact configuration" for b in at.button)
    at = reproduce_page(b"{not json")
    assert any("not JSON" in e.value for e in at.error)
