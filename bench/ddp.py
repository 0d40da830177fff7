"""Distributed training speed: one process vs two under torchrun (DDP, gloo) on the same global batch; GPU presets.

CPU: the same command line twice on the same global batch B, `python -m selfsup_core train --batch-size B`
and `torchrun --nproc_per_node=2 -m selfsup_core train --batch-size B` (each rank trains on B/2 rows of every
batch), alternated --repeats times. Prints tokens/s of the global batch (median step after the first 5, from
summary.json) for each and the ratio 2 processes / 1 process. Both arms get the same --threads in total:
the single process runs that many torch threads, each of the two ranks half (OMP_NUM_THREADS). On a machine
whose cores the single process already fills, the two ranks compete for those same cores: the ratio then
measures what DDP costs (a second process, the gradient all-reduce over gloo), not a speed-up.

GPU (only where CUDA is present): each preset on one GPU (bf16 autocast), printing tokens/s, tokens/s per
device and model FLOPs utilisation (MFU); with several GPUs, also the large preset on all of them.

    python -m bench.ddp [--size mini] [--steps 100] [--batch-size 32] [--threads 2] [--repeats 2]
                        [--gpu-steps 50] [--gpu-batch-size 64] [--gpu-seq-len 128]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from selfsup_core.config import TrainConfig
from selfsup_core.models import PRESETS
from selfsup_core.runs import load_run

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def train_run(train_args: list[str], runs_dir: Path, processes: int = 1, threads: int | None = None) -> dict:
    """Run the CLI (under torchrun when processes > 1) and return the run's summary.json."""
    cli = ["-m", "selfsup_core", "train", *train_args, "--runs-dir", str(runs_dir), "--quiet"]
    if processes > 1:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            f"--nproc_per_node={processes}",
            "--master_addr=127.0.0.1",
            f"--master_port={free_port()}",
            *cli,
        ]
    else:
        cmd = [sys.executable, *cli]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    run_id = done.stdout.splitlines()[0].strip()  # rank 0 prints the run id first
    return load_run(run_id, runs_dir).summary


def cpu(args: argparse.Namespace, runs_dir: Path) -> None:
    common = ["--size", args.size, "--batch-size", str(args.batch_size), "--checkpoints", "0", "--device", "cpu"]
    train_run([*common, "--steps", "1"], runs_dir)  # trains and caches the tokenizer, so both arms share it
    common += ["--steps", str(args.steps), "--eval-every", str(args.steps)]
    rates: dict[int, list[float]] = {1: [], 2: []}
    for r in range(args.repeats):
        for n in (1, 2):
            summary = train_run(common, runs_dir, processes=n, threads=max(1, args.threads // n))
            rates[n].append(summary["tokens_per_s"])
            print(
                f"  repeat {r + 1}: {n} process{'es' if n > 1 else ''} x {max(1, args.threads // n)} threads, "
                f"batch {args.batch_size // n} each: {summary['tokens_per_s']:8,.0f} tok/s "
                f"({summary['tokens_per_s_per_device']:,.0f} per process)",
                flush=True,
            )
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(
        f"CPU {args.size}, global batch {args.batch_size} x seq {TrainConfig().seq_len}, {args.steps} steps, {args.threads} threads in "
        f"total (median of {args.repeats}): 1 process {one:,.0f} tok/s | 2 processes (gloo) {two:,.0f} tok/s | "
        f"2p/1p {two / one:.2f}x"
    )


def gpu(args: argparse.Namespace, runs_dir: Path) -> None:
    n_gpus = torch.cuda.device_count()
    print(
        f"GPU: {n_gpus} x {torch.cuda.get_device_name(0)}; batch {args.gpu_batch_size}, seq {args.gpu_seq_len}, "
        f"{args.gpu_steps} steps, bf16 autocast"
    )
    arms = [(size, 1) for size in PRESETS] + ([("large", n_gpus)] if n_gpus > 1 else [])
    for size, n in arms:
        summary = train_run(
            [
                "--size",
                size,
                "--steps",
                str(args.gpu_steps),
                "--batch-size",
                str(args.gpu_batch_size),
                "--seq-len",
                str(args.gpu_seq_len),
                "--eval-every",
                str(args.gpu_steps),
                "--checkpoints",
                "0",
                "--device",
                "cuda",
            ],
            runs_dir,
            processes=n,
        )
        mfu = summary.get("mfu")
        print(
            f"  {size:>5} on {n} GPU{'s' if n > 1 else ''}: {summary['tokens_per_s']:12,.0f} tok/s | "
            f"{summary['tokens_per_s_per_device']:12,.0f} tok/s per device | "
            f"{summary['model_tflops_per_device']:6.1f} model TFLOP/s per device | "
            f"MFU {'n/a (peak unknown)' if mfu is None else f'{mfu:.1%}'}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="mini", choices=[s for s in PRESETS if s != "large"])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32, help="global batch (even: split over 2 processes)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads in total per arm")
    parser.add_argument("--repeats", type=int, default=2, help="alternate the two arms this many times")
    parser.add_argument("--gpu-steps", type=int, default=50)
    parser.add_argument("--gpu-batch-size", type=int, default=64)
    parser.add_argument("--gpu-seq-len", type=int, default=128)
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.2f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        cpu(args, Path(tmp))
        if torch.cuda.is_available():
            gpu(args, Path(tmp))
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
