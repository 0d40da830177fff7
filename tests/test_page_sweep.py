"""Sweeps page (AppTest): renders with no runs, runs a tiny mask-rate sweep and a tiny augmentation ablation."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lab import resources
from selfsup_core import runs

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_sweep_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/sweep.py").run()
    assert not at.exception, at.exception
    at.button_group(key="sw_size").set_value("nano")
    at.number_input(key="sw_steps").set_value(10).run()
    return at


def launched(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    ids = (value[0] if isinstance(value, list) else value).split(",")
    assert all(resources.jobs().wait(i, timeout=300) == "completed" for i in ids)
    at.run()
    assert not at.exception, at.exception
    return ids


def test_sweep_page_renders_on_defaults_with_the_paper_note_and_a_time_estimate(runs_dir):
    at = open_sweep_page()
    assert any("Wettig et al. (2023)" in i.value for i in at.info)
    assert any("5 runs" in c.value and "min" in c.value for c in at.caption)
    assert not at.dataframe  # nothing launched yet


def test_mask_rate_sweep_of_two_nano_runs_plots_accuracy_against_the_rate(runs_dir):
    at = open_sweep_page()
    at.multiselect(key="sw_rates").set_value([0.15, 0.4]).run()
    next(b for b in at.button if b.label == "Launch the mask-rate sweep").click().run()
    ids = launched(at, "rates")
    assert [runs.load_run(i).config["masking"]["rate"] for i in ids] == [0.15, 0.4]
    table = next(d.value for d in at.dataframe if "same blanks: accuracy" in d.value.columns)
    assert list(table["setting"]) == [0.15, 0.4] and table["same blanks: accuracy"].between(0, 1).all()
    assert any("mask rate" in c.proto.spec for c in at.get("plotly_chart"))


def test_augmentation_ablation_plots_accuracy_against_corruption_for_both_runs(runs_dir):
    at = open_sweep_page()
    next(b for b in at.button if b.label == "Launch without and with it").click().run()
    ids = launched(at, "ablation")
    augments = [runs.load_run(i).config["augment"]["noise"] for i in ids]
    assert augments == [0.0, 0.2]
    spec = next(c.proto.spec for c in at.get("plotly_chart") if "applied to the held-out text" in c.proto.spec)
    assert "trained without" in spec and "trained with noise 20%" in spec
