"""A sweep's runs (the Sweeps page's tabs share it): live progress while they train, then a table per run
(same-blanks and own held-out figures, seed, steps, seconds), medians and spread over seeds, and the verdict."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, live, measures, tables, url_state, widgets
from lab.i18n import t
from selfsup_core import runs, verdicts


def progress(key: str, label, ids: list[str], drawn: str | None) -> None:
    """`key`'s runs while they train (a live view): where each stands, the waiting ones, their curves."""
    done = [runs.load_run(i) for i in ids]
    widgets.run_status(ids, [label(r.config) for r in done])
    if actions.waiting(key):
        st.info(t(i18n.counted("sweep.waiting", n := actions.waiting(key)), n=n), icon=":material/hourglass_top:")
    curves = [(label(r.config), r.metrics()) for r in done]
    with st.expander(t("sweep.curves"), expanded=drawn is not None):
        widgets.chart(charts.loss_curves(curves, x="elapsed_s"), key=f"sw_curves_{key}")


def results(key: str, label) -> list:
    """Live status and curves of `key`'s runs; returns them once all are finished (else [])."""
    ids = url_state.run_ids_param(key)
    if not ids and not actions.waiting(key):
        return []

    phase = live.view(lambda ids, drawn: progress(key, label, ids, drawn), ids, key)
    done = [runs.load_run(i) for i in ids]
    return [] if phase else [r for r in done if r.status in ("completed", "stopped")]


def measured(done: list, setting) -> pd.DataFrame:
    """Per run: the accuracy on the same held-out blanks (comparable across runs of a seed), its own held-out
    figures, its seed, and its steps next to its seconds (equal seconds are not equal steps on a busy server).
    Columns are ids; `col` gives their names on screen."""
    rows = []
    for r in done:
        m = measures.comparable_metrics(r.id, r.summary.get("finished"))
        rows.append(
            {
                "setting": setting(r.config),
                "seed": r.config["seed"],
                "steps": r.summary.get("steps"),
                "seconds": r.summary.get("elapsed_s"),
                "blank_accuracy": m["blank_accuracy"],
                "own_accuracy": r.summary.get("val_accuracy"),
                "blank_loss": m["blank_loss"],
                "own_loss": r.summary.get("val_loss"),
            }
        )
    return pd.DataFrame(rows)


def col(name: str) -> str:
    return t(f"sweep.col.{name}")


def show(table: pd.DataFrame, rate: bool = False) -> None:
    fmt = {
        col(c): st.column_config.NumberColumn(format="percent" if "accuracy" in c else "%.2f")
        for c in ("blank_accuracy", "own_accuracy", "blank_loss", "own_loss")
    }
    fmt[col("seconds")] = st.column_config.NumberColumn(format="%.0f s")
    if rate:
        fmt[col("setting")] = st.column_config.NumberColumn(t("sweep.mask_rate_axis"), format="percent")
    shown, fmt = tables.dashed(table.rename(columns=col), fmt)
    st.dataframe(shown, hide_index=True, column_config=fmt)


def spread(table: pd.DataFrame, columns: tuple[str, ...]) -> tuple[list, dict, dict]:
    """(settings, {column name: medians}, {column name: (lows, highs)}) over each setting's seeds."""
    settings = list(dict.fromkeys(table["setting"]))
    found = {
        c: [verdicts.seed_spread(list(table.loc[table["setting"] == x, c].dropna())) for x in settings] for c in columns
    }
    medians = {col(c): [s.median for s in found[c]] for c in columns}
    return settings, medians, {col(c): ([s.low for s in found[c]], [s.high for s in found[c]]) for c in columns}


def judged(done: list, label) -> None:
    """What the sweep supports: too early, within the seeds' spread, or which setting is ahead (same blanks)."""
    results: dict[str, list] = {}
    for r in done:
        results.setdefault(label(r.config), []).append(measures.run_results(r.id))
    if len(results) > 1:
        widgets.verdict(verdicts.judge_runs(results), t("verdict.all", n=len(results)))


def robustness(done: list, kind: str, strengths: tuple[float, ...], label) -> tuple[dict, dict]:
    """Each trained-with group's held-out accuracy under `kind` noise of each strength: ({label: medians over
    seeds}, {label: (lows, highs)}), for `charts.lines`."""
    curves: dict[str, list] = {}  # label -> one accuracy curve per seed
    for r in done:
        found = measures.robustness(r.id, r.summary.get("finished"), kind, strengths)
        curves.setdefault(label(r.config), []).append([x["val_accuracy"] for x in found])
    spreads = {k: [verdicts.seed_spread(list(at)) for at in zip(*v, strict=True)] for k, v in curves.items()}
    medians = {k: [s.median for s in v] for k, v in spreads.items()}
    return medians, {k: ([s.low for s in v], [s.high for s in v]) for k, v in spreads.items()}
