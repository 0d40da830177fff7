"""Per-server limits for a classroom: one place, each overridable by an environment variable
(documented again in the README's "Classroom server" section).

SELFSUP_MAX_CONCURRENT      runs training at once, one worker process each (default: one per two CPU cores)
SELFSUP_MAX_QUEUED          runs waiting in the queue, all students together (default 60)
SELFSUP_MAX_RUNS_PER_SESSION runs one student may have queued or running at once (default 3)
SELFSUP_MAX_STEPS           optimizer steps per run without a time budget (default 20000)
SELFSUP_MAX_TIME_BUDGET_S   seconds per run with a time budget (default 600)
SELFSUP_MAX_SIZE            largest model preset students may pick: nano | mini | small (default small)
SELFSUP_UPLOAD_MB           largest corpus upload in MB (default 20); Streamlit's own limit,
                            server.maxUploadSize in .streamlit/config.toml, must be at least as large
SELFSUP_DISK_QUOTA_MB       size of the runs directory above which the oldest finished, unpinned
                            runs are deleted after each run (default 2000)
SELFSUP_TEACHER_PASSWORD    unlocks teacher mode (stop / delete anyone's run, see every run); unset
                            (default): no teacher mode. Compared in constant time.
SELFSUP_SHARE_RUNS          1 (default): students see each other's runs read-only; 0: only their own
SELFSUP_WORKER_NICE         how much lower than the server's the training workers' CPU priority is (os.nice,
                            default 10): a student's click wins the core over a training step, training
                            takes what the server leaves. 0: equal shares (on a machine busy with other work
                            at normal priority, training at 10 gets little of the CPU)
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as e:
        raise ValueError(f"Environment variable {name} must be a whole number, got {value!r}.") from e


def _default_concurrent() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


# Fixed bounds on what a hand-edited config.json could ask for (the page's widgets stay well inside them).
MAX_TOKENS_PER_STEP = 32_768  # batch x seq_len: 16x the default 32 x 64
MAX_VOCAB = 32_000
MAX_CHECKPOINTS = 20


@dataclass(frozen=True)
class Settings:
    max_concurrent: int = field(default_factory=lambda: _int("SELFSUP_MAX_CONCURRENT", _default_concurrent()))
    max_queued: int = field(default_factory=lambda: _int("SELFSUP_MAX_QUEUED", 60))
    max_runs_per_session: int = field(default_factory=lambda: _int("SELFSUP_MAX_RUNS_PER_SESSION", 3))
    max_steps: int = field(default_factory=lambda: _int("SELFSUP_MAX_STEPS", 20_000))
    max_time_budget_s: int = field(default_factory=lambda: _int("SELFSUP_MAX_TIME_BUDGET_S", 600))
    max_size: str = field(default_factory=lambda: os.environ.get("SELFSUP_MAX_SIZE", "small"))
    upload_mb: int = field(default_factory=lambda: _int("SELFSUP_UPLOAD_MB", 20))
    disk_quota_mb: int = field(default_factory=lambda: _int("SELFSUP_DISK_QUOTA_MB", 2000))
    teacher_password: str | None = field(  # not in repr: a logged Settings must not show it
        default_factory=lambda: os.environ.get("SELFSUP_TEACHER_PASSWORD") or None, repr=False
    )
    share_runs: bool = field(default_factory=lambda: os.environ.get("SELFSUP_SHARE_RUNS", "1") != "0")
    worker_nice: int = field(default_factory=lambda: _int("SELFSUP_WORKER_NICE", 10))

    def is_teacher(self, password: str | None) -> bool:
        """Constant-time password check (no timing hints); False when no teacher password is set."""
        if not self.teacher_password or not password:
            return False
        return hmac.compare_digest(password.encode(), self.teacher_password.encode())

    def check_run(self, cfg) -> None:
        """Refuse a run configuration above the server's limits, saying which limit and what to do."""
        from .models import PRESETS, shape_of

        sizes = list(PRESETS)
        shape = shape_of(cfg)  # also refuses an unknown size, before anything is queued
        if cfg.size in sizes and self.max_size in sizes and sizes.index(cfg.size) > sizes.index(self.max_size):
            raise ValueError(f"This server allows models up to '{self.max_size}'; pick a smaller size.")
        # An uploaded config.json can override the preset's shape: hold every dimension to the allowed presets' largest
        # (a preset is not larger in every dimension: nano has more layers than mini)
        allowed = (
            sizes[: sizes.index(self.max_size) + 1] if self.max_size in sizes else sizes[: sizes.index("small") + 1]
        )
        cap = {name: max(PRESETS[s][name] for s in allowed) for name in ("hidden", "layers", "heads", "ffn")}
        for name in ("hidden", "layers", "heads", "ffn"):
            if getattr(shape, name) > cap[name]:
                raise ValueError(
                    f"This server allows {name} up to {cap[name]} (models up to '{self.max_size}'); "
                    f"this run asks for {getattr(shape, name)}."
                )
        if cfg.batch_size * cfg.seq_len > MAX_TOKENS_PER_STEP:
            raise ValueError(
                f"This server allows at most {MAX_TOKENS_PER_STEP} tokens per step (batch x sequence "
                f"length); this run asks for {cfg.batch_size * cfg.seq_len}."
            )
        if (cfg.vocab_size or 0) > MAX_VOCAB or cfg.checkpoints > MAX_CHECKPOINTS:
            raise ValueError(
                f"This server allows a vocabulary up to {MAX_VOCAB} and up to {MAX_CHECKPOINTS} checkpoints per run."
            )
        if cfg.time_budget_s is None and cfg.steps > self.max_steps:  # with a budget, the budget bounds the run
            raise ValueError(f"This server allows at most {self.max_steps} steps per run; lower the steps.")
        if cfg.time_budget_s is not None and cfg.time_budget_s > self.max_time_budget_s:
            raise ValueError(f"This server allows at most {self.max_time_budget_s} s per run; lower the time budget.")
