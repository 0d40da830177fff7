"""Class results and the classroom file: aggregation over a fake runs folder, teacher-only changes, the page."""

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import charts, classroom, runs
from selfsup_core.config import TrainConfig

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def fake_run(
    root,
    objective="mlm",
    rate=0.15,
    status="completed",
    finished=None,
    nickname=None,
    kind="train",
    val=(2.5, 0.3),
    augment=None,
    size="nano",
    seconds=None,
) -> str:
    """A run folder as training leaves it, without training: config, meta, summary."""
    cfg = TrainConfig(objective=objective, size=size, time_budget_s=seconds).to_dict()
    cfg["masking"]["rate"] = rate
    cfg["augment"].update(augment or {})
    meta = {"owner": "o1", "nickname": nickname} if nickname is not None else None
    path = runs.create_run(cfg, root, kind=kind, meta=meta)
    runs.update_summary(
        path,
        status=status,
        val_loss=val[0],
        val_accuracy=val[1],
        elapsed_s=19.6,
        finished=time.time() if finished is None else finished,
    )
    return path.name


def test_rows_hold_each_completed_training_run_with_its_setting_result_and_nickname(runs_dir):
    a = fake_run(runs_dir, rate=0.4, nickname="Mei", val=(2.1, 0.42))
    b = fake_run(runs_dir, objective="ar", val=(3.0, 0.2))  # no meta.json nickname: anonymous
    fake_run(runs_dir, status="stopped")
    fake_run(runs_dir, status="failed")
    fake_run(runs_dir, kind="finetune")
    c = fake_run(runs_dir, augment={"noise": 0.1}, nickname="   ")
    rows = {r["run"]: r for r in classroom.result_rows(runs.list_runs(runs_dir))}
    assert set(rows) == {a, b, c}
    assert rows[a]["nickname"] == "Mei" and rows[a]["mask_rate"] == 0.4 and rows[a]["val_accuracy"] == 0.42
    assert rows[b]["nickname"] == "anonymous" and rows[b]["objective"] == "AR" and rows[b]["mask_rate"] is None
    assert rows[c]["nickname"] == "anonymous" and rows[c]["augmentation"] == "noise 10%"
    assert rows[a]["augmentation"] == "none" and rows[a]["seconds"] == 20


def test_a_run_without_meta_json_counts_as_anonymous(runs_dir):
    rid = fake_run(runs_dir, nickname="x")
    (runs_dir / rid / "meta.json").unlink()
    assert classroom.result_rows(runs.list_runs(runs_dir))[0]["nickname"] == "anonymous"


def test_reset_hides_runs_finished_before_it_and_deletes_nothing(runs_dir):
    old = fake_run(runs_dir, finished=1000.0)
    new = fake_run(runs_dir, finished=3000.0)
    since = classroom.reset_results(teacher=True, now=2000.0)
    assert classroom.load()["results_since"] == since == 2000.0
    assert [r["run"] for r in classroom.result_rows(runs.list_runs(), since)] == [new]
    assert {r.id for r in runs.list_runs()} == {old, new}


def test_only_the_teacher_changes_the_class_settings(runs_dir):
    with pytest.raises(PermissionError):
        classroom.reset_results(teacher=False)
    with pytest.raises(PermissionError):
        classroom.set_control_state("why-15", "seconds", "locked", teacher=False)
    assert not (runs_dir / classroom.FILE).exists()
    assert classroom.load() == {"lessons": {}, "results_since": None}


def test_control_states_are_stored_server_wide_and_reopened(runs_dir):
    classroom.set_control_state("why-15", "seconds", "locked", teacher=True)
    classroom.set_control_state("why-15", "size", "hidden", teacher=True)
    classroom.reset_results(teacher=True, now=5.0)
    assert json.loads((runs_dir / classroom.FILE).read_text())["lessons"] == {
        "why-15": {"seconds": "locked", "size": "hidden"}
    }
    assert classroom.control_states("why-15") == {"seconds": "locked", "size": "hidden"}
    classroom.set_control_state("why-15", "seconds", "open", teacher=True)
    assert classroom.control_states("why-15") == {"size": "hidden"}
    assert classroom.control_states("masking") == {} and classroom.load()["results_since"] == 5.0
    with pytest.raises(ValueError):
        classroom.set_control_state("why-15", "lr", "locked", teacher=True)


def test_a_damaged_classroom_file_means_nothing_was_set(runs_dir):
    (runs_dir / classroom.FILE).write_text("{not json")
    assert classroom.load() == {"lessons": {}, "results_since": None}


def test_scatter_colours_by_objective_and_shows_nicknames_escaped(runs_dir):
    fake_run(runs_dir, nickname="<b>Lin</b>", rate=0.3)
    fake_run(runs_dir, objective="ar")
    rows = classroom.result_rows(runs.list_runs())
    fig = classroom.figure(rows, "augmentation", "val_accuracy", "augmentation", "held-out accuracy", names=True)
    assert [t.name for t in fig.data] == ["MLM", "AR"]
    assert [t.marker.color for t in fig.data] == charts.PALETTE[:2]
    assert fig.data[0].text == ("&lt;b&gt;Lin&lt;/b&gt;",) and fig.data[0].mode == "markers+text"
    assert all(t.cliponaxis is False for t in fig.data)  # the top run's name is not cut off by the plot's edge
    mask = classroom.figure(rows, "mask_rate", "val_loss", "mask rate", "loss")
    assert [t.name for t in mask.data] == ["MLM"]  # AR has no mask rate


