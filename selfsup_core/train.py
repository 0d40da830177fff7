"""The training loop, readable top to bottom, shared by every objective (MLM, AR, ELECTRA, T5).

    data -> tokenizer -> model -> optimizer -> loop {batch, forward, loss, backward, clip, step, log, eval,
    checkpoint} -> save

The loop knows nothing about the UI: callers pass `Callback` objects (HF's names: `on_step_end`,
`on_evaluate`, `should_training_stop`, `on_train_end`). When given a run directory, every logged line is
also appended to `metrics.jsonl` as it happens, so another process (the app) can draw the curve live.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from . import distributed
from .config import AugmentConfig, TrainConfig
from .corpus import load_corpus, split_documents
from .data import Packed, pack
from .models import build_model, count_parameters, shape_of, throughput
from .objectives import Batch, LossModule, loss_and_hits, make_batch, signal_tokens
from .runs import append_jsonl, recording, runs_root, update_summary, write_folder, write_json
from .tokenization import cached_tokenizer, for_objective, from_json, to_json


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. the loss became NaN); the message says what to change."""


class Callback:
    """Hooks called by `train`. Override what you need; the defaults do nothing."""

    def on_step_end(self, record: dict[str, Any]) -> None:
        """Called on every logged step with the metrics line (also written to metrics.jsonl)."""

    def on_evaluate(self, record: dict[str, Any]) -> None:
        """Called after each held-out evaluation with the metrics line including val_loss / val_accuracy."""

    def should_training_stop(self) -> bool:
        """Checked before every step; return True to stop (the model is still saved, status `stopped`)."""
        return False

    def on_train_end(self) -> None:
        """Called once when training ends, however it ends (e.g. to close a log file)."""


@dataclass
class TrainResult:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerFast
    summary: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


def pick_device(name: str = "auto") -> torch.device:
    """cuda, then mps, then cpu for "auto"; otherwise the named device."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def prepare_data(
    cfg: TrainConfig, world: distributed.World | None = None
) -> tuple[PreTrainedTokenizerFast, Packed, Packed]:
    """Corpus -> train/validation split -> tokenizer trained on the training part -> packed rows.

    Under torchrun, rank 0 trains (or loads from its cache) the tokenizer and sends it to the other ranks,
    so every rank, on every node, has the very same vocabulary."""
    world = world or distributed.World()
    corpus = load_corpus(cfg.corpus, cfg.text_column)
    train_docs, val_docs = split_documents(corpus.documents, cfg.val_fraction, cfg.seed)
    tokenizer = None
    if world.is_main:
        cache = runs_root() / ".cache" / "tokenizers"
        tokenizer = cached_tokenizer(cfg.tokenizer, train_docs, cfg.vocab_size, cfg.seq_len, cache, cfg.lowercase)
    if world.size > 1:
        text = distributed.broadcast_text(to_json(tokenizer) if tokenizer else None, world)
        tokenizer = tokenizer or from_json(text, cfg.seq_len)
    for_objective(tokenizer, cfg.objective)  # what the saved tokenizer adds around a prompt
    return tokenizer, *(pack(tokenizer, docs, cfg.seq_len, cfg.objective) for docs in (train_docs, val_docs))


def eval_batches(cfg: TrainConfig, rows: Packed, vocab_size: int, aug: AugmentConfig | None = None) -> list[Batch]:
    """Fixed held-out batches: clean text, blanks drawn once, so every evaluation scores the same blanks.

    aug: corrupt the held-out rows too (seeded the same way), to measure robustness; None = clean.
    """
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    n = min(len(rows), cfg.eval_batches * cfg.batch_size)
    return [
        make_batch(cfg.objective, rows.rows(torch.arange(i, min(i + cfg.batch_size, n))), cfg.masking,
                   aug or AugmentConfig(), vocab_size, gen)
        for i in range(0, n, cfg.batch_size)
    ]  # fmt: skip


@torch.no_grad()
def evaluate(model: PreTrainedModel, batches: Sequence[Batch], objective: str, device: torch.device) -> dict:
    """Held-out loss (mean over all targets) and accuracy (argmax == target)."""
    model.eval()
    total_loss, hits, count = 0.0, 0, 0
    for batch in batches:
        with autocast(device):
            loss, h, n = loss_and_hits(model, batch.to(device), objective)
        total_loss += loss.item() * n
        hits += int(h)
        count += n
    model.train()
    val_loss = total_loss / max(count, 1)
    out = {"val_loss": val_loss, "val_accuracy": hits / max(count, 1)}
    if objective == "ar":
        out["val_perplexity"] = math.exp(min(val_loss, 50.0))
    return out


def autocast(device: torch.device) -> torch.autocast:
    """bf16 autocast on CUDA (fast and safe without a loss scaler); full precision elsewhere."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def lr_factor(progress: float, warmup: float) -> float:
    """Linear warmup then cosine decay to 10%, as a function of progress in [0, 1].

    Progress (not the step count) drives it so that time-budgeted runs also finish their decay.
    """
    if progress < warmup:
        return progress / warmup
    t = (progress - warmup) / max(1e-9, 1 - warmup)
    return 0.1 + 0.45 * (1 + math.cos(math.pi * min(t, 1.0)))


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on biases, norms), fused kernels where supported."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    fused = device.type in ("cuda", "cpu")
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.98), fused=fused, foreach=None if fused else True)


