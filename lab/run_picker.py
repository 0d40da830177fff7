"""The run picker pages share: a select box of the runs this session may see that have a saved model, opened on
the current run (`url_state.current_run`, so a link or another page's choice carries over), else on this
browser's own latest run, and making the pick current."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab import ownership, url_state, widgets


def ready_runs(objective: str | None = None, corpus: str | None = None) -> list[str]:
    """Ids of the visible runs with a saved model (of `objective` and trained on `corpus`, where given), newest first."""
    return [
        r.id
        for r in ownership.visible_runs()
        if (r.model_path / "model.safetensors").exists()
        and objective in (None, r.config.get("objective"))
        and corpus in (None, r.config.get("corpus"))
    ]


def ready_run(label: str, key: str, where: Any = st, objective: str | None = None) -> str | None:
    """The picked run's id (labelled by `widgets.run_labels`), or None when no run has a saved model yet."""
    ready = ready_runs(objective)
    if not ready:
        return None
    current = url_state.current_run()
    follow = lambda: url_state.set_current_run(st.session_state[key])  # noqa: E731
    index = ready.index(current) if current in ready else ownership.own_latest(ready)
    return where.selectbox(label, ready, index=index, format_func=widgets.run_labels(), key=key, on_change=follow)
