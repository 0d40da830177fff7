"""Background training jobs: a pool of worker processes, a queue, a cap, and a stop button.

Why processes: training holds the GIL and the CPU; in the server's own process it would freeze every
student's page, and a crash (or the OOM killer) would take the app down. Each worker is a `spawn`ed
process (safe with CUDA and inside Streamlit) that imports torch once at start, so a launched run
begins training in about a second instead of paying the import again. Workers report through the run
directory (metrics.jsonl, summary.json), which is also what survives a page reload or a server restart.

Ownership: every run records who launched it (an opaque owner id, in the run's meta.json, so it
survives a server restart). Stopping or deleting a run takes its owner or the teacher; the check is
here, not in the pages, so no page can forget it. How a browser proves it is an owner is the app's
business (see `lab.ownership.session_id`).

UI-agnostic: the app holds one `JobManager` per server process (st.cache_resource); tests use it
directly. All public methods are thread-safe.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import threading
import time
import types
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runs import (
    clean_nickname,
    create_run,
    delete_run,
    enforce_quota,
    fail_if_unfinished,
    load_run,
    mark_interrupted,
    may_change,
    run_path,
    runs_root,
    update_summary,
)
from .settings import Settings

log = logging.getLogger(__name__)
_CTX = mp.get_context("spawn")


class CapacityError(ValueError):
    """The server is full (queue cap, or this student's cap); the message says what to do."""


# kind of job -> module whose `run_job(config: dict, run_dir: Path, should_stop: Callable[[], bool])` runs it
# (and whose `warm_up()`, if it has one and the worker imports it at start, runs before the worker says it is ready)
JOB_KINDS = {"train": "selfsup_core.train", "finetune": "selfsup_core.finetune"}


def _worker_main(conn, stop, threads: int, root: str, nice: int) -> None:  # runs in the worker process
    """Worker loop: receive (run_id, root, kind, config), run it, report back; None means exit. Lowers its
    own CPU priority first by `nice` (SELFSUP_WORKER_NICE: on a laptop's two cores a student's click, a probe
    or a page, must win the core over a training step), so even its start (importing torch) yields."""
    import importlib

    os.nice(nice)

    import torch
    from transformers.utils import logging as hf_logging

    import selfsup_core.train  # noqa: F401  (import torch and transformers now, not at the first job)

    torch.set_num_threads(threads)
    hf_logging.disable_progress_bar()
    os.environ["SELFSUP_RUNS_DIR"] = root  # caches (tokenizers) beside this manager's runs
    for kind in JOB_KINDS.values():
        warm = getattr(sys.modules.get(kind), "warm_up", None)
        try:
            if warm:
                warm()
        except Exception:  # a warm-up is an optimisation: a worker that could not warm up still works
            log.exception("warm-up of %s failed", kind)
    conn.send(("ready", None))
    while True:
        job = conn.recv()
        if job is None:
            return
        run_id, root, kind, config = job
        try:
            importlib.import_module(JOB_KINDS[kind]).run_job(config, run_path(run_id, root), stop.is_set)
        except Exception:  # recorded in summary.json by the job itself; the worker lives on
            log.exception("run %s failed", run_id)
        conn.send(("done", run_id))


@dataclass
class _Worker:
    process: Any
    conn: Any
    stop: Any
    run_id: str | None = None
    ready: bool = False


@dataclass
class JobStatus:
    run_id: str
    state: str  # queued | starting | running | done
    queue_position: int | None = None  # 1 = next to start
    owner: str | None = None


@dataclass
class JobManager:
    """Runs `TrainConfig`s in a pool of `max_concurrent` worker processes, the rest waiting in a queue."""

    root: Path | None = None  # runs directory (None: SELFSUP_RUNS_DIR / ./runs)
    settings: Settings = field(default_factory=Settings)  # caps (see settings.py)
    max_concurrent: int | None = None  # worker processes (None: settings.max_concurrent)
    threads_per_run: int | None = None  # torch threads per worker (None: share the cores evenly)
    poll_s: float = 0.1

    def __post_init__(self) -> None:
        self.max_concurrent = self.max_concurrent or self.settings.max_concurrent
        interrupted = mark_interrupted(self.root)  # runs in flight when a previous server stopped
        if interrupted:
            log.warning("marked %d runs from a previous server as interrupted", len(interrupted))
        self._lock = threading.RLock()
        self._queue: deque[tuple[str, str, dict[str, Any]]] = deque()  # (run id, kind, config)
        self._owners: dict[str, str | None] = {}
        self._workers: list[_Worker] = []
        self._closed = False
        threads = self.threads_per_run or max(1, (os.cpu_count() or 1) // self.max_concurrent)
        self._threads = threads
        for _ in range(self.max_concurrent):
            self._workers.append(self._spawn())
        self._thread = threading.Thread(target=self._loop, name="selfsup-jobs", daemon=True)
        self._thread.start()

    # -- public API -------------------------------------------------------------------------------
    def submit(self, cfg: Any, owner: str | None = None, kind: str = "train", nickname: str | None = None) -> str:
        """Create the run folder (status `queued`) and queue it; returns the run id.

        cfg: a config dataclass with `to_dict()` (TrainConfig for kind "train"); kind: a key of JOB_KINDS;
        owner: who may stop or delete it besides the teacher (None: only the teacher); nickname: the
        student's chosen name, shown with the run (cleaned by `runs.clean_nickname`).
        """
        if kind not in JOB_KINDS:
            raise ValueError(f"Unknown job kind {kind!r}; choose one of {tuple(JOB_KINDS)}.")
        if kind == "train":
            self.settings.check_run(cfg)
        with self._lock:
            if len(self._queue) >= self.settings.max_queued:
                raise CapacityError(f"The queue is full ({len(self._queue)} runs waiting). Try again in a minute.")
            mine = sum(1 for s in self.active() if owner is not None and s.owner == owner)
            if mine >= self.settings.max_runs_per_session:
                raise CapacityError(
                    f"You already have {mine} runs queued or running (the limit is "
                    f"{self.settings.max_runs_per_session}); wait for one to finish or stop one."
                )
            meta = {"owner": owner, "nickname": clean_nickname(nickname)}
            path = create_run(cfg.to_dict(), self.root, kind=kind, meta=meta)
            self._queue.append((path.name, kind, cfg.to_dict()))
            self._owners[path.name] = owner
        return path.name

    def stop(self, run_id: str, by: str | None = None, teacher: bool = False) -> bool:
        """Stop a run: a queued run is dropped (status `stopped`), a running one ends within a step.

        by: the owner id asking; teacher: whether the teacher is asking. Raises PermissionError unless
        `by` owns the run or the teacher asks, RunNotFoundError for an unknown id. Returns False when
        the run was not queued or running here (already finished).
        """
        self._check(run_id, by, teacher, "stop")
        return self._stop(run_id)

    def delete(self, run_id: str, by: str | None = None, teacher: bool = False) -> None:
        """Delete a finished (or still queued) run's folder, with the same permission rule as `stop`.
        A run that is training is refused: stop it first."""
        self._check(run_id, by, teacher, "delete")
        with self._lock:  # the scheduler cannot hand the run to a worker meanwhile
            if any(w.run_id == run_id for w in self._workers):
                raise ValueError("This run is still training: stop it first, then delete it.")
            self._stop(run_id)  # drops it from the queue, if it waits there
            delete_run(run_id, self.root)

    def _check(self, run_id: str, by: str | None, teacher: bool, action: str) -> None:
        if not may_change(load_run(run_id, self.root), by, teacher):
            raise PermissionError(f"Run {run_id} belongs to someone else: only they or the teacher can {action} it.")

    def _stop(self, run_id: str) -> bool:
        with self._lock:
            for i, (rid, _, _) in enumerate(self._queue):
                if rid == run_id:
                    del self._queue[i]
                    self._owners.pop(run_id, None)
                    update_summary(run_path(run_id, self.root), status="stopped", steps=0)
                    return True
            for w in self._workers:
                if w.run_id == run_id:
                    w.stop.set()
                    return True
        return False

    def status(self, run_id: str) -> JobStatus | None:
        """Where a run stands in this manager, or None if it is not queued or running here."""
        return next((s for s in self.active() if s.run_id == run_id), None)

    def active(self) -> list[JobStatus]:
        """Running runs first, then the queue in order."""
        with self._lock:
            running = [
                JobStatus(w.run_id, "running", None, self._owners.get(w.run_id)) for w in self._workers if w.run_id
            ]
            queued = [JobStatus(rid, "queued", i + 1, self._owners.get(rid)) for i, (rid, *_) in enumerate(self._queue)]
        return running + queued

    def owner(self, run_id: str) -> str | None:
        """The owner id a run was launched with (from its meta.json: also after a restart)."""
        return load_run(run_id, self.root).owner

    def wait(self, run_id: str, timeout: float = 120.0) -> str:
        """Block until the run has finished (for tests and scripts); returns its final status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status(run_id) is None:
                return load_run(run_id, self.root).status
            time.sleep(0.05)
        raise TimeoutError(f"run {run_id} still going after {timeout} s")

    def close(self) -> None:
        """Stop everything: running runs are stopped, queued runs are dropped, workers exit."""
        with self._lock:
            self._closed = True
            for rid, *_ in list(self._queue):
                self._stop(rid)
            for w in self._workers:
                w.stop.set()
                if w.run_id is None:
                    w.conn.send(None)
        for w in self._workers:
            w.process.join(timeout=10)
            if w.process.is_alive():
                w.process.kill()

    # -- scheduler ----------------------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        parent, child = _CTX.Pipe()
        stop = _CTX.Event()
        root = str(runs_root(self.root))
        args = (child, stop, self._threads, root, self.settings.worker_nice)
        process = _CTX.Process(target=_worker_main, args=args, daemon=True)
        # `spawn` re-runs the parent's __main__ file in the child before the target. Under Streamlit
        # that is app.py, which would build a JobManager of its own and kill the worker; the worker
        # needs nothing from __main__, so it is shown an empty one while it starts.
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            process.start()
        finally:
            sys.modules["__main__"] = main
        return _Worker(process, parent, stop)

    def _loop(self) -> None:
        while not self._closed:
            try:
                self._tick()
            except Exception:  # the scheduler must never die; log and carry on
                log.exception("job scheduler tick failed")
            time.sleep(self.poll_s)

    def _tick(self) -> None:
        with self._lock:
            for i, w in enumerate(self._workers):
                if not w.process.is_alive():
                    self._fail_dead_worker(w)
                    self._workers[i] = w = self._spawn()
                while w.conn.poll():
                    kind, _ = w.conn.recv()
                    if kind == "ready":
                        w.ready = True
                    elif kind == "done":
                        fail_if_unfinished(run_path(w.run_id, self.root))
                        self._owners.pop(w.run_id, None)
                        w.run_id = None
                        enforce_quota(self.settings.disk_quota_mb * 1024 * 1024, self.root)
                if w.ready and w.run_id is None and self._queue and not self._closed:
                    w.run_id, kind, config = self._queue.popleft()
                    w.stop.clear()
                    w.conn.send((w.run_id, str(run_path(w.run_id, self.root).parent), kind, config))

    def _fail_dead_worker(self, w: _Worker) -> None:
        """A worker that died mid-run (killed, out of memory, segfault) fails its run with the reason."""
        if w.run_id is None:
            return
        code = w.process.exitcode
        reason = "killed (out of memory?)" if code in (-9, 137) else f"exited with code {code}"
        log.error("worker for run %s %s", w.run_id, reason)
        try:
            update_summary(
                run_path(w.run_id, self.root),
                status="failed",
                error=f"The training process was {reason}. Try a smaller model or batch.",
            )
        except OSError:
            log.exception("could not record the failure of run %s", w.run_id)
        self._owners.pop(w.run_id, None)
        w.run_id = None
