"""The run directory format and the registry of runs on disk.

    runs/<run_id>/
        config.json      the TrainConfig, enough to reproduce the run
        metrics.jsonl    one JSON object per logged step (eval lines add val_loss, val_accuracy)
        summary.json     status (queued | running | completed | stopped | failed | interrupted) + final figures
        meta.json        who launched it: owner (an opaque id, see jobs.py) and the student's nickname
        model/           save_pretrained: config.json, model.safetensors, tokenizer files
        checkpoints/step-000123/   snapshots of model.safetensors for the probe timeline

The root is `SELFSUP_RUNS_DIR` (default ./runs). Run ids are generated here, never taken from user
text as a path: every lookup is checked to stay inside the root. JSON files and model folders are
written under a temporary name and renamed, so a reader never sees half a file or a half-saved model;
metrics are appended a whole line at a time and readers skip a torn last line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FINISHED = ("completed", "stopped", "failed", "interrupted")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RunNotFoundError(LookupError):
    """A run id that does not name a run under the runs directory."""


def runs_root(root: str | os.PathLike | None = None) -> Path:
    """The runs directory (created if missing)."""
    path = Path(root if root is not None else os.environ.get("SELFSUP_RUNS_DIR", "runs")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_path(run_id: str, root: str | os.PathLike | None = None) -> Path:
    """The folder of `run_id`, refusing anything that is not a plain id inside the root."""
    base = runs_root(root)
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise RunNotFoundError(f"{run_id!r} is not a run id.")
    path = (base / run_id).resolve()
    if path.parent != base:
        raise RunNotFoundError(f"{run_id!r} is not a run id.")
    return path


def logged(run_id: str, root: str | os.PathLike | None = None) -> bool:
    """Whether the run has logged a step yet (a file's size, not its contents: a live view asks it often)."""
    try:
        return (run_path(run_id, root) / "metrics.jsonl").stat().st_size > 0
    except (FileNotFoundError, RunNotFoundError):
        return False


def new_run_id(objective: str) -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{objective}-{secrets.token_hex(3)}"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the disk is full: leave no half-written file behind
        raise


class DiskFullError(OSError):
    """The disk (or the runs folder's quota) filled up while a run was saving."""


def write_folder(path: Path, fill: Callable[[Path], None]) -> Path:
    """Create the folder `path` all at once: `fill(tmp)` writes into a temporary folder beside it, which is
    renamed to `path` only when complete, so a folder named `path` is never half saved. When `fill` fails
    (e.g. the disk is full) the temporary folder is removed, nothing is left at `path`, and the error is
    raised again (a full disk as a `DiskFullError` that says what to do). `path` must not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.mkdir()
        fill(tmp)
        os.replace(tmp, path)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)  # also frees the space, so the failure can be recorded
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(
                "The disk is full, so the model could not be saved (nothing half-saved was kept). "
                "Delete old runs or ask the teacher to free space, then train again."
            ) from e
        raise
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All complete lines of a JSON-lines file (a line still being written is skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def create_run(
    config: dict[str, Any],
    root: str | os.PathLike | None = None,
    run_id: str | None = None,
    kind: str = "train",
    meta: dict[str, Any] | None = None,
) -> Path:
    """Make a new run folder holding config.json, meta.json and a `queued` summary (kind: "train" or
    "finetune"). meta.json is written before the summary, so a run that is listed has its owner."""
    path = run_path(run_id or new_run_id(config.get("objective", kind)), root)
    path.mkdir()
    write_json(path / "config.json", config)
    write_json(path / "meta.json", meta or {})
    write_json(path / "summary.json", {"status": "queued", "kind": kind, "created": time.time()})
    return path


NICKNAME_MAX = 30  # characters: fits a table column on a projector


def clean_nickname(text: str | None) -> str | None:
    """A student's nickname as stored: control characters dropped, spaces collapsed, at most
    NICKNAME_MAX characters; None when nothing is left. Shown as plain text only."""
    if not text:
        return None
    kept = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(kept.split())[:NICKNAME_MAX].strip() or None


def set_meta(run_id: str, root: str | os.PathLike | None = None, **fields: Any) -> dict[str, Any]:
    """Merge `fields` (e.g. owner=, nickname=) into the run's meta.json, atomically; returns the result."""
    path = run_path(run_id, root)
    if not path.is_dir():
        raise RunNotFoundError(f"No run {run_id!r}.")
    meta = _read_meta(path)
    meta.update(fields)
    write_json(path / "meta.json", meta)
    return meta


def _read_meta(path: Path) -> dict[str, Any]:
    """meta.json, or {} for a run made before meta.json existed (or by the CLI)."""
    try:
        meta = read_json(path / "meta.json")
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


@dataclass
class RunInfo:
    id: str
    path: Path
    config: dict[str, Any]
    summary: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)  # meta.json: owner, nickname

    @property
    def owner(self) -> str | None:
        return self.meta.get("owner")

    @property
    def nickname(self) -> str | None:
        return self.meta.get("nickname")

    @property
    def kind(self) -> str:
        return self.summary.get("kind", "train")

    @property
    def status(self) -> str:
        return self.summary.get("status", "unknown")

    @property
    def model_path(self) -> Path:
        return self.path / "model"

    def metrics(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / "metrics.jsonl")

    def checkpoints(self) -> list[tuple[int, Path]]:
        """(step, folder) of each saved snapshot, oldest first, ending with the final model."""
        found = []
        for p in sorted((self.path / "checkpoints").glob("step-*")):
            if (p / "model.safetensors").exists():
                found.append((int(p.name.split("-")[1]), p))
        if (self.model_path / "model.safetensors").exists():
            found.append((int(self.summary.get("steps", found[-1][0] + 1 if found else 0)), self.model_path))
        return found


