"""Run configuration: one dataclass tree, the single source of truth for every default.

The CLI and the app both build a `TrainConfig`; it is written to each run's `config.json`
and is enough to reproduce the run (seed included).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# mlm: BERT's blanks; ar: GPT's next token; electra: spot the words a small generator replaced (Clark et al. 2020);
# t5: write back the spans replaced by sentinels (Raffel et al. 2020). See objectives.py for each loss.
OBJECTIVES = ("mlm", "ar", "electra", "t5")
TOKENIZER_KINDS = ("char", "bpe", "wordpiece", "word")  # see tokenization.py; char and bpe are lossless
BUILTIN_CORPORA = ("world-en", "world-zh")
MASK_STRATEGIES = ("token", "whole-word", "span")


@dataclass
class MaskingConfig:
    """How MLM (and ELECTRA's generator) picks and corrupts the positions it predicts (ignored for AR and T5)."""

    # fraction of (non-special) tokens the model must predict, 0.01-0.9. BERT used 0.15; 0.4 (Wettig et al.
    # 2023) learns the world's facts about twice as fast here (bench/RESULTS.md, "Facts in a class minute")
    rate: float = 0.4
    mask_replace_prob: float = 0.8  # of the chosen tokens: share shown as [MASK] (BERT: 80%)
    random_replace_prob: float = 0.1  # of the chosen tokens: share replaced by a random token
    # the rest (default 10%) is kept unchanged but still predicted
    strategy: str = "token"  # token | whole-word | span (SpanBERT geometric span lengths)
    span_mean: float = 3.0  # mean span length in words, for strategy="span"
    span_max: int = 10  # longest span in words, for strategy="span"

    def __post_init__(self) -> None:
        if not 0.01 <= self.rate <= 0.9:
            raise ValueError(
                f"Mask rate must be between 0.01 and 0.9, got {self.rate}. "
                "At 0 nothing is learned; at 1 nothing is left to learn from."
            )
        if self.mask_replace_prob < 0 or self.random_replace_prob < 0:
            raise ValueError("Replacement probabilities cannot be negative.")
        if self.mask_replace_prob + self.random_replace_prob > 1 + 1e-9:
            raise ValueError(
                "mask_replace_prob + random_replace_prob must be at most 1 "
                f"(got {self.mask_replace_prob} + {self.random_replace_prob})."
            )
        if self.strategy not in MASK_STRATEGIES:
            raise ValueError(f"Unknown masking strategy {self.strategy!r}; choose one of {MASK_STRATEGIES}.")
        if not 1.0 <= self.span_mean <= self.span_max:
            raise ValueError("span_mean must be at least 1 and at most span_max.")


@dataclass
class AugmentConfig:
    """Corruptions applied to the input before the objective; all off by default.

    Each strength is a probability (0 = off). See `augment.EXPLANATIONS` for what each does to
    the input and to the target for MLM and for AR.
    """

    noise: float = 0.0  # per token: replace with a random vocabulary token
    delete: float = 0.0  # per token: drop it from the text
    shuffle: float = 0.0  # per window of `shuffle_window` tokens: shuffle its order
    shuffle_window: int = 3  # size of the local windows that `shuffle` reorders
    permute: float = 0.0  # per sequence: permute the order of its sentences

    def __post_init__(self) -> None:
        for name in ("noise", "delete", "shuffle", "permute"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"Augmentation {name!r} is a probability between 0 and 1, got {value}.")
        if self.delete > 0.9:
            raise ValueError("Deleting more than 90% of the tokens leaves nothing to learn from.")
        if self.shuffle_window < 2:
            raise ValueError("shuffle_window must be at least 2 tokens.")

    @property
    def active(self) -> bool:
        return any((self.noise, self.delete, self.shuffle, self.permute))


@dataclass
class TrainConfig:
    """Everything a training run needs. Defaults give a one-click run that teaches something."""

    # mlm (BERT-style, fill the blanks) | ar (GPT-style, next token) | electra (spot the replaced words) |
    # t5 (write back the missing spans); see OBJECTIVES
    objective: str = "mlm"
    corpus: str = "world-en"  # built-in corpus name, or a path to a .txt/.csv/.jsonl file
    text_column: str | None = None  # column (csv) or field (jsonl) holding the text
    tokenizer: str = "wordpiece"  # char | bpe | wordpiece | word (see default_tokenizer for a user's file)
    vocab_size: int | None = None  # None: the tokenizer kind's default
    lowercase: bool = False  # lower-case the text before tokenizing (the built-in worlds are lower-case already)
    size: str = "mini"  # model preset: nano | mini | small (see models.PRESETS)
    hidden: int | None = None  # overrides of the preset's shape
    layers: int | None = None
    heads: int | None = None
    seq_len: int = 64  # tokens per training sequence (whole sentences are packed into it)
    batch_size: int = 32  # sequences per optimizer step (all processes and accumulation steps together)
    grad_accum: int = 1  # micro-batches per optimizer step: same maths, less memory at a time
    steps: int = 300  # optimizer steps (the run stops at `steps` or `time_budget_s`, first hit)
    time_budget_s: float | None = None  # wall-clock budget in seconds, None = no limit
    lr: float = 4e-3  # peak learning rate (AdamW), reached after warmup, then cosine decay; 8e-3 diverges (mini)
    warmup_frac: float = 0.05  # share of the steps spent warming up the learning rate
    weight_decay: float = 0.01
    grad_clip: float = 1.0  # max global gradient norm
    seed: int = 0
    val_fraction: float = 0.1  # share of the documents held out for evaluation
    eval_every: int = 50  # steps between held-out evaluations
    eval_batches: int = 4  # held-out batches per evaluation (same blanks every time)
    log_every: int = 5  # steps between metric lines
    checkpoints: int = 4  # snapshots saved during training, for the probe timeline (0 = none)
    device: str = "auto"  # auto (cuda, then mps, then cpu) | cpu | cuda | mps
    masking: MaskingConfig = field(default_factory=MaskingConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self) -> None:
        if isinstance(self.masking, dict):
            self.masking = MaskingConfig(**self.masking)
        if isinstance(self.augment, dict):
            self.augment = AugmentConfig(**self.augment)
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"Unknown objective {self.objective!r}: use 'mlm' (masked, BERT-style), 'ar' (next token, "
                "GPT-style), 'electra' (spot the replaced words) or 't5' (fill the gaps in spans)."
            )
        if self.tokenizer not in TOKENIZER_KINDS:
            raise ValueError(f"Unknown tokenizer {self.tokenizer!r}; choose one of {TOKENIZER_KINDS}.")
        for name in ("steps", "batch_size", "grad_accum", "eval_every", "eval_batches", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not 8 <= self.seq_len <= 1024:
            raise ValueError(f"seq_len must be between 8 and 1024 tokens, got {self.seq_len}.")
        if not (self.lr > 0 and self.lr <= 1.0):  # also rejects NaN
            raise ValueError(f"Learning rate must be in (0, 1], got {self.lr}; 1e-3 is a good start.")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise ValueError("time_budget_s must be positive (or None for no limit).")
        if not 0.0 < self.val_fraction < 0.5:
            raise ValueError("val_fraction must be between 0 and 0.5.")
        if not 0.0 <= self.warmup_frac < 1.0:
            raise ValueError("warmup_frac must be in [0, 1).")
        if self.checkpoints < 0:
            raise ValueError("checkpoints cannot be negative.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Build from a dict (e.g. a run's config.json); unknown keys are an error, not silently dropped."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown config keys: {sorted(unknown)}")
        return cls(**data)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (and validated)."""
        return TrainConfig.from_dict({**self.to_dict(), **changes})


def default_tokenizer(corpus: str) -> str:
    """The tokenizer a corpus gets unless one is chosen: BERT's WordPiece for the built-in worlds, and for a
    user's own text the lossless byte-level BPE (GPT-2's, and RoBERTa's for MLM), which keeps its case,
    spacing and line breaks."""
    return "wordpiece" if corpus in BUILTIN_CORPORA else "bpe"


def quick_demo(corpus: str = "world-en") -> TrainConfig:
    """The landing page's one-click demo: a mini BERT on a built-in corpus for 30 seconds."""
    return TrainConfig(objective="mlm", corpus=corpus, size="mini", steps=5000, time_budget_s=30.0)


@dataclass(frozen=True)
class Budget:
    """Where a page that compares runs starts: model size, seconds per run, and runs (seeds) per setting."""

    size: str  # model preset (models.PRESETS)
    seconds: float  # time budget of each run
    seeds: int = 1  # runs per setting, seeds cfg.seed, cfg.seed + 1, ...


# The default budgets of the pages that compare runs (issue #14), in this one place. A comparison at a budget
# where the models are still guessing compares noise (nano for 5 s: MLM answers "." to every blank), so these
# are chosen for both models to have learned something; verdicts.still_guessing says when they have not.
# At 30 s on an idle 2-core machine a mini MLM knows 92-98% of world-en's facts and 88-91% of world-zh's, a
# mini AR every fact its left context decides (bench/RESULTS.md, "Facts in a class minute"); with another run
# training beside it, it makes ~40% of the steps and is often still early, which verdicts.still_guessing says.
COMPARE_BUDGET = Budget("mini", 30.0)  # the MLM vs AR page's matched pair: two runs, about 70 s
LESSON_BUDGET = COMPARE_BUDGET  # lessons that compare runs (2-3 runs a step, 5-60 s each: lessons.SECONDS)
# Lesson 5 trains all four objectives in one step: 4 x (20 s + ~4 s overhead), about 100 s with one training slot
GROUP_LESSON_BUDGET = Budget("mini", 20.0)
# The Compare page fine-tunes each model of a group with these label budgets (the label-budget experiment,
# label_budget.py), for as many steps as the lesson on pretraining does: one short job each, in the background.
COMPARE_FINETUNE = {"budgets": (8, 32, 128), "steps": 100}
# Sweeps run every setting twice, for a spread: 3 mask rates x 2 seeds x (20 s + ~4 s overhead) is about
# 2.5 minutes with one training slot (a 2-core server), kept to that by the shorter runs and fewer rates.
SWEEP_BUDGET = Budget("mini", 20.0, seeds=2)
SWEEP_RATES = (0.05, 0.15, 0.4)  # the mask-rate sweep's default rates: too few, BERT's, Wettig et al.'s


def load_config_json(data: bytes) -> TrainConfig:
    """A run's `config.json` as uploaded by a student; raises ValueError saying what is wrong with the file."""
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"This is not a run's config.json (it is not JSON text: {e}).") from None
    if not isinstance(loaded, dict):
        raise ValueError("This is not a run's config.json: it should hold one JSON object of settings.")
    try:
        return TrainConfig.from_dict(loaded)
    except TypeError as e:  # a nested block with unknown settings, or a value of the wrong kind
        raise ValueError(f"This config.json does not fit this version's settings ({e}).") from None


# -- settings <-> URL query parameters ----------------------------------------------------------------
# A link carries a config as flat text parameters named after its fields, nested ones (masking, augment)
# under their own names: ?objective=ar&rate=0.3&seed=4. Only fields that differ from a base are written,
# so links stay short; reading applies each parameter to the base and validates it like any config.
Limits = Mapping[str, tuple[float, float] | Collection[Any]]  # field -> (lowest, highest) or allowed values


def flat(cfg: Any) -> dict[str, Any]:
    """A config's fields on one level: a nested config's fields under their own names."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        out.update(flat(value) if dataclasses.is_dataclass(value) else {f.name: value})
    return out


def replace_flat(cfg: Any, changes: Mapping[str, Any]) -> Any:
    """A validated copy of `cfg` with fields changed by their flat names (see `flat`)."""
    top = dict(changes)
    for f in dataclasses.fields(cfg):
        inner = getattr(cfg, f.name)
        if dataclasses.is_dataclass(inner):
            mine = {k: top.pop(k) for k in list(top) if k in flat(inner)}
            if mine:
                top[f.name] = replace_flat(inner, mine)
    return dataclasses.replace(cfg, **top)


def to_params(cfg: Any, base: Any, names: Collection[str]) -> dict[str, str]:
    """The fields `names` of `cfg` that differ from `base`'s, as query-parameter text."""
    mine, theirs = flat(cfg), flat(base)
    return {n: _text(mine[n]) for n in names if mine[n] != theirs[n]}


def from_params(params: Mapping[str, str], base: Any, names: Collection[str], limits: Limits | None = None):
    """(config, problems): `base` with the fields `names` found in `params` applied. A value that does not
    parse, breaks `limits` or fails the config's own checks is left out, and `problems` says why, in words
    a student understands; nothing here raises."""
    hints, limits = _hints(base), limits or {}
    values, problems = {}, []
    for name in [n for n in names if n in params]:
        try:
            values[name] = _check(name, _parse(params[name], hints[name]), limits.get(name))
        except ValueError as e:
            problems.append(_problem(name, params[name], e, flat(base)[name]))
    try:
        return replace_flat(base, values), problems
    except ValueError:  # some value clashes with the others: keep those that pass, one at a time
        cfg = base
        for name, value in values.items():
            try:
                cfg = replace_flat(cfg, {name: value})
            except ValueError as e:
                problems.append(_problem(name, params[name], e, flat(base)[name]))
        return cfg, problems


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "none" if value is None else repr(value) if isinstance(value, float) else str(value)


def _hints(cfg: Any) -> dict[str, Any]:
    out = typing.get_type_hints(type(cfg))
    for f in dataclasses.fields(cfg):
        if dataclasses.is_dataclass(getattr(cfg, f.name)):
            out.update(_hints(getattr(cfg, f.name)))
    return out


def _parse(text: str, hint: Any) -> Any:
    """Text -> a value of type `hint` (bool, int, float, str, or one of them | None, written "none")."""
    kinds = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if type(None) in kinds and text.strip().lower() == "none":
        return None
    kind = next(k for k in kinds if k is not type(None))
    if kind is bool:
        if text.strip().lower() not in ("true", "false"):
            raise ValueError("it should be true or false.")
        return text.strip().lower() == "true"
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError("it should be a whole number.") from None
    if kind is float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("it should be a number.") from None
        if not math.isfinite(value):
            raise ValueError("it should be a finite number.")
        return value
    return text


def _check(name: str, value: Any, limit: Any) -> Any:
    if limit is None:
        return value
    if isinstance(limit, tuple) and len(limit) == 2 and all(isinstance(x, int | float) for x in limit):
        if value is not None and not limit[0] <= value <= limit[1]:
            raise ValueError(f"it should be between {_text(limit[0])} and {_text(limit[1])}.")
    elif value not in limit:
        shown = [_text(v) for v in limit]
        raise ValueError(f"it should be one of {', '.join(shown[:8])}{'…' if len(shown) > 8 else ''}.")
    return value


def _problem(name: str, text: str, reason: ValueError, default: Any) -> str:
    return f"The link's setting {name}={text[:40]!r} was not used: {reason} Using {_text(default)} instead."
