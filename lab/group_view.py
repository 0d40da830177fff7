"""A matched group of objectives (same text, size, time and seed) on the Compare page: its live curves and signal
meter, then its common ground once finished: the facts each knows (where it can answer a blank) and the verdict,
and how well each fine-tunes with a few labels (fine-tuning jobs launched in the background)."""

from __future__ import annotations

import streamlit as st

from lab import actions, charts, live, measures, tables, url_state, widgets
from lab.i18n import t
from selfsup_core import experiments, label_budget, runs, verdicts
from selfsup_core.config import COMPARE_FINETUNE
from selfsup_core.finetune import FinetuneConfig
from selfsup_core.lessons import TASK_OF_CORPUS

FT_KEY = "cmp_ft"  # the URL key (and launch queue) of the group's fine-tuning runs


def name(objective: str) -> str:
    """An objective's name in the session's language ("MLM (BERT-style)")."""
    return t(f"compare.name.{objective}")


def together(n: int) -> str:
    """What the compared models are called together, for the verdict ("both models", "all 3 settings")."""
    return t("verdict.both") if n == 2 else t("verdict.all", n=n)


def progress(ids: list[str], drawn: str | None) -> None:
    """The group's status, loss curves and signal meter (tokens that gave a training signal per second: equal
    time is not equal learning signal); a live view, see lab.live."""
    group = [runs.load_run(i) for i in ids]
    widgets.run_status(ids, [name(r.config["objective"]) for r in group])
    curves = [(r.config["objective"].upper(), r.metrics()) for r in group]  # short names: a legend of 2 per run
    left, right = st.columns([3, 2])
    with left:
        widgets.chart(charts.loss_curves(curves, x="elapsed_s"), key="cmp_loss")
    with right:
        signal = [meter(r) for r in group]
        bars = charts.grouped_bars([o for o, _ in curves], {"": signal}, y_title=t("group.signal"), percent=False)
        widgets.chart(bars.update_layout(showlegend=False), key="cmp_signal")
        st.caption(t("group.signal_help"))
    st.markdown(t("compare.honest"))


def meter(run: runs.RunInfo) -> float | None:
    """A run's tokens with a signal per second: its summary's once finished, else its latest metrics line's."""
    latest = next((m["signal_per_s"] for m in reversed(run.metrics()) if "signal_per_s" in m), None)
    return run.summary.get("signal_tokens_per_s") or latest


def finished(ids: list[str]) -> dict[str, runs.RunInfo] | None:
    """The group's runs by objective once every one has completed (None while any trains or if one failed)."""
    group = {runs.load_run(i).config["objective"]: runs.load_run(i) for i in ids}
    if live.phase(ids, "pair") or len(group) < 2 or any(r.status != "completed" for r in group.values()):
        return None
    return group


def judged(group: dict[str, runs.RunInfo]) -> dict[str, dict]:
    """Each model's figures (same blanks where it can answer them, the facts it knows, its signal per second, steps
    and seconds) and what they support: on the same blanks when every model answers them (MLM, AR), else on the
    facts. Returns the figures by objective."""
    found = {o: measures.run_results(r.id) for o, r in group.items()}
    table, columns = tables.pair_figures({name(o): m for o, m in found.items()})
    st.dataframe(table, hide_index=True, column_config=columns)
    for o in ("t5", "electra"):
        if o in group:
            st.caption(t(f"group.why_dash.{o}"))
    metric = "blank_accuracy" if set(group) <= set(experiments.BLANK_OBJECTIVES) else "facts_share"
    verdict(verdicts.judge_runs({name(o): [m] for o, m in found.items()}, metric), metric)
    return found


def verdict(v: verdicts.Verdict | None, metric: str, **on) -> None:
    """A verdict in words (on the models that have the figure), or why there is none (fewer than two have it)."""
    if v is None:
        st.info(t("group.no_verdict", on=t(f"verdict.on.{metric}", **on)), icon=":material/horizontal_rule:")
    else:
        widgets.verdict(v, together(len(v.spreads)), on=t(f"verdict.on.{metric}", **on))


def finetuning(group: dict[str, runs.RunInfo], found: dict[str, dict]) -> None:
    """Each model fine-tuned on the built-in task of its world with COMPARE_FINETUNE's label budgets: a button
    launches the jobs (they queue in the background), then accuracy per budget and a verdict at each."""
    st.subheader(t("group.finetune"))
    task = TASK_OF_CORPUS.get(next(iter(group.values())).config.get("corpus"))
    if task is None:
        st.info(t("group.no_task"), icon=":material/lightbulb:")
        return
    budgets, steps = COMPARE_FINETUNE["budgets"], COMPARE_FINETUNE["steps"]
    plan = label_budget.plan_curve(
        task, {o: r.id for o, r in group.items()}, budgets, seeds=(0,), scratch=False, steps=steps
    )
    st.caption(t("group.finetune_help", task=task, budgets=" / ".join(map(str, budgets)), steps=steps))
    source = {r.id: o for o, r in group.items()}
    ids = [i for i in url_state.run_ids_param(FT_KEY) if runs.load_run(i).config.get("pretrained") in source]
    if st.button(t("group.finetune_launch", n=len(plan)), icon=":material/tune:", key="cmp_ft_launch"):
        try:
            ids = actions.launch(FT_KEY, [cfg for _, cfg in plan], kind="finetune")
        except ValueError as e:
            widgets.error(e)
    if not (ids or actions.waiting(FT_KEY)):
        return
    if live.view(lambda ids, drawn: widgets.run_status(ids, [label(i, source) for i in ids]), ids, FT_KEY):
        return
    done = [runs.load_run(i) for i in ids if runs.load_run(i).status == "completed"]
    rows = [
        label_budget.curve_row(source[r.config["pretrained"]], FinetuneConfig.from_dict(r.config), r.summary)
        for r in done
    ]
    accuracy = {
        name(o): [
            next((r["test_accuracy"] for r in rows if (r["source"], r["budget"]) == (o, b)), None) for b in budgets
        ]
        for o in group
    }
    widgets.chart(
        charts.grouped_bars([t("group.labels", n=b) for b in budgets], accuracy, y_title=t("group.test_accuracy")),
        key="cmp_ft_bars",
    )
    for col, b in zip(st.columns(len(budgets)), budgets, strict=True):
        at = {name(r["source"]): [{**found[r["source"]], **r}] for r in rows if r["budget"] == b}
        with col:
            st.markdown(f"**{t('group.labels', n=b)}**")
            verdict(verdicts.judge_runs(at, "test_accuracy"), "test_accuracy", n=b)


def label(run_id: str, source: dict[str, str]) -> str:
    """A fine-tuning run's name: the objective it starts from and its label budget."""
    c = runs.load_run(run_id).config
    return f"{name(source[c['pretrained']])} · {t('group.labels', n=c['label_budget'])}"
