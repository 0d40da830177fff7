"""The same trainer under torchrun: 2 CPU processes (gloo) match one process on the same global batch."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from selfsup_core import probe
from selfsup_core.runs import list_runs

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "train",
    "--size",
    "nano",
    "--steps",
    "8",
    "--batch-size",
    "16",
    "--eval-every",
    "4",
    "--log-every",
    "1",
    "--checkpoints",
    "0",
    "--device",
    "cpu",
    "--quiet",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], runs: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SELFSUP_RUNS_DIR": str(runs), "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    single, double = tmp_path_factory.mktemp("single"), tmp_path_factory.mktemp("ddp")
    one = run([sys.executable, "-m", "selfsup_core", *ARGS, "--runs-dir", str(single)], single)
    two = run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node=2",
            "--master_addr=127.0.0.1",
            f"--master_port={free_port()}",
            "-m",
            "selfsup_core",
            *ARGS,
            "--runs-dir",
            str(double),
        ],
        double,
    )
    assert one.returncode == 0, one.stderr[-3000:]
    assert two.returncode == 0, two.stderr[-3000:]
    return list_runs(single), list_runs(double), two


def test_both_ranks_ran_and_only_rank_0_wrote_one_run(runs):
    _, ddp, proc = runs
    assert "rank 1/2 finished 8 steps" in proc.stderr
    assert len(ddp) == 1 and ddp[0].summary["status"] == "completed" and ddp[0].summary["processes"] == 2
    assert len(proc.stdout.strip().splitlines()[0]) > 10  # the run id, printed once (rank 0)


def test_loss_matches_a_single_process_run_on_the_same_global_batch(runs):
    single, ddp, _ = runs
    a = [r["train_loss"] for r in single[0].metrics()]
    b = [r["train_loss"] for r in ddp[0].metrics()]
    assert len(a) == len(b) == 8
    # Same global batch, same masks; only the loss is averaged per rank (mean of two halves' means)
    # and float sums run in another order, so agreement is close but not bit-exact.
    assert b == pytest.approx(a, rel=2e-2)
    assert ddp[0].summary["val_loss"] == pytest.approx(single[0].summary["val_loss"], rel=2e-2)


def test_the_ddp_model_loads_and_probes(runs):
    _, ddp, _ = runs
    model, tok, objective = probe.load_model(ddp[0].model_path)
    assert objective == "mlm" and len(probe.fill_mask(model, tok, "the dog [MASK] .", 3)[0].candidates) == 3
    assert json.loads((ddp[0].path / "config.json").read_text())["batch_size"] == 16
