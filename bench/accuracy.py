"""Held-out masked-token accuracy of a mini MLM after a fixed CPU time budget, on each built-in corpus.

Also prints how many of the corpus's ground-truth probes the model fills correctly (top-1).

    python -m bench.accuracy [--seconds 60 | --steps 1000] [--corpus world-en world-zh] [--size mini]

--steps trains a fixed number of steps instead of a time budget: it compares two versions of the
trainer's data (packing, tokenizers) independently of how busy the machine is.
"""

from __future__ import annotations

import argparse

import torch
from transformers.utils import logging as hf_logging

from selfsup_core import probe
from selfsup_core.config import TrainConfig
from selfsup_core.corpus import builtin_names, load_builtin
from selfsup_core.train import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--corpus", nargs="+", default=builtin_names())
    parser.add_argument("--steps", type=int, default=None, help="a fixed number of steps instead of --seconds")
    parser.add_argument("--size", default="mini")
    args = parser.parse_args()
    hf_logging.disable_progress_bar()
    budget = f"{args.steps} steps" if args.steps else f"{args.seconds:.0f} s"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.size} MLM, {budget} each")
    for name in args.corpus:
        limit = dict(steps=args.steps) if args.steps else dict(steps=1_000_000, time_budget_s=args.seconds)
        cfg = TrainConfig(objective="mlm", corpus=name, size=args.size, checkpoints=0, device="cpu", **limit)
        result = train(cfg)
        model, tok = result.model.eval(), result.tokenizer
        probes = load_builtin(name).probes
        right = sum(probe.fill_mask(model, tok, p.text, 1)[0].candidates[0].token == p.answer for p in probes)
        s = result.summary
        print(
            f"{name}: {s['steps']} steps, {s['tokens_per_s']:,.0f} tok/s, held-out masked-token accuracy "
            f"{s['val_accuracy']:.1%} (val loss {s['val_loss']:.2f}), probes right {right}/{len(probes)}"
        )


if __name__ == "__main__":
    main()
