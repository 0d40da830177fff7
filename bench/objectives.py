"""Which exercise teaches most per second? MLM, AR, ELECTRA and T5 at equal wall time on one world.

Every (seconds, objective, seed) is a separate mini run of that time budget on the same machine, with the
same data, tokenizer and defaults; each is then measured on what the objectives are for:

- facts known (`experiments.facts_known`, top-1, the whole answer): MLM and T5 on every fact, AR on those
  its left context decides; ELECTRA's discriminator fills no blanks, so its column is empty and its
  generator's (a masked LM a quarter as wide, trained alongside) is shown apart;
- fine-tuning accuracy on a built-in task from `--labels` labelled examples (the full method, one run a seed);
- the signal meter: predictions in the loss per second (`objectives.signal_tokens`), beside tokens read per second.

    python -m bench.objectives [--seconds 30 120] [--seeds 0 1 2] [--objectives mlm ar electra t5]
                               [--corpus world-en] [--task sentiment-en] [--labels 32] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from transformers.utils import logging as hf_logging

from selfsup_core import experiments, probe
from selfsup_core.config import OBJECTIVES, TrainConfig
from selfsup_core.corpus import builtin_facts
from selfsup_core.finetune import FinetuneConfig, finetune
from selfsup_core.models import GENERATOR_DIR
from selfsup_core.runs import create_run
from selfsup_core.train import train

COLUMNS = ("facts", "generator_facts", "finetune_accuracy", "signal_per_s", "tokens_per_s", "steps")


def measure(objective: str, seconds: float, seed: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """One cell: train for `seconds`, then its facts, its generator's facts (ELECTRA), its fine-tuning accuracy."""
    cfg = TrainConfig(objective=objective, corpus=args.corpus, size=args.size, steps=100_000,
                      time_budget_s=seconds, seed=seed, checkpoints=0)  # fmt: skip
    run_dir = create_run(cfg.to_dict(), root)
    summary = train(cfg, run_dir).summary
    facts = builtin_facts(args.corpus)
    model, tok, _ = probe.load_model(run_dir / "model")
    known = experiments.facts_known(model, tok, facts)
    generator = None
    if objective == "electra":
        gen, gen_tok, _ = probe.load_model(run_dir / "model" / GENERATOR_DIR, tokenizer_path=run_dir / "model")
        generator = experiments.facts_known(gen, gen_tok, facts)["share"]
    ft = FinetuneConfig(pretrained=run_dir.name, task=args.task, label_budget=args.labels, seed=seed)
    return {
        "objective": objective,
        "seconds": seconds,
        "seed": seed,
        "facts": known["share"] if known else None,
        "generator_facts": generator,
        "finetune_accuracy": finetune(ft).summary["test_accuracy"],
        "signal_per_s": summary["signal_tokens_per_s"],
        "tokens_per_s": summary["tokens_per_s"],
        "steps": summary["steps"],
    }


def spread(values: list[float | None]) -> str:
    """mean ± sd over seeds ("-" where not defined)."""
    found = [v for v in values if v is not None]
    if not found:
        return "-"
    sd = statistics.stdev(found) if len(found) > 1 else 0.0
    big = max(abs(v) for v in found) >= 100
    return f"{statistics.fmean(found):,.0f} ± {sd:,.0f}" if big else f"{statistics.fmean(found):.3f} ± {sd:.3f}"


def table(cells: list[dict[str, Any]]) -> str:
    """A markdown table: one row per (seconds, objective), mean ± sd over the seeds of each column."""
    lines = ["| seconds | objective | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 2) + "|"]
    for key in dict.fromkeys((c["seconds"], c["objective"]) for c in cells):
        group = [c for c in cells if (c["seconds"], c["objective"]) == key]
        lines.append(f"| {key[0]:g} | {key[1]} | " + " | ".join(spread([c[k] for c in group]) for k in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, nargs="+", default=[30.0, 120.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--objectives", nargs="+", default=list(OBJECTIVES), choices=OBJECTIVES)
    parser.add_argument("--corpus", default="world-en")
    parser.add_argument("--size", default="mini")
    parser.add_argument("--task", default="sentiment-en")
    parser.add_argument("--labels", type=int, default=32, help="labelled examples to fine-tune on")
    parser.add_argument("--json", type=Path, default=None, help="also write every cell here")
    args = parser.parse_args()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.2f}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.corpus}, {args.size}, fine-tuning on {args.task} "
          f"from {args.labels} labels")  # fmt: skip
    cells = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        os.environ["SELFSUP_RUNS_DIR"] = str(root)
        for seconds in args.seconds:
            for seed in args.seeds:
                for objective in args.objectives:
                    cells.append(measure(objective, seconds, seed, args, root))
                    print(json.dumps(cells[-1]), flush=True)
    print(table(cells))
    if args.json:
        args.json.write_text(json.dumps(cells, indent=2))


if __name__ == "__main__":
    main()
