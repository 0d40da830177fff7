"""The class as a whole: the teacher's server-wide choices, and everyone's results side by side.

Server-wide state lives in one small JSON file in the runs root (`classroom.json`), written atomically,
so every student's session honours it at its next rerun:

    {"lessons": {"why-15": {"seconds": "locked", "size": "hidden"}},   controls a teacher locked or hid
     "results_since": 1764400000.0}                                     the last reset of the class results

Only the teacher may change it (`PermissionError` otherwise; the pages also hide the buttons). Resetting
the class results deletes nothing: it only hides the runs that finished before the reset.
"""

from __future__ import annotations

import html
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go

from . import charts
from .experiments import augmentation_of
from .lessons import CONTROLS, LESSONS, STATES
from .runs import RunInfo, read_json, runs_root, write_json

FILE = "classroom.json"
_lock = threading.Lock()  # sessions are threads of one server: one read-modify-write at a time

# Settings a class result can be plotted against (a row's value is None where one does not apply, e.g. the
# mask rate of an AR run), and the results; their labels are the page's (i18n "class.setting.*", "class.result.*").
SETTINGS = ("mask_rate", "strategy", "augmentation", "size", "seconds", "corpus")
RESULTS = ("val_accuracy", "val_loss")
SYMBOLS = {"MLM": "circle", "AR": "diamond"}  # a second cue besides colour


# -- the server-wide file ------------------------------------------------------------------------------
def load(root: str | os.PathLike | None = None) -> dict[str, Any]:
    """The class's state: {"lessons": {lesson: {control: state}}, "results_since": float | None}.
    A missing or unreadable file means nothing was set."""
    try:
        data = read_json(runs_root(root) / FILE)
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    lessons = data.get("lessons") if isinstance(data.get("lessons"), dict) else {}
    since = data.get("results_since")
    return {"lessons": lessons, "results_since": since if isinstance(since, int | float) else None}


def _update(change: dict[str, Any], teacher: bool, root: str | os.PathLike | None) -> dict[str, Any]:
    if not teacher:
        raise PermissionError("Only the teacher can change the class settings.")
    with _lock:
        data = load(root)
        data.update(change)
        write_json(runs_root(root) / FILE, data)
    return data


def control_states(lesson_id: str, root: str | os.PathLike | None = None) -> dict[str, str]:
    """{control: "locked" | "hidden"} the teacher set for a lesson (controls not listed are open)."""
    states = load(root)["lessons"].get(lesson_id) or {}
    return {k: v for k, v in states.items() if k in CONTROLS and v in STATES}


def set_control_state(
    lesson_id: str, control: str, state: str, teacher: bool, root: str | os.PathLike | None = None
) -> dict[str, str]:
    """Lock, hide or open one control of a lesson for every student (teacher only); the lesson's new states."""
    if lesson_id not in LESSONS or control not in CONTROLS or state not in STATES:
        raise ValueError(f"Unknown lesson, control or state: {lesson_id!r}, {control!r}, {state!r}.")
    lessons = dict(load(root)["lessons"])
    states = {k: v for k, v in (lessons.get(lesson_id) or {}).items() if k != control}
    if state != "open":
        states[control] = state
    lessons[lesson_id] = states
    _update({"lessons": lessons}, teacher, root)
    return states


def reset_results(teacher: bool, now: float | None = None, root: str | os.PathLike | None = None) -> float:
    """Start the class results afresh (teacher only): runs finished before now are no longer aggregated."""
    since = time.time() if now is None else now
    _update({"results_since": since}, teacher, root)
    return since


