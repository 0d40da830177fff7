"""The class's runs in tables. Pretraining runs (only this student's when the server keeps runs private),
theirs marked: tick runs to compare their curves on one chart, and to stop or delete one's own (the Train
page's lower half). Fine-tuning runs: pick one to see its confusion matrix and try a sentence on it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lab import actions, charts, i18n, ownership, resources, tables, widgets
from lab.i18n import t
from selfsup_core import finetune, runs


def manage(chosen: list[runs.RunInfo]) -> None:
    """Stop and delete buttons for the ticked runs this session may change; the others are read-only."""
    mine = [r for r in chosen if ownership.may_change(r)]
    if len(mine) < len(chosen):
        st.caption(t("train.others", n=len(chosen) - len(mine)))
    active = [r.id for r in mine if resources.jobs().status(r.id)]
    done = [r.id for r in mine if r.id not in active]
    a, b = st.columns(2)
    if active and a.button(t("train.stop_ticked", n=len(active)), icon=":material/stop_circle:", key="stop_ticked"):
        for rid in active:
            actions.stop_run(rid)
    if done:
        with b.popover(t("train.delete_ticked", n=len(done)), icon=":material/delete:"):
            st.write(t("train.delete_warning"))
            confirmed = st.button(t("train.delete_confirm"), type="primary", key="delete_ticked")
            if confirmed and all(map(actions.delete_run, done)):
                st.session_state["runs_table_version"] = st.session_state.get("runs_table_version", 0) + 1
                st.rerun()  # a fresh table, without a selection pointing at rows that moved


def compare(chosen: list[dict]) -> None:
    """The ticked runs' curves on one chart."""
    a, b = st.columns(2)
    x_label, metric_label = i18n.labels("train.x."), i18n.labels("train.metric.")
    x = a.segmented_control(
        t("train.x_axis"),
        ["step", "elapsed_s"],
        default="step",
        required=True,
        format_func=x_label,
        key="train_compare_x",
    )
    metric = b.segmented_control(
        t("train.show"),
        ["loss", "accuracy"],
        default="loss",
        required=True,
        format_func=metric_label,
        key="train_compare_metric",
    )
    try:
        curves = [(f"{r['objective']} {r['size']} #{r['run'][-4:]}", runs.load_run(r["run"]).metrics()) for r in chosen]
        widgets.chart(charts.loss_curves(curves, x=x, metric=metric), key="compare")
    except runs.RunNotFoundError as e:  # deleted meanwhile
        widgets.error(e)


def past_runs() -> None:
    """The class's runs (only this student's when the server keeps runs private), theirs marked: tick
    runs to compare their curves, and to stop or delete one's own. Returns early instead of st.stop(),
    which would also stop the sidebar that app.py draws after the page."""
    shown = list(reversed(ownership.visible_runs()))  # oldest first: new runs do not shift a selection
    rows = runs.table(shown, ownership.session_id(), {j.run_id: j.state for j in resources.jobs().active()})
    if not rows:
        return st.info(t("train.no_runs"))
    shown_rows = pd.DataFrame(rows).assign(
        status=[widgets.status(r["status"]) for r in rows],
        steps=[tables.steps_text(r) for r in rows],
        corpus=[ownership.shown_path(r["corpus"]) if r["corpus"] else r["corpus"] for r in rows],
    )
    shown_rows, columns = tables.dashed(shown_rows, tables.run_columns())
    key = f"runs_table-{st.session_state.get('runs_table_version', 0)}"
    picked = st.dataframe(
        shown_rows,
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=key,
        column_order=tables.RUN_COLUMNS,
        column_config=columns,
    )
    if not picked.selection.rows:
        return st.caption(t("train.tick"))
    manage([shown[i] for i in picked.selection.rows])
    compare([rows[i] for i in picked.selection.rows])


def finetune_runs() -> None:
    """Every fine-tuning run in a table; the picked one's confusion matrix and a sentence to try on it."""
    done = finetune.finetune_runs()
    if not done:
        st.info(t("finetune.no_runs"))
        return
    table = tables.finetune_results(finetune.results_table(done))
    picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="ft_table")
    st.caption(t("finetune.table_help"))
    finished = [r for r in done if r.status in ("completed", "stopped")]
    chosen = next((done[i] for i in picked.selection.rows), finished[0] if finished else None)
    if chosen is None or chosen.status not in ("completed", "stopped"):
        return
    a, b = st.columns(2, gap="large")
    with a:
        st.subheader(t("finetune.confusion"), help=t("finetune.confusion_help", run=chosen.id))
        widgets.chart(charts.confusion(chosen.summary["confusion"], chosen.summary["labels"]), key="ft_confusion")
    with b:
        st.subheader(t("finetune.try"))
        text = st.text_input(
            t("finetune.sentence"), finetune.example_sentence(chosen.config), key=f"ft_try_{chosen.id}"
        )
        if text.strip():
            try:
                label, probs = finetune.predict(resources.classifier(finetune.classifier_dir(chosen.id)), [text])[0]
                widgets.chart(charts.bars(list(probs), list(probs.values()), highlight=label), key="ft_try_bars")
            except ValueError as e:
                widgets.error(e)
