"""Faults (issue #6): a worker that crashes, is killed or runs out of memory fails its run with a reason
while the other runs go on; a full disk while saving fails the run and leaves no model that looks
complete. (A worker raising an error, and a server restart: see test_jobs.py.)"""

import errno
import os
import signal
import time
from pathlib import Path

import pytest
from transformers import PreTrainedModel

from selfsup_core import probe, runs
from selfsup_core.config import TrainConfig
from selfsup_core.finetune import CLASSIFIER_DIR, FinetuneConfig, FinetuneError, finetune, load_classifier
from selfsup_core.jobs import JobManager
from selfsup_core.runs import DiskFullError, create_run, load_run, write_folder, write_json
from selfsup_core.train import train

NANO = dict(size="nano", steps=6, batch_size=8, eval_every=3, checkpoints=0, device="cpu", tokenizer="char")
DISK_FULL = "The disk is full, so the model could not be saved"


def _no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def disk_fills_up_while_saving_weights(monkeypatch):
    """Every save_pretrained of a model writes its files, then the disk fills up half-way through the
    weights: model.safetensors is left cut in half and the save fails with ENOSPC."""
    real = PreTrainedModel.save_pretrained

    def half_then_full(self, save_directory, *args, **kwargs):
        real(self, save_directory, *args, **kwargs)
        weights = Path(save_directory) / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
        raise _no_space()

    monkeypatch.setattr(PreTrainedModel, "save_pretrained", half_then_full)


def _leftovers(folder: Path) -> list[str]:
    """Temporary files or folders (".name.xxxx.tmp") anywhere under `folder`."""
    return [str(p.relative_to(folder)) for p in folder.rglob(".*")]


# ----- saving a folder all at once ---------------------------------------------------------------------


def test_write_folder_renames_a_complete_folder_into_place(tmp_path):
    def fill(tmp):
        (tmp / "a.json").write_text("{}")
        (tmp / "b.bin").write_bytes(b"x" * 10)

    assert write_folder(tmp_path / "model", fill) == tmp_path / "model"
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["a.json", "b.bin"]
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_while_writing_a_folder_leaves_nothing_and_says_so(tmp_path, code):
    def fill(tmp):
        (tmp / "config.json").write_text("{}")
        raise OSError(code, os.strerror(code))

    with pytest.raises(DiskFullError, match=f"^{DISK_FULL}.*Delete old runs") as caught:
        write_folder(tmp_path / "model", fill)
    assert caught.value.__cause__.errno == code
    assert list(tmp_path.iterdir()) == []


