"""What pretraining buys: test accuracy against the number of labelled examples, scratch vs MLM vs AR.

First pretrains a mini MLM (BERT) and a mini AR (GPT-2) on the built-in corpus for `--pretrain-s`
seconds each (selfsup_core.train.train with time_budget_s), then fine-tunes each on the task with a
label budget of 8, 32, 128 and all training examples, over several seeds, and prints mean ± standard
deviation (over seeds) of test accuracy and macro-F1. `scratch` rows use the same architecture and
tokenizer as the pretrained run, with random weights: the only difference is the pretraining.

    python -m bench.label_budget [--task sentiment-en topic-en] [--pretrain-s 60 | --pretrain-steps 600]
                                 [--seeds 0 1 2] [--budgets 8 32 128 all] [--methods full linear-probe lora]
                                 [--steps 150]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch
from transformers.utils import logging as hf_logging

from selfsup_core import runs
from selfsup_core.config import TrainConfig
from selfsup_core.label_budget import curve_table, label_budget_curve
from selfsup_core.tasks import BUILTIN_TASKS
from selfsup_core.train import train


def pretrain(objective: str, corpus: str, seconds: float, steps: int | None, size: str) -> str:
    """A pretraining run of `seconds` of wall time, or of exactly `steps` steps when given."""
    budget = {"steps": steps, "time_budget_s": None} if steps else {"steps": 100_000, "time_budget_s": seconds}
    cfg = TrainConfig(objective=objective, corpus=corpus, size=size, checkpoints=0, eval_every=200, **budget)
    path = runs.create_run(cfg.to_dict())
    s = train(cfg, path).summary
    print(
        f"pretrained {objective.upper()} {size} on {corpus}: {s['steps']} steps in {s['elapsed_s']:.0f} s, "
        f"held-out accuracy {s['val_accuracy']:.1%}",
        flush=True,
    )
    return path.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--task",
        nargs="+",
        default=["sentiment-en"],
        choices=list(BUILTIN_TASKS),
        help="one or more tasks of the same world (the pretrained runs are shared)",
    )
    ap.add_argument("--pretrain-s", type=float, default=60.0, help="seconds of pretraining per objective")
    ap.add_argument(
        "--pretrain-steps",
        type=int,
        default=None,
        help="pretrain for this many steps instead of --pretrain-s seconds: the same work whatever "
        "else loads the machine (600 is about 60 s of an idle 2-core reference machine)",
    )
    ap.add_argument("--size", default="mini")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--budgets", nargs="+", default=["8", "32", "128", "all"])
    ap.add_argument("--methods", nargs="+", default=["full"], help="methods on the pretrained runs (scratch is added)")
    ap.add_argument("--steps", type=int, default=None, help="fine-tuning steps (default: FinetuneConfig's)")
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    budgets = [None if b == "all" else int(b) for b in args.budgets]
    worlds = {BUILTIN_TASKS[t]["world"] for t in args.task}
    if len(worlds) > 1:
        ap.error("give tasks of one world (all -en or all -zh)")
    corpus = worlds.pop()
    os.environ["SELFSUP_RUNS_DIR"] = tempfile.mkdtemp(prefix="label-budget-")
    t0 = time.perf_counter()
    sources = {
        obj.upper(): pretrain(obj, corpus, args.pretrain_s, args.pretrain_steps, args.size) for obj in ("mlm", "ar")
    }
    settings = {"steps": args.steps} if args.steps else {}
    tables = {}
    for task in args.task:
        rows = label_budget_curve(
            task,
            sources,
            budgets,
            args.seeds,
            args.methods,
            scratch=True,
            on_row=lambda r: print(
                f"  {r['method']:<12} {r['source']:<24} budget "
                f"{r['budget']!s:>4} seed {r['seed']}: {r['test_accuracy']:.1%}",
                flush=True,
            ),
            **settings,
        )
        tables[task] = curve_table(rows)
    print(
        f"\ntotal {time.perf_counter() - t0:.0f} s; test accuracy and macro-F1, mean ± standard deviation over "
        f"seeds {args.seeds}"
    )
    for task, table in tables.items():
        print(f"\n### {task}\n")
        labels = [str(b) for b in dict.fromkeys(r["budget"] for r in table)]
        print("| method | source | " + " | ".join(f"{b} labels" for b in labels) + " |")
        print("|---|---|" + "---:|" * len(labels))
        by_setting: dict[tuple[str, str], list[str]] = {}
        for r in table:
            by_setting.setdefault((r["method"], r["source"]), []).append(
                f"{r['accuracy_mean']:.1%} ± {r['accuracy_std']:.1%} (F1 {r['macro_f1_mean']:.2f})"
            )
        for (method, source), cells in by_setting.items():
            print(f"| {method} | {source} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
