import json
import os

import pytest

from selfsup_core.runs import (
    RunNotFoundError,
    append_jsonl,
    create_run,
    delete_run,
    list_runs,
    load_run,
    read_jsonl,
    run_path,
    write_json,
)


@pytest.mark.parametrize("bad", ["../x", "..", "/etc/passwd", "a/b", "", ".hidden", "x" * 200, "a\\b", None])
def test_run_ids_that_could_escape_the_runs_directory_are_refused(runs_dir, bad):
    with pytest.raises(RunNotFoundError):
        run_path(bad)


def test_create_list_load_delete(runs_dir):
    a = create_run({"objective": "mlm"})
    b = create_run({"objective": "ar"})
    assert {r.id for r in list_runs()} == {a.name, b.name}
    assert load_run(a.name).status == "queued"
    delete_run(a.name)
    assert [r.id for r in list_runs()] == [b.name]
    with pytest.raises(RunNotFoundError):
        load_run(a.name)


def test_a_torn_last_metrics_line_is_skipped(tmp_path):
    path = tmp_path / "metrics.jsonl"
    append_jsonl(path, {"step": 1})
    with path.open("a") as f:
        f.write('{"step": 2, "train_lo')
    assert read_jsonl(path) == [{"step": 1}]


def test_json_writes_are_atomic_renames(tmp_path):
    path = tmp_path / "summary.json"
    write_json(path, {"status": "running"})
    write_json(path, {"status": "completed"})
    assert json.loads(path.read_text()) == {"status": "completed"}
    assert os.listdir(tmp_path) == ["summary.json"]  # no temporary files left behind


def test_folders_that_are_not_runs_are_ignored(runs_dir):
    (runs_dir / "uploads").mkdir()
    (runs_dir / "junk").mkdir()
    (runs_dir / "junk" / "summary.json").write_text("{not json")
    assert list_runs() == []
