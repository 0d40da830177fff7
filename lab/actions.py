"""Jobs as this session: submit, stop and delete (as the owner or the teacher), and the pending-launch queue
(a page's runs beyond the per-student cap wait in the session and are submitted as earlier ones finish)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab.i18n import t
from lab.ownership import is_teacher, nickname, session_id
from lab.resources import jobs
from lab.url_state import run_ids_param, set_current_run, set_run_ids_param
from lab.widgets import error
from selfsup_core.config import TrainConfig
from selfsup_core.runs import RunNotFoundError

# session_state: the name of the live view whose run was just launched, to scroll it into sight (`live.follow`)
FOLLOW = "live_follow"


def submit(cfg: Any, kind: str = "train", follow: bool = True) -> str:
    """Queue `cfg` (a TrainConfig, or a FinetuneConfig with kind="finetune") as this session's run, with its
    owner id and nickname; returns the run id. `follow`: a student's launch, so the page's live view scrolls
    into sight (not for runs a live view submits by itself from the page's queue)."""
    run_id = jobs().submit(cfg, owner=session_id(), kind=kind, nickname=nickname())
    if follow:
        st.session_state[FOLLOW] = "main"
    return run_id


def stop_run(run_id: str) -> None:
    """Stop a run as this session (its owner, or the teacher); a refusal is shown, not raised."""
    try:
        jobs().stop(run_id, by=session_id(), teacher=is_teacher())
        st.toast(t("sidebar.stopping", run_id=run_id))
    except (PermissionError, RunNotFoundError) as e:
        error(e)


def delete_run(run_id: str) -> bool:
    """Delete a run as this session (its owner, or the teacher); True when done, else the reason is shown."""
    try:
        jobs().delete(run_id, by=session_id(), teacher=is_teacher())
    except (PermissionError, ValueError, RunNotFoundError) as e:
        error(e)
        return False
    if st.session_state.get("current_run") == run_id:
        set_current_run(None)
    return True


def launch(key: str, cfgs: list[Any], kind: str = "train") -> list[str]:
    """Queue `cfgs` (TrainConfigs, or FinetuneConfigs with kind="finetune") as this session's runs; their ids
    replace those in the URL under `key`.

    Runs beyond the per-student cap wait in this session and are queued by `launch_pending` as earlier
    ones finish. Raises ValueError when a config breaks the server's limits (show it with `error`).
    """
    st.session_state[f"pending_{key}"] = [c.to_dict() for c in cfgs]
    st.session_state[f"pending_kind_{key}"] = kind
    set_run_ids_param(key, [])
    st.session_state[FOLLOW] = key
    return launch_pending(key)


def launch_pending(key: str) -> list[str]:
    """Queue as many of `key`'s waiting runs as the caps allow now; returns the ids in the URL."""
    from selfsup_core.finetune import FinetuneConfig
    from selfsup_core.jobs import CapacityError

    pending, ids = st.session_state.get(f"pending_{key}", []), run_ids_param(key)
    kind = st.session_state.get(f"pending_kind_{key}", "train")
    config_class = FinetuneConfig if kind == "finetune" else TrainConfig
    while pending:
        try:
            ids.append(submit(config_class.from_dict(pending[0]), kind=kind, follow=False))
        except CapacityError:
            break  # the queue or this student's share is full: try again on the next tick
        except ValueError:
            st.session_state[f"pending_{key}"] = []  # over the server's limits: retrying will not help
            raise
        pending.pop(0)
        set_run_ids_param(key, ids)
    st.session_state[f"pending_{key}"] = pending
    return ids


def waiting(key: str) -> int:
    """How many of `key`'s runs still wait in this session for a place in the queue."""
    return len(st.session_state.get(f"pending_{key}", []))


def forget(key: str) -> None:
    """Take `key`'s runs off the page: their ids leave the URL and its waiting runs are dropped (the runs that
    were submitted train on, and stay in the runs list)."""
    set_run_ids_param(key, [])
    st.session_state.pop(f"pending_{key}", None)
