"""The core's tables (rows keyed by identifiers, values as recorded) as the pages show them: labelled in the
session's language, scaled and rounded. Labels are the catalogue's `<section>.col.<name>` texts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lab.i18n import t

MISSING = "—"  # how every table shows a value that is not there (not "None", "nan" or "<NA>"), in every language


def _as_text(value: Any, number_format: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if number_format == "percent":
        return f"{value:.1%}"
    if number_format and "%" in number_format:
        return number_format % value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else f"{value:g}"


def dashed(frame: pd.DataFrame, columns: dict[str, Any] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table and its column_config for st.dataframe with every missing value shown as MISSING. A column
    with a gap becomes text, its numbers written as its NumberColumn format would show them (a number column
    cannot hold the dash); its label and help are kept. Columns without a gap are left as they are."""
    frame, columns = frame.copy(), dict(columns or {})
    for name in frame.columns:
        gaps = frame[name].isna()
        if not gaps.any():
            continue
        config = columns.get(name)
        if isinstance(config, dict):
            number_format = (config.get("type_config") or {}).get("format")
            columns[name] = st.column_config.TextColumn(config.get("label"), help=config.get("help"))
        else:
            number_format = None
        frame[name] = [MISSING if gap else _as_text(v, number_format) for v, gap in zip(frame[name], gaps, strict=True)]
    return frame, columns


# The past-runs table (runs.table), in the order shown
RUN_COLUMNS = [
    "yours",
    "by",
    "status",
    "objective",
    "size",
    "steps",
    "val_loss",
    "val_accuracy",
    "tokens_per_s",
    "corpus",
    "tokenizer",
    "mask_rate",
    "masking",
    "seed",
    "error",
    "run",
]


def steps_text(row: dict[str, Any]) -> str:
    """A runs-table row's steps as the class reads them: done of the target ("120 / 300"), or done within the
    time budget ("120 in 30 s"); never the step cap of a run that a time budget ends."""
    if row.get("time_budget_s"):
        return t("train.steps_in", done=row["steps"], seconds=row["time_budget_s"])
    return t("train.steps_of", done=row["steps"], target=row.get("target_steps") or row["steps"])


def run_columns() -> dict[str, Any]:
    """The past-runs table's column_config: its labels in the session's language, numbers formatted."""
    head = {c: t(f"train.col.{c}") for c in RUN_COLUMNS}
    number = st.column_config.NumberColumn
    return {
        **head,
        "yours": st.column_config.CheckboxColumn(head["yours"], help=t("train.col.yours_help")),
        "by": st.column_config.TextColumn(head["by"], help=t("train.col.by_help")),
        "val_loss": number(head["val_loss"], format="%.3f"),
        "val_accuracy": number(head["val_accuracy"], format="percent"),
        "tokens_per_s": number(head["tokens_per_s"], format="%.0f"),
        "mask_rate": number(head["mask_rate"], format="percent"),
    }


# finetune.results_table: identifier -> (catalogue key under finetune.col, scale, digits); None: shown as is
FINETUNE_COLUMNS: dict[str, tuple[str, float, int] | None] = {
    "method": None,
    "pretrained": None,
    "task": None,
    "labels_used": None,
    "test_accuracy": ("test_accuracy", 100, 1),
    "macro_f1": ("macro_F1", 1, 3),
    "trainable_fraction": ("trainable", 100, 2),
    "trainable_parameters": ("trainable_params", 1, 0),
    "train_s": ("train_time_s", 1, 1),
    "peak_memory_mb": ("peak_memory_MB", 1, 1),
    "state_memory_mb": ("state_memory_MB", 1, 2),
    "status": None,
    "run": None,
    "error": None,
}


def _rounded(value: Any, scale: float, digits: int) -> Any:
    if value is None:
        return None
    return value if digits == 0 and scale == 1 else round(value * scale, digits)


def finetune_results(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """finetune.results_table's rows with labelled columns, percentages as numbers 0-100, rounded for reading."""
    shown = []
    for row in rows:
        out = {}
        for key, how in FINETUNE_COLUMNS.items():
            label = t(f"finetune.col.{how[0] if how else key}")
            out[label] = _rounded(row[key], how[1], how[2]) if how else row[key]
        shown.append(out)
    return dashed(pd.DataFrame(shown))[0]


def scoreboard(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """experiments.scoreboard_table: one row per question, each model's answer marked ✓ or ✗."""
    return pd.DataFrame(
        [
            {
                t("compare.col.question"): r["question"],
                t("compare.col.answer"): r["answer"],
                t("compare.col.needs_right_context"): r["needs_right_context"],
                **{
                    t(f"compare.col.{name}_says"): ("✓ " if a["correct"] else "✗ ") + a["prediction"]
                    for name, a in r["answers"].items()
                },
            }
            for r in rows
        ]
    )


_COMPARISON_FORMATS = {
    "blank_accuracy": "{:.1%}",
    "baseline_accuracy": "{:.1%}",
    "blank_loss": "{:.2f}",
    "elapsed_s": "{:.0f} s",
    "steps": "{:,}",
    "tokens_seen": "{:,}",
    "targets_trained": "{:,}",
    "train_val_loss": "{:.2f}",
}


def comparison(metrics: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """`comparable_metrics` of several runs (name -> metrics) side by side: a row per metric, comparable ones
    first, labelled (the first names the number of blanks)."""
    from selfsup_core.experiments import COMPARISON_ROWS  # imports torch: only where a comparison is shown

    table = pd.DataFrame(
        {name: {row: _COMPARISON_FORMATS[row].format(m[row]) for row in COMPARISON_ROWS} for name, m in metrics.items()}
    )
    blanks = next(iter(metrics.values()))["blanks"]
    table.index = [t(f"compare.row.{row}", n=blanks) for row in table.index]
    return table


def pair_figures(found: dict[str, dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`measures.run_results` of the compared models (name -> results) as one row each: same-blanks accuracy, the
    guessing baseline, the facts known, tokens with a signal per second, steps and seconds (— where a figure is
    not defined); and the table's column_config."""
    label = {
        "model": t("compare.col.model"),
        "blank_accuracy": t("compare.col.blank_accuracy"),
        "baseline_accuracy": t("compare.col.baseline"),
        "facts": t("compare.col.facts"),
        "signal": t("compare.col.signal"),
        "steps": t("compare.row.steps"),
        "seconds": t("compare.col.time"),
    }

    def facts(m: dict[str, Any]) -> str:
        f = m["facts"]
        return t("compare.facts", known=f["known"], asked=f["asked"], share=f["share"]) if f else "—"

    rows = [
        {
            "model": n,
            "blank_accuracy": m["blank_accuracy"],
            "baseline_accuracy": m["baseline_accuracy"],
            "facts": facts(m),
            "signal": m.get("signal_tokens_per_s"),
            "steps": m["steps"],
            "seconds": m["elapsed_s"],
        }
        for n, m in found.items()
    ]
    percent = st.column_config.NumberColumn
    columns = {
        label["blank_accuracy"]: percent(format="percent"),
        label["baseline_accuracy"]: percent(format="percent", help=t("compare.col.baseline_help")),
        label["signal"]: percent(format="%.0f", help=t("compare.col.signal_help")),
        label["seconds"]: percent(format="%.0f s"),
    }
    return dashed(pd.DataFrame(rows).rename(columns=label), columns)