def train(cfg: TrainConfig, run_dir: Path | None = None, callbacks: Sequence[Callback] = ()) -> TrainResult:
    """Train one model as `cfg` says. With `run_dir`, write metrics, summary, checkpoints and the model there.

    Under `torchrun` every rank calls this; only rank 0 writes `run_dir` and calls the callbacks.
    With `run_dir`, TensorBoard event files go to `run_dir/tb` too, where tensorboard is installed.
    Raises the error that ended the run (recorded in summary.json as `failed` first).
    """
    from .tensorboard_events import callbacks_for  # here, not at the top: that module subclasses Callback

    t0 = time.perf_counter()
    world = distributed.from_env()
    if not world.is_main:
        run_dir, callbacks = None, ()
    with recording(run_dir, cfg.to_dict(), pid=os.getpid()):  # config.json, running; failed with the traceback
        if run_dir is not None:
            callbacks = [*callbacks, *callbacks_for(run_dir)]
        try:
            return _train(cfg, run_dir, callbacks, t0)
        finally:
            for cb in callbacks:
                cb.on_train_end()
            distributed.shutdown(world)


def log(
    record: dict[str, Any], history: list, run_dir: Path | None, callbacks: Sequence[Callback], evaluated: bool
) -> None:
    """Keep a metrics line: in `history`, at the end of run_dir/metrics.jsonl (which the app's live curves
    read as it grows), and handed to the callbacks (`on_evaluate` too when it holds held-out figures)."""
    history.append(record)
    if run_dir is not None:
        append_jsonl(run_dir / "metrics.jsonl", record)
    for cb in callbacks:
        cb.on_step_end(record)
        if evaluated:
            cb.on_evaluate(record)


class StopFlag(Callback):
    """Stops training when `should_stop()` turns true: how a background job hears its Stop button."""

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        self.should_stop = should_stop

    def should_training_stop(self) -> bool:
        return self.should_stop()


def warm_up() -> None:
    """What a waiting worker does before its first job (see jobs.JOB_KINDS): the default run's data, so that
    its tokenizer is in the runs folder's cache (`cached_tokenizer`) and a class's first Launch starts training
    at once instead of training a tokenizer first."""
    prepare_data(TrainConfig())


def run_job(config: dict[str, Any], run_dir: Path, should_stop: Callable[[], bool]) -> None:
    """Entry point of a background job (see jobs.JOB_KINDS): train `config` into `run_dir` until done or stopped."""

    train(TrainConfig.from_dict(config), run_dir, [StopFlag(should_stop)])


