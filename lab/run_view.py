"""One run as the Train page shows it: where it stands, its figures, its downloads (config.json, report,
metrics, model). Layout pieces that take a run and draw it; the page arranges them."""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from lab import widgets
from lab.i18n import t
from lab.ownership import shown_path
from selfsup_core import export, runs


def state(run: runs.RunInfo, job: Any, p: dict[str, Any]) -> None:
    """Where the run stands (`runs.live_status`, as every table and the sidebar say): queued at position n, a
    progress bar while it trains, then its final status."""
    now = runs.live_status(run, job.state if job else None)
    if now == "queued" and job:
        st.info(t("train.queued", n=job.queue_position), icon=":material/hourglass_top:")
    elif now == "running" and job:
        st.progress(p["fraction"], text=t("train.running", step=p["step"], left=widgets.duration(p["eta_s"])))
    elif now == "failed":
        st.error(t("train.failed", error=run.summary.get("error", t("train.unknown_error"))), icon=":material/warning:")
    elif now == "completed":
        st.success(
            t("train.completed", steps=p["step"], time=widgets.duration(p["elapsed_s"])), icon=":material/check_circle:"
        )
    elif now == "stopped":
        st.warning(t("train.stopped", step=p["step"]), icon=":material/stop_circle:")
    else:
        st.warning(t("train.interrupted", status=widgets.status(run.status)))


def figures(p: dict[str, Any], training: bool) -> None:
    """Held-out loss and accuracy, tokens/s, the signal meter (the share of the tokens read that were predictions
    in the loss, and those per second: equal time is not equal learning signal), and the time left (while
    `training`) or taken."""
    m = st.columns(5)
    m[0].metric(t("train.val_loss"), "—" if p["val_loss"] is None else f"{p['val_loss']:.3f}")
    m[1].metric(t("train.val_accuracy"), "—" if p["val_accuracy"] is None else f"{p['val_accuracy']:.1%}")
    m[2].metric(t("train.tokens_per_s"), "—" if p["tokens_per_s"] is None else f"{p['tokens_per_s']:,.0f}")
    share, per_s = p.get("signal_share"), p.get("signal_per_s")
    signal = "—" if per_s is None else f"{per_s:,.0f}"
    m[3].metric(t("train.signal", share="—" if share is None else f"{share:.0%}"), signal, help=t("train.signal_help"))
    m[4].metric(
        t("train.time_left" if training else "train.time"), widgets.duration(p["eta_s" if training else "elapsed_s"])
    )


def config_download(run: runs.RunInfo) -> None:
    """The run's config.json, to launch it again here or on another machine ("reproduce this run")."""
    st.download_button(
        t("train.download_config"),
        (run.path / "config.json").read_bytes(),
        f"{run.id}-config.json",
        "application/json",
        icon=":material/download:",
        key=f"config-{run.id}",
        help=t("train.download_config_help"),
    )


def exports(run: runs.RunInfo) -> None:
    """Download buttons for a finished run. Each file is made only when its button is clicked (in a thread of
    its own): the report's PNG charts take seconds, and most visits download nothing."""
    st.markdown(f"**{t('train.export')}**")
    st.caption(t("train.export_help"))
    files = (
        ("report", lambda: export.report_bundle(run)[0], "report.zip", "application/zip"),
        ("csv", functools.partial(export.metrics_csv, run), "metrics.csv", "text/csv"),
        ("model", functools.partial(export.model_zip, run), "model.zip", "application/zip"),
    )
    for col, (kind, make, name, mime) in zip(st.columns(3), files, strict=True):
        col.download_button(
            t(f"train.export_{kind}"),
            make,
            f"{run.id}-{name}",
            mime,
            key=f"export-{kind}-{run.id}",
            help=t(f"train.export_{kind}_help"),
            icon=":material/download:",
            on_click="ignore",
            width="stretch",
        )


def settings_summary(c: Any) -> str:
    """The shared settings the Train page does not set (corpus, tokenizer, masking, augmentation), in a line."""
    if c.objective in ("mlm", "electra"):  # ELECTRA's generator fills the blanks the masking makes
        masking = t("train.masking.mlm", rate=c.masking.rate, strategy=t(f"strategy.{c.masking.strategy}"))
    else:
        masking = t(f"train.masking.{c.objective}")
    augment = t("train.augment.on" if c.augment.active else "train.augment.off")
    return t(
        "train.summary",
        corpus=shown_path(c.corpus),
        tokenizer=t(f"corpus.kind.{c.tokenizer}"),
        masking=masking,
        augment=augment,
    )
