"""MLM vs AR at an equal CPU time budget: a matched pair (experiments.matched_group) on a built-in corpus,
then the probe scoreboard split by "needs right context" and the comparable metrics (same held-out blanks).

    python -m bench.mlm_vs_ar [--seconds 60] [--size mini] [--corpus world-en] [--seed 0] [--threads N]

Wall-clock budgets make this sensitive to other load on the machine: run it on an idle one.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch
from transformers.utils import logging as hf_logging

from selfsup_core import experiments as ex
from selfsup_core import runs
from selfsup_core.config import TrainConfig
from selfsup_core.corpus import builtin_probes
from selfsup_core.probe import load_model
from selfsup_core.train import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget of each run")
    parser.add_argument("--size", default="mini")
    parser.add_argument("--corpus", default="world-en")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    base = TrainConfig(
        corpus=args.corpus,
        size=args.size,
        steps=20_000,
        time_budget_s=args.seconds,
        seed=args.seed,
        checkpoints=0,
        device="cpu",
    )
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; {args.size} on {args.corpus}, "
        f"{args.seconds:.0f} s each, seed {args.seed}"
    )
    probes, words = builtin_probes(args.corpus), ex.candidate_words(args.corpus)
    root = Path(tempfile.mkdtemp(prefix="mlm-vs-ar-"))
    for cfg in ex.matched_group(base):
        path = runs.create_run(cfg.to_dict(), root)
        train(cfg, path)
        run = runs.load_run(path.name, root)
        model, tok, objective = load_model(run.model_path)
        m = ex.comparable_metrics(run, model, tok)
        print(
            f"\n{objective.upper()}: {m['steps']} steps, {m['tokens_seen']:,} tokens seen "
            f"(loss computed on ≈{m['targets_trained']:,}), {m['elapsed_s']:.0f} s, "
            f"{run.summary['tokens_per_s']:,.0f} tok/s"
        )
        print(
            f"  same {m['blanks']} held-out blanks, one at a time: accuracy {m['blank_accuracy']:.1%}, "
            f"loss {m['blank_loss']:.2f} nats (own held-out loss {m['train_val_loss']:.2f}, over {m['loss_is_over']})"
        )
        variants = [("", False), (" [MLM also from the candidates]", True)] if objective == "mlm" else [("", False)]
        for label, from_candidates in variants:
            rows = ex.scoreboard(model, tok, objective, probes, words, from_candidates)
            print(
                f"  probes{label}: "
                + ", ".join(f"{s['probes']} {s['right']}/{s['total']}" for s in ex.scoreboard_summary(rows))
            )
    print(f"\n(candidate set for AR: {len(words)} words = every probe's answer + words of the same kind)")


if __name__ == "__main__":
    main()
