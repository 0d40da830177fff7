"""What the Fine-tune page lists: runs to start from, past fine-tuning runs as a table, a sentence to try."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..runs import list_runs
from ..tasks import load_task


def pretrained_runs(root: str | os.PathLike | None = None) -> list[str]:
    """Ids of finished pretraining runs that have a saved model, newest first."""
    return [r.id for r in list_runs(root) if r.kind == "train" and (r.model_path / "model.safetensors").is_file()]


def finetune_runs(root: str | os.PathLike | None = None) -> list:
    """RunInfo of every fine-tuning run, newest first."""
    return [r for r in list_runs(root) if r.kind == "finetune"]


def results_table(runs: Sequence) -> list[dict[str, Any]]:
    """One row per fine-tuning run for the comparison table (None where not known yet). Keys are identifiers
    and values as recorded (fractions, seconds, MB): the app labels, scales and rounds them."""
    rows = []
    for r in runs:
        c, s = r.config, r.summary
        rows.append(
            {
                "method": c.get("method"),
                "pretrained": "none" if c.get("method") == "scratch" else c.get("pretrained"),
                "task": Path(str(c.get("task"))).name,
                "labels_used": s.get("train_examples", c.get("label_budget")),
                "test_accuracy": s.get("test_accuracy"),
                "macro_f1": s.get("macro_f1"),
                "trainable_fraction": s.get("trainable_fraction"),
                "trainable_parameters": s.get("trainable_parameters"),
                "train_s": s.get("train_s"),
                "peak_memory_mb": s.get("peak_memory_mb"),
                "state_memory_mb": s.get("state_memory_mb"),
                "status": r.status,
                "run": r.id,
                "error": s.get("error") if r.status == "failed" else None,
            }
        )
    return rows


def example_sentence(config: dict[str, Any]) -> str:
    """A test sentence of the run's task to start the "try it" box with ("" if the task cannot be read)."""
    try:
        return load_task(config["task"], config.get("text_column"), config.get("label_column")).test[0].text
    except (ValueError, KeyError, IndexError):
        return ""
