"""Exports of a run: a self-contained HTML report, the metrics as CSV, PNG charts, the model folder as a zip.

The report embeds plotly.js (no internet needed to open it); the zip unpacks to a folder that
`transformers.pipeline` loads directly. PNG charts are plotly's static export (kaleido), which drives a
Chrome/Chromium already on the machine (`$BROWSER_PATH`, else the first on PATH); it never downloads
one. Without a browser the PNGs are left out with a message saying why; everything else still works.
"""

from __future__ import annotations

import html
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from . import charts
from .runs import RunInfo


def metrics_csv(run: RunInfo) -> str:
    """metrics.jsonl as CSV: one row per logged step (evaluation columns empty between evaluations)."""
    return pd.DataFrame(run.metrics()).to_csv(index=False)


def model_zip(run: RunInfo) -> bytes:
    """The run's model/ folder (weights, config, tokenizer; ELECTRA's generator/ inside it too) as a zip whose top
    folder is the run id."""
    if not (run.model_path / "model.safetensors").exists():
        raise FileNotFoundError(f"Run {run.id} has no saved model yet.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(run.model_path.rglob("*")):
            if f.is_file():
                zf.write(f, f"{run.id}/{f.relative_to(run.model_path).as_posix()}")
    return buf.getvalue()


class StaticExportUnavailable(RuntimeError):
    """PNG charts cannot be drawn on this machine; the message says what to install. The HTML report still works."""


def charts_of(run: RunInfo) -> dict[str, go.Figure]:
    """The run's curves, keyed by name: held-out and train loss, held-out accuracy."""
    lines = [(str(run.config.get("objective", "")).upper() or run.id, run.metrics())]
    return {"loss": charts.loss_curves(lines), "accuracy": charts.loss_curves(lines, metric="accuracy")}


def browser_path() -> str | None:
    """The Chrome/Chromium kaleido would drive (`$BROWSER_PATH`, else the first found on PATH); None if none."""
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return None
    return Chromium.find_browser(skip_local=False)


def chart_pngs(run: RunInfo, width: int = 1100, scale: float = 1.0) -> dict[str, bytes]:
    """Each chart of `charts_of` as a PNG (file name -> bytes), titled with the run's id."""
    titles = {"loss": "Loss (train and held-out)", "accuracy": "Held-out accuracy"}
    figures = {
        name: charts.styled(fig, f"{titles[name]} · run {run.id}").update_layout(margin_t=110)  # title above legend
        for name, fig in charts_of(run).items()
    }
    return figure_pngs(figures, width, scale)


def figure_pngs(figures: dict[str, go.Figure], width: int = 1100, scale: float = 1.0) -> dict[str, bytes]:
    """Plotly figures as PNGs (name.png -> bytes), drawn by kaleido in one headless browser.

    Raises StaticExportUnavailable when kaleido or a browser is missing, instead of fetching a browser.
    """
    try:
        import kaleido
    except ImportError as e:
        raise StaticExportUnavailable("PNG charts need the kaleido package (pip install kaleido).") from e
    browser = browser_path()
    if browser is None:
        raise StaticExportUnavailable(
            "PNG charts need Chrome or Chromium on the server (e.g. apt-get install chromium, or set BROWSER_PATH "
            "to the browser). The HTML report has the same charts, interactive."
        )
    with tempfile.TemporaryDirectory() as tmp:
        specs = [
            {
                "fig": fig,
                "path": Path(tmp) / f"{name}.png",
                "opts": {"format": "png", "width": width, "height": fig.layout.height, "scale": scale},
            }
            for name, fig in figures.items()
        ]
        try:  # mathjax=False: kaleido would load MathJax from a CDN; plotly.js comes from the plotly package
            kaleido.write_fig_from_object_sync(specs, kopts={"mathjax": False}, cancel_on_error=True)
        except Exception as e:  # a browser that fails to start or to draw: the other exports still work
            raise StaticExportUnavailable(f"The browser {browser} could not draw the PNG charts: {e}") from e
        return {spec["path"].name: spec["path"].read_bytes() for spec in specs}


def report_bundle(run: RunInfo, probes: list[dict[str, Any]] | None = None) -> tuple[bytes, str | None]:
    """The whole run report as one zip: report.html, metrics.csv, config.json, summary.json and PNG charts.

    Returns (zip bytes, None), or (zip bytes without the PNGs, the reason) where PNGs cannot be drawn.
    """
    files: dict[str, str | bytes] = {
        "report.html": report_html(run, probes),
        "metrics.csv": metrics_csv(run),
        "config.json": json.dumps(run.config, indent=2, ensure_ascii=False),
        "summary.json": json.dumps(run.summary, indent=2, ensure_ascii=False),
    }
    missing = None
    try:
        files.update(chart_pngs(run))
    except StaticExportUnavailable as e:
        missing = str(e)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"{run.id}-report/{name}", data)
    return buf.getvalue(), missing


def _table(rows: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


def report_html(run: RunInfo, probes: list[dict[str, Any]] | None = None) -> str:
    """One HTML page: summary, interactive loss and accuracy curves, the full config, probe results.

    probes: optional rows (e.g. {"probe": text, "answer": ..., "prediction": ..., "correct": ...}).
    """
    figures = charts_of(run)
    loss = figures["loss"].to_html(full_html=False, include_plotlyjs=True)
    acc = figures["accuracy"].to_html(full_html=False, include_plotlyjs=False)
    keep = ("status", "steps", "tokens_seen", "elapsed_s", "tokens_per_s", "val_loss", "val_accuracy", "error")
    summary = {k: run.summary[k] for k in keep if k in run.summary}
    probe_html = ""
    if probes:
        probe_html = "<h2>Probes</h2>" + pd.DataFrame(probes).to_html(index=False, escape=True)
    title = html.escape(f"selfsup-lab run {run.id}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;font-size:18px;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse}}th,td{{border:1px solid #ccc;padding:4px 10px;text-align:left}}</style>
</head><body>
<h1>{title}</h1>
<h2>Summary</h2>{_table(summary)}
<h2>Loss</h2>{loss}
<h2>Held-out accuracy</h2>{acc}
{probe_html}
<h2>Configuration (config.json)</h2>{_table(run.config)}
</body></html>
"""