def load_run(run_id: str, root: str | os.PathLike | None = None) -> RunInfo:
    path = run_path(run_id, root)
    try:
        return RunInfo(
            run_id, path, read_json(path / "config.json"), read_json(path / "summary.json"), _read_meta(path)
        )
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError) as e:
        raise RunNotFoundError(f"No run {run_id!r} in {path.parent}.") from e


def iter_runs(root: str | os.PathLike | None = None) -> Iterator[RunInfo]:
    for path in runs_root(root).iterdir():
        if path.is_dir() and not path.name.startswith("."):
            try:
                yield load_run(path.name, root)
            except RunNotFoundError:
                continue


def list_runs(root: str | os.PathLike | None = None) -> list[RunInfo]:
    """Every readable run, newest first."""
    return sorted(iter_runs(root), key=lambda r: r.id, reverse=True)


def fingerprint(root: str | os.PathLike | None = None) -> tuple:
    """(name, summary.json version, meta.json version) of every run folder: changes whenever a run is added,
    deleted, or has its status or owner rewritten. A version is the file's inode and mtime: every write is a
    new file renamed into place (`write_json`), so a new inode even where mtimes are coarse. A stat per file,
    so a caller can keep `list_runs` until this changes instead of reading every file again."""

    def version(path: str) -> tuple[int, int]:
        try:
            st = os.stat(path)
        except OSError:
            return (0, 0)
        return (st.st_ino, st.st_mtime_ns)

    with os.scandir(runs_root(root)) as entries:
        return tuple(
            sorted(
                (e.name, version(f"{e.path}/summary.json"), version(f"{e.path}/meta.json"))
                for e in entries
                if e.is_dir() and not e.name.startswith(".")
            )
        )


def delete_run(run_id: str, root: str | os.PathLike | None = None) -> None:
    path = run_path(run_id, root)
    if not path.is_dir():
        raise RunNotFoundError(f"No run {run_id!r}.")
    shutil.rmtree(path)


