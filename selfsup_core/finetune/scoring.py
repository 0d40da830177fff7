"""How well a classifier does and what it costs: loss, accuracy, macro-F1, confusion matrix, parameters, memory."""

from __future__ import annotations

import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from ..models import count_parameters
from ..train import autocast
from .encoding import Encoded


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: Encoded, device: torch.device, batch_size: int = 64) -> dict[str, Any]:
    """Mean cross-entropy, accuracy and the predicted class of every example."""
    was_training = model.training
    model.eval()
    total, preds = 0.0, []
    for start in range(0, len(data), batch_size):
        batch = data.batch(torch.arange(start, min(start + batch_size, len(data))), device)
        with autocast(device):
            out = model(**batch)
        total += out.loss.float().item() * batch["labels"].shape[0]
        preds.append(out.logits.argmax(-1).cpu())
    model.train(was_training)
    predicted = torch.cat(preds)
    return {
        "loss": total / len(data),
        "accuracy": (predicted == data.labels).float().mean().item(),
        "predicted": predicted,
    }


def val_record(model: torch.nn.Module, data: Encoded, device: torch.device) -> dict[str, float]:
    val = evaluate(model, data, device)
    return {"val_loss": val["loss"], "val_accuracy": val["accuracy"]}


def classification_report(true: Sequence[int], predicted: Sequence[int], n_classes: int) -> dict[str, Any]:
    """Accuracy, macro-F1 (the mean of each class's F1, so every class counts the same) and the confusion
    matrix (row = true class, column = predicted class)."""
    matrix = [[0] * n_classes for _ in range(n_classes)]
    for t, p in zip(true, predicted, strict=True):
        matrix[int(t)][int(p)] += 1
    f1s = []
    for c in range(n_classes):
        tp = matrix[c][c]
        fp = sum(matrix[r][c] for r in range(n_classes)) - tp
        fn = sum(matrix[c]) - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    n = max(len(true), 1)
    return {
        "accuracy": sum(matrix[c][c] for c in range(n_classes)) / n,
        "macro_f1": sum(f1s) / n_classes,
        "confusion": matrix,
    }


def trainable_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameters; for a peft model exactly its get_nb_trainable_parameters()."""
    if hasattr(model, "get_nb_trainable_parameters"):
        return model.get_nb_trainable_parameters()
    return count_parameters(model, trainable_only=True), count_parameters(model)


class MemoryMeter:
    """Peak memory of one fine-tuning run.

    CUDA: torch.cuda.max_memory_allocated (tensors on the GPU). CPU on Linux: the process's peak resident
    memory (VmHWM, reset at the start through /proc/self/clear_refs) minus its resident memory at the
    start, i.e. what this run added: model, activations, gradients, optimizer state, allocator slack.
    Elsewhere: the increase of getrusage's lifetime peak (0 when an earlier run in the process peaked higher).
    """

    def __init__(self, device: torch.device) -> None:
        self.device, self.source = device, "cpu-getrusage-maxrss-increase"
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
            self.start, self.source = torch.cuda.memory_allocated(device), "cuda-max-memory-allocated"
            return
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.start, self.source = self._status("VmRSS"), "cpu-peak-rss-increase"
        except OSError:
            self.start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)

    @staticmethod
    def _status(key: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
        raise OSError(key)

    def peak_mb(self) -> float:
        if self.source.startswith("cuda"):
            peak = torch.cuda.max_memory_allocated(self.device)
        elif self.source == "cpu-peak-rss-increase":
            peak = self._status("VmHWM")
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return max(0, peak - self.start) / 2**20


def state_memory_mb(model: torch.nn.Module) -> float:
    """Memory of the training state in MB: every weight, plus gradient and two AdamW moments per trainable
    weight (float32). The part that differs between methods, whatever the activations and allocator do."""
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    trainable = sum(p.numel() * p.element_size() for p in model.parameters() if p.requires_grad)
    return (total + 3 * trainable) / 2**20
