"""Training speed: selfsup_core's loop vs HF `Trainer` + `DataCollatorForLanguageModeling`, side by side.

Same machine, same process, same packed rows, same model shape (mini: H128/L2/A4/FFN512, seq 64,
batch 32, the built-in corpus's WordPiece vocabulary). Three arms per objective:

  hf-recipe   Trainer + collator on BertConfig / GPT2Config defaults for that shape (dropout 0.1,
              GPT-2's tanh GELU): what a student following the HF tutorials would run;
  hf-ourmodel Trainer + collator on the exact model selfsup_core builds (no dropout, exact GELU),
              which isolates what the training loop itself buys;
  selfsup     selfsup_core.train: sparse LM head and last layer (MLM), fused AdamW, masking on tensors.

Prints input tokens/s (median step after the first 5; for HF, wall time between optimizer steps) of each
arm, the arms taking turns --repeats times, then the medians and their ratios, plus the time from calling
`train` to its first optimizer step.

    python -m bench.speed [--steps 60] [--repeats 3] [--objective mlm ar] [--threads 2] [--vocab-size N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import torch
from transformers import (
    BertConfig,
    BertForMaskedLM,
    DataCollatorForLanguageModeling,
    GPT2Config,
    GPT2LMHeadModel,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)
from transformers.utils import logging as hf_logging

from selfsup_core.config import TrainConfig
from selfsup_core.models import build_model, shape_of
from selfsup_core.train import prepare_data, train


class StepClock(TrainerCallback):
    """Wall time between consecutive optimizer steps (data loading and collation included)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def on_step_end(self, args, state, control, **kwargs):
        self.times.append(time.perf_counter())


def hf_recipe_model(objective: str, cfg: TrainConfig, vocab_size: int):
    """The library defaults for the same shape (dropout 0.1; GPT-2 keeps its tanh-approximated GELU)."""
    s = shape_of(cfg)
    if objective == "mlm":
        config = BertConfig(
            vocab_size=vocab_size,
            hidden_size=s.hidden,
            num_hidden_layers=s.layers,
            num_attention_heads=s.heads,
            intermediate_size=s.ffn,
            max_position_embeddings=cfg.seq_len,
        )
        return BertForMaskedLM(config)
    config = GPT2Config(
        vocab_size=vocab_size,
        n_embd=s.hidden,
        n_layer=s.layers,
        n_head=s.heads,
        n_inner=s.ffn,
        n_positions=cfg.seq_len,
        bos_token_id=2,
        eos_token_id=3,
        pad_token_id=0,
    )
    return GPT2LMHeadModel(config)


def hf_tokens_per_s(cfg: TrainConfig, steps: int, recipe: bool) -> float:
    tokenizer, rows, _ = prepare_data(cfg)
    if recipe:
        model = hf_recipe_model(cfg.objective, cfg, len(tokenizer))
    else:
        model = build_model(cfg.objective, shape_of(cfg), len(tokenizer), cfg.seq_len)
    dataset = [{"input_ids": r} for r in rows.input_ids[: steps * cfg.batch_size].tolist()]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=cfg.objective == "mlm", mlm_probability=cfg.masking.rate)
    clock = StepClock()
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=cfg.batch_size,
            max_steps=steps,
            learning_rate=cfg.lr,
            logging_steps=10_000,
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            dataloader_num_workers=0,
            disable_tqdm=True,
            seed=cfg.seed,
        )
        Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator, callbacks=[clock]).train()
    gaps = [b - a for a, b in zip(clock.times[5:], clock.times[6:], strict=False)]
    return cfg.batch_size * cfg.seq_len / statistics.median(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--objective", nargs="+", default=["mlm", "ar"])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=3, help="run the three arms in turn this many times")
    parser.add_argument(
        "--vocab-size", type=int, default=None, help="WordPiece vocabulary cap (default: the project's)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    print(
        f"torch {torch.__version__}, {args.threads} threads, mini shape, seq 64, batch 32, {args.steps} steps, "
        f"{args.repeats} repeats, load average before {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for objective in args.objective:
        cfg = TrainConfig(
            objective=objective,
            size="mini",
            steps=args.steps,
            eval_every=10_000,
            checkpoints=0,
            device="cpu",
            vocab_size=args.vocab_size,
        )
        rates: dict[str, list[float]] = {"hf-recipe": [], "hf-ourmodel": [], "selfsup": []}
        for r in range(args.repeats):  # the arms take turns, so a slow spell of a shared machine hits them all
            rates["hf-recipe"].append(hf_tokens_per_s(cfg, args.steps, recipe=True))
            rates["hf-ourmodel"].append(hf_tokens_per_s(cfg, args.steps, recipe=False))
            result = train(cfg)
            rates["selfsup"].append(result.summary["tokens_per_s"])
            print(
                f"  {objective.upper()} repeat {r + 1}: "
                + " | ".join(f"{k} {v[-1]:7,.0f}" for k, v in rates.items())
                + f" tok/s | first step after {result.summary['first_step_s']:.2f} s",
                flush=True,
            )
        recipe, same, ours = (statistics.median(v) for v in rates.values())
        print(
            f"{objective.upper():>3} (vocab {len(result.tokenizer)}), median of {args.repeats}: "
            f"hf-recipe {recipe:7,.0f} tok/s | hf-ourmodel {same:7,.0f} tok/s | selfsup {ours:7,.0f} tok/s | "
            f"selfsup/hf-recipe {ours / recipe:4.2f}x | selfsup/hf-ourmodel {ours / same:4.2f}x",
            flush=True,
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
