"""`selfsup_core.charts` in the session's language: the same figures, given the catalogue's words for what a
chart draws itself (axis titles, legend names; `charts.WORDS`, catalogue section [chart]). Pages import this
module as `charts`; figures with no words of their own are the core's functions unchanged."""

from __future__ import annotations

from typing import Any

from lab.i18n import t
from selfsup_core import charts as core
from selfsup_core.charts import PALETTE, bars, lens_grid, lines, styled, word_map  # noqa: F401 (re-exported for the pages)


def words() -> dict[str, str]:
    """`charts.WORDS` in the session's language."""
    return {key: t(f"chart.{key}") for key in core.WORDS}


def loss_curves(runs: Any, x: str = "step", metric: str = "loss") -> Any:
    return core.loss_curves(runs, x=x, metric=metric, words=words())


def setting_vs_realised(expected: dict[str, float], realised: dict[str, float], **kw: Any) -> Any:
    return core.setting_vs_realised(expected, realised, words=words(), **kw)


def probability_lines(steps: Any, series: Any, **kw: Any) -> Any:
    return core.probability_lines(steps, series, words=words(), **kw)


def heatmap(matrix: Any, labels: Any, title: str | None = None, **kw: Any) -> Any:
    return core.heatmap(matrix, labels, title, words=words(), **kw)


def confusion(matrix: Any, labels: Any, **kw: Any) -> Any:
    return core.confusion(matrix, labels, words=words(), **kw)


def grouped_bars(categories: Any, series: Any, title: str | None = None, y_title: str | None = None, **kw: Any) -> Any:
    return core.grouped_bars(
        categories, series, title, y_title=t("chart.accuracy") if y_title is None else y_title, **kw
    )
