"""TensorBoard event files for a run, so `tensorboard --logdir runs` shows every run's curves.

Written with torch's own `SummaryWriter` into `runs/<id>/tb/` by a training callback, and only where the
optional `tensorboard` package is installed: the app draws its curves from metrics.jsonl and needs none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .train import Callback

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

# metrics.jsonl key -> TensorBoard tag (HF Trainer's naming: train/..., eval/...)
TAGS = {
    "train_loss": "train/loss",
    "lr": "train/learning_rate",
    "tokens_per_s": "train/tokens_per_s",
    "val_loss": "eval/loss",
    "val_accuracy": "eval/accuracy",
    "val_perplexity": "eval/perplexity",
}


class TensorBoardCallback(Callback):
    """Adds every logged metrics line as scalars at its step; closes the file when training ends."""

    def __init__(self, writer: SummaryWriter) -> None:
        self.writer = writer

    def on_step_end(self, record: dict[str, Any]) -> None:
        for key, tag in TAGS.items():
            if record.get(key) is not None:
                self.writer.add_scalar(tag, record[key], record["step"])

    def on_train_end(self) -> None:
        self.writer.close()


def callbacks_for(run_dir: Path) -> list[Callback]:
    """[a TensorBoard writer into run_dir/tb] when the tensorboard package is importable, else []."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # torch raises this when the tensorboard package is missing
        return []
    return [TensorBoardCallback(SummaryWriter(str(run_dir / "tb"), flush_secs=10))]  # flushed often: watch live
