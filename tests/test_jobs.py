import os
import signal
import time

import pytest

from selfsup_core.config import TrainConfig
from selfsup_core.jobs import JobManager
from selfsup_core.runs import load_run
from tests.helpers import LONG, QUICK, wait_until


def test_runs_beyond_the_cap_queue_in_order_and_all_complete(manager, runs_dir):
    ids = [manager.submit(TrainConfig(**QUICK, seed=i), owner="alice") for i in range(3)]
    queued = [s for s in manager.active() if s.state == "queued"]
    assert len(queued) >= 2  # one worker: at most one of the three can have started
    assert [s.run_id for s in queued] == ids[-len(queued) :]
    assert [s.queue_position for s in queued] == list(range(1, len(queued) + 1))
    assert all(manager.wait(i, timeout=180) == "completed" for i in ids)
    assert manager.owner(ids[0]) == "alice"


def test_stop_ends_a_running_run_within_a_second_and_drops_a_queued_one(manager):
    running = manager.submit(TrainConfig(**LONG), owner="ann")
    queued = manager.submit(TrainConfig(**LONG), owner="ann")
    wait_until(lambda: load_run(running).status == "running" and (load_run(running).path / "metrics.jsonl").exists())
    assert manager.stop(queued, by="ann") and load_run(queued).status == "stopped"
    t = time.monotonic()
    assert manager.stop(running, by="ann")
    assert manager.wait(running, timeout=30) == "stopped"
    assert time.monotonic() - t < 1.5
    assert (load_run(running).path / "model" / "model.safetensors").exists()


def test_a_killed_worker_fails_its_run_and_the_pool_recovers(manager):
    doomed = manager.submit(TrainConfig(**LONG))
    wait_until(lambda: load_run(doomed).status == "running")
    worker = next(w for w in manager._workers if w.run_id == doomed)
    os.kill(worker.process.pid, signal.SIGKILL)
    wait_until(lambda: load_run(doomed).status == "failed")
    assert "killed" in load_run(doomed).summary["error"]
    after = manager.submit(TrainConfig(**QUICK))
    assert manager.wait(after, timeout=120) == "completed"


def test_a_failing_run_records_its_error_and_the_worker_lives_on(manager, tmp_path):
    bad = tmp_path / "tiny.txt"
    bad.write_text("one line only\n")
    failed = manager.submit(TrainConfig(**QUICK, corpus=str(bad)))
    assert manager.wait(failed, timeout=120) == "failed"
    assert "short" in load_run(failed).summary["error"]
    ok = manager.submit(TrainConfig(**QUICK))
    assert manager.wait(ok, timeout=120) == "completed"


def test_caps_refuse_with_a_message_and_launch_nothing(runs_dir):
    from selfsup_core.jobs import CapacityError
    from selfsup_core.runs import list_runs
    from selfsup_core.settings import Settings

    m = JobManager(
        root=runs_dir,
        max_concurrent=1,
        settings=Settings(max_queued=5, max_runs_per_session=2, max_steps=50, max_size="mini"),
    )
    full = JobManager(root=runs_dir, max_concurrent=1, settings=Settings(max_queued=0))
    try:
        m.submit(TrainConfig(**{**QUICK, "steps": 10_000, "time_budget_s": 1.0}))  # the budget bounds it
        with pytest.raises(ValueError, match="at most 50 steps"):
            m.submit(TrainConfig(**{**QUICK, "steps": 51}))
        with pytest.raises(ValueError, match="up to 'mini'"):
            m.submit(TrainConfig(**{**QUICK, "size": "small"}))
        m.submit(TrainConfig(**LONG | {"steps": 50}), owner="bob")
        m.submit(TrainConfig(**LONG | {"steps": 50}), owner="bob")
        with pytest.raises(CapacityError, match="already have 2 runs"):
            m.submit(TrainConfig(**QUICK), owner="bob")
        with pytest.raises(CapacityError, match="queue is full"):
            full.submit(TrainConfig(**QUICK))
        assert len(list_runs(runs_dir)) == 3
    finally:
        m.close()
        full.close()


def test_a_restart_marks_runs_left_in_flight_as_interrupted(runs_dir):
    from selfsup_core.runs import create_run, update_summary

    queued = create_run(TrainConfig(**QUICK).to_dict(), runs_dir)
    running = create_run(TrainConfig(**QUICK).to_dict(), runs_dir)
    update_summary(running, status="running", pid=2**22 + 12345)  # no such process
    done = create_run(TrainConfig(**QUICK).to_dict(), runs_dir)
    update_summary(done, status="completed")
    m = JobManager(root=runs_dir, max_concurrent=1)
    m.close()
    assert load_run(queued.name).status == "interrupted"
    assert load_run(running.name).status == "interrupted"
    assert load_run(done.name).status == "completed"


def test_workers_run_at_a_lower_cpu_priority_than_the_server(manager):
    worker = manager._workers[0]
    wait_until(lambda: os.getpriority(os.PRIO_PROCESS, worker.process.pid) > os.getpriority(os.PRIO_PROCESS, 0))
    wanted = min(19, os.getpriority(os.PRIO_PROCESS, 0) + manager.settings.worker_nice)  # 19: the lowest there is
    assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == wanted


def test_a_new_worker_warms_up_the_default_run_s_tokenizer_before_the_first_launch(manager, runs_dir):
    wait_until(lambda: any((runs_dir / ".cache" / "tokenizers").glob("*.json")), timeout=120)
    wait_until(lambda: manager._workers[0].ready, timeout=60)
