"""nanoGPT's own CPU recipe vs selfsup_core at the same shape, batch and wall time, in nats per character.

    python -m bench.peer_nanogpt --nanogpt DIR --text FILE [--repeats N] [--seconds S] [--budget first-line|wall]

DIR is a work tree of karpathy/nanoGPT (e.g. `git --git-dir=<mirror> archive HEAD | tar -x -C DIR`); it is
copied into a temporary folder and never written to. FILE is the text (Tiny Shakespeare for the README's recipe).

nanoGPT (its own code, unchanged): FILE becomes `data/shakespeare_char/input.txt`, its `prepare.py` makes the
split (first 90% of the characters to train on, last 10% to validate on; not timed), then the README's CPU
recipe runs: `train.py config/train_shakespeare_char.py --device=cpu --compile=False --eval_iters=20
--log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000
--lr_decay_iters=2000 --dropout=0.0` (2,001 iterations: it evaluates at iter 2000, then makes one more step).
Its score is its own evaluation, run again on the saved checkpoint (`--init_from=resume --eval_only=True
--eval_iters=200`, same shape flags): the mean loss over 200 x 12 random 64-character windows of the
validation split, every position predicted from the characters before it in its window (1-64 of them). That
is nats per character. We never open its checkpoint ourselves (the project loads no pickled files). Its own
`--eval_only` exits only at iteration 0, so on resume it would evaluate and then go on training; we pass
`--max_iters=<the checkpoint's iteration>` so that it evaluates once and stops after one discarded step.

Ours: `selfsup_core.train.train` on a temporary .txt holding exactly the first 90% of FILE's characters (what
nanoGPT trains on; 1% of its paragraphs are held out for our own loss line), char tokenizer, 4 layers x 128
wide, 4 heads, 64 tokens, batch 12, lr 1e-3 as nanoGPT's (`--lr` to change it; our default is 2e-3), the rest
of our defaults (warmup 5% of the budget, cosine to 10% of the peak, AdamW betas 0.9/0.98, weight decay 0.01,
clipping at 1), for a time budget equal to nanoGPT's training time. The budget
counts everything `train` does: reading the text, training the tokenizer, packing, building the model,
training, and the final save. By default nanoGPT's time is measured from the first line it prints (after
the interpreter has started and imported torch) to its exit, because ours is timed after our imports too;
`--budget wall` gives ours nanoGPT's whole process time instead (a second or two more); `--seconds S` gives
ours S seconds whatever nanoGPT took (nanoGPT still runs its 2,000 iterations).

Our score, in the same way as nanoGPT's: the saved run folder is loaded through `transformers`
(`GPT2LMHeadModel` and `PreTrainedTokenizerFast.from_pretrained`), the last 10% of FILE is split into
paragraphs as our corpus loader splits a .txt (`corpus.split_text`) and laid out as our token stream
(`data.pack(tokenizer, docs, 64, "ar")`): `[SEP] par1 [SEP] par2 [SEP] ... parN [SEP]`. Windows of 64 tokens
with stride 63 cover it, so every token after the first is predicted exactly once, from the 1-63 tokens
before it in its window. Total negative log-likelihood (nats) / number of characters of the validation text:

- the char tokenizer is one token per character and lossless (case, spaces, newlines kept); a character it
  never saw in training would be spelt as UTF-8 byte tokens, each predicted, so it would cost more, not less
  (Tiny Shakespeare's validation part has no such character);
- each [SEP] between paragraphs stands for the blank line "\\n\\n", which nanoGPT predicts as two newline
  characters: we predict it as one token and count it as two characters; the last [SEP] stands for the
  final "\\n". The script checks that the stream's tokens plus these account for every character;
- the opening [SEP] (beginning of text) is context only, never predicted.

Prints, per repeat and as medians with min-max over `--repeats` (the two sides take turns), both scores,
both training times, both step counts and steps per second, and the ratio ours / nanoGPT, with the load
average (`uptime`) before and after each side.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast
from transformers.utils import logging as hf_logging

from selfsup_core.config import TrainConfig
from selfsup_core.corpus import split_text
from selfsup_core.data import pack
from selfsup_core.tokenization import PAD_ID, SEP_ID
from selfsup_core.train import train

SEQ_LEN, BATCH, LAYERS, HEADS, HIDDEN = 64, 12, 4, 4, 128
SHAPE = [
    "--device=cpu",
    "--compile=False",
    f"--block_size={SEQ_LEN}",
    f"--batch_size={BATCH}",
    f"--n_layer={LAYERS}",
    f"--n_head={HEADS}",
    f"--n_embd={HIDDEN}",
    "--dropout=0.0",
]
RECIPE = [
    "train.py",
    "config/train_shakespeare_char.py",
    *SHAPE,
    "--eval_iters=20",
    "--log_interval=1",
    "--max_iters=2000",
    "--lr_decay_iters=2000",
]
STEP_LINE = re.compile(r"^step (\d+): train loss ([\d.]+), val loss ([\d.]+)", re.M)
ITER_LINE = re.compile(r"^iter (\d+): loss [\d.]+, time ([\d.]+)ms", re.M)


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def run_timed(cmd: list[str], cwd: Path) -> tuple[str, float, float]:
    """Run `cmd` (unbuffered), return its output, its whole wall time and the time from its first line to exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, first = [], None
    for line in proc.stdout:
        first = first or time.perf_counter()
        lines.append(line)
    proc.wait()
    end = time.perf_counter()
    out = "".join(lines)
    if proc.returncode:
        raise SystemExit(f"{shlex.join(cmd)} failed in {cwd} (exit {proc.returncode}):\n{out[-3000:]}")
    return out, end - t0, end - (first or t0)


