"""Exports of a run: a self-contained HTML report, the metrics as CSV, the model folder as a zip.

The report embeds plotly.js (no internet needed to open it); the zip unpacks to a folder that
`transformers.pipeline` loads directly.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from typing import Any

import pandas as pd

from . import charts
from .runs import RunInfo


def metrics_csv(run: RunInfo) -> str:
    """metrics.jsonl as CSV: one row per logged step (evaluation columns empty between evaluations)."""
    return pd.DataFrame(run.metrics()).to_csv(index=False)


def model_zip(run: RunInfo) -> bytes:
    """The run's model/ folder (weights, config, tokenizer) as a zip whose top folder is the run id."""
    if not (run.model_path / "model.safetensors").exists():
        raise FileNotFoundError(f"Run {run.id} has no saved model yet.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(run.model_path.iterdir()):
            if f.is_file():
                zf.write(f, f"{run.id}/{f.name}")
    return buf.getvalue()


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
    lines = run.metrics()
    loss = charts.loss_curves([(run.id, lines)]).to_html(full_html=False, include_plotlyjs=True)
    acc = charts.loss_curves([(run.id, lines)], metric="accuracy").to_html(full_html=False, include_plotlyjs=False)
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
