"""Which lever bought what: facts known after 30 s for the old defaults and each change on top of them.

Each row adds one change to the row above, from the defaults before issue #14 (a two-layer mini, BERT's 15%
mask rate, lr 2e-3, every packed row read as one text) to today's; each cell is a separate run of a time
budget on the same machine, scored by `experiments.facts_known` on every fact of the world. "Documents read
alone" is `objectives.documents` (own-document attention and positions); its row before is the same model
reading whole packed rows, the way training did before.

    python -m bench.levers [--seconds 30] [--corpus world-en] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers.utils import logging as hf_logging

from bench.knowledge import corpus_spec
from selfsup_core import experiments, objectives
from selfsup_core.config import TrainConfig, default_tokenizer
from selfsup_core.tokenization import PAD_ID
from selfsup_core.train import train

OLD = dict(layers=2, lr=2e-3, masking={"rate": 0.15})  # the defaults before #14 (the mini preset had 2 layers)
LEVERS = [  # (name, changes to TrainConfig, documents read alone)
    ("before #14: mini with 2 layers, mask 15%, lr 2e-3, whole rows", OLD, False),
    ("+ mask rate 40% (Wettig et al. 2023)", {**OLD, "masking": {"rate": 0.4}}, False),
    ("+ peak lr 4e-3", {**OLD, "masking": {"rate": 0.4}, "lr": 4e-3}, False),
    ("+ each packed document read alone", {**OLD, "masking": {"rate": 0.4}, "lr": 4e-3}, True),
    ("+ one layer (today's mini and defaults)", {}, True),
]


def whole_rows(input_ids: torch.Tensor, causal: bool):
    """Training before #14: every position sees its whole packed row (only [PAD] hidden), positions 0..L-1."""
    return (None if causal else (input_ids != PAD_ID)), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--corpus", default="world-en")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    hf_logging.disable_progress_bar()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.2f}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.corpus}, {args.seconds:.0f} s per run")  # fmt: skip
    documents = objectives.documents
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SELFSUP_RUNS_DIR"] = str(Path(tmp) / "runs")
        spec, facts, _ = corpus_spec(args.corpus, Path(tmp))
        for name, changes, alone in LEVERS:
            objectives.documents = documents if alone else whole_rows
            shares, steps = [], []
            for seed in args.seeds:
                cfg = TrainConfig(corpus=spec, tokenizer=default_tokenizer("world-en"), steps=1_000_000,
                                  time_budget_s=args.seconds, seed=seed, checkpoints=0, device="cpu")  # fmt: skip
                cfg = cfg.replace(**changes)
                result = train(cfg)
                shares.append(experiments.facts_known(result.model.eval(), result.tokenizer, facts)["share"])
                steps.append(result.summary["steps"])
                print(f"{name}: seed {seed}, {steps[-1]} steps, facts {shares[-1]:.1%}", flush=True)
            rows.append((name, statistics.median(steps), statistics.median(shares), min(shares), max(shares)))
        objectives.documents = documents
    print(f"\n| change | steps in {args.seconds:.0f} s (median) | facts known: median (min-max) |\n|---|---:|---:|")
    for name, steps, median, low, high in rows:
        print(f"| {name} | {steps:.0f} | {median:.1%} ({low:.0%}-{high:.0%}) |")


if __name__ == "__main__":
    main()