def nanogpt_prepare(src: Path, text: Path, work: Path) -> Path:
    """A private copy of the nanoGPT tree with FILE as its Shakespeare input, prepared by its own script."""
    tree = work / "nanoGPT"
    shutil.copytree(src, tree, ignore=shutil.ignore_patterns(".git", "out*", "__pycache__"))
    data = tree / "data" / "shakespeare_char"
    for old in ("input.txt", "train.bin", "val.bin", "meta.pkl"):
        (data / old).unlink(missing_ok=True)
    shutil.copyfile(text, data / "input.txt")
    run_timed([sys.executable, "-u", "data/shakespeare_char/prepare.py"], tree)
    return tree


def nanogpt_run(tree: Path) -> dict:
    """nanoGPT's recipe from scratch, then its own evaluation (200 batches) of the checkpoint it saved."""
    shutil.rmtree(tree / "out-shakespeare-char", ignore_errors=True)
    out, wall, after_first = run_timed([sys.executable, "-u", *RECIPE], tree)
    evals = STEP_LINE.findall(out)
    saved = re.findall(r"^step (\d+):.*\n(?=saving checkpoint)", out, re.M)
    iters = [(int(i), float(ms)) for i, ms in ITER_LINE.findall(out)]
    if not evals or not saved or not iters:
        raise SystemExit(f"Could not read nanoGPT's output:\n{out[-3000:]}")
    ckpt_iter = int(saved[-1])
    eval_cmd = [
        sys.executable,
        "-u",
        "train.py",
        "config/train_shakespeare_char.py",
        *SHAPE,
        "--init_from=resume",
        "--eval_only=True",
        "--eval_iters=200",
        f"--max_iters={ckpt_iter}",
        "--lr_decay_iters=2000",
    ]
    eval_out, eval_wall, _ = run_timed(eval_cmd, tree)
    scored = STEP_LINE.findall(eval_out)
    if not scored or int(scored[0][0]) != ckpt_iter:
        raise SystemExit(f"nanoGPT's evaluation did not score iteration {ckpt_iter}:\n{eval_out[-3000:]}")
    step_ms = [ms for i, ms in iters if i % 250 and i > 5]  # iterations without an evaluation in them
    return {
        "nats_per_char": float(scored[0][2]),
        "val_loss_at_2000": float(dict((s, v) for s, _, v in evals).get("2000", "nan")),
        "checkpoint_iter": ckpt_iter,
        "wall_s": wall,
        "after_first_line_s": after_first,
        "steps": len(iters),
        "median_step_ms": statistics.median(step_ms),
        # a stall (the machine busy elsewhere) shows here: the slowest 100 iterations, evaluations included
        "slowest_100_s": max(sum(ms for _, ms in iters[i : i + 100]) for i in range(0, len(iters), 100)) / 1e3,
        "eval_s": eval_wall,
        # what its 9 evaluations (20 + 20 batches each, at iters 0, 250, ..., 2000) took of its training time
        "evals_in_training_s": sum(ms - statistics.median(step_ms) for i, ms in iters if i % 250 == 0) / 1e3,
    }


