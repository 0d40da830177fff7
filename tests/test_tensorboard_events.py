"""TensorBoard event files per run: written by rank 0's callback, readable by TensorBoard itself."""

import sys

import pytest

from selfsup_core.config import TrainConfig
from selfsup_core.runs import create_run, load_run
from selfsup_core.tensorboard_events import callbacks_for
from selfsup_core.train import train

CFG = TrainConfig(size="nano", steps=6, batch_size=8, eval_every=3, log_every=1, checkpoints=0, device="cpu")


def test_a_run_writes_event_files_that_tensorboard_reads_back(runs_dir):
    pytest.importorskip("tensorboard", reason="tensorboard is optional (requirements-dev.txt installs it)")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    path = create_run(CFG.to_dict(), runs_dir)
    train(CFG, path)
    events = EventAccumulator(str(path / "tb"))
    events.Reload()
    assert {"train/loss", "train/learning_rate", "train/tokens_per_s", "eval/loss", "eval/accuracy"} <= set(
        events.Tags()["scalars"]
    )
    lines = load_run(path.name, runs_dir).metrics()
    train_loss = events.Scalars("train/loss")
    assert [e.step for e in train_loss] == [r["step"] for r in lines] == list(range(1, 7))
    assert [e.value for e in train_loss] == pytest.approx([r["train_loss"] for r in lines], rel=1e-6)  # float32
    assert [e.step for e in events.Scalars("eval/accuracy")] == [3, 6]


def test_without_the_tensorboard_package_no_writer_is_made(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # makes the import fail
    assert callbacks_for(tmp_path) == []
    assert not (tmp_path / "tb").exists()