def test_any_other_error_while_writing_a_folder_is_raised_as_it_is_and_leaves_nothing(tmp_path):
    def fill(tmp):
        (tmp / "config.json").write_text("{}")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        write_folder(tmp_path / "model", fill)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_json_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "summary.json"
    write_json(target, {"status": "running"})
    real = Path.write_text

    def half_then_full(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise _no_space()

    monkeypatch.setattr(Path, "write_text", half_then_full)
    with pytest.raises(OSError):
        write_json(target, {"status": "completed", "pad": "x" * 1000})
    monkeypatch.undo()
    assert runs.read_json(target) == {"status": "running"} and _leftovers(tmp_path) == []


# ----- a full disk while a run saves -------------------------------------------------------------------


def _assert_failed_without_a_model(run_id: str, message: str) -> None:
    run = load_run(run_id)
    assert run.status == "failed" and message in run.summary["error"]
    assert not run.model_path.exists() and run.checkpoints() == []
    assert _leftovers(run.path) == []
    with pytest.raises(probe.ProbeError):
        probe.load_model(run.model_path)


def test_a_full_disk_while_saving_the_model_fails_the_run_and_leaves_no_model(
    runs_dir, disk_fills_up_while_saving_weights
):
    cfg = TrainConfig(**NANO)
    path = create_run(cfg.to_dict())
    with pytest.raises(DiskFullError):
        train(cfg, path)
    _assert_failed_without_a_model(path.name, DISK_FULL)
    assert len(load_run(path.name).metrics()) >= 2  # the curve so far is kept


def test_a_full_disk_while_saving_a_checkpoint_fails_the_run_and_leaves_no_half_checkpoint(
    runs_dir, disk_fills_up_while_saving_weights
):
    cfg = TrainConfig(**{**NANO, "checkpoints": 3})
    path = create_run(cfg.to_dict())
    with pytest.raises(DiskFullError):
        train(cfg, path)
    _assert_failed_without_a_model(path.name, DISK_FULL)
    assert not list((path / "checkpoints").glob("*"))


def test_a_full_disk_while_saving_a_classifier_fails_the_run_and_leaves_no_classifier(
    runs_dir, disk_fills_up_while_saving_weights
):
    cfg = FinetuneConfig(
        pretrained=None, method="scratch", scratch_size="nano", tokenizer="char", steps=3, eval_every=3, device="cpu"
    )
    path = create_run(cfg.to_dict(), kind="finetune")
    with pytest.raises(DiskFullError):
        finetune(cfg, path)
    run = load_run(path.name)
    assert run.status == "failed" and DISK_FULL in run.summary["error"]
    assert not (path / CLASSIFIER_DIR).exists() and _leftovers(path) == []
    with pytest.raises(FinetuneError):
        load_classifier(path / CLASSIFIER_DIR)


# ----- out of memory, crashes and kills -----------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [MemoryError(), RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 10 GB.")],
    ids=["MemoryError", "torch-allocator"],
)
def test_running_out_of_memory_fails_the_run_with_advice(runs_dir, monkeypatch, error):
    def out_of_memory(*args, **kwargs):
        raise error

    monkeypatch.setattr("selfsup_core.train.make_batch", out_of_memory)
    cfg = TrainConfig(**NANO)
    path = create_run(cfg.to_dict())
    with pytest.raises(type(error)):
        train(cfg, path)
    summary = load_run(path.name).summary
    assert summary["status"] == "failed"
    assert summary["error"].startswith("The run ran out of memory. Pick a smaller model, batch size")


def _wait_until(predicate, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_a_worker_killed_mid_run_fails_its_run_while_the_other_run_trains_on(runs_dir):
    """SIGKILL is what the kernel's out-of-memory killer sends."""
    manager = JobManager(root=runs_dir, max_concurrent=2, threads_per_run=1)
    long = TrainConfig(**{**NANO, "steps": 100_000, "time_budget_s": 600.0})
    try:
        doomed, survivor = manager.submit(long, owner="ann"), manager.submit(long, owner="bob")
        _wait_until(lambda: all(load_run(r).metrics() for r in (doomed, survivor)))
        worker = next(w for w in manager._workers if w.run_id == doomed)
        os.kill(worker.process.pid, signal.SIGKILL)
        _wait_until(lambda: load_run(doomed).status == "failed")
        assert load_run(doomed).summary["error"] == (
            "The training process was killed (out of memory?). Try a smaller model or batch."
        )
        logged = len(load_run(survivor).metrics())
        _wait_until(lambda: len(load_run(survivor).metrics()) > logged)  # the other run trains on ...
        assert manager.stop(survivor, by="bob") and manager.wait(survivor) == "stopped"  # ... and ends normally
        assert (load_run(survivor).model_path / "model.safetensors").exists()
    finally:
        manager.close()


def test_a_job_that_ends_without_recording_its_result_is_failed_not_left_running(tmp_path):
    from selfsup_core.runs import create_run, fail_if_unfinished, load_run, update_summary

    path = create_run(TrainConfig(objective="mlm", corpus="world-en", size="nano", steps=2).to_dict(), tmp_path)
    update_summary(path, status="running")
    assert fail_if_unfinished(path)
    run = load_run(path.name, tmp_path)
    assert run.status == "failed" and "disk full" in run.summary["error"]
    assert not fail_if_unfinished(path)  # a recorded outcome is left alone
