"""Command line: `python -m selfsup_core {train,probe,generate,list} ...`.

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
from .runs import RunInfo, RunNotFoundError, create_run, list_runs, load_run
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
        help="sentence (not needed with --embeddings); for MLM runs mark blanks with [MASK], for T5 runs with <extra_id_0> (or [MASK]); "
        "ELECTRA runs say how likely each word is to have been replaced",
    )
    probe.add_argument("--top-k", type=int, default=5)
    _add_window_flags(probe, sub)

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


def _run_of(arg: str) -> RunInfo:
    """The run named by --run: a run id (in $SELFSUP_RUNS_DIR or ./runs), or RUNS_DIR/RUN_ID."""
    if "/" in arg or "\\" in arg:
        root, _, run_id = arg.replace("\\", "/").rstrip("/").rpartition("/")
        return load_run(run_id, root)
    return load_run(arg)


def _cmd_probe(args: argparse.Namespace) -> int:
    from . import probe

    if args.logit_lens or args.embeddings:
        return _cmd_window(args)
    if args.text is None:
        raise ValueError("probe needs --text (a sentence; for MLM runs with a [MASK]).")
    run = _run_of(args.run)
    run_id = run.id
    model, tokenizer, objective = _model_at(run, args.checkpoint)
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


# ---------------------------------------------------------------- a window into the model (lens, map, writing)


def _add_window_flags(probe: argparse.ArgumentParser, sub: Any) -> None:
    """probe's --logit-lens, --embeddings and --checkpoint, and the generate command."""
    window = probe.add_mutually_exclusive_group()
    window.add_argument("--logit-lens", action="store_true", help="each layer's top guesses (JSON)")
    probe.add_argument("--answer", default=None, help="with --logit-lens: the right answer, ranked at each layer")
    window.add_argument(
        "--embeddings", metavar="OUT.csv", default=None, help="write the 2-D embedding map: token, category, x, y"
    )
    probe.add_argument(
        "--checkpoint", type=int, default=None, metavar="STEP", help="a checkpoint's step (default: the final model)"
    )
    gen = sub.add_parser(
        "generate", help="write after a prompt, step by step (MLM: by unmasking; AR: left to right); prints JSON"
    )
    gen.add_argument("--run", required=True, help="run id, or RUNS_DIR/RUN_ID")
    gen.add_argument("--text", required=True, help="the prompt")
    gen.add_argument("--tokens", type=int, default=8, help="new tokens to write (1-64)")
    gen.add_argument("--temperature", type=float, default=0.0, help="0: always the most likely token; above 0: sample")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument(
        "--checkpoint", type=int, default=None, metavar="STEP", help="a checkpoint's step (default: the final model)"
    )


def _model_at(run: RunInfo, step: int | None):
    """(model, tokenizer, objective) of the run's final model, or of its checkpoint at `step`."""
    from .probe import load_model

    if step is None:
        return load_model(run.model_path)
    folders = dict(run.checkpoints())
    if step not in folders:
        raise ValueError(f"No checkpoint at step {step}; this run has checkpoints at steps {sorted(folders)}.")
    return load_model(folders[step], tokenizer_path=run.model_path)


def _plain(o: Any) -> Any:
    """Dataclasses and named tuples as JSON objects (field names kept), lists as lists."""
    if dataclasses.is_dataclass(o):
        return {f.name: _plain(getattr(o, f.name)) for f in dataclasses.fields(o)}
    if hasattr(o, "_asdict"):
        return {k: _plain(v) for k, v in o._asdict().items()}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    return o


def _print_json(run: RunInfo, objective: str, args: argparse.Namespace, result: Any) -> None:
    head = {"run": run.id, "objective": objective, "text": args.text, "checkpoint": args.checkpoint}
    print(json.dumps({**head, "result": _plain(result)}, ensure_ascii=False, indent=2))


def _cmd_window(args: argparse.Namespace) -> int:
    """probe --logit-lens (JSON) or probe --embeddings OUT.csv (the map, and a JSON summary)."""
    import csv

    from .corpus import builtin_categories, load_corpus
    from .embedding_map import embedding_map, frequent_words
    from .lens import logit_lens

    run = _run_of(args.run)
    model, tokenizer, objective = _model_at(run, args.checkpoint)
    if args.logit_lens:
        if args.text is None:
            raise ValueError("probe --logit-lens needs --text (for MLM runs with a [MASK]).")
        lens = logit_lens(model, tokenizer, args.text, args.top_k, args.answer)
        _print_json(run, objective, args, {**_plain(lens), "answer_appears": lens.answer_appears})
    else:
        spec = run.config.get("corpus", "")
        groups = builtin_categories(spec) or {
            None: frequent_words(tokenizer, load_corpus(spec, run.config.get("text_column")).documents)
        }
        found = embedding_map(model, tokenizer, groups)
        with open(args.embeddings, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["token", "category", "x", "y"])
            out.writerows((p.token, p.category or "", f"{p.x:.6g}", f"{p.y:.6g}") for p in found.points)
        summary = {"csv": args.embeddings, "points": len(found.points), "explained": found.explained}
        _print_json(run, objective, args, {**summary, "skipped": {k or "": v for k, v in found.skipped.items()}})
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from .unmasking import write

    run = _run_of(args.run)
    model, tokenizer, objective = _model_at(run, args.checkpoint)
    sampling = {"greedy": True} if args.temperature == 0 else {"greedy": False, "temperature": args.temperature}
    _print_json(run, objective, args, write(model, tokenizer, args.text, args.tokens, seed=args.seed, **sampling))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    hf_logging.disable_progress_bar()  # "Writing model shards" bars would drown the progress lines
    try:
        return {"train": _cmd_train, "probe": _cmd_probe, "generate": _cmd_generate, "list": _cmd_list}[args.command](
            args
        )
    except (ValueError, RunNotFoundError, TrainingError, OSError) as e:  # every user-facing error of the core
        print(f"error: {e}", file=sys.stderr)
        return 2
