"""What a fine-tuning run is asked to do: the methods, their default learning rates, `FinetuneConfig`."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

from ..models import PRESETS
from ..tokenization import DEFAULT_VOCAB

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
