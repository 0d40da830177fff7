"""Class results: everyone's finished runs on one chart, a setting against the held-out result."""

import datetime

import pandas as pd
import streamlit as st

import i18n
import ui
from i18n import t
from selfsup_core import classroom
from selfsup_core.classroom import RESULTS, SETTINGS

setting, result = i18n.labels("class.setting."), i18n.labels("class.result.")


def board(rows: list[dict]) -> None:
    """The class's runs: a setting against a result, one point per run, and the same as a table."""
    a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
    x = a.selectbox(t("class.x"), SETTINGS, format_func=setting, key="class_x")
    y = b.segmented_control(t("class.y"), RESULTS, default="val_accuracy", required=True, key="class_y",
                            format_func=result)  # fmt: skip
    names = c.toggle(t("class.names"), value=len(rows) <= 12, key="class_names")  # more would overlap: hover shows them
    st.markdown(t("class.count", runs=len(rows), students=len({r["nickname"] for r in rows})))
    ui.chart(classroom.figure(rows, x, y, setting(x), result(y), names=names), key="class_scatter")
    left_out = sum(r[x] is None for r in rows)
    if left_out:
        st.caption(t("class.left_out", n=left_out))
    st.caption(t("class.caveat"))
    columns = {"nickname": t("class.col.nickname"), "objective": t("class.col.objective"), x: setting(x),
               y: result(y), "run": t("class.col.run")}  # fmt: skip
    st.dataframe(pd.DataFrame(rows)[list(columns)].rename(columns=columns), hide_index=True)


st.title(t("class.title"))
st.caption(t("class.caption"))
since = classroom.load()["results_since"]
if ui.is_teacher():
    with st.popover(t("class.reset"), icon="🧹"):
        st.write(t("class.reset_help"))
        if st.button(t("class.reset"), type="primary", key="class_reset"):
            since = classroom.reset_results(teacher=ui.is_teacher())
            st.toast(t("class.reset_done"))
if since is not None:
    st.caption(t("class.since", time=datetime.datetime.fromtimestamp(since).strftime("%H:%M, %d %b")))

rows = classroom.result_rows(ui.visible_runs(), since, anonymous=t("class.anonymous"), none=t("class.none"),
                             strategy_name=i18n.labels("strategy."), augmentation_name=i18n.labels("aug."))  # fmt: skip
if rows:
    board(rows)
else:
    st.info(t("class.empty"), icon="📭")