# -- aggregation ---------------------------------------------------------------------------------------
def result_rows(
    runs: Sequence[RunInfo],
    since: float | None = None,
    anonymous: str = "anonymous",
    none: str = "none",
    strategy_name: Callable[[str], str] = str,
    augmentation_name: Callable[[str], str] = str,
) -> list[dict[str, Any]]:
    """One row per completed training run that finished after `since`: who (the nickname, or `anonymous`),
    the settings of SETTINGS (None where one does not apply), its budget (budget_s: the time budget, or
    budget_steps for a run limited by steps only; see `budgets`) and its final held-out figures. `anonymous`,
    `none` (no augmentation), `strategy_name` ("span") and `augmentation_name` ("noise") put the words in
    the page's language.

    Fine-tuning runs, unfinished, stopped and failed runs, and runs without a held-out evaluation are left
    out: a stopped run's figures would compare a shorter training with full ones.
    """
    rows = []
    for r in runs:
        c, s = r.config, r.summary
        finished = s.get("finished")
        if r.kind != "train" or r.status != "completed" or s.get("val_loss") is None:
            continue
        if since is not None and (finished is None or finished <= since):
            continue
        mlm = c.get("objective") == "mlm"
        masking = c.get("masking") or {}
        augmentation = augmentation_of(c)
        rows.append(
            {
                "run": r.id,
                "nickname": nick.strip() if isinstance(nick := r.nickname, str) and nick.strip() else anonymous,
                "objective": "MLM" if mlm else "AR",
                "mask_rate": masking.get("rate") if mlm else None,
                "strategy": strategy_name(masking.get("strategy", "token")) if mlm else None,
                "augmentation": f"{augmentation_name(augmentation[0])} {augmentation[1]:.0%}" if augmentation else none,
                "size": c.get("size"),
                "seconds": round(s["elapsed_s"]) if s.get("elapsed_s") is not None else None,
                "corpus": c.get("corpus"),
                "budget_s": c.get("time_budget_s"),  # the planned duration (None: a run limited by steps only)
                "budget_steps": None if c.get("time_budget_s") else c.get("steps"),
                "val_accuracy": s.get("val_accuracy"),
                "val_loss": s.get("val_loss"),
                "finished": finished,
            }
        )
    return rows


def budgets(rows: Sequence[dict[str, Any]]) -> list[tuple[tuple[str, float | None, int | None], int]]:
    """The budgets the class trained at, most runs first: ((size, budget_s, budget_steps), runs). A result is
    only comparable with results of the same size and duration: a mini model after 60 s against a nano after 5 s
    shows the budget, not the setting on the x axis."""
    counts: dict[tuple[str, float | None, int | None], int] = {}
    for r in rows:
        key = (r["size"], r["budget_s"], r["budget_steps"])
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))


def of_budget(rows: Sequence[dict[str, Any]], budget: tuple[str, float | None, int | None] | None) -> list[dict]:
    """The rows trained at `budget` (a key of `budgets`); all of them for None."""
    return [r for r in rows if budget is None or (r["size"], r["budget_s"], r["budget_steps"]) == tuple(budget)]


def figure(
    rows: Sequence[dict[str, Any]], x: str, y: str, x_title: str, y_title: str, names: bool = False
) -> go.Figure:
    """Scatter of setting `x` against result `y`, one colour and marker shape per objective; the nickname
    and run in the hover (and written by each point with `names`). Rows where `x` is None are skipped."""
    fig = go.Figure()
    for i, objective in enumerate(("MLM", "AR")):
        pts = [r for r in rows if r["objective"] == objective and r[x] is not None and r[y] is not None]
        if not pts:
            continue
        fig.add_scatter(
            x=[r[x] for r in pts],
            y=[r[y] for r in pts],
            name=objective,
            mode="markers+text" if names else "markers",
            text=[html.escape(r["nickname"]) for r in pts],  # plotly reads markup in texts: show it as typed
            textposition="top center",
            textfont=dict(size=13),
            cliponaxis=False,  # the best run's name, above the top of the axis, is written whole
            customdata=[r["run"] for r in pts],
            marker=dict(color=charts.PALETTE[i], size=16, symbol=SYMBOLS[objective], line=dict(width=1, color="#000")),
            hovertemplate="<b>%{text}</b><br>"
            + x_title
            + ": %{x}<br>"
            + y_title
            + (": %{y:.1%}" if y == "val_accuracy" else ": %{y:.2f}")
            + "<br>%{customdata}"
            "<extra>" + objective + "</extra>",
        )
    numeric = x in ("mask_rate", "seconds")
    fig.update_xaxes(
        title=x_title, type="linear" if numeric else "category", tickformat=".0%" if x == "mask_rate" else None
    )
    fig.update_yaxes(title=y_title, tickformat=".0%" if y == "val_accuracy" else None, rangemode="tozero")
    fig.update_layout(scattermode="group", showlegend=True)  # categories: MLM and AR side by side; a legend for one
    return charts.styled(fig, height=480)
