"""Session isolation: a run belongs to the browser that launched it; only it or the teacher may stop or
delete the run; other students see it read-only, or not at all when the server keeps runs private.

The core rules are tested on a JobManager; the pages with AppTest, one AppTest per browser session.
"""

from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lab import ownership, resources
from selfsup_core.config import TrainConfig
from selfsup_core.runs import create_run, load_run, update_summary
from tests.helpers import LONG, QUICK, wait_until

APP = str(Path(__file__).resolve().parents[1] / "app.py")


# -- the rules, in the core ---------------------------------------------------------------------------


def test_only_the_owner_or_the_teacher_may_stop_a_run(manager):
    running = manager.submit(TrainConfig(**LONG), owner="ann", nickname="  Ann ")
    queued = manager.submit(TrainConfig(**LONG), owner="ann")
    assert load_run(running).meta == {"owner": "ann", "nickname": "Ann"}
    for stranger in ("bob", None):
        with pytest.raises(PermissionError, match="belongs to someone else"):
            manager.stop(queued, by=stranger)
    assert manager.status(queued).state == "queued"
    assert manager.stop(queued, by="ann") and load_run(queued).status == "stopped"
    wait_until(lambda: manager.status(running).state == "running")
    with pytest.raises(PermissionError):
        manager.stop(running, by="bob")
    with pytest.raises(ValueError, match="stop it first"):
        manager.delete(running, by="ann")
    assert manager.stop(running, by="bob", teacher=True)
    assert manager.wait(running, timeout=30) == "stopped"


def test_only_the_owner_or_the_teacher_may_delete_a_run_even_after_a_restart(manager):
    # recorded on disk before this manager started: ownership is read from meta.json, not memory
    anns = create_run(TrainConfig(**QUICK).to_dict(), meta={"owner": "ann"})
    nobodys = create_run(TrainConfig(**QUICK).to_dict())  # made by the CLI
    for run in (anns, nobodys):
        update_summary(run, status="completed")
    with pytest.raises(PermissionError, match="only they or the teacher can delete"):
        manager.delete(anns.name, by="bob")
    with pytest.raises(PermissionError):
        manager.delete(nobodys.name, by="ann")
    assert anns.is_dir() and nobodys.is_dir()
    manager.delete(anns.name, by="ann")
    manager.delete(nobodys.name, teacher=True)
    assert not anns.exists() and not nobodys.exists()


# -- the pages: one AppTest per browser session ---------------------------------------------------------
# Under st.navigation, AppTest runs app.py (and so the sidebar) on an AppTest's first run only; later runs
# run the page alone. Sidebar checks use a fresh session's first run; clicks use the Train page.
def open_app(page: str | None = None, **state) -> AppTest:
    """A new browser session on the start page (or on `page`), with `state` in its session_state."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def stop_buttons(at: AppTest) -> set[str]:
    """Keys of the Stop buttons shown: the sidebar's (stop-<id>) and the Train page's live view (stop-live-<id>)."""
    return {b.key for b in at.button if b.key and b.key.startswith("stop-")}


def table(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records") if at.dataframe else []


@pytest.fixture
def anns_run(runs_dir):
    """Ann's browser session and a long run it launched; the teacher's rights clean up afterwards."""
    ann = open_app()
    owner = ownership.owner_id(ann.session_state["owner_token"])
    run_id = resources.jobs().submit(TrainConfig(**LONG), owner=owner, nickname="Ann")
    yield ann, run_id
    for job in resources.jobs().active():
        resources.jobs().stop(job.run_id, teacher=True)
    wait_until(lambda: not resources.jobs().active(), timeout=30)


def test_another_session_sees_the_run_read_only_and_has_no_stop_button(anns_run):
    ann, run_id = anns_run
    token = ann.session_state["owner_token"]
    assert f"stop-{run_id}" in stop_buttons(open_app(owner_token=token))  # in the owner's sidebar
    assert not stop_buttons(open_app())  # not in Bob's
    anns_view = open_app("lab/pages/train.py", owner_token=token, current_run=run_id)
    assert stop_buttons(anns_view) == {f"stop-{run_id}", f"stop-live-{run_id}"}  # sidebar and live view
    assert table(anns_view)[0]["yours"] is True
    bob = open_app("lab/pages/train.py", current_run=run_id)  # as if Bob opened a link to Ann's run
    assert any(f"Run {run_id}" in c.value for c in bob.caption)  # he does see the run…
    assert not stop_buttons(bob)  # …but not the Stop button
    (row,) = table(bob)
    assert (row["run"], row["yours"], row["by"]) == (run_id, False, "Ann")
    assert resources.jobs().status(run_id) is not None  # still going


def test_the_teacher_can_stop_anyones_run(anns_run):
    _, run_id = anns_run
    assert f"stop-{run_id}" in stop_buttons(open_app(teacher=True))  # the teacher's sidebar lists it
    teacher = open_app("lab/pages/train.py", teacher=True, current_run=run_id)
    teacher.button(key=f"stop-live-{run_id}").click().run()
    assert resources.jobs().wait(run_id, timeout=30) == "stopped"


def test_with_sharing_off_students_see_only_their_own_runs_and_the_teacher_all(anns_run, monkeypatch):
    ann, run_id = anns_run
    monkeypatch.setattr(resources.jobs(), "settings", replace(resources.jobs().settings, share_runs=False))
    bob = open_app("lab/pages/train.py", current_run=run_id)
    assert table(bob) == [] and any("No runs yet" in i.value for i in bob.info)
    assert any("keeps runs private" in i.value for i in bob.info)  # a link to it shows nothing
    anns_view = open_app("lab/pages/train.py", owner_token=ann.session_state["owner_token"])
    assert [r["run"] for r in table(anns_view)] == [run_id]
    assert [r["run"] for r in table(open_app("lab/pages/train.py", teacher=True))] == [run_id]


def test_a_reloaded_page_keeps_its_runs_through_the_owner_cookie(anns_run, monkeypatch):
    ann, run_id = anns_run
    token = ann.session_state["owner_token"]
    cookie_script = " ".join(h.proto.body for h in ann.get("html"))
    assert f"selfsup_owner={token}" in cookie_script  # the first visit stores the token in the browser
    # a reload is a new session: session_state is gone, the browser sends the cookie back
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: {"selfsup_owner": token}))
    reloaded = open_app()
    assert f"stop-{run_id}" in stop_buttons(reloaded)
    assert reloaded.text_input(key="nickname").value == "Ann"  # remembered from the run
    assert not any("selfsup_owner=" in h.proto.body for h in reloaded.get("html"))  # has the cookie: nothing to store
    # (the nickname typed in the sidebar reaching meta.json is checked in the browser: e2e/test_ownership.py)
