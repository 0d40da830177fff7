"""Safe by construction: only safetensors and JSON are ever loaded; user text never becomes a path or HTML."""

import re
import subprocess
from pathlib import Path

import pytest

from selfsup_core.runs import create_run, enforce_quota, list_runs, update_summary
from selfsup_core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for p in ROOT.rglob("*.py") if not {".venv", "tests", "artifacts"} & set(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize("pattern", [r"torch\.load\(", r"\bimport pickle\b", r"\bpickle\.", r"trust_remote_code\s*=\s*True",
                                     r"unsafe_allow_html\s*=\s*True", r"(?<![.\w])eval\(", r"(?<![.\w])exec\("])  # fmt: skip
def test_no_unsafe_loading_or_rendering_in_the_code(pattern):
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_streamlit_config_caps_uploads_and_keeps_xsrf_protection():
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^maxUploadSize\s*=\s*\d+", text, re.M)
    assert re.search(r"^enableXsrfProtection\s*=\s*true", text, re.M)


def test_teacher_password_is_checked_in_constant_time_and_off_by_default():
    assert not Settings(teacher_password=None).is_teacher("anything")
    s = Settings(teacher_password="s3cret")
    assert s.is_teacher("s3cret") and not s.is_teacher("s3cre") and not s.is_teacher(None)
    assert "compare_digest" in (ROOT / "selfsup_core" / "settings.py").read_text()


def test_quota_deletes_oldest_finished_unpinned_runs_first(runs_dir):
    ids = []
    for i, status in enumerate(["completed", "completed", "running", "completed"]):
        path = create_run({"objective": "mlm"}, runs_dir)
        (path / "blob").write_bytes(b"x" * 10_000)
        update_summary(path, status=status, created=i, pinned=(i == 0))
        ids.append(path.name)
    deleted = enforce_quota(25_000, runs_dir)
    assert deleted == [ids[1], ids[3]]  # 0 is pinned, 2 still running
    assert {r.id for r in list_runs(runs_dir)} == {ids[0], ids[2]}


def test_no_model_files_in_pickle_formats_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith((".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"))]
