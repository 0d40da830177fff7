"""The fine-tuning loop, train.py's smaller sibling: batch, forward, loss, backward, clip, step, log, evaluate.

With a run directory it writes config.json and the status (runs.recording, as pretraining does),
metrics.jsonl as it goes, summary.json at the end, and the classifier (see saved.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedTokenizerFast

from ..models import OBJECTIVE_OF_MODEL_TYPE
from ..runs import recording, update_summary
from ..tasks import load_task, sample_budget
from ..train import Callback, StopFlag, autocast, log, lr_factor, make_optimizer, pick_device
from .classifier import build_classifier, set_trainable, standardize_head_input
from .config import FinetuneConfig, FinetuneError
from .encoding import encode_examples
from .saved import CLASSIFIER_DIR, save_classifier
from .scoring import (
    MemoryMeter,
    classification_report,
    evaluate,
    state_memory_mb,
    trainable_parameters,
    val_record,
)


@dataclass
class FinetuneResult:
    model: torch.nn.Module  # a ...ForSequenceClassification, or a peft model wrapping one
    tokenizer: PreTrainedTokenizerFast
    labels: list[str]
    summary: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


def finetune(cfg: FinetuneConfig, run_dir: Path | None = None, callbacks: Sequence[Callback] = ()) -> FinetuneResult:
    """Fine-tune as `cfg` says. With `run_dir`: write metrics, summary and the classifier there.

    Raises the error that ended the run (recorded in summary.json as `failed` first).
    """
    t0 = time.perf_counter()
    with recording(run_dir, cfg.to_dict(), kind="finetune"):  # config.json, running; failed with the traceback
        return _finetune(cfg, run_dir, callbacks, t0)


def run_job(config: dict[str, Any], run_dir: Path, should_stop: Callable[[], bool]) -> None:
    """Entry point of a background job (jobs.JOB_KINDS["finetune"]): fine-tune until done or stopped."""

    finetune(FinetuneConfig.from_dict(config), run_dir, [StopFlag(should_stop)])


def _finetune(cfg: FinetuneConfig, run_dir: Path | None, callbacks: Sequence[Callback], t0: float) -> FinetuneResult:
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)  # same config, same curve (as train.py)
    device = pick_device(cfg.device)
    if cfg.method in ("lora", "ia3"):
        import peft  # noqa: F401  (its first import costs seconds and memory: not this run's to measure)
    memory = MemoryMeter(device)
    task = load_task(cfg.task, cfg.text_column, cfg.label_column)
    train_examples = sample_budget(task.train, cfg.label_budget, cfg.seed)
    root = run_dir.parent if run_dir is not None else None  # the pretrained run lives next to this one
    model, tokenizer, arch = build_classifier(cfg, task, root)
    model.to(device).train()
    max_length = min(cfg.max_length, model.config.max_position_embeddings)
    train_set = encode_examples(tokenizer, train_examples, task.labels, max_length)
    val_set = encode_examples(tokenizer, task.validation, task.labels, max_length)
    test_set = encode_examples(tokenizer, task.test, task.labels, max_length)
    standardize_head_input(model, arch, cfg.method, train_set, device)
    model = set_trainable(model, cfg, arch)  # freeze for the linear probe, or wrap in peft's LoRA / IA3
    opt = make_optimizer(model, cfg, device)  # AdamW over the trainable parameters only
    trainable, total = trainable_parameters(model)
    batch_size = min(cfg.batch_size, len(train_set))
    gen = torch.Generator().manual_seed(cfg.seed)
    order, cursor = torch.randperm(len(train_set), generator=gen), 0
    if run_dir is not None:  # known now: the page draws the chance line while the run goes
        update_summary(run_dir, labels=task.labels, method=cfg.method, architecture=arch)
    # step 0: the validation accuracy of the untrained head, where every curve starts (about chance)
    history: list[dict[str, Any]] = []
    log(
        {"step": 0, **val_record(model, val_set, device), "elapsed_s": time.perf_counter() - t0},
        history,
        run_dir,
        callbacks,
        evaluated=True,
    )
    t_loop = time.perf_counter()
    interval_loss, interval_steps, step, status = 0.0, 0, 0, "completed"

    while step < cfg.steps:
        if any(cb.should_training_stop() for cb in callbacks):
            status = "stopped"
            break
        # 1. batch: the next examples of a fresh permutation each epoch
        if cursor + batch_size > len(order):
            order, cursor = torch.randperm(len(train_set), generator=gen), 0
        batch = train_set.batch(order[cursor : cursor + batch_size], device)
        cursor += batch_size
        # 2. forward (cross-entropy over the classes), backward, clip, update
        for group in opt.param_groups:
            group["lr"] = cfg.lr * lr_factor(step / cfg.steps, cfg.warmup_frac)
        with autocast(device):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], cfg.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            raise FinetuneError(
                f"The loss became {loss_value} at step {step + 1}; lower the learning rate (now {cfg.lr:g})."
            )
        step += 1
        interval_loss, interval_steps = interval_loss + loss_value, interval_steps + 1
        # 3. log and evaluate on the validation split
        is_eval = step % cfg.eval_every == 0 or step == cfg.steps
        if step % cfg.log_every == 0 or is_eval:
            record = {"step": step, "train_loss": interval_loss / interval_steps, "lr": opt.param_groups[0]["lr"]}
            interval_loss, interval_steps = 0.0, 0
            if is_eval:
                record.update(val_record(model, val_set, device))
            record["elapsed_s"] = time.perf_counter() - t0
            log(record, history, run_dir, callbacks, is_eval)

    train_s = time.perf_counter() - t_loop
    test = evaluate(model, test_set, device)
    report = classification_report(test_set.labels.tolist(), test["predicted"].tolist(), len(task.labels))
    last_val = next((r for r in reversed(history) if "val_accuracy" in r), {})
    summary = {
        "status": status,
        "kind": "finetune",
        "method": cfg.method,
        "architecture": arch,
        "objective": OBJECTIVE_OF_MODEL_TYPE[arch],
        "pretrained": cfg.pretrained if cfg.method != "scratch" else None,
        "task": task.name,
        "labels": task.labels,
        "train_examples": len(train_set),
        "steps": step,
        "trainable_parameters": trainable,
        "total_parameters": total,
        "trainable_fraction": trainable / total,
        "train_s": train_s,  # the loop only
        "elapsed_s": time.perf_counter() - t0,  # everything: loading, encoding, peft's import, test
        "peak_memory_mb": memory.peak_mb(),
        "memory_source": memory.source,
        "state_memory_mb": state_memory_mb(model),
        "train_loss": next((r["train_loss"] for r in reversed(history) if "train_loss" in r), None),
        "val_accuracy": last_val.get("val_accuracy"),
        "test_loss": test["loss"],
        "test_accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "confusion": report["confusion"],
        "device": device.type,
    }
    if run_dir is not None:
        save_classifier(model, tokenizer, run_dir / CLASSIFIER_DIR, task.labels, cfg, arch)
        update_summary(run_dir, **summary, finished=time.time())
    return FinetuneResult(model, tokenizer, task.labels, summary, history)
