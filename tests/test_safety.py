"""Safe by construction: only safetensors and JSON are ever loaded; user text never becomes a path or HTML."""

import inspect
import re
import subprocess
from pathlib import Path

import pytest

from selfsup_core import finetune
from selfsup_core.jobs import JobManager
from selfsup_core.runs import (
    RunNotFoundError,
    create_run,
    delete_run,
    enforce_quota,
    list_runs,
    load_run,
    run_path,
    set_meta,
    update_summary,
)
from selfsup_core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for p in ROOT.rglob("*.py") if not {".venv", "tests", "artifacts"} & set(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize(
    "pattern",
    [
        r"torch\.load\(",
        r"\bimport pickle\b",
        r"\bpickle\.",
        r"trust_remote_code\s*=\s*True",
        r"unsafe_allow_html\s*=\s*True",
        r"(?<![.\w])eval\(",
        r"(?<![.\w])exec\(",
        r"weights_only\s*=\s*False",
        r"allow_pickle\s*=\s*True",
        r"use_safetensors\s*=\s*False",
        r"\bimport (dill|joblib|shelve|marshal|cloudpickle)\b",
        r"yaml\.load\(",
    ],
)
def test_no_unsafe_loading_or_rendering_in_the_code(pattern):
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(pattern, p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_streamlit_config_caps_uploads_and_keeps_xsrf_protection():
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    size = re.search(r"^maxUploadSize\s*=\s*(\d+)", text, re.M)
    assert size and int(size.group(1)) >= Settings().upload_mb  # Streamlit lets through what the core accepts
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


@pytest.fixture
def outside(tmp_path):
    """A folder next to the runs directory, with a file in it, that no run id may reach."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("not yours")
    (folder / "summary.json").write_text("{}")
    (folder / "config.json").write_text("{}")
    return folder


RUN_ID_USERS = {
    "run_path": run_path,
    "load_run": load_run,
    "delete_run": delete_run,
    "set_meta": lambda run_id: set_meta(run_id, owner="me"),
    "classifier_dir": finetune.classifier_dir,
}


@pytest.mark.parametrize("use", RUN_ID_USERS)
@pytest.mark.parametrize("how", ["relative", "absolute", "dotdot", "trailing"])
def test_a_run_id_that_points_outside_the_runs_directory_is_refused_and_touches_nothing(runs_dir, outside, use, how):
    run_id = {"relative": "../outside", "absolute": str(outside), "dotdot": "..", "trailing": "x/../../outside"}[how]
    with pytest.raises(RunNotFoundError):
        RUN_ID_USERS[use](run_id)
    assert sorted(p.name for p in outside.iterdir()) == ["config.json", "keep.txt", "summary.json"]
    assert (outside / "keep.txt").read_text() == "not yours"


def test_run_ids_are_generated_never_taken_from_what_a_student_types(runs_dir):
    assert not {"run_id", "path", "name"} & set(inspect.signature(JobManager.submit).parameters)
    path = create_run({"objective": "mlm"}, meta={"nickname": "../../etc/passwd", "owner": "/root"})
    assert path.parent == runs_dir.resolve()
    assert re.fullmatch(r"\d{8}-\d{6}-mlm-[0-9a-f]{6}", path.name)


def test_token_boxes_escape_student_text_and_tooltips():
    from streamlit.testing.v1 import AppTest

    def page():
        from lab import widgets
        from selfsup_core.masking import Fate
        from selfsup_core.preview import TokenView

        evil = "<img src=x onerror=alert(1)>"
        widgets.tokens([(evil, Fate.MASKED, '" onmouseover="alert(2)')])
        widgets.token_views([TokenView(evil, Fate.RANDOM, "</span><script>alert(3)</script>", True)])

    at = AppTest.from_function(page, default_timeout=30).run()
    assert not at.exception
    bodies = [e.proto.body for e in at.get("html")]
    assert len(bodies) == 2
    for body in bodies:
        assert "<img" not in body and "<script" not in body and 'onmouseover="' not in body
        text = re.sub(r"<span[^>]*>␣</span>", " ", body)  # token boxes draw a space as a faint ␣
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
