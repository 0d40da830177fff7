"""What pretraining buys, as a curve: test accuracy against the number of labelled examples.

Every (pretrained source, method, label budget, seed) is fine-tuned on one task; with `scratch` each
source also gets the same architecture and tokenizer with random weights, so the only difference
between the two curves is the pretraining. bench/label_budget.py runs it and prints the table.

(Its own module rather than the end of experiments.py: that file holds the pretraining experiments and
is near 600 lines already; this one fine-tunes, and would pull the whole finetune package into it.)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from .finetune import FinetuneConfig, finetune


def plan_curve(
    task: str,
    sources: dict[str, str],
    budgets: Sequence[int | None] = (8, 32, 128, None),
    seeds: Sequence[int] = (0, 1, 2),
    methods: Sequence[str] = ("full",),
    scratch: bool = True,
    **settings: Any,
) -> list[tuple[str, FinetuneConfig]]:
    """(source name, config) of every (source, method, budget, seed) to fine-tune on `task`, in the curve's order.

    sources: name -> pretrained run id, e.g. {"MLM": "...-mlm-...", "AR": "...-ar-..."}. With scratch=True each
    source also gets a `scratch` config: the same architecture and tokenizer with random weights, so the only
    difference is the pretraining. settings: other FinetuneConfig fields (steps...). The app launches these as
    background jobs; `label_budget_curve` runs them here.
    """
    return [
        (name, FinetuneConfig(pretrained=run_id, task=task, method=method, label_budget=budget, seed=seed, **settings))
        for name, run_id in sources.items()
        for method in (*methods, *(("scratch",) if scratch else ()))
        for budget in budgets
        for seed in seeds
    ]


def curve_row(source: str, cfg: FinetuneConfig, summary: dict[str, Any]) -> dict[str, Any]:
    """One row of the curve: a finished fine-tuning run (its config and summary) of the source named `source`.
    Keys: method, source, budget ("all" for None), seed, test_accuracy, test_examples, macro_f1,
    trainable_parameters, elapsed_s."""
    return {
        "method": cfg.method,
        "source": f"{source} shape, random init" if cfg.method == "scratch" else source,
        "budget": "all" if cfg.label_budget is None else cfg.label_budget,
        "seed": cfg.seed,
        "test_accuracy": summary["test_accuracy"],
        "test_examples": sum(map(sum, summary["confusion"])),  # rows: true label, columns: predicted
        "macro_f1": summary["macro_f1"],
        "trainable_parameters": summary["trainable_parameters"],
        "elapsed_s": summary["elapsed_s"],
    }


def label_budget_curve(
    task: str,
    sources: dict[str, str],
    *args: Any,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """Fine-tune every config of `plan_curve(task, sources, *args, **kwargs)` here, one after another; one
    `curve_row` per run, each also passed to `on_row` as it comes."""
    rows = []
    for name, cfg in plan_curve(task, sources, *args, **kwargs):
        rows.append(curve_row(name, cfg, finetune(cfg).summary))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def curve_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds of each (method, source, budget), in the rows' order."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["method"], r["source"], r["budget"]), []).append(r)
    out = []
    for (method, source, budget), rs in groups.items():
        acc, f1 = [r["test_accuracy"] for r in rs], [r["macro_f1"] for r in rs]
        out.append(
            {
                "method": method,
                "source": source,
                "budget": budget,
                "seeds": len(rs),
                "accuracy_mean": statistics.fmean(acc),
                "accuracy_std": statistics.stdev(acc) if len(rs) > 1 else 0.0,
                "macro_f1_mean": statistics.fmean(f1),
                "macro_f1_std": statistics.stdev(f1) if len(rs) > 1 else 0.0,
            }
        )
    return out
