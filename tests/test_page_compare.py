"""Compare objectives page (AppTest): renders with no runs, launches a tiny matched pair, then compares the two."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lab import resources
from selfsup_core import runs
from selfsup_core.config import COMPARE_BUDGET, COMPARE_FINETUNE

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
    assert any("Launch a matched group above" in i.value for i in at.info)
    assert any("finished runs of at least two objectives" in i.value for i in at.info)
    assert "objectives" not in at.query_params  # MLM + AR, the default, is not spelled out in the link
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


def ids_of(at: AppTest, key: str) -> list[str]:
    return [i for i in param(at, key).split(",") if i] if key in at.query_params else []


def finish(at: AppTest, key: str, n: int) -> list[str]:
    """Rerun the page (which submits the runs still waiting for a place) until all `n` runs of `key` finished."""
    for _ in range(20):
        ids = ids_of(at, key)
        for i in ids:
            resources.jobs().wait(i, timeout=300)
        at.run()
        assert not at.exception, at.exception
        if len(ids_of(at, key)) == n and all(runs.load_run(i).status == "completed" for i in ids_of(at, key)):
            return ids_of(at, key)
    raise AssertionError(f"the runs of {key} did not all finish")


def test_three_objectives_train_as_one_group_then_compare_on_facts_and_fine_tuning(runs_dir, monkeypatch):
    monkeypatch.setitem(COMPARE_FINETUNE, "budgets", (8, 32))  # two budgets, a few steps: a short test
    monkeypatch.setitem(COMPARE_FINETUNE, "steps", 3)
    at = open_compare_page()
    at.multiselect(key="cmp_objectives").set_value(["mlm", "t5", "electra"])
    at.button_group(key="cmp_size").set_value("nano")
    at.number_input(key="cmp_steps").set_value(8).run()  # the first 5 steps are not timed (train.py)
    assert param(at, "objectives") == "mlm,t5,electra"  # a share link opens the same group
    next(b for b in at.button if b.label == "Launch MLM + T5 + ELECTRA").click().run()
    ids = finish(at, "pair", 3)
    configs = [runs.load_run(i).config for i in ids]
    assert [c["objective"] for c in configs] == ["mlm", "t5", "electra"]
    assert all({**c, "objective": None} == {**configs[0], "objective": None} for c in configs)
    judged = next(d.value for d in at.dataframe if "facts known" in d.value.columns)
    assert list(judged["model"]) == ["MLM (BERT-style)", "T5 (missing spans)", "ELECTRA (replaced words)"]
    assert judged["facts known"].iloc[2] == "—" and "/" in judged["facts known"].iloc[1]
    assert all(float(s) > 0 for s in judged["signal / s"])  # the signal meter of every objective
    assert any("ELECTRA has — for facts" in c.value and "discriminator" in c.value for c in at.caption)
    assert not [d for d in at.dataframe if "question" in d.value.columns]  # the MLM/AR tabs are for MLM + AR only
    # eight steps: MLM and T5 still guess; ELECTRA has no facts to judge
    assert any("Too early to conclude" in w.value and "both models are" in w.value for w in at.warning)
    next(b for b in at.button if b.key == "cmp_ft_launch").click().run()
    tuned = finish(at, "cmp_ft", 6)
    pretrained = [runs.load_run(i).config["pretrained"] for i in tuned]
    assert sorted(pretrained) == sorted(ids * 2)
    assert at.get("plotly_chart")
    assert {"**8 labels**", "**32 labels**"} <= {m.value for m in at.markdown}  # a verdict at each budget:
    assert sum("Too early to conclude" in w.value and "MLM (BERT-style) and T5" in w.value for w in at.warning) == 2
    # finished runs of any objectives can be grouped again: 2-4 of them, each of a different objective
    picker = at.multiselect(key="cmp_picked")
    assert [runs.load_run(i).config["objective"] for i in picker.value] == ["mlm", "electra"]
    picker.set_value(picker.value[:1]).run()
    assert at.button(key="cmp_pick").disabled and any("each of a different objective" in c.value for c in at.caption)
    at.multiselect(key="cmp_picked").set_value(ids[1:]).run()
    at.button(key="cmp_pick").click().run()
    assert param(at, "pair").split(",") == ids[1:] and not at.exception
    assert "cmp_ft" not in at.query_params  # the previous group's fine-tuning left with it
