"""Facts known after a fixed number of steps, for changes of the training config: which lever moves the
facts' arrival earlier, without the noise of a shared machine's speed (steps, not seconds).

At 700 steps (what a 30 s run makes with a second run beside it) every fact of the world is asked, as in
bench/knowledge.py. Each variant is a `;`-separated list of `field=value` changes of TrainConfig
(`rate=` is the mask rate); `base` is today's defaults.

    python -m bench.fixed_steps --variants "base;heads=4;heads=8;lr=5e-3" --corpus world-en world-en-renamed
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers.utils import logging as hf_logging

from bench.knowledge import corpus_spec
from selfsup_core import experiments
from selfsup_core.config import TrainConfig, default_tokenizer
from selfsup_core.train import train

FIELDS = {f.name: f.type for f in dataclasses.fields(TrainConfig)}


def changes_of(variant: str) -> dict:
    """ "heads=16+lr=5e-3" -> {"heads": 16, "lr": 0.005}; "base" -> {}."""
    out: dict = {}
    for part in variant.split("+"):
        key, _, value = part.partition("=")
        if key == "base":
            continue
        if key == "rate":
            out["masking"] = {"rate": float(value)}
        elif key in FIELDS:
            kind = str(FIELDS[key])
            out[key] = float(value) if "float" in kind else value if kind.startswith("str") else int(value)
        else:
            raise SystemExit(f"unknown field {key!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="base")
    parser.add_argument("--corpus", nargs="+", default=["world-en", "world-en-renamed"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=700)
    args = parser.parse_args()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(1)  # as each of two runs sharing the machine gets
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.2f}, {args.steps} steps")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SELFSUP_RUNS_DIR"] = str(Path(tmp) / "runs")
        specs = {name: corpus_spec(name, Path(tmp)) for name in args.corpus}
        for variant in args.variants.split(";"):
            shares = []
            for name, (spec, facts, _) in specs.items():
                tokenizer = default_tokenizer("world-zh" if name == "world-zh" else "world-en")
                for seed in args.seeds:
                    cfg = TrainConfig(corpus=spec, tokenizer=tokenizer, steps=args.steps, seed=seed, checkpoints=0,
                                      device="cpu").replace(**changes_of(variant))  # fmt: skip
                    result = train(cfg)
                    shares.append(experiments.facts_known(result.model.eval(), result.tokenizer, facts)["share"])
                    print(f"{variant}: {name} seed {seed}: facts {shares[-1]:.1%}", flush=True)
            rows.append((variant, statistics.median(shares), min(shares), max(shares), len(shares)))
    print(f"\n| change | facts known at {args.steps} steps: median (min-max) | runs |\n|---|---:|---:|")
    for variant, median, low, high, n in rows:
        print(f"| {variant} | {median:.1%} ({low:.0%}-{high:.0%}) | {n} |")


if __name__ == "__main__":
    main()
