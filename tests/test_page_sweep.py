"""Sweeps page (AppTest): renders with no runs, runs a tiny mask-rate sweep and a tiny augmentation ablation."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lab import measures, resources
from selfsup_core import runs
from selfsup_core.config import SWEEP_BUDGET, SWEEP_RATES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_sweep_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("lab/pages/sweep.py").run()
    assert not at.exception, at.exception
    at.button_group(key="sw_size").set_value("nano")
    at.number_input(key="sw_steps").set_value(10).run()
    return at


def launched(at: AppTest, key: str, n: int = 2) -> list[str]:
    """The ids of `key`'s `n` runs once all have completed: runs beyond the per-student cap wait in the session
    and are queued by a later rerun, as the page's live view does."""
    ids: list[str] = []
    for _ in range(n):
        value = at.query_params[key]
        ids = (value[0] if isinstance(value, list) else value).split(",")
        assert all(resources.jobs().wait(i, timeout=300) == "completed" for i in ids)
        at.run()
        assert not at.exception, at.exception
        if len(ids) == n:
            break
    assert len(ids) == n
    return ids


def test_sweep_page_renders_on_defaults_with_the_paper_note_and_a_time_estimate(runs_dir):
    at = open_sweep_page()
    assert any("Wettig et al. (2023)" in i.value for i in at.info)
    runs_by_default = len(SWEEP_RATES) * SWEEP_BUDGET.seeds
    assert SWEEP_BUDGET.seeds >= 2 and at.number_input(key="sw_seeds").value == SWEEP_BUDGET.seeds
    assert any(f"{runs_by_default} runs" in c.value and "min" in c.value for c in at.caption)
    assert not at.dataframe  # nothing launched yet


def test_mask_rate_sweep_runs_two_seeds_per_rate_and_plots_their_spread_with_steps_next_to_seconds(
    runs_dir, monkeypatch
):
    at = open_sweep_page()
    at.number_input(key="sw_seeds").set_value(2)
    at.multiselect(key="sw_rates").set_value([0.15, 0.4]).run()
    next(b for b in at.button if b.label == "Launch the mask-rate sweep").click().run()
    ids = launched(at, "rates", 4)
    configs = [runs.load_run(i).config for i in ids]
    assert [(c["masking"]["rate"], c["seed"]) for c in configs] == [(0.15, 0), (0.4, 0), (0.15, 1), (0.4, 1)]
    table = next(d.value for d in at.dataframe if "same blanks: accuracy" in d.value.columns)
    assert list(table["setting"]) == [0.15, 0.15, 0.4, 0.4] and list(table["seed"]) == [0, 1, 0, 1]
    assert table["same blanks: accuracy"].between(0, 1).all()
    assert list(table.columns).index("seconds") == list(table.columns).index("steps") + 1  # steps next to seconds
    spec = next(c.proto.spec for c in at.get("plotly_chart") if "mask rate" in c.proto.spec)
    assert '"error_y"' in spec and '"arrayminus"' in spec  # the spread over the seeds
    assert any("Each point is the median over the seeds" in c.value for c in at.caption)
    # ten steps of a nano model: still guessing at every rate, so no rate is said to be better
    assert any("Too early to conclude" in w.value and "all 2 settings" in w.value for w in at.warning)

    # had they learned, rates 0.4 points apart with seeds 4 points apart would be no real difference
    accuracy = dict(zip(ids, (0.40, 0.41, 0.44, 0.39), strict=True))  # 15%: 0.40 and 0.44; 40%: 0.41 and 0.39

    def learned(run_id):
        return {"blank_accuracy": accuracy[run_id], "baseline_accuracy": 0.145, "blanks": 512, "facts_share": 0.5}

    monkeypatch.setattr(measures, "run_results", learned)
    at.run()
    assert not at.exception, at.exception
    assert not [w for w in at.warning if "Too early" in w.value]
    assert any("No real difference" in i.value and "15% masked" in i.value for i in at.info)


def test_augmentation_ablation_plots_accuracy_against_corruption_for_both_runs(runs_dir):
    at = open_sweep_page()
    at.number_input(key="sw_seeds").set_value(1).run()  # one seed each keeps this test short
    next(b for b in at.button if b.label == "Launch without and with it").click().run()
    ids = launched(at, "ablation")
    augments = [runs.load_run(i).config["augment"]["noise"] for i in ids]
    assert augments == [0.0, 0.2]
    spec = next(c.proto.spec for c in at.get("plotly_chart") if "applied to the held-out text" in c.proto.spec)
    assert "trained without" in spec and "trained with noise 20%" in spec
