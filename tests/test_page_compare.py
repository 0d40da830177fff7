"""MLM vs AR page (AppTest): renders with no runs, launches a tiny matched pair, then compares the two."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lab import resources
from selfsup_core import runs
from selfsup_core.config import COMPARE_BUDGET

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_compare_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("lab/pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_compare_page_renders_on_defaults_and_says_what_to_do(runs_dir):
    at = open_compare_page()
    assert any("Launch a matched pair above" in i.value for i in at.info)
    assert any("This needs one finished MLM run" in i.value for i in at.info)
    assert any("at most" in c.value for c in at.caption)  # the time estimate before launching
    # the default budget is the one the core names for comparisons, not a nano run for 5 s
    assert at.button_group(key="cmp_size").value == COMPARE_BUDGET.size
    assert at.number_input(key="cmp_seconds").value == COMPARE_BUDGET.seconds


def test_launching_a_nano_pair_trains_both_then_shows_scoreboard_and_same_blanks(runs_dir):
    at = open_compare_page()
    at.button_group(key="cmp_size").set_value("nano")
    at.number_input(key="cmp_steps").set_value(10).run()
    next(b for b in at.button if b.label == "Launch MLM + AR").click().run()
    ids = param(at, "pair").split(",")
    assert [runs.load_run(i).config["objective"] for i in ids] == ["mlm", "ar"]
    configs = [runs.load_run(i).config for i in ids]
    assert {k: v for k, v in configs[0].items() if k != "objective"} == {
        k: v for k, v in configs[1].items() if k != "objective"
    }
    assert all(resources.jobs().wait(i, timeout=300) == "completed" for i in ids)
    at.run()
    assert not at.exception, at.exception
    board = next(d.value for d in at.dataframe if "question" in d.value.columns)
    assert len(board) == 18 and {"MLM says", "AR says"} <= set(board.columns)
    assert all(a[0] in "✓✗" for a in board["AR says"])
    same = next(d.value for d in at.dataframe if "MLM (BERT-style)" in d.value.columns)
    assert any("same" in str(i) and "held-out blanks" in str(i) for i in same.index)
    assert any("iterative mask-filling" in m.value for m in at.markdown)
    # ten steps of a nano model: both still guess, and the page says so next to their figures
    judged = next(d.value for d in at.dataframe if "facts known" in d.value.columns)
    assert list(judged["model"]) == ["MLM (BERT-style)", "AR (GPT-style)"]
    assert list(judged.columns) == [
        "model",
        "same blanks",
        "guessing baseline",
        "facts known",
        "signal / s",
        "steps",
        "time",
    ]
    assert all("/" in f for f in judged["facts known"])  # known/asked of the world's facts
    assert any("Too early to conclude" in w.value and "both models are" in w.value for w in at.warning)
    assert not at.success