def update_summary(path: Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into the run's summary.json (atomically) and return the result."""
    summary_file = path / "summary.json"
    summary = read_json(summary_file) if summary_file.exists() else {}
    summary.update(fields)
    write_json(summary_file, summary)
    return summary


@contextlib.contextmanager
def recording(run_dir: Path | None, config: dict[str, Any], **started: Any) -> Iterator[None]:
    """The run folder's frame around a job, for pretraining (train.py) and fine-tuning alike.

    On entry: config.json, and summary.json's status `running` with `started` (a time stamp) and the
    `started` fields. If the block raises: status `failed`, the error (see `failure_message`) and the
    last frames of its traceback, and the error goes on up. Without a run_dir (tests, notebooks) it does
    nothing."""
    if run_dir is not None:
        write_json(run_dir / "config.json", config)
        update_summary(run_dir, status="running", started=time.time(), **started)
    try:
        yield
    except BaseException as e:
        if run_dir is not None:
            update_summary(run_dir, status="failed", error=failure_message(e), traceback=traceback.format_exc(limit=5))
        raise


def failure_message(e: BaseException) -> str:
    """What summary.json says about the error that ended a run; running out of memory gets advice."""
    import torch  # a run that failed has imported it long ago; the app's views of runs need not

    if isinstance(e, MemoryError | torch.OutOfMemoryError) or "can't allocate memory" in str(e):
        return "The run ran out of memory. Pick a smaller model, batch size or sequence length and try again."
    return str(e) or type(e).__name__


# ----- views for the app: past-runs table, live progress --------------------------------------


def fail_if_unfinished(path: Path) -> bool:
    """Fail a run whose job has ended but whose summary still says queued or running (say the disk filled up
    before even `failed` could be written), so it never shows as running forever. True if it was changed."""
    try:
        if read_json(path / "summary.json").get("status") not in ("queued", "running"):
            return False
        update_summary(path, status="failed", error="The run ended without saving its result (is the disk full?).")
        return True
    except (OSError, ValueError):
        return False


def may_change(run: RunInfo, by: str | None, teacher: bool = False) -> bool:
    """May `by` (an owner id) stop or delete `run`? Its owner may, the teacher may; nobody else, and
    nobody but the teacher for a run without an owner (made by the CLI or before owners were kept)."""
    return teacher or (by is not None and run.owner == by)


def visible(runs: list[RunInfo], by: str | None, teacher: bool = False, share: bool = True) -> list[RunInfo]:
    """The runs `by` may see: all of them when runs are shared (read-only unless `may_change`) or for
    the teacher; otherwise only `by`'s own."""
    return runs if share or teacher else [r for r in runs if may_change(r, by)]


def live_status(run: RunInfo, job_state: str | None = None) -> str:
    """The one status a run is shown with, everywhere (tables, sidebar, live view), from its summary and the job
    manager's `job_state` (queued | running, None: not in the manager). A finished summary wins: the run has
    ended even if its worker has not reported yet. Before that the job manager knows best: a run it has handed
    to a worker is running though its summary may still say queued; a run it does not hold is not training,
    whatever an unfinished summary says (the summary's own status, `queued` or `running`, until a restart
    marks it interrupted)."""
    if run.status in FINISHED:
        return run.status
    return job_state or run.status


def steps_done(run: RunInfo) -> int:
    """The optimizer steps a run has taken: its summary's count once finished, else its last metrics line's."""
    if run.status in FINISHED and run.summary.get("steps") is not None:
        return int(run.summary["steps"])
    lines = run.metrics() if run.status == "running" else []
    return int(lines[-1]["step"]) if lines else 0


def table(runs: list[RunInfo], me: str | None = None, jobs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per run for the past-runs table: key settings, then final figures (None where unknown).

    `status` is `live_status` given `jobs` (run id -> the job manager's state); `steps` is the steps done
    (`steps_done`) and `target_steps` the steps asked for, or None where a time budget (`time_budget_s`,
    seconds) ends the run (its step count is only a cap); `yours` says whether the owner id `me` launched it;
    `by` is the nickname it was launched under. Keys are identifiers and values as recorded: the app labels
    and rounds them.
    """
    rows = []
    for r in runs:
        c, s = r.config, r.summary
        budget = c.get("time_budget_s")
        masking = c.get("masking") or {}
        mlm = c.get("objective") == "mlm"
        rows.append(
            {
                "run": r.id,
                "yours": may_change(r, me),
                "by": r.nickname,
                "status": live_status(r, (jobs or {}).get(r.id)),
                "objective": str(c.get("objective", "?")).upper(),
                "size": c.get("size"),
                "corpus": c.get("corpus"),
                "tokenizer": c.get("tokenizer"),
                "mask_rate": masking.get("rate") if mlm else None,
                "masking": masking.get("strategy") if mlm else None,
                "steps": steps_done(r),
                "target_steps": None if budget else c.get("steps"),
                "time_budget_s": budget,
                "seed": c.get("seed"),
                "val_loss": s.get("val_loss"),
                "val_accuracy": s.get("val_accuracy"),
                "tokens_per_s": s.get("tokens_per_s"),
                "error": s.get("error") if r.status == "failed" else None,
            }
        )
    return rows


def progress(
    config: dict[str, Any], lines: list[dict[str, Any]], summary: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Where a run stands, from its config and the metrics lines written so far.

    Returns step, target steps, fraction done (0-1), elapsed_s, tokens_per_s (last line), the signal meter
    (signal_share: the share of the text read whose tokens were predictions in the loss, and signal_per_s:
    those per second; last line; None for runs made before it), the last
    held-out val_loss / val_accuracy (None before the first evaluation) and eta_s: the time left at
    the pace so far, capped by the time budget (None before the first line). Once the run has
    finished (`summary` status in FINISHED), its summary's final figures win: the run may have
    stopped between two metric lines, and tokens/s is then the median over all steps.
    """
    steps = int(config.get("steps", 1))
    budget = config.get("time_budget_s")
    last = lines[-1] if lines else {}
    evals = [r for r in lines if "val_loss" in r]
    step, elapsed = last.get("step", 0), last.get("elapsed_s", 0.0)
    eta = None
    if step:
        eta = max(0.0, (steps - step) * elapsed / step)
        if budget:
            eta = min(eta, max(0.0, budget - elapsed))
    fraction = min(1.0, step / steps)
    if budget:
        fraction = max(fraction, min(1.0, elapsed / budget))
    out = {
        "step": step,
        "steps": steps,
        "fraction": fraction,
        "elapsed_s": elapsed,
        "eta_s": eta,
        "tokens_per_s": last.get("tokens_per_s"),
        "signal_share": last.get("signal_share"),
        "signal_per_s": last.get("signal_per_s"),
        "val_loss": evals[-1]["val_loss"] if evals else None,
        "val_accuracy": evals[-1]["val_accuracy"] if evals else None,
    }
    if summary and summary.get("status") in FINISHED:
        final = {
            "step": summary.get("steps"),
            "elapsed_s": summary.get("elapsed_s"),
            "eta_s": 0.0,
            "tokens_per_s": summary.get("tokens_per_s"),
            "signal_share": summary.get("signal_share"),
            "signal_per_s": summary.get("signal_tokens_per_s"),
            "val_loss": summary.get("val_loss"),
            "val_accuracy": summary.get("val_accuracy"),
        }
        out.update({k: v for k, v in final.items() if v is not None})
        if summary["status"] == "completed":
            out["fraction"] = 1.0
    return out


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(root: str | os.PathLike | None = None) -> list[str]:
    """After a server restart: runs left `queued`, or `running` in a process that is gone, become
    `interrupted` (never silently lost). Returns their ids."""
    found = []
    for run in iter_runs(root):
        if run.status == "queued" or (run.status == "running" and not _alive(run.summary.get("pid"))):
            update_summary(
                run.path, status="interrupted", error="The server stopped while this run was queued or training."
            )
            found.append(run.id)
    return found


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def enforce_quota(max_bytes: int, root: str | os.PathLike | None = None) -> list[str]:
    """Delete the oldest finished, unpinned runs until the runs directory fits in `max_bytes`."""
    base = runs_root(root)
    sizes = {p.name: folder_bytes(p) for p in base.iterdir() if p.is_dir()}
    total = sum(sizes.values())
    deleted = []
    for run in sorted(iter_runs(root), key=lambda r: r.summary.get("created", 0)):
        if total <= max_bytes:
            break
        if run.status in FINISHED and not run.summary.get("pinned"):
            delete_run(run.id, root)
            total -= sizes.get(run.id, 0)
            deleted.append(run.id)
    return deleted
