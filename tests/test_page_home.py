"""Home page (AppTest): the finished one-click demo says where the right answer stands when it is not the top guess."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import probe, runs
from selfsup_core.config import TrainConfig
from selfsup_core.corpus import load_builtin
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def demo_run(runs_dir):
    """A finished demo-like run on world-en, far too short to know the capital (nano, 12 steps)."""
    cfg = TrainConfig(corpus="world-en", size="nano", steps=12, batch_size=8, eval_every=6, checkpoints=0, device="cpu")
    path = runs.create_run(cfg.to_dict(), runs_dir)
    train(cfg, path)
    return runs.load_run(path.name)


def test_the_demo_gives_the_rank_and_probability_of_the_answer_when_it_is_not_the_top_guess(demo_run):
    question = load_builtin("world-en").probes[0]
    model, tok, _ = probe.load_model(demo_run.model_path)
    expected = probe.answer_rank(model, tok, question.text, question.answer)
    assert expected.rank > 1  # twelve steps do not teach a capital
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["demo"] = demo_run.id
    at.run()
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown if "The right answer" in m.value]
    assert said == [
        f"The right answer, **velmar**, is its guess number {expected.rank} of {expected.vocabulary} "
        f"tokens, with probability {expected.prob:.1%}."
    ]
