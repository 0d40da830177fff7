"""The classifier a fine-tuning run trains: a pretrained (or random) network with a new head.

`build_classifier` loads the pretrained run's model into HF's ...ForSequenceClassification (BERT: a new
pooler and linear classifier on [CLS]; GPT-2: a new linear `score` on the last non-padding token; ELECTRA:
the discriminator's encoder with a new dense + GELU + linear head on [CLS]; T5: the whole encoder-decoder,
the decoder reading the text again, with a new dense + tanh + linear head on its final [SEP]),
`standardize_head_input` gives the new head a data-dependent start, and `set_trainable` decides which
weights learn (the method: all, the linear head only, or peft's LoRA / IA³ adapters).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoConfig,
    BertForSequenceClassification,
    ElectraForSequenceClassification,
    GPT2ForSequenceClassification,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    T5ForSequenceClassification,
)
from transformers.utils import logging as hf_logging

from ..models import PRESETS, Shape, build_model
from ..runs import RunNotFoundError, load_run
from ..tasks import Task
from ..tokenization import build_tokenizer
from ..train import autocast
from .config import FinetuneConfig, FinetuneError
from .encoding import Encoded

# the attention projections (LoRA paper's choice)
LORA_TARGETS = {"bert": ["query", "value"], "gpt2": ["c_attn"], "electra": ["query", "value"], "t5": ["q", "v"]}
IA3_TARGETS = {"electra": (["key", "value", "output.dense"], ["output.dense"])}  # BERT's; peft has none for ELECTRA
# What the linear-probe method trains: the linear layer on the features (BERT, ELECTRA, T5: on their standardised
# sentence features, the dense layer before it staying fixed, see standardize_head_input; GPT-2: on the final
# LayerNorm's output, whose shift and scale also learn, as GPT-2's `score` has no bias). The logits stay an affine
# function of the frozen encoder's features.
LINEAR_PROBE_TRAINS = {
    "bert": ("classifier.",),
    "gpt2": ("score.", "transformer.ln_f."),
    "electra": ("classifier.out_proj.",),
    "t5": ("classification_head.out_proj.",),
}
# new parts peft must train and save besides its default heads ("classifier", "score")
EXTRA_HEAD_MODULES = {"bert": ["pooler"], "gpt2": None, "electra": None, "t5": ["classification_head"]}
# the dense layer in front of the linear classifier, which reads the sentence's features (see standardize_head_input)
HEAD_DENSE = {"bert": "bert.pooler.dense", "electra": "classifier.dense", "t5": "classification_head.dense"}
CLASSES = {
    "bert": BertForSequenceClassification,
    "gpt2": GPT2ForSequenceClassification,
    "electra": ElectraForSequenceClassification,
    "t5": T5ForSequenceClassification,
}


def pretrained_dir(run_id: str, root: str | os.PathLike | None = None) -> Path:
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


def quiet_load(cls: type[PreTrainedModel], path: Path, **kwargs: Any) -> PreTrainedModel:
    """from_pretrained (safetensors only) without the "newly initialized weights" warning: a new head is the point."""
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        return cls.from_pretrained(path, use_safetensors=True, **kwargs)
    finally:
        hf_logging.set_verbosity(verbosity)


def architecture(config: PretrainedConfig) -> str:
    if config.model_type not in CLASSES:
        raise FinetuneError(
            f"This is a {config.model_type!r} model; fine-tuning knows BERT, GPT-2, ELECTRA and T5 runs only."
        )
    return config.model_type


def build_classifier(
    cfg: FinetuneConfig, task: Task, root: str | os.PathLike | None = None
) -> tuple[torch.nn.Module, PreTrainedTokenizerFast, str]:
    """(classifier with all parameters trainable, tokenizer, architecture: a key of CLASSES); see set_trainable.

    root: the runs directory holding the pretrained run (None: SELFSUP_RUNS_DIR). The seed (set by the
    caller) decides the new head's initial weights, and for scratch all of them.
    """
    labels = {
        "num_labels": len(task.labels),
        "id2label": dict(enumerate(task.labels)),
        "label2id": {lab: i for i, lab in enumerate(task.labels)},
    }
    if cfg.pretrained is not None:
        base = pretrained_dir(cfg.pretrained, root)
        tokenizer = PreTrainedTokenizerFast.from_pretrained(base)
        config = AutoConfig.from_pretrained(base, **labels)
        arch = architecture(config)
        if cfg.method == "scratch":  # same shape and vocabulary as the pretrained run, random weights
            model = CLASSES[arch](config)
        else:
            model = quiet_load(CLASSES[arch], base, **labels)
    else:
        if cfg.tokenizer_run is not None:
            tokenizer = PreTrainedTokenizerFast.from_pretrained(pretrained_dir(cfg.tokenizer_run, root))
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
    - BERT, ELECTRA and T5 with a frozen encoder (linear-probe, lora, ia3): the dense layer in front of the
      classifier (`HEAD_DENSE`: BERT's pooler, new since an MLM run has none; ELECTRA's and T5's head; HF
      would start it random) starts as act((features - mean) / std): weight diag(1/std), bias -mean/std.
      When the encoder itself trains (full, scratch) such a gain would amplify its every change and
      saturate the activation, so it starts as the identity, act(features), instead. (HF's random start,
      two stacked near-zero layers, left scratch BERT stuck at 67% on sentiment-en in our runs.)
    - GPT-2 linear probe: the final LayerNorm's scale and shift are rescaled so that its output, which
      `score` reads, is (h - mean) / std (same function up to that affine map; the probe trains them).
    """
    if arch != "gpt2" and method in ("full", "scratch"):
        dense = model.get_submodule(HEAD_DENSE[arch])
        dense.weight.copy_(torch.eye(dense.in_features))
        dense.bias.zero_()
        return
    if arch == "gpt2" and method != "linear-probe":
        return
    feats = _head_features(model, arch, data, device)  # (N, H)
    mean = feats.mean(0)
    std = feats.std(0) if len(feats) > 1 else torch.ones_like(mean)
    std = std.clamp_min(0.05 * float(std.mean()) + 1e-6)  # no blow-up of near-constant dimensions
    if arch == "gpt2":
        ln = model.transformer.ln_f
        ln.bias.copy_((ln.bias - mean) / std)
        ln.weight.div_(std)
        return
    dense = model.get_submodule(HEAD_DENSE[arch])
    dense.weight.copy_(torch.diag(1 / std))
    dense.bias.copy_(-mean / std)


