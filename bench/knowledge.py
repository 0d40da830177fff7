"""How much of its world a model knows after a class minute: the share of facts known against seconds.

Every fact of the world asked in the corpus's own phrasings (`corpus.facts`: capitals both ways, fruit
colours and tastes, animal sounds, the next day; every row of the tables), scored by
`experiments.facts_known` (top-1, the whole answer; AR only on facts its left context decides). Each
cell is a separate run with the defaults of the CLI (`TrainConfig`), its own time budget and seed.

`world-en-renamed` is world-en with every country, capital and person given a new invented name (made
here, seeded): a goal reached on world-en must hold on it too, or it was tuned to the names.
`--beside` trains a second run in another process at the same time, each with half the cores as the app's
job manager gives two runs (a shared machine: about half the steps).

    python -m bench.knowledge [--seconds 10 20 30 60] [--objective mlm ar] \
        [--corpus world-en world-zh world-en-renamed] [--seeds 0 1 2] [--beside] [--json cells.json]
    python -m bench.knowledge --cells idle.json beside.json --figure bench/knowledge.png   # draw, no training
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers.utils import logging as hf_logging

from selfsup_core import charts, corpus, experiments, export, probe
from selfsup_core.config import TrainConfig, default_tokenizer
from selfsup_core.train import train

RENAMED = "world-en-renamed"
SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "sa", "vin", "du", "pel", "zor", "bri", "cel", "dar", "fen", "gul"]


def renamed_world(seed: int = 1) -> dict:
    """world-en with new invented names for its countries, capitals, people and friends."""
    world = copy.deepcopy(corpus._world("world-en"))
    used = {w for doc in corpus.generate(world) for w in doc.split()}
    rng = random.Random(seed)

    def invent() -> str:
        while (name := "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))) in used:
            pass
        used.add(name)
        return name

    for table, keys in {"countries": ("country", "capital"), "people": ("name",), "friends": ("friend",)}.items():
        for row in world["tables"][table]:
            for key in keys:
                row[key] = invent()
    return world


def corpus_spec(name: str, folder: Path) -> tuple[str, list[corpus.Question], corpus.Question]:
    """(what TrainConfig.corpus takes, the facts, the showcase question) for a corpus of this bench. The showcase
    is the Home page demo's question: the world's first probe (a capital, one blank of one token)."""
    if name != RENAMED:
        return name, corpus.builtin_facts(name), corpus.load_builtin(name).probes[0]
    world = renamed_world()
    path = folder / f"{RENAMED}.txt"  # one document per line: the .txt loader reads it back unchanged
    path.write_text("\n".join(corpus.generate(world)) + "\n", encoding="utf-8")
    capital = world["tables"]["countries"][0]
    return (
        str(path),
        corpus.facts(world),
        corpus.Question(
            f"the capital of {capital['country']} is [MASK] .", capital["capital"], needs_right_context=False
        ),
    )


def one_run(objective: str, spec: str, seconds: float, seed: int, runs_dir: str) -> dict:
    os.environ["SELFSUP_RUNS_DIR"] = runs_dir
    # the renamed world is a file, but the same world: it gets the worlds' tokenizer, not an upload's
    cfg = TrainConfig(
        objective=objective,
        corpus=spec,
        tokenizer=default_tokenizer("world-en"),
        steps=1_000_000,
        time_budget_s=seconds,
        seed=seed,
        checkpoints=0,
        device="cpu",
    )
    result = train(cfg)
    return {"model": result.model.eval(), "tokenizer": result.tokenizer, "summary": result.summary}


def _beside(stop: multiprocessing.Event, runs_dir: str) -> None:
    """A second run on the same machine until told to stop (how a shared classroom machine feels)."""
    torch.set_num_threads(1)
    os.environ["SELFSUP_RUNS_DIR"] = runs_dir
    while not stop.is_set():
        train(TrainConfig(objective="mlm", steps=1_000_000, time_budget_s=30.0, checkpoints=0, device="cpu"))


def figure(cells: list[dict], path: Path) -> None:
    """Facts known against seconds, a line per corpus and objective (median, bars from the fewest to the most
    of the seeds); with a run beside dashed."""
    import plotly.graph_objects as go

    fig = go.Figure()
    groups = sorted({(c["corpus"], c["objective"], c.get("beside", False)) for c in cells}, key=str)
    colours = {line: charts.PALETTE[i % len(charts.PALETTE)] for i, line in enumerate(sorted({g[:2] for g in groups}))}
    for name, objective, beside in groups:
        points = {}
        for c in cells:
            if (c["corpus"], c["objective"], c.get("beside", False)) == (name, objective, beside):
                points.setdefault(c["seconds"], []).append(c["share"])
        xs = sorted(points)
        mids = [statistics.median(points[x]) for x in xs]
        fig.add_scatter(
            x=xs,
            y=mids,
            mode="lines+markers",
            name=f"{objective.upper()} · {name}{' · a run beside' if beside else ''}",
            line=dict(dash="dash" if beside else "solid", color=colours[name, objective]),
            error_y=dict(
                type="data",
                symmetric=False,
                array=[max(points[x]) - m for x, m in zip(xs, mids, strict=True)],
                arrayminus=[m - min(points[x]) for x, m in zip(xs, mids, strict=True)],
            ),
        )
    charts.styled(fig, "Facts of its world known after a training run (seeds' median, min-max)", height=560)
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top"))
    fig.update_xaxes(title="seconds of training (2 CPU cores)", tickvals=sorted({c["seconds"] for c in cells}))
    fig.update_yaxes(title="facts known", tickformat=".0%", range=[0, 1.05])
    path.write_bytes(export.figure_pngs({path.stem: fig}, width=1280)[f"{path.stem}.png"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, nargs="+", default=[10, 20, 30, 60])
    parser.add_argument("--objective", nargs="+", default=["mlm", "ar"])
    parser.add_argument("--corpus", nargs="+", default=["world-en", "world-zh", RENAMED])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--beside", action="store_true", help="train a second run beside each measured one")
    parser.add_argument("--json", type=Path, default=None, help="also write every cell here")
    parser.add_argument("--cells", type=Path, nargs="+", help="draw the cells of earlier runs (their --json) instead")
    parser.add_argument("--figure", type=Path, default=None, help="draw facts known against seconds here (PNG)")
    args = parser.parse_args()
    if args.cells:
        figure([c for f in args.cells for c in json.loads(f.read_text())], args.figure or Path("knowledge.png"))
        return
    hf_logging.disable_progress_bar()
    if args.beside:  # two runs share the cores, as the app's job manager shares them between two runs
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // 2))
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.2f}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads{', a second run beside' if args.beside else ''}"
    )
    cells = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stop = multiprocessing.get_context("spawn").Event() if args.beside else None
        if args.beside:
            multiprocessing.get_context("spawn").Process(
                target=_beside, args=(stop, str(folder / "beside")), daemon=True
            ).start()
            time.sleep(5)
        for name in args.corpus:
            spec, facts, showcase = corpus_spec(name, folder)
            for objective in args.objective:
                for seconds in args.seconds:
                    for seed in args.seeds:
                        run = one_run(objective, spec, seconds, seed, str(folder / "runs"))
                        known = experiments.facts_known(run["model"], run["tokenizer"], facts)
                        right = None
                        if objective == "mlm":
                            answer = probe.fill_mask(run["model"], run["tokenizer"], showcase.text, 1)[0].candidates[0]
                            right = answer.token.strip() == showcase.answer
                        s = run["summary"]
                        cells.append(
                            {
                                "corpus": name,
                                "objective": objective,
                                "seconds": seconds,
                                "seed": seed,
                                "steps": s["steps"],
                                "val_accuracy": s["val_accuracy"],
                                "asked": known["asked"],
                                "known": known["known"],
                                "share": known["share"],
                                "showcase_right": right,
                                "beside": args.beside,
                            }
                        )
                        print(
                            f"{name:18} {objective} {seconds:4.0f} s seed {seed}: {s['steps']:5} steps, held-out "
                            f"{s['val_accuracy']:.1%}, facts {known['known']}/{known['asked']} = {known['share']:.1%}"
                            f"{'' if right is None else ', showcase ' + ('right' if right else 'WRONG')}",
                            flush=True,
                        )
        if stop is not None:
            stop.set()
    print("\n| corpus | objective | seconds | steps (median) | held-out accuracy | facts known: median (min-max) |")
    print("|---|---|---:|---:|---:|---:|")
    for name in args.corpus:
        for objective in args.objective:
            for seconds in args.seconds:
                group = [c for c in cells if (c["corpus"], c["objective"], c["seconds"]) == (name, objective, seconds)]
                shares = [c["share"] for c in group]
                print(
                    f"| {name} | {objective} | {seconds:.0f} | {statistics.median(c['steps'] for c in group):.0f} | "
                    f"{statistics.median(c['val_accuracy'] for c in group):.1%} | {statistics.median(shares):.1%} "
                    f"({min(shares):.0%}-{max(shares):.0%}) |"
                )
    if args.json:
        args.json.write_text(json.dumps(cells, indent=1))
    if args.figure:
        figure(cells, args.figure)


if __name__ == "__main__":
    main()
