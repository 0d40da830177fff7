"""Fine-tuning on a labelled task: what self-supervised pretraining buys.

A pretrained run (BERT from MLM, GPT-2 from AR) gets a new classification head and learns a labelled
task (see tasks.py) in one of five ways, which differ only in *which weights learn*:

    linear-probe  only the new head; the pretrained network is frozen (what do its features already say?)
    full          every weight, starting from the pretrained ones
    lora          frozen network + small low-rank updates W + (alpha/r)·B·A on the attention matrices (peft)
    ia3           frozen network + one learned scale per channel of keys, values and FFN output (peft IA³)
    scratch       the same architecture with random weights, every weight learns: no pretraining at all

The head: BERT reads the [CLS] position through a pooler (dense + tanh) and a linear classifier, both
new (an MLM run has neither); GPT-2 reads the last non-padding token (its [SEP], end-of-text: the only
position that has seen the whole sentence) through a linear `score` layer. The new parts start from the
training examples' features (see `standardize_head_input`: a frozen encoder's raw features make a freshly
initialised linear head crawl) and are always trainable, else they would stay random.

The loop is train.py's, smaller: batch, forward, loss, backward, clip, step, log, evaluate. With a run
directory it writes metrics.jsonl as it goes and summary.json at the end (test accuracy, macro-F1,
confusion matrix, trainable parameters, time, memory), and saves the classifier in `classifier/`:
a full model (save_pretrained, safetensors) or, for LoRA / IA³, just peft's adapter (which points
back to the pretrained run's model). `predict` loads either, from safetensors only.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoConfig,
    BertForSequenceClassification,
    GPT2ForSequenceClassification,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)
from transformers.utils import logging as hf_logging

from .models import PRESETS, Shape, build_model, count_parameters
from .runs import RunNotFoundError, list_runs, load_run, run_path, update_summary, write_json
from .tasks import Example, Task, load_task, sample_budget
from .tokenization import DEFAULT_VOCAB, build_tokenizer
from .train import (
    Callback,
    StopFlag,
    autocast,
    failure_message,
    log,
    lr_factor,
    make_optimizer,
    pick_device,
    save_model,
)

METHODS: dict[str, str] = {
    "linear-probe": "Only a linear classifier on the frozen network's features learns (GPT-2: with its last "
    "LayerNorm, as its classifier has no bias). Shows what the pretrained features already know about the task.",
    "full": "Every weight learns, starting from the pretrained ones. The most flexible, and the most to store: "
    "a full copy of the model per task.",
    "lora": "The pretrained weights stay frozen; small low-rank matrices added to the attention layers learn "
    "(plus the head). A few % of the parameters, a small file per task.",
    "ia3": "The pretrained weights stay frozen; one scale per channel of the attention keys, values and "
    "feed-forward output learns (IA³, plus the head). The fewest trainable parameters.",
    "scratch": "The same architecture with random weights; every weight learns from the labels alone. "
    "The baseline: what you get without pretraining.",
}
# Peak learning rates that work on the built-in tasks with the mini preset: a frozen network needs a
# bigger step for its few trainable numbers; full fine-tuning a small one, to keep what pretraining learned.
DEFAULT_LR = {"linear-probe": 1e-2, "full": 5e-4, "lora": 5e-3, "ia3": 2e-2, "scratch": 1e-3}
LORA_TARGETS = {"bert": ["query", "value"], "gpt2": ["c_attn"]}  # the attention projections (LoRA paper's choice)
# What a linear probe trains: the linear layer on the features (BERT: on its standardised [CLS], the pooler
# staying fixed, see standardize_head_input; GPT-2: on the final LayerNorm's output, whose shift and scale also
# learn, as GPT-2's `score` has no bias). The logits stay an affine function of the frozen encoder's features.
PROBE_PARAMS = {"bert": ("classifier.",), "gpt2": ("score.", "transformer.ln_f.")}
EXTRA_HEAD_MODULES = {"bert": ["pooler"], "gpt2": None}  # new parts peft must train and save besides the classifier
CLASSES = {"bert": BertForSequenceClassification, "gpt2": GPT2ForSequenceClassification}
OBJECTIVE_OF_ARCH = {"bert": "mlm", "gpt2": "ar"}
CLASSIFIER_DIR = "classifier"  # inside a fine-tuning run; not `model/`, so the probe page never lists it
INFO_FILE = "finetune.json"  # labels, method and (for adapters) where the pretrained model is
TOKENIZER_CHOICES = tuple(DEFAULT_VOCAB)


class FinetuneError(ValueError):
    """Fine-tuning cannot start or go on; the message says what to change."""


@dataclass
class FinetuneConfig:
    """Everything a fine-tuning run needs; written to the run's config.json."""

    pretrained: str | None = None  # run id of a pretrained (train) run; None: no pretrained run (method scratch)
    task: str = "sentiment-en"  # built-in task name (tasks.BUILTIN_TASKS) or the path of a saved labelled file
    text_column: str | None = None  # uploads: the text column (None: "text", "sentence", ...)
    label_column: str | None = None  # uploads: the label column (None: "label", "class", ...)
    method: str = "full"  # linear-probe | full | lora | ia3 | scratch (see METHODS)
    label_budget: int | None = None  # labelled training examples used (class-balanced sample); None = all
    steps: int = 150  # optimizer steps
    batch_size: int = 16  # examples per step (fewer if the budget is smaller)
    lr: float | None = None  # peak learning rate (AdamW); None = the method's default (DEFAULT_LR)
    warmup_frac: float = 0.1  # share of the steps spent warming up, then cosine decay (train.lr_factor)
    weight_decay: float = 0.01
    grad_clip: float = 1.0  # max global gradient norm
    seed: int = 0  # head initialisation, budget sample, batch order (scratch: all the weights)
    eval_every: int = 15  # steps between validation-set evaluations (the live curve; also at step 0)
    log_every: int = 5  # steps between metric lines
    max_length: int = 64  # longest input in tokens (also capped by the model's positions)
    lora_rank: int = 8  # r: rank of the LoRA update B·A (B: d x r, A: r x d)
    lora_alpha: float = 16.0  # the update is scaled by alpha / r
    lora_dropout: float = 0.0
    target_modules: list[str] | None = None  # LoRA: modules to adapt; None = LORA_TARGETS of the architecture
    # from scratch without a pretrained run (pretrained=None): where the tokenizer and the shape come from
    tokenizer_run: str | None = None  # take the tokenizer of this run; None = train one on the task's texts
    tokenizer: str = "wordpiece"  # kind trained on the task's training texts when there is no run to take it from
    scratch_objective: str = "mlm"  # architecture: mlm -> BERT encoder, ar -> GPT-2 decoder
    scratch_size: str = "mini"  # models.PRESETS name
    device: str = "auto"  # auto | cpu | cuda | mps

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"Unknown method {self.method!r}; choose one of {tuple(METHODS)}.")
        if self.pretrained is None and self.method != "scratch":
            raise ValueError(
                f"The {self.method!r} method starts from a pretrained model: pick a pretrained run, "
                "or use method 'scratch' to train from random weights."
            )
        if not self.task:
            raise ValueError("Pick a task: a built-in one (e.g. 'sentiment-en') or the path of a labelled file.")
        if self.lr is None:
            self.lr = DEFAULT_LR[self.method]
        if not (self.lr > 0 and self.lr <= 1.0):  # also rejects NaN
            raise ValueError(
                f"Learning rate must be in (0, 1], got {self.lr}; {DEFAULT_LR[self.method]:g} is a good start."
            )
        if self.label_budget is not None and self.label_budget < 2:
            raise ValueError(
                f"The label budget must be at least 2 examples (or None for all), got {self.label_budget}."
            )
        for name in ("steps", "batch_size", "eval_every", "log_every", "lora_rank"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not 4 <= self.max_length <= 1024:
            raise ValueError(f"max_length must be between 4 and 1024 tokens, got {self.max_length}.")
        if not 0.0 <= self.warmup_frac < 1.0:
            raise ValueError("warmup_frac must be in [0, 1).")
        if self.lora_alpha <= 0 or not 0.0 <= self.lora_dropout < 1.0:
            raise ValueError("lora_alpha must be positive and lora_dropout in [0, 1).")
        if self.tokenizer not in TOKENIZER_CHOICES:
            raise ValueError(f"Unknown tokenizer {self.tokenizer!r}; choose one of {TOKENIZER_CHOICES}.")
        if self.scratch_objective not in ("mlm", "ar"):
            raise ValueError("scratch_objective must be 'mlm' (BERT encoder) or 'ar' (GPT-2 decoder).")
        if self.scratch_size not in PRESETS:
            raise ValueError(f"Unknown size {self.scratch_size!r}; choose one of {tuple(PRESETS)}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FinetuneConfig:
        """Build from a dict (e.g. a run's config.json); unknown keys are an error, not silently dropped."""
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"Unknown fine-tuning config keys: {sorted(unknown)}")
        return cls(**data)


@dataclass
class FinetuneResult:
    model: torch.nn.Module  # a ...ForSequenceClassification, or a peft model wrapping one
    tokenizer: PreTrainedTokenizerFast
    labels: list[str]
    summary: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


# ----- building the classifier ---------------------------------------------------------------------


def _pretrained_dir(run_id: str, root: str | os.PathLike | None = None) -> Path:
    """The model folder of a finished pretraining run (raises FinetuneError with what to do)."""
    try:
        run = load_run(run_id, root)
    except RunNotFoundError:
        raise FinetuneError(f"There is no run {run_id!r} to start from; pick another pretrained run.") from None
    if run.kind != "train":
        raise FinetuneError(f"Run {run_id!r} is a fine-tuning run; start from a pretraining run instead.")
    if not (run.model_path / "model.safetensors").is_file():
        raise FinetuneError(f"Run {run_id!r} has no saved model yet; wait until it finishes (or pick another run).")
    return run.model_path


def _quiet_load(cls: type[PreTrainedModel], path: Path, **kwargs: Any) -> PreTrainedModel:
    """from_pretrained (safetensors only) without the "newly initialized weights" warning: a new head is the point."""
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        return cls.from_pretrained(path, use_safetensors=True, **kwargs)
    finally:
        hf_logging.set_verbosity(verbosity)


def _architecture(config: PretrainedConfig) -> str:
    if config.model_type not in CLASSES:
        raise FinetuneError(f"This is a {config.model_type!r} model; fine-tuning knows BERT and GPT-2 runs only.")
    return config.model_type


def build_classifier(
    cfg: FinetuneConfig, task: Task, root: str | os.PathLike | None = None
) -> tuple[torch.nn.Module, PreTrainedTokenizerFast, str]:
    """(classifier with all parameters trainable, tokenizer, architecture "bert" | "gpt2"); see set_trainable.

    root: the runs directory holding the pretrained run (None: SELFSUP_RUNS_DIR). The seed (set by the
    caller) decides the new head's initial weights, and for scratch all of them.
    """
    labels = {"num_labels": len(task.labels), "id2label": dict(enumerate(task.labels)),
              "label2id": {lab: i for i, lab in enumerate(task.labels)}}  # fmt: skip
    if cfg.pretrained is not None:
        base = _pretrained_dir(cfg.pretrained, root)
        tokenizer = PreTrainedTokenizerFast.from_pretrained(base)
        config = AutoConfig.from_pretrained(base, **labels)
        arch = _architecture(config)
        if cfg.method == "scratch":  # same shape and vocabulary as the pretrained run, random weights
            model = CLASSES[arch](config)
        else:
            model = _quiet_load(CLASSES[arch], base, **labels)
    else:
        if cfg.tokenizer_run is not None:
            tokenizer = PreTrainedTokenizerFast.from_pretrained(_pretrained_dir(cfg.tokenizer_run, root))
        else:  # trained on the task's training texts only: the labels are not used
            tokenizer = build_tokenizer(cfg.tokenizer, [e.text for e in task.train], max_length=cfg.max_length)
        shape = Shape(**PRESETS[cfg.scratch_size])
        lm_config = build_model(cfg.scratch_objective, shape, len(tokenizer), cfg.max_length).config
        arch = lm_config.model_type
        model = CLASSES[arch](type(lm_config)(**{**lm_config.to_dict(), **labels}))
    model.config.pad_token_id = tokenizer.pad_token_id  # GPT-2 pools the last token that is not [PAD]
    return model, tokenizer, arch


@torch.no_grad()
def standardize_head_input(model: PreTrainedModel, arch: str, method: str, data: Encoded, device: torch.device) -> None:
    """Data-dependent start of the head: make the features the classifier sees standardised on `data`.

    A pretrained encoder's sentence features share a large common part (every sentence's [CLS] looks
    alike) and differ in scale per dimension, so a freshly initialised linear head on them learns very
    slowly: in our runs a linear probe stalled near 50% on sentiment-en, where logistic regression on the
    same features, standardised, reaches about 90%. So, before training, with each feature's mean and
    std over the training examples:
    - BERT with a frozen encoder (linear-probe, lora, ia3): the pooler (new: an MLM run has none; HF
      would start it random) starts as tanh(([CLS] - mean) / std): weight diag(1/std), bias -mean/std.
      When the encoder itself trains (full, scratch) such a gain would amplify its every change and
      saturate the tanh, so the pooler starts as the identity, tanh([CLS]), instead. (HF's random start,
      two stacked near-zero layers, left scratch BERT stuck at 67% on sentiment-en in our runs.)
    - GPT-2 linear probe: the final LayerNorm's scale and shift are rescaled so that its output, which
      `score` reads, is (h - mean) / std (same function up to that affine map; the probe trains them).
    """
    if arch == "bert" and method in ("full", "scratch"):
        model.bert.pooler.dense.weight.copy_(torch.eye(model.config.hidden_size))
        model.bert.pooler.dense.bias.zero_()
        return
    if arch == "gpt2" and method != "linear-probe":
        return
    was_training = model.training
    model.eval()
    feats = []
    for start in range(0, len(data), 64):
        batch = data.batch(torch.arange(start, min(start + 64, len(data))), device)
        with autocast(device):
            if arch == "bert":
                h = model.bert(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
                feats.append(h[:, 0].float())  # [CLS]
            else:
                h = model.transformer(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
                last = batch["attention_mask"].sum(1) - 1  # the last non-padding token, as GPT-2 pools
                feats.append(h.last_hidden_state[torch.arange(len(last)), last].float())
    model.train(was_training)
    feats = torch.cat(feats)  # (N, H)
    mean = feats.mean(0)
    std = feats.std(0) if len(feats) > 1 else torch.ones_like(mean)
    std = std.clamp_min(0.05 * float(std.mean()) + 1e-6)  # no blow-up of near-constant dimensions
    if arch == "bert":
        model.bert.pooler.dense.weight.copy_(torch.diag(1 / std))
        model.bert.pooler.dense.bias.copy_(-mean / std)
    else:
        ln = model.transformer.ln_f
        ln.bias.copy_((ln.bias - mean) / std)
        ln.weight.div_(std)


def set_trainable(model: PreTrainedModel, cfg: FinetuneConfig, arch: str) -> torch.nn.Module:
    """The method's trainable parameters: all (full, scratch), the probe's (PROBE_PARAMS), or peft's adapters."""
    if cfg.method in ("full", "scratch"):
        return model
    if cfg.method == "linear-probe":
        for name, p in model.named_parameters():
            p.requires_grad = name.startswith(PROBE_PARAMS[arch])
        return model
    from peft import IA3Config, LoraConfig, TaskType, get_peft_model  # slow import: only when needed

    extra = EXTRA_HEAD_MODULES[arch]
    if cfg.method == "lora":
        peft_config = LoraConfig(task_type=TaskType.SEQ_CLS, r=cfg.lora_rank, lora_alpha=cfg.lora_alpha,
                                 lora_dropout=cfg.lora_dropout, target_modules=cfg.target_modules or LORA_TARGETS[arch],
                                 modules_to_save=extra, fan_in_fan_out=arch == "gpt2")  # fmt: skip
    else:  # ia3: peft's per-architecture defaults (BERT key/value/output.dense, GPT-2 c_attn/mlp.c_proj)
        peft_config = IA3Config(task_type=TaskType.SEQ_CLS, modules_to_save=extra, fan_in_fan_out=arch == "gpt2")
    return get_peft_model(model, peft_config)


# ----- data -----------------------------------------------------------------------------------------


@dataclass
class Encoded:
    """A split as tensors: input_ids / attention_mask (N, L) right-padded with [PAD], labels (N,)."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return self.labels.shape[0]

    def batch(self, index: torch.Tensor, device: torch.device) -> dict[str, torch.Tensor]:
        mask = self.attention_mask[index]
        width = int(mask.sum(1).max())  # trim the padding no row of this batch needs
        return {"input_ids": self.input_ids[index, :width].to(device), "attention_mask": mask[:, :width].to(device),
                "labels": self.labels[index].to(device)}  # fmt: skip


def encode_texts(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """Ids and attention masks, (N, L), framed as the tokenizer frames a text (so the text-classification
    pipeline reads it the same way): BERT `[CLS] text [SEP]`, GPT `[SEP] text` (see tokenization.for_objective).
    No token_type_ids: GPT-2 would add them as embeddings."""
    enc = tokenizer(list(texts), truncation=True, max_length=max_length, padding=True, return_tensors="pt",
                    return_token_type_ids=False)  # fmt: skip
    return enc["input_ids"], enc["attention_mask"]


def encode_examples(tokenizer: PreTrainedTokenizerFast, examples: Sequence[Example], labels: list[str],
                    max_length: int) -> Encoded:  # fmt: skip
    index = {lab: i for i, lab in enumerate(labels)}
    ids, mask = encode_texts(tokenizer, [e.text for e in examples], max_length)
    return Encoded(ids, mask, torch.tensor([index[e.label] for e in examples], dtype=torch.long))


# ----- scoring ----------------------------------------------------------------------------------------


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


def _val_record(model: torch.nn.Module, data: Encoded, device: torch.device) -> dict[str, float]:
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
    return {"accuracy": sum(matrix[c][c] for c in range(n_classes)) / n, "macro_f1": sum(f1s) / n_classes,
            "confusion": matrix}  # fmt: skip


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


# ----- the loop -----------------------------------------------------------------------------------------


def finetune(cfg: FinetuneConfig, run_dir: Path | None = None, callbacks: Sequence[Callback] = ()) -> FinetuneResult:
    """Fine-tune as `cfg` says. With `run_dir`: write metrics, summary and the classifier there.

    Raises the error that ended the run (recorded in summary.json as `failed` first).
    """
    t0 = time.perf_counter()
    if run_dir is not None:
        write_json(run_dir / "config.json", cfg.to_dict())
        update_summary(run_dir, status="running", kind="finetune", started=time.time())
    try:
        return _finetune(cfg, run_dir, callbacks, t0)
    except BaseException as e:
        if run_dir is not None:
            update_summary(run_dir, status="failed", error=failure_message(e), traceback=traceback.format_exc(limit=5))
        raise


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
    model = set_trainable(model, cfg, arch)  # freeze for the probe, or wrap in peft's LoRA / IA3
    opt = make_optimizer(model, cfg, device)  # AdamW over the trainable parameters only
    trainable, total = trainable_parameters(model)
    batch_size = min(cfg.batch_size, len(train_set))
    gen = torch.Generator().manual_seed(cfg.seed)
    order, cursor = torch.randperm(len(train_set), generator=gen), 0
    if run_dir is not None:  # known now: the page draws the chance line while the run goes
        update_summary(run_dir, labels=task.labels, method=cfg.method, architecture=arch)
    # step 0: the validation accuracy of the untrained head, where every curve starts (about chance)
    history: list[dict[str, Any]] = []
    log({"step": 0, **_val_record(model, val_set, device), "elapsed_s": time.perf_counter() - t0}, history,
        run_dir, callbacks, evaluated=True)  # fmt: skip
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
                record.update(_val_record(model, val_set, device))
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
        "objective": OBJECTIVE_OF_ARCH[arch],
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


# ----- saving, loading, predicting ----------------------------------------------------------------------


def save_classifier(model: torch.nn.Module, tokenizer: PreTrainedTokenizerFast, path: Path, labels: list[str],
                    cfg: FinetuneConfig, arch: str) -> None:  # fmt: skip
    """Model (or peft adapter), tokenizer and `finetune.json`, all saved at once by train.save_model
    (safetensors; a failed save leaves no classifier folder)."""
    info: dict[str, Any] = {"labels": labels, "method": cfg.method, "architecture": arch}
    if hasattr(model, "peft_config"):  # the adapter needs its base: the pretrained run's model folder
        info["base_model"] = os.path.relpath(_pretrained_dir(cfg.pretrained, path.parent.parent), path)
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
        base = _quiet_load(CLASSES[_architecture(config)], base_dir, num_labels=len(labels))
        model = PeftModel.from_pretrained(base, path)  # adapter and head from adapter_model.safetensors
    else:
        if not (path / "model.safetensors").is_file():
            raise FinetuneError(f"No model.safetensors in {path}.")
        config = AutoConfig.from_pretrained(path)
        model = _quiet_load(CLASSES[_architecture(config)], path)
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


# ----- what pretraining buys: the label-budget curve ------------------------------------------------------


def label_budget_curve(
    task: str,
    sources: dict[str, str],
    budgets: Sequence[int | None] = (8, 32, 128, None),
    seeds: Sequence[int] = (0, 1, 2),
    methods: Sequence[str] = ("full",),
    scratch: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    **settings: Any,
) -> list[dict[str, Any]]:
    """Fine-tune every (source, method, budget, seed) on `task` and return one row per run.

    sources: name -> pretrained run id, e.g. {"MLM": "...-mlm-...", "AR": "...-ar-..."}. With
    scratch=True each source also gets a `scratch` row: the same architecture and tokenizer with random
    weights, so the only difference is the pretraining. settings: other FinetuneConfig fields (steps...).
    Rows: method, source, budget ("all" for None), seed, test_accuracy, macro_f1, trainable_parameters,
    elapsed_s.
    """
    rows = []
    for name, run_id in sources.items():
        for method in (*methods, *(("scratch",) if scratch else ())):
            for budget in budgets:
                for seed in seeds:
                    cfg = FinetuneConfig(pretrained=run_id, task=task, method=method, label_budget=budget, seed=seed,
                                         **settings)  # fmt: skip
                    s = finetune(cfg).summary
                    row = {"method": method, "source": f"{name} shape, random init" if method == "scratch" else name,
                           "budget": "all" if budget is None else budget, "seed": seed,
                           "test_accuracy": s["test_accuracy"], "macro_f1": s["macro_f1"],
                           "trainable_parameters": s["trainable_parameters"], "elapsed_s": s["elapsed_s"]}  # fmt: skip
                    rows.append(row)
                    if on_row is not None:
                        on_row(row)
    return rows


def curve_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds of each (method, source, budget), in the rows' order."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["method"], r["source"], r["budget"]), []).append(r)
    out = []
    for (method, source, budget), rs in groups.items():
        acc, f1 = [r["test_accuracy"] for r in rs], [r["macro_f1"] for r in rs]
        out.append({"method": method, "source": source, "budget": budget, "seeds": len(rs),
                    "accuracy_mean": statistics.fmean(acc), "accuracy_std": statistics.stdev(acc) if len(rs) > 1 else 0.0,
                    "macro_f1_mean": statistics.fmean(f1), "macro_f1_std": statistics.stdev(f1) if len(rs) > 1 else 0.0})  # fmt: skip
    return out


# ----- views for the app ---------------------------------------------------------------------------------


def pretrained_runs(root: str | os.PathLike | None = None) -> list[str]:
    """Ids of finished pretraining runs that have a saved model, newest first."""
    return [r.id for r in list_runs(root) if r.kind == "train" and (r.model_path / "model.safetensors").is_file()]


def finetune_runs(root: str | os.PathLike | None = None) -> list:
    """RunInfo of every fine-tuning run, newest first."""
    return [r for r in list_runs(root) if r.kind == "finetune"]


def results_table(runs: Sequence) -> list[dict[str, Any]]:
    """One row per fine-tuning run for the comparison table, rounded for display (None where not known yet)."""

    def rounded(value: Any, digits: int, scale: float = 1.0) -> float | None:
        return None if value is None else round(value * scale, digits)

    rows = []
    for r in runs:
        c, s = r.config, r.summary
        rows.append({
            "method": c.get("method"),
            "pretrained": "none" if c.get("method") == "scratch" else c.get("pretrained"),
            "task": Path(str(c.get("task"))).name,
            "labels used": s.get("train_examples", c.get("label_budget")),
            "test accuracy %": rounded(s.get("test_accuracy"), 1, 100),
            "macro-F1": rounded(s.get("macro_f1"), 3),
            "trainable %": rounded(s.get("trainable_fraction"), 2, 100),
            "trainable params": s.get("trainable_parameters"),
            "train time (s)": rounded(s.get("train_s"), 1),
            "peak memory (MB)": rounded(s.get("peak_memory_mb"), 1),
            "state memory (MB)": rounded(s.get("state_memory_mb"), 2),
            "status": r.status,
            "run": r.id,
            "error": s.get("error") if r.status == "failed" else None,
        })  # fmt: skip
    return rows


def example_sentence(config: dict[str, Any]) -> str:
    """A test sentence of the run's task to start the "try it" box with ("" if the task cannot be read)."""
    try:
        return load_task(config["task"], config.get("text_column"), config.get("label_column")).test[0].text
    except (ValueError, KeyError, IndexError):
        return ""


def classifier_dir(run_id: str, root: str | os.PathLike | None = None) -> Path:
    return run_path(run_id, root) / CLASSIFIER_DIR
