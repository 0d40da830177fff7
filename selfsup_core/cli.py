"""Command line: `python -m selfsup_core {train,probe,list} ...`.

The flags build the same `TrainConfig` the app builds; its defaults are the only defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from transformers.utils import logging as hf_logging

from .config import OBJECTIVES, TOKENIZER_KINDS, AugmentConfig, MaskingConfig, TrainConfig, default_tokenizer
from .distributed import from_env
from .models import PRESETS
from .runs import RunNotFoundError, create_run, list_runs, load_run
from .train import TrainingError

_DEFAULTS = TrainConfig()
_HELP = {  # flag help for fields whose name is not self-explanatory
    "corpus": "built-in corpus name (world-en, world-zh) or a .txt/.csv/.jsonl path",
    "time_budget_s": "stop after this many seconds of wall time",
    "tokenizer": "default: wordpiece for a built-in world, bpe (lossless) for your own file",
    "lowercase": "lower-case the text before tokenizing",
    "steps": "optimizer steps (the run ends at steps or the time budget, whichever first)",
}


def _add_dataclass_flags(parser: argparse.ArgumentParser, cls: type, prefix: str = "") -> None:
    """One --flag per dataclass field, defaulting to the dataclass default (so there is one source of truth)."""
    choices = {"objective": OBJECTIVES, "tokenizer": TOKENIZER_KINDS, "size": tuple(PRESETS)}
    instance = cls()
    for f in dataclasses.fields(cls):
        if f.name in ("masking", "augment"):
            continue
        default = getattr(instance, f.name)
        kind = type(default) if default is not None else (float if f.name.endswith("_s") else int)
        if f.name in ("text_column", "device"):
            kind = str
        flag = "--" + (prefix + f.name).replace("_", "-")
        if isinstance(default, bool):
            parser.add_argument(
                flag,
                dest=prefix + f.name,
                action=argparse.BooleanOptionalAction,
                default=default,
                help=_HELP.get(f.name, f"default: {default}"),
            )
            continue
        if f.name == "tokenizer":
            default = None  # resolved from the corpus in config_from_args (config.default_tokenizer)
        parser.add_argument(
            flag,
            dest=prefix + f.name,
            type=kind,
            default=default,
            choices=choices.get(f.name),
            help=_HELP.get(f.name, f"default: {default}"),
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m selfsup_core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser(
        "train", help="train a mini BERT (mlm), GPT (ar), ELECTRA (electra) or T5 (t5) and save it as a run"
    )
    _add_dataclass_flags(train, TrainConfig)
    _add_dataclass_flags(train, MaskingConfig, prefix="mask_")
    _add_dataclass_flags(train, AugmentConfig, prefix="aug_")
    train.add_argument("--runs-dir", default=None, help="runs directory (default: $SELFSUP_RUNS_DIR or ./runs)")
    train.add_argument("--quiet", action="store_true", help="print only the run id and the summary")

    probe = sub.add_parser("probe", help="probe a saved run; prints JSON")
    probe.add_argument("--run", required=True, help="run id, or RUNS_DIR/RUN_ID")
    probe.add_argument(
        "--text",
        required=True,
        help="sentence; for MLM runs mark blanks with [MASK], for T5 runs with <extra_id_0> (or [MASK]); "
        "ELECTRA runs say how likely each word is to have been replaced",
    )
    probe.add_argument("--top-k", type=int, default=5)

    ls = sub.add_parser("list", help="list the runs in a runs directory")
    ls.add_argument("--runs-dir", default=None)
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    values = vars(args)
    fields = {f.name: values[f.name] for f in dataclasses.fields(TrainConfig) if f.name in values}
    fields["tokenizer"] = fields.get("tokenizer") or default_tokenizer(fields["corpus"])
    fields["masking"] = {f.name: values["mask_" + f.name] for f in dataclasses.fields(MaskingConfig)}
    fields["augment"] = {f.name: values["aug_" + f.name] for f in dataclasses.fields(AugmentConfig)}
    return TrainConfig.from_dict(fields)


def _cmd_train(args: argparse.Namespace) -> int:
    from .train import Callback, train

    cfg = config_from_args(args)
    world = from_env()  # under torchrun only rank 0 creates the run and prints
    run_dir = create_run(cfg.to_dict(), args.runs_dir) if world.is_main else None
    if world.is_main:
        print(run_dir.name, flush=True)

    class Printer(Callback):
        def on_step_end(self, r: dict[str, Any]) -> None:
            if args.quiet:
                return
            val = f"  val_loss {r['val_loss']:.3f}  val_acc {r['val_accuracy']:.3f}" if "val_loss" in r else ""
            print(
                f"step {r['step']:>5}  loss {r['train_loss']:.3f}{val}  {r['tokens_per_s']:,.0f} tok/s  "
                f"{r['elapsed_s']:.1f}s",
                flush=True,
            )

    result = train(cfg, run_dir, [Printer()])
    if world.is_main:
        print(json.dumps(result.summary, indent=2))
    else:
        print(f"rank {world.rank}/{world.size} finished {result.summary['steps']} steps", file=sys.stderr)
    return 0


def _cmd_probe(args: argparse.Namespace) -> int:
    from . import probe

    if "/" in args.run or "\\" in args.run:
        root, _, run_id = args.run.replace("\\", "/").rstrip("/").rpartition("/")
    else:
        root, run_id = None, args.run
    run = load_run(run_id, root)
    model, tokenizer, objective = probe.load_model(run.model_path)
    if objective == "mlm":
        out = [dataclasses.asdict(p) for p in probe.fill_mask(model, tokenizer, args.text, args.top_k)]
    elif objective == "t5":
        out = [fill._asdict() for fill in probe.fill_spans(model, tokenizer, args.text)]
    elif objective == "electra":
        out = [word._asdict() for word in probe.replaced_probabilities(model, tokenizer, args.text)]
    else:
        out = {
            "next_token": probe.next_token(model, tokenizer, args.text, args.top_k),
            "generation": probe.generate(model, tokenizer, args.text, greedy=True).text,
        }
    print(
        json.dumps(
            {"run": run_id, "objective": objective, "text": args.text, "result": out},
            ensure_ascii=False,
            indent=2,
            default=lambda o: dataclasses.asdict(o),
        )
    )
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for run in list_runs(args.runs_dir):
        s = run.summary
        acc = f"{s['val_accuracy']:.3f}" if s.get("val_accuracy") is not None else "-"
        print(
            f"{run.id}\t{run.status}\t{run.config.get('objective')}\t{run.config.get('corpus')}\t"
            f"steps={s.get('steps', '-')}\tval_acc={acc}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    hf_logging.disable_progress_bar()  # "Writing model shards" bars would drown the progress lines
    try:
        return {"train": _cmd_train, "probe": _cmd_probe, "list": _cmd_list}[args.command](args)
    except (ValueError, RunNotFoundError, TrainingError, OSError) as e:  # every user-facing error of the core
        print(f"error: {e}", file=sys.stderr)
        return 2