def _train(cfg: TrainConfig, run_dir: Path | None, callbacks: Sequence[Callback], t0: float) -> TrainResult:
    world, rank_device = distributed.init(cfg.device)
    if cfg.batch_size % (world.size * cfg.grad_accum):
        raise ValueError(f"batch_size ({cfg.batch_size}) must divide evenly over {world.size} processes x "
                         f"{cfg.grad_accum} accumulation steps.")  # fmt: skip
    torch.manual_seed(cfg.seed + world.rank)  # per-rank seeds; DDP copies rank 0's initial weights to all
    # Same config, same machine -> the same curve ("reproduce this run"). Without this, CPU
    # gradient accumulation of the embedding/gather backward differs in the 7th digit run to run.
    torch.use_deterministic_algorithms(True, warn_only=True)
    device = rank_device or pick_device(cfg.device)
    tokenizer, train_rows, val_rows = prepare_data(cfg, world)
    vocab_size = len(tokenizer)
    model = build_model(cfg.objective, shape_of(cfg), vocab_size, cfg.seq_len).to(device)
    model.train()
    net = LossModule(model, cfg.objective)  # forward = model + objective's loss, so DDP can wrap it
    if world.size > 1:
        net = torch.nn.parallel.DistributedDataParallel(net)
    opt = make_optimizer(model, cfg, device)
    held_out = eval_batches(cfg, val_rows, vocab_size)
    # All training randomness (order, masks, augmentations) comes from one generator with the same seed on
    # every rank: each rank builds the same global batch and trains on its own share of the rows.
    gen = torch.Generator().manual_seed(cfg.seed)
    order = torch.randperm(len(train_rows), generator=gen)
    cursor = 0
    checkpoint_marks = [k / cfg.checkpoints for k in range(1, cfg.checkpoints)] if cfg.checkpoints else []
    history: list[dict[str, Any]] = []
    step_rates: list[float] = []  # tokens/s of each step, excluding evaluation
    interval_loss, interval_steps, interval_time, interval_tokens, interval_signal = 0.0, 0, 0.0, 0, 0
    tokens_seen, signal_seen, step, status, first_step_s = 0, 0, 0, "completed", None
    last_eval: dict[str, float] = {}

    while True:
        elapsed = time.perf_counter() - t0
        progress = max(step / cfg.steps, elapsed / cfg.time_budget_s if cfg.time_budget_s else 0.0)
        stop = float(any(cb.should_training_stop() for cb in callbacks))
        stop, progress = distributed.all_max([stop, progress], world)  # every rank stops at the same step
        if stop:
            status = "stopped"
            break
        if progress >= 1.0:
            break
        t_step = time.perf_counter()
        # 1. batch: next rows of a fresh permutation each epoch, corrupted on the fly
        if cursor + cfg.batch_size > len(order):
            order, cursor = torch.randperm(len(train_rows), generator=gen), 0
        index = order[cursor : cursor + cfg.batch_size]
        cursor += cfg.batch_size
        rows = train_rows.rows(index)
        batch = make_batch(cfg.objective, rows, cfg.masking, cfg.augment, vocab_size, gen)
        # 2. forward, backward (over this rank's micro-batches), clip, update
        for group in opt.param_groups:
            group["lr"] = cfg.lr * lr_factor(progress, cfg.warmup_frac)
        micro = batch.shard(world.rank, world.size).split(cfg.grad_accum)
        loss_value = 0.0
        for i, mb in enumerate(micro):
            sync = world.size == 1 or i == len(micro) - 1  # all-reduce gradients once, after the last
            with autocast(device), contextlib.nullcontext() if sync else net.no_sync():
                loss = net(*mb.to(device).tensors())[0] / len(micro)
                loss.backward()
            loss_value += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = distributed.all_mean(loss_value, world)
        if not math.isfinite(loss_value):
            raise TrainingError(
                f"The loss became {loss_value} at step {step + 1}: training diverged. "
                f"Lower the learning rate (now {cfg.lr:g}) and try again."
            )
        step += 1
        dt = time.perf_counter() - t_step
        first_step_s = first_step_s or time.perf_counter() - t0
        step_tokens = int(rows.attention_mask.sum())  # real text tokens of the global batch (all ranks), no [PAD]
        step_signal = signal_tokens(batch, cfg.objective)  # the predictions this step's loss is made of
        tokens_seen, signal_seen = tokens_seen + step_tokens, signal_seen + step_signal
        if step > 5:
            step_rates.append(step_tokens / dt)
        interval_loss, interval_steps, interval_time = (
            interval_loss + loss_value,
            interval_steps + 1,
            interval_time + dt,
        )
        interval_tokens, interval_signal = interval_tokens + step_tokens, interval_signal + step_signal
        if not world.is_main:
            continue
        # 3. log, evaluate, checkpoint (rank 0 only)
        is_last = step >= cfg.steps or (cfg.time_budget_s and time.perf_counter() - t0 >= cfg.time_budget_s)
        is_eval = step % cfg.eval_every == 0 or is_last
        # the first step is logged too: the live curve's first point comes one step after Launch, not log_every
        if step % cfg.log_every == 0 or is_eval or step == 1:
            record = {
                "step": step,
                "train_loss": interval_loss / interval_steps,
                "lr": opt.param_groups[0]["lr"],
                "tokens_seen": tokens_seen,
                "tokens_per_s": interval_steps * step_tokens / interval_time,
                # the signal meter: predictions in the loss per step, their share of the text read, and per second
                "signal_tokens": interval_signal / interval_steps,
                "signal_share": interval_signal / max(interval_tokens, 1),
                "signal_per_s": interval_signal / interval_time,
            }
            interval_loss, interval_steps, interval_time, interval_tokens, interval_signal = 0.0, 0, 0.0, 0, 0
            if is_eval:
                last_eval = evaluate(model, held_out, cfg.objective, device)
                record.update(last_eval)
            record["elapsed_s"] = time.perf_counter() - t0
            log(record, history, run_dir, callbacks, is_eval)
        progress = max(step / cfg.steps, (time.perf_counter() - t0) / cfg.time_budget_s if cfg.time_budget_s else 0)
        if run_dir is not None and checkpoint_marks and progress >= checkpoint_marks[0]:
            checkpoint_marks.pop(0)
            write_folder(run_dir / "checkpoints" / f"step-{step:06d}", model.save_pretrained)

    if world.is_main and status == "stopped" and step and (not history or history[-1]["step"] != step):
        last_eval = evaluate(model, held_out, cfg.objective, device)
    tokens_per_s = statistics.median(step_rates) if step_rates else None
    summary = {
        "status": status,
        "steps": step,
        "tokens_seen": tokens_seen,
        "elapsed_s": time.perf_counter() - t0,
        "first_step_s": first_step_s,
        "tokens_per_s": tokens_per_s,
        "signal_seen": signal_seen,  # predictions in the loss, all steps (objectives.signal_tokens)
        "signal_share": signal_seen / max(tokens_seen, 1),
        "signal_tokens_per_s": tokens_per_s * signal_seen / max(tokens_seen, 1) if tokens_per_s else None,
        "train_loss": history[-1]["train_loss"] if history else None,
        **last_eval,
        "parameters": count_parameters(model),
        "vocab_size": vocab_size,
        "device": device.type,
        "processes": world.size,
        **throughput(model, cfg, device, tokens_per_s, world.size),
    }
    if run_dir is not None:
        save_model(model, tokenizer, run_dir / "model")
        update_summary(run_dir, **summary, finished=time.time())
    return TrainResult(model, tokenizer, summary, history)


def save_model(
    model: PreTrainedModel | torch.nn.Module,
    tokenizer: PreTrainedTokenizerFast,
    path: Path,
    extra: dict[str, Any] | None = None,
) -> None:
    """save_pretrained (safetensors) model (an ELECTRA pair: see models.Electra) + tokenizer, and `extra` JSON files (name -> content), into `path`
    via `runs.write_folder`: a folder named `model` is always complete, and a failed save (a full disk)
    leaves none."""

    def fill(tmp: Path) -> None:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        for name, content in (extra or {}).items():
            write_json(tmp / name, content)

    write_folder(path, fill)
