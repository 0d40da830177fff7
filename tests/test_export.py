import csv
import io
import json
import zipfile
from html.parser import HTMLParser

import pytest
from transformers import pipeline

from selfsup_core import export
from selfsup_core.config import TrainConfig
from selfsup_core.runs import create_run, load_run
from selfsup_core.train import train


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-runs")
    cfg = TrainConfig(size="nano", steps=10, batch_size=8, eval_every=5, checkpoints=0, device="cpu")
    path = create_run(cfg.to_dict(), root)
    train(cfg, path)
    return load_run(path.name, root)


def test_report_is_one_parseable_html_page_with_curves_config_and_probes(run):
    page = export.report_html(run, probes=[{"probe": "a <b>[MASK]</b>", "answer": "x", "correct": False}])
    tags = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Collect().feed(page)
    assert tags.count("html") == 1 and "table" in tags
    assert page.count("Plotly.newPlot") == 2  # loss and accuracy charts, interactive
    assert "a &lt;b&gt;[MASK]&lt;/b&gt;" in page  # probe text escaped, not rendered
    assert '"masking"' in page or "masking" in page


def test_metrics_csv_has_one_row_per_logged_step(run):
    rows = list(csv.DictReader(io.StringIO(export.metrics_csv(run))))
    assert [int(r["step"]) for r in rows] == [r["step"] for r in run.metrics()]
    assert {"train_loss", "val_loss", "val_accuracy", "tokens_per_s"} <= set(rows[0])


def test_model_zip_loads_with_transformers_pipeline(run, tmp_path):
    zipfile.ZipFile(io.BytesIO(export.model_zip(run))).extractall(tmp_path)
    fill = pipeline("fill-mask", model=str(tmp_path / run.id), device="cpu")
    assert len(fill("the dog [MASK] .", top_k=3)) == 3


def test_reproducing_a_run_from_its_config_gives_the_same_curve(run, tmp_path):
    again = train(TrainConfig.from_dict(run.config))
    keys = ("step", "train_loss", "val_loss", "val_accuracy")
    assert [[r.get(k) for k in keys] for r in again.history] == [[r.get(k) for k in keys] for r in run.metrics()]


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_report_bundle_holds_report_metrics_config_and_png_charts(run):
    if export.browser_path() is None:
        pytest.skip("no Chrome/Chromium on this machine: PNG charts cannot be drawn (apt-get install chromium)")
    data, missing = export.report_bundle(run)
    assert missing is None
    bundle = zipfile.ZipFile(io.BytesIO(data))
    folder = f"{run.id}-report/"
    assert set(bundle.namelist()) == {
        folder + n for n in ("report.html", "metrics.csv", "config.json", "summary.json", "loss.png", "accuracy.png")
    }
    for name in ("loss.png", "accuracy.png"):
        png = bundle.read(folder + name)
        assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000  # a drawn chart, not an empty canvas
    assert json.loads(bundle.read(folder + "config.json")) == run.config


def test_without_a_browser_the_bundle_says_why_and_keeps_the_html_report(run, monkeypatch):
    monkeypatch.setattr(export, "browser_path", lambda: None)
    with pytest.raises(export.StaticExportUnavailable, match="Chromium"):
        export.chart_pngs(run)
    data, missing = export.report_bundle(run)
    assert "Chromium" in missing
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{run.id}-report/report.html" in names and not any(n.endswith(".png") for n in names)
