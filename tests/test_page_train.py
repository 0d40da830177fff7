"""Train page (AppTest): renders with defaults, launches a run in the background, shows it when done."""

from pathlib import Path
from types import SimpleNamespace

from streamlit.testing.v1 import AppTest

from lab import live, resources
from selfsup_core import runs
from selfsup_core.config import TrainConfig

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_train_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("lab/pages/train.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_train_page_shows_parameter_count_and_time_estimate_before_launch(runs_dir):
    at = open_train_page()
    shown = metrics(at)
    assert shown["Parameters"].endswith(("k", "M")) and "Estimated training time" in shown
    assert any("No runs yet" in i.value for i in at.info)


def test_invalid_learning_rate_shows_the_reason_and_launches_nothing(runs_dir):
    at = open_train_page()
    at.number_input(key="train_lr").set_value(0.0).run()
    assert any("Learning rate" in e.value for e in at.error)
    assert at.button[0].disabled and runs.list_runs() == []


def launch_nano(at: AppTest, steps: int) -> str:
    """Launch a nano run of `steps` steps from the open Train page, wait for it and redraw; its id."""
    at.button_group(key="train_size").set_value("nano")
    at.number_input(key="train_steps").set_value(steps)
    at.number_input(key="train_batch").set_value(8).run()
    next(b for b in at.button if b.label == "Launch").click().run()
    run_id = at.query_params["run"][0] if isinstance(at.query_params["run"], list) else at.query_params["run"]
    assert runs.load_run(run_id).config["size"] == "nano"
    assert resources.jobs().wait(run_id, timeout=120) == "completed"
    at.run()
    assert not at.exception, at.exception
    return run_id


def test_launch_trains_a_nano_run_then_shows_its_curve_table_row_and_export_buttons(runs_dir):
    at = open_train_page()
    run_id = launch_nano(at, 20)
    assert any("Completed 20 steps" in s.value for s in at.success)
    assert metrics(at)["Held-out accuracy"].endswith("%")
    assert at.get("plotly_chart")  # the live view's curves
    table = at.dataframe[0].value
    assert list(table["run"]) == [run_id] and table["status"][0] == "completed" and table["steps"][0] == "20 / 20"
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads == ["Download config.json", "Run report (zip)", "Metrics (CSV)", "Model folder (zip)"]


def test_a_running_run_offers_no_export_yet(runs_dir, monkeypatch):
    """The exports need the finished model: while the job manager still has the run, only config.json is offered."""
    cfg = TrainConfig(size="nano", steps=20, batch_size=8)
    run_id = runs.create_run(cfg.to_dict(), runs_dir).name
    monkeypatch.setattr(resources.jobs(), "status", lambda rid: SimpleNamespace(state="queued", queue_position=1))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = run_id
    at.run()
    at.switch_page("lab/pages/train.py")
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception, at.exception
    assert any("Queued at position 1" in i.value for i in at.info)
    assert [b.proto.label for b in at.get("download_button")] == ["Download config.json"]


def test_live_views_look_often_until_the_first_point_then_every_second_and_slower_further_back(monkeypatch, runs_dir):
    jobs = {
        rid: SimpleNamespace(run_id=rid, state=state, queue_position=position)
        for rid, state, position in [
            ("training", "running", None),
            ("fresh", "running", None),  # taken by a worker, no step logged yet
            ("next", "queued", 1),  # starts any moment (a fresh launch)
            ("third", "queued", 3),
        ]
    }
    for rid in jobs:
        (runs_dir / rid).mkdir()
    (runs_dir / "training" / "metrics.jsonl").write_text('{"step": 1, "loss": 5.0}\n')
    monkeypatch.setattr(live, "jobs", lambda: SimpleNamespace(status=jobs.get, root=runs_dir))
    cases = [("training",), ("fresh",), ("next",), ("third",), ("done",), ("third", "next"), ("fresh", "training")]
    assert {ids: live.phase(list(ids)) for ids in cases} == {
        ("training",): "running",
        ("fresh",): "starting",
        ("next",): "starting",
        ("third",): "queued",
        ("done",): None,
        ("third", "next"): "starting",
        ("fresh", "training"): "running",
    }
    assert live.REFRESH_S["starting"] < live.REFRESH_S["running"] == 1.0 < live.REFRESH_S["queued"]
    monkeypatch.setattr(live, "waiting", lambda key: 1)  # a sweep's run not submitted yet
    assert live.phase(["done"], key="sweep") == "queued"


def test_electra_and_t5_can_be_picked_and_an_electra_run_shows_its_signal_meter(runs_dir):
    at = open_train_page()
    for objective in ("t5", "electra"):
        at.radio(key="train_objective").set_value(objective).run()
        assert not at.exception, at.exception
        assert "Estimated training time" in metrics(at)
    run_id = launch_nano(at, 10)
    assert runs.load_run(run_id).config["objective"] == "electra"
    signal = metrics(at)["Tokens with a signal (100%) per second"]  # the discriminator judges every token
    assert float(signal.replace(",", "")) > 0
    for page in ("lab/pages/masking.py", "lab/pages/sweep.py", "lab/pages/probe.py"):  # they open on it too
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