def _head_features(model: PreTrainedModel, arch: str, data: Encoded, device: torch.device) -> torch.Tensor:
    """The sentence features the head reads, one row per example (N, H): GPT-2's last non-padding token;
    for the others the input of their `HEAD_DENSE` layer, caught on its way in while the model runs."""
    was_training = model.training
    model.eval()
    feats: list[torch.Tensor] = []
    hook = None
    if arch != "gpt2":
        hook = model.get_submodule(HEAD_DENSE[arch]).register_forward_pre_hook(
            lambda _, args: feats.append(args[0].float())
        )
    try:
        for start in range(0, len(data), 64):
            batch = data.batch(torch.arange(start, min(start + 64, len(data))), device)
            with autocast(device):
                if arch != "gpt2":
                    model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
                    continue
                h = model.transformer(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
                last = batch["attention_mask"].sum(1) - 1  # the last non-padding token, as GPT-2 pools
                feats.append(h.last_hidden_state[torch.arange(len(last)), last].float())
    finally:
        if hook is not None:
            hook.remove()
        model.train(was_training)
    return torch.cat(feats)


def set_trainable(model: PreTrainedModel, cfg: FinetuneConfig, arch: str) -> torch.nn.Module:
    """The method's trainable parameters: all (full, scratch), the linear probe's (LINEAR_PROBE_TRAINS), or peft's adapters."""
    if cfg.method in ("full", "scratch"):
        return model
    if cfg.method == "linear-probe":
        for name, p in model.named_parameters():
            p.requires_grad = name.startswith(LINEAR_PROBE_TRAINS[arch])
        return model
    from peft import IA3Config, LoraConfig, TaskType, get_peft_model  # slow import: only when needed

    extra = EXTRA_HEAD_MODULES[arch]
    if cfg.method == "lora":
        peft_config = LoraConfig(
            task_type=TaskType.SEQ_CLS,
            r=cfg.lora_rank,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            target_modules=cfg.target_modules or LORA_TARGETS[arch],
            modules_to_save=extra,
            fan_in_fan_out=arch == "gpt2",
        )
    else:  # ia3: peft's per-architecture defaults (BERT key/value/output.dense, GPT-2 c_attn/mlp.c_proj, T5 k/v/wo)
        targets, feedforward = IA3_TARGETS.get(arch, (None, None))
        peft_config = IA3Config(
            task_type=TaskType.SEQ_CLS,
            target_modules=targets,
            feedforward_modules=feedforward,
            modules_to_save=extra,
            fan_in_fan_out=arch == "gpt2",
        )
    return get_peft_model(model, peft_config)
