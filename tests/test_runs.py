import json
import os

import pytest

from selfsup_core.runs import (
    RunNotFoundError,
    append_jsonl,
    create_run,
    delete_run,
    fingerprint,
    list_runs,
    load_run,
    read_jsonl,
    run_path,
    set_meta,
    table,
    update_summary,
    visible,
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


def test_the_fingerprint_changes_with_every_change_a_listing_shows_and_only_then(runs_dir):
    a = create_run({"objective": "mlm"}).name
    before = fingerprint()
    append_jsonl(run_path(a) / "metrics.jsonl", {"step": 1})  # a listing does not show metrics
    assert fingerprint() == before
    seen = {before}
    for change in (
        lambda: update_summary(run_path(a), status="running"),  # same second, same size: still seen
        lambda: update_summary(run_path(a), status="runnin2"),
        lambda: set_meta(a, nickname="Ann"),
        lambda: create_run({"objective": "ar"}),
        lambda: delete_run(a),
    ):
        change()
        assert fingerprint() not in seen
        seen.add(fingerprint())


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


def test_meta_is_kept_with_the_run_and_merged_atomically(runs_dir):
    run = create_run({"objective": "mlm"}, meta={"owner": "abc", "nickname": "Ann"}).name
    assert load_run(run).meta == {"owner": "abc", "nickname": "Ann"}
    assert set_meta(run, nickname="Annie") == {"owner": "abc", "nickname": "Annie"}
    assert (load_run(run).owner, load_run(run).nickname) == ("abc", "Annie")
    assert sorted(os.listdir(runs_dir / run)) == ["config.json", "meta.json", "summary.json"]
    with pytest.raises(RunNotFoundError):
        set_meta("../elsewhere", owner="x")


def test_a_run_without_meta_json_has_no_owner(runs_dir):
    run = create_run({"objective": "ar"})
    (run / "meta.json").unlink()
    assert load_run(run.name).meta == {} and load_run(run.name).owner is None


@pytest.mark.parametrize(
    "typed, stored",
    [("  Ann   Lee ", "Ann Lee"), ("a\x00b\nc\u202e", "a b c"), ("", None), ("\t \n", None), ("é" * 50, "é" * 30)],
)
def test_nicknames_are_stored_as_one_short_printable_line(typed, stored):
    from selfsup_core.runs import clean_nickname

    assert clean_nickname(typed) == stored


def test_only_the_owner_sees_their_runs_when_sharing_is_off_and_the_table_marks_them(runs_dir):
    mine = create_run({"objective": "mlm"}, meta={"owner": "me", "nickname": "Ann"}).name
    theirs = create_run({"objective": "ar"}, meta={"owner": "you", "nickname": "Bo"}).name
    orphan = create_run({"objective": "ar"}).name  # made by the CLI: nobody's
    everything = list_runs()
    assert {r.id for r in visible(everything, "me", share=True)} == {mine, theirs, orphan}
    assert [r.id for r in visible(everything, "me", share=False)] == [mine]
    assert len(visible(everything, "me", teacher=True, share=False)) == 3
    rows = {r["run"]: r for r in table(everything, me="me")}
    assert (rows[mine]["yours"], rows[mine]["by"]) == (True, "Ann")
    assert (rows[theirs]["yours"], rows[theirs]["by"]) == (False, "Bo")
    assert rows[orphan]["yours"] is False
