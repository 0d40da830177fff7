"""Class results: everyone's finished runs on one chart, a setting against the held-out result."""

import datetime

import pandas as pd
import streamlit as st

import ui
from i18n import lang
from selfsup_core import classroom
from selfsup_core.classroom import RESULTS, SETTINGS, UI
from selfsup_core.lessons import tr

LANG = lang()


def w(key: str, **fmt) -> str:
    return tr(UI[key], LANG, **fmt)


st.title(w("title"))
st.caption(w("caption"))
since = classroom.load()["results_since"]
if ui.is_teacher():
    with st.popover(w("reset"), icon="🧹"):
        st.write(w("reset_help"))
        if st.button(w("reset"), type="primary", key="class_reset"):
            since = classroom.reset_results(teacher=ui.is_teacher())
            st.toast(w("reset_done"))
if since is not None:
    st.caption(w("since", time=datetime.datetime.fromtimestamp(since).strftime("%H:%M, %d %b")))

rows = classroom.result_rows(ui.visible_runs(), since, anonymous=w("anonymous"), none=w("none"))
if not rows:
    st.info(w("empty"), icon="📭")
    st.stop()

a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
x = a.selectbox(w("x"), list(SETTINGS), format_func=lambda k: tr(SETTINGS[k], LANG), key="class_x")
y = b.segmented_control(w("y"), list(RESULTS), default="val_accuracy", required=True, key="class_y",
                        format_func=lambda k: tr(RESULTS[k], LANG))  # fmt: skip
names = c.toggle(w("names"), value=len(rows) <= 12, key="class_names")  # more would overlap: hover shows them
students = len({r["nickname"] for r in rows})
st.markdown(w("count", runs=len(rows), students=students))
fig = classroom.figure(rows, x, y, tr(SETTINGS[x], LANG), tr(RESULTS[y], LANG), names=names)
st.plotly_chart(fig, key="class_scatter", theme=None)
left_out = sum(r[x] is None for r in rows)
if left_out:
    st.caption(w("left_out", n=left_out))
st.caption(w("caveat"))
table = pd.DataFrame(rows)[["nickname", "objective", x, y, "run"]]
st.dataframe(table.rename(columns={"nickname": w("col.nickname"), "objective": w("col.objective"), "run": w("col.run"),
                                   x: tr(SETTINGS[x], LANG), y: tr(RESULTS[y], LANG)}),
             hide_index=True)  # fmt: skip