# -- the page (AppTest) ---------------------------------------------------------------------------------
def open_page(teacher: bool = False, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["teacher"] = teacher
    at.session_state["lang"] = lang
    at.switch_page("lab/pages/class_results.py").run()
    assert not at.exception, at.exception
    return at


def test_page_says_what_to_do_when_nobody_has_finished_a_run(runs_dir):
    at = open_page()
    assert any("No finished runs yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert not [b for b in at.button if b.label == "Reset class results"]  # a student cannot reset


def test_page_plots_the_class_runs_in_both_languages(runs_dir):
    fake_run(runs_dir, nickname="Mei", rate=0.4)
    fake_run(runs_dir, objective="ar", nickname="Tom")
    at = open_page()
    assert len(at.get("plotly_chart")) == 1
    assert any("2 runs by 2 students" in m.value for m in at.markdown)
    assert set(at.dataframe[0].value["student"]) == {"Mei", "Tom"}
    at.selectbox(key="class_x").set_value("mask_rate").run()
    assert any("1 run is left out" in c.value for c in at.caption)
    assert list(at.dataframe[0].value["mask rate"]) == ["40.0%", "—"]  # AR has none: a dash, not "None"
    zh = open_page(lang="zh")
    assert zh.title[0].value == "班级结果" and any("2 位同学的 2 次训练" in m.value for m in zh.markdown)
    zh.selectbox(key="class_x").set_value("strategy").run()
    assert set(zh.dataframe[0].value["掩码策略"]) == {"词元", "—"}  # the data values in Chinese too; AR has none


def test_one_run_by_one_student_is_said_in_the_singular(runs_dir):
    fake_run(runs_dir, nickname="Mei")
    at = open_page()
    assert any("1 run by 1 student" in m.value for m in at.markdown)
    assert not any("1 runs" in m.value or "1 students" in m.value for m in at.markdown)
    assert "(1 run)" in at.selectbox(key="class_budget").options[0]
    zh = open_page(lang="zh")
    assert any("1 位同学的 1 次训练" in m.value for m in zh.markdown)


def test_strategy_and_augmentation_names_are_said_in_the_page_s_words(runs_dir):
    fake_run(runs_dir, augment={"noise": 0.1})
    (row,) = classroom.result_rows(runs.list_runs(), strategy_name=str.upper, augmentation_name={"noise": "噪声"}.get)
    assert (row["strategy"], row["augmentation"]) == ("TOKEN", "噪声 10%")


def test_teacher_resets_the_class_results_without_deleting_runs(runs_dir):
    fake_run(runs_dir, nickname="Mei", finished=time.time() - 60)
    at = open_page(teacher=True)
    assert len(at.get("plotly_chart")) == 1
    next(b for b in at.button if b.label == "Reset class results").click().run()
    assert not at.exception, at.exception
    assert any("No finished runs yet" in i.value for i in at.info)
    assert len(runs.list_runs()) == 1 and classroom.load()["results_since"] is not None
    student = open_page()  # every session sees the reset
    assert any("No finished runs yet" in i.value for i in student.info)


def test_runs_are_grouped_by_model_size_and_duration_most_runs_first(runs_dir):
    small = [fake_run(runs_dir, seconds=5.0, val=(3.0, 0.16)) for _ in range(2)]
    big = [fake_run(runs_dir, size="mini", seconds=60.0, val=(1.5, 0.55)) for _ in range(3)]
    steps_only = fake_run(runs_dir)  # no time budget: 300 steps
    rows = classroom.result_rows(runs.list_runs())
    assert classroom.budgets(rows) == [(("mini", 60.0, None), 3), (("nano", 5.0, None), 2), (("nano", None, 300), 1)]
    assert {r["run"] for r in classroom.of_budget(rows, ("nano", 5.0, None))} == set(small)
    assert {r["run"] for r in classroom.of_budget(rows, ("mini", 60.0, None))} == set(big)
    assert {r["run"] for r in classroom.of_budget(rows, ("nano", None, 300))} == {steps_only}
    assert len(classroom.of_budget(rows, None)) == 6


def test_the_page_compares_like_with_like_and_shows_accuracy_in_percent(runs_dir):
    fake_run(runs_dir, seconds=5.0, val=(3.0, 0.2155), nickname="Mei")
    for _ in range(2):
        fake_run(runs_dir, size="mini", seconds=60.0, val=(1.5, 0.55), nickname="Tom")
    at = open_page()
    assert at.selectbox(key="class_budget").value == "mini/60.0/None"  # the most common budget first
    assert set(at.dataframe[0].value["student"]) == {"Tom"} and not at.warning
    assert any(m.value.endswith("2 runs by 1 student") for m in at.markdown)
    at.selectbox(key="class_budget").set_value("all").run()
    assert len(at.dataframe[0].value) == 3 and any("differ in model size or duration" in w.value for w in at.warning)
    spec = at.get("plotly_chart")[0].proto.spec
    assert "%{y:.1%}" in spec and "%{y:.3f}" not in spec  # 21.6%, not 0.2155
    assert '".0%"' in spec.replace(" ", "")  # the axis ticks are percentages
    zh = open_page(lang="zh")
    assert "迷你 · 60 秒（2 次训练）" in zh.selectbox(key="class_budget").options
