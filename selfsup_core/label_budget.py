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


def label_budget_curve(
    task: str,
    sources: dict[str, str],
    budgets: Sequence[int | None] = (8, 32, 128, None),
    seeds: Sequence[int] = (0, 1, 2),
    methods: Sequence[str] = ("full",),
    scratch: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    **settings: Any,
) -> list[dict[str, Any]]:
    """Fine-tune every (source, method, budget, seed) on `task` and return one row per run.

    sources: name -> pretrained run id, e.g. {"MLM": "...-mlm-...", "AR": "...-ar-..."}. With
    scratch=True each source also gets a `scratch` row: the same architecture and tokenizer with random
    weights, so the only difference is the pretraining. settings: other FinetuneConfig fields (steps...).
    Rows: method, source, budget ("all" for None), seed, test_accuracy, macro_f1, trainable_parameters,
    elapsed_s.
    """
    rows = []
    for name, run_id in sources.items():
        for method in (*methods, *(("scratch",) if scratch else ())):
            for budget in budgets:
                for seed in seeds:
                    cfg = FinetuneConfig(
                        pretrained=run_id, task=task, method=method, label_budget=budget, seed=seed, **settings
                    )
                    s = finetune(cfg).summary
                    row = {
                        "method": method,
                        "source": f"{name} shape, random init" if method == "scratch" else name,
                        "budget": "all" if budget is None else budget,
                        "seed": seed,
                        "test_accuracy": s["test_accuracy"],
                        "macro_f1": s["macro_f1"],
                        "trainable_parameters": s["trainable_parameters"],
                        "elapsed_s": s["elapsed_s"],
                    }
                    rows.append(row)
                    if on_row is not None:
                        on_row(row)
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