@torch.no_grad()
def score_ours(model_dir: Path, val_text: str) -> dict:
    """Nats per character of `val_text` under our saved model, as the module docstring explains."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(model_dir)
    model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    docs, unit = split_text(val_text)
    stream = pack(tokenizer, docs, SEQ_LEN, "ar").input_ids.view(-1)
    stream = stream[stream != PAD_ID]  # only the last row is padded
    # lossless: the tokens between the [SEP]s decode to the paragraphs, and "\n\n".join gives back the text
    cuts = [0, *(torch.nonzero(stream == SEP_ID).view(-1) + 1).tolist()]  # after each [SEP]
    pieces = [
        tokenizer.decode(stream[a : b - 1], clean_up_tokenization_spaces=False)
        for a, b in zip(cuts[1:-1], cuts[2:], strict=True)
    ]
    if unit != "paragraph" or "\n\n".join(pieces) != val_text.strip("\n"):
        raise SystemExit(
            "Our token stream does not spell the validation text back; the score would not be per character."
        )
    nll, predicted, stride = 0.0, 0, SEQ_LEN - 1
    starts = list(range(0, len(stream) - 1, stride))
    for chunk in range(0, len(starts), 64):  # 64 windows per forward pass
        windows = [stream[s : s + SEQ_LEN] for s in starts[chunk : chunk + 64]]
        for group in ([w for w in windows if len(w) == SEQ_LEN], [w for w in windows if len(w) < SEQ_LEN]):
            if not group:
                continue
            ids = torch.stack(group)  # (W, L); the last, shorter window alone
            # (W, L-1, V): position t predicts token t+1
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[:, :-1]
            nll += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="sum"))
            predicted += ids[:, 1:].numel()
    assert predicted == len(stream) - 1
    return {"nats_per_char": nll / len(val_text), "nats_per_token": nll / predicted, "tokens": predicted}


def ours_run(train_txt: Path, val_text: str, budget_s: float, work: Path, seed: int, lr: float) -> dict:
    run_dir = work / "ours"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    os.environ["SELFSUP_RUNS_DIR"] = str(work / "runs")  # a fresh tokenizer cache: ours trains its tokenizer
    shutil.rmtree(work / "runs", ignore_errors=True)
    cfg = TrainConfig(
        objective="ar",
        corpus=str(train_txt),
        tokenizer="char",
        hidden=HIDDEN,
        layers=LAYERS,
        heads=HEADS,
        seq_len=SEQ_LEN,
        batch_size=BATCH,
        lr=lr,
        time_budget_s=budget_s,
        steps=10**9,
        eval_every=10**9,
        log_every=100,
        checkpoints=0,
        device="cpu",
        val_fraction=0.01,
        seed=seed,
    )
    t0 = time.perf_counter()
    result = train(cfg, run_dir)
    wall = time.perf_counter() - t0
    s = result.summary
    marks = [s["first_step_s"], *(r["elapsed_s"] for r in result.history)]  # every 100 steps (log_every)
    return {
        **score_ours(run_dir / "model", val_text),
        "wall_s": wall,
        "steps": s["steps"],
        "median_step_ms": BATCH * SEQ_LEN / s["tokens_per_s"] * 1e3 if s["tokens_per_s"] else float("nan"),
        "slowest_100_s": max(b - a for a, b in zip(marks, marks[1:], strict=False)),
        "first_step_s": s["first_step_s"],
        "vocab": s["vocab_size"],
    }


def spread(values: list[float], fmt: str) -> str:
    med = statistics.median(values)
    return f"{med:{fmt}}" if len(values) == 1 else f"{med:{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nanogpt", type=Path, required=True, help="a karpathy/nanoGPT work tree (read only)")
    parser.add_argument("--text", type=Path, required=True, help="the text, e.g. Tiny Shakespeare's input.txt")
    parser.add_argument("--repeats", type=int, default=1, help="nanoGPT and ours take turns this many times")
    parser.add_argument("--seconds", type=float, default=None, help="our budget in seconds (default: nanoGPT's)")
    parser.add_argument(
        "--budget",
        choices=("first-line", "wall"),
        default="first-line",
        help="nanoGPT's time that ours gets: from its first printed line (default) or the whole process",
    )
    parser.add_argument("--seed", type=int, default=0, help="our seed (nanoGPT's is fixed: 1337)")
    parser.add_argument("--lr", type=float, default=1e-3, help="our peak learning rate (nanoGPT's recipe: 1e-3)")
    args = parser.parse_args()
    if not (args.nanogpt / "train.py").is_file() or not args.text.is_file():
        raise SystemExit("--nanogpt must be a nanoGPT work tree (with train.py) and --text a text file.")
    hf_logging.disable_progress_bar()
    text = args.text.read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)  # nanoGPT's prepare.py: data[:int(n*0.9)] / data[int(n*0.9):]
    print(f"$ python {shlex.join(sys.argv)}")
    print(
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} cores, load average {load()}; ours at lr {args.lr:g}; text "
        f"{len(text):,} characters, training on the first {cut:,}, scoring the last {len(text) - cut:,}",
        flush=True,
    )
    rows: list[tuple[dict, dict]] = []
    with tempfile.TemporaryDirectory(prefix="peer-nanogpt-") as tmp:
        work = Path(tmp)
        tree = nanogpt_prepare(args.nanogpt.resolve(), args.text.resolve(), work)
        train_txt = work / "train.txt"
        train_txt.write_text(text[:cut], encoding="utf-8")
        for r in range(args.repeats):  # the sides take turns, so a busy spell of a shared machine hits both
            before = load()
            ng = nanogpt_run(tree)
            ng["load"] = f"{before}->{load()}"
            budget = args.seconds or (ng["wall_s"] if args.budget == "wall" else ng["after_first_line_s"])
            before = load()
            ours = ours_run(train_txt, text[cut:], budget, work, args.seed, args.lr)
            ours["load"], ours["budget_s"] = f"{before}->{load()}", budget
            rows.append((ng, ours))
            print(
                f"repeat {r + 1}: nanoGPT {ng['nats_per_char']:.4f} nats/char (iter-2000 line "
                f"{ng['val_loss_at_2000']:.4f}, checkpoint of iter {ng['checkpoint_iter']}), {ng['steps']:,} iters in "
                f"{ng['wall_s']:.1f} s ({ng['after_first_line_s']:.1f} s after its first line, "
                f"{ng['evals_in_training_s']:.1f} s of them evaluating), load {ng['load']} | "
                f"ours {ours['nats_per_char']:.4f} nats/char, {ours['steps']:,} steps in {ours['wall_s']:.1f} s "
                f"(budget {budget:.1f} s, first step after {ours['first_step_s']:.1f} s), load {ours['load']}; "
                f"slowest 100 steps: nanoGPT {ng['slowest_100_s']:.1f} s, ours {ours['slowest_100_s']:.1f} s",
                flush=True,
            )
    ngs, ourss = [r[0] for r in rows], [r[1] for r in rows]

    def col(side: list[dict], key: str) -> list[float]:
        return [x[key] for x in side]

    table = [
        ("nats/char, last 10%", "nats_per_char", ".4f"),
        ("training wall s", "wall_s", ".1f"),
        ("steps", "steps", ",.0f"),
        ("median step ms", "median_step_ms", ".1f"),
    ]
    n = f"median of {args.repeats} (min-max)" if args.repeats > 1 else "1 run"
    print(f"\n| {n} | nanoGPT | ours | ours / nanoGPT |\n|---|---|---|---|")
    for label, key, fmt in table:
        a, b = col(ngs, key), col(ourss, key)
        ratio = [y / x for x, y in zip(a, b, strict=True)]
        print(f"| {label} | {spread(a, fmt)} | {spread(b, fmt)} | {spread(ratio, '.3f')} |")
    a = [x["steps"] / x["wall_s"] for x in ngs]
    b = [x["steps"] / x["wall_s"] for x in ourss]
    print(
        f"| steps/s over the wall time | {spread(a, '.1f')} | {spread(b, '.1f')} | "
        f"{spread([y / x for x, y in zip(a, b, strict=True)], '.3f')} |"
    )
    print(
        f"\nnanoGPT's own iter-2000 val line (20 batches): {spread(col(ngs, 'val_loss_at_2000'), '.4f')}; "
        f"ours per token: {spread(col(ourss, 'nats_per_token'), '.4f')} over {ourss[0]['tokens']:,} tokens "
        f"(vocabulary {ourss[0]['vocab']}); load average per side: nanoGPT {', '.join(col(ngs, 'load'))}; "
        f"ours {', '.join(col(ourss, 'load'))}; now {load()}"
    )


if __name__ == "__main__":
    main()
