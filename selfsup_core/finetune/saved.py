"""A saved classifier: save it into the run, load it back (safetensors only), predict with it.

`classifier/` inside a fine-tuning run holds a full model (save_pretrained) or, for LoRA / IA³, just
peft's adapter, which points back to the pretrained run's model; `finetune.json` beside it says the
labels, the method and (adapters) where that model is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, PreTrainedTokenizerFast

from ..runs import run_path
from ..train import save_model
from .classifier import CLASSES, architecture, pretrained_dir, quiet_load
from .config import FinetuneConfig, FinetuneError
from .encoding import encode_texts

CLASSIFIER_DIR = "classifier"  # inside a fine-tuning run; not `model/`, so the probe page never lists it
INFO_FILE = "finetune.json"  # labels, method and (for adapters) where the pretrained model is


def save_classifier(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerFast,
    path: Path,
    labels: list[str],
    cfg: FinetuneConfig,
    arch: str,
) -> None:
    """Model (or peft adapter), tokenizer and `finetune.json`, all saved at once by train.save_model
    (safetensors; a failed save leaves no classifier folder)."""
    info: dict[str, Any] = {"labels": labels, "method": cfg.method, "architecture": arch}
    if hasattr(model, "peft_config"):  # the adapter needs its base: the pretrained run's model folder
        info["base_model"] = os.path.relpath(pretrained_dir(cfg.pretrained, path.parent.parent), path)
    save_model(model, tokenizer, path, extra={INFO_FILE: info})


@dataclass
class Classifier:
    """A loaded fine-tuned classifier, ready for `predict`."""

    model: torch.nn.Module
    tokenizer: PreTrainedTokenizerFast
    labels: list[str]
    method: str


def load_classifier(path: str | os.PathLike, device: str | torch.device = "cpu") -> Classifier:
    """Load a saved classifier folder (safetensors only; nothing is unpickled, no remote code)."""
    path = Path(path)
    try:
        info = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise FinetuneError(f"No fine-tuned classifier in {path}; wait until the run finishes.") from None
    labels = list(info["labels"])
    if (path / "adapter_config.json").is_file():
        from peft import PeftModel

        if not (path / "adapter_model.safetensors").is_file():
            raise FinetuneError(f"The adapter in {path} is not in safetensors format; it is not loaded.")
        base_dir = (path / info["base_model"]).resolve()
        if not (base_dir.parent.parent == runs_root_of(path) and (base_dir / "model.safetensors").is_file()):
            raise FinetuneError("The pretrained run this adapter was trained on is gone, so it cannot be used.")
        config = AutoConfig.from_pretrained(base_dir, num_labels=len(labels))
        base = quiet_load(CLASSES[architecture(config)], base_dir, num_labels=len(labels))
        model = PeftModel.from_pretrained(base, path)  # adapter and head from adapter_model.safetensors
    else:
        if not (path / "model.safetensors").is_file():
            raise FinetuneError(f"No model.safetensors in {path}.")
        config = AutoConfig.from_pretrained(path)
        model = quiet_load(CLASSES[architecture(config)], path)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    model.config.pad_token_id = tokenizer.pad_token_id
    return Classifier(model.to(device).eval(), tokenizer, labels, info.get("method", "?"))


def runs_root_of(classifier_dir: Path) -> Path:
    """The runs root a classifier folder (<root>/<run id>/classifier) lives in."""
    return classifier_dir.resolve().parent.parent


@torch.no_grad()
def predict(model: str | os.PathLike | Classifier, texts: Sequence[str]) -> list[tuple[str, dict[str, float]]]:
    """(predicted label, {label: probability, most likely first}) for each text.

    model: a classifier folder (run/classifier) or a `Classifier` from `load_classifier`.
    """
    clf = model if isinstance(model, Classifier) else load_classifier(model)
    texts = [t.strip() for t in texts]
    if not texts or not all(texts):
        raise FinetuneError("Type a sentence to classify.")
    device = next(clf.model.parameters()).device
    limit = clf.model.config.max_position_embeddings
    ids, mask = encode_texts(clf.tokenizer, texts, limit)
    probs = torch.softmax(clf.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float(), -1)
    out = []
    for row in probs.cpu().tolist():
        ranked = sorted(zip(clf.labels, row, strict=True), key=lambda lp: -lp[1])
        out.append((ranked[0][0], dict(ranked)))
    return out


def classifier_dir(run_id: str, root: str | os.PathLike | None = None) -> Path:
    return run_path(run_id, root) / CLASSIFIER_DIR
