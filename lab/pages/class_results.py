"""Class results: everyone's finished runs on one chart, a setting against the held-out result."""

import datetime

import pandas as pd
import streamlit as st

from lab import i18n, ownership, tables, widgets
from lab.i18n import t
from selfsup_core import classroom
from selfsup_core.classroom import RESULTS, SETTINGS

setting, result = i18n.labels("class.setting."), i18n.labels("class.result.")


ALL = "all"  # the option of every budget at once


def budget_label(found: dict[str, tuple], rows: list[dict]):
    """How a budget option reads: "mini · 30 s (12 runs)", or every budget (ALL)."""
    counts, language = dict(classroom.budgets(rows)), i18n.lang()  # fixed now: AppTest formats options later

    def label(option: str) -> str:
        if option == ALL:
            return i18n.text(i18n.counted("class.all_budgets", len(rows)), language, n=len(rows))
        size, seconds, steps = found[option]
        duration = (
            i18n.text("class.seconds", language, s=seconds) if seconds else i18n.text("class.steps", language, n=steps)
        )
        n = counts[found[option]]
        size = i18n.size_name(size, language)
        return i18n.text(i18n.counted("class.budget", n), language, size=size, duration=duration, n=n)

    return label


def board(rows: list[dict]) -> None:
    """The class's runs at one budget (size and duration): a setting against a result, one point per run, and
    the same as a table."""
    found = {"/".join(map(str, k)): k for k, _ in classroom.budgets(rows)}  # option ids: "mini/60.0/None"
    option = st.selectbox(
        t("class.budget_pick"),
        [*found, ALL],
        format_func=budget_label(found, rows),
        key="class_budget",
        help=t("class.budget_help"),
    )  # the most common first
    budget = found.get(option)
    rows = classroom.of_budget(rows, budget)
    b, c, d = st.columns([1.7, 2.7, 1.3], vertical_alignment="bottom")  # "held-out loss (nats)" whole at 1280 px
    x = b.selectbox(t("class.x"), SETTINGS, format_func=setting, key="class_x")
    y = c.segmented_control(
        t("class.y"), RESULTS, default="val_accuracy", required=True, key="class_y", format_func=result
    )
    names = d.toggle(t("class.names"), value=len(rows) <= 12, key="class_names")  # more would overlap: hover shows them
    students = len({r["nickname"] for r in rows})
    runs_n = t(i18n.counted("class.n_runs", len(rows)), n=len(rows))
    st.markdown(t("class.count", runs=runs_n, students=t(i18n.counted("class.n_students", students), n=students)))
    if budget is None and len(found) > 1:
        st.warning(t("class.mixed", n=len(found)), icon=":material/balance:")
    widgets.chart(classroom.figure(rows, x, y, setting(x), result(y), names=names), key="class_scatter")
    left_out = sum(r[x] is None for r in rows)
    if left_out:
        st.caption(t(i18n.counted("class.left_out", left_out), n=left_out))
    st.caption(t("class.caveat"))
    columns = {
        "nickname": t("class.col.nickname"),
        "objective": t("class.col.objective"),
        x: setting(x),
        y: result(y),
        "run": t("class.col.run"),
    }
    shown = pd.DataFrame(rows)[list(dict.fromkeys(columns))].rename(columns=columns)
    percent = [label for key, label in columns.items() if key in ("val_accuracy", "mask_rate")]  # 21.6%, not 0.216
    shown, formats = tables.dashed(shown, {c: st.column_config.NumberColumn(c, format="percent") for c in percent})
    st.dataframe(shown, hide_index=True, column_config=formats)


st.title(t("class.title"))
st.caption(t("class.caption"))
since = classroom.load()["results_since"]
if ownership.is_teacher():
    with st.popover(t("class.reset"), icon=":material/cleaning_services:"):
        st.write(t("class.reset_help"))
        if st.button(t("class.reset"), type="primary", key="class_reset"):
            since = classroom.reset_results(teacher=ownership.is_teacher())
            st.toast(t("class.reset_done"))
if since is not None:
    st.caption(t("class.since", time=datetime.datetime.fromtimestamp(since).strftime("%H:%M, %d %b")))

rows = classroom.result_rows(
    ownership.visible_runs(),
    since,
    anonymous=t("class.anonymous"),
    none=t("class.none"),
    strategy_name=i18n.labels("strategy."),
    augmentation_name=i18n.labels("aug."),
)
if rows:
    board(rows)
else:
    st.info(t("class.empty"), icon=":material/inbox:")
