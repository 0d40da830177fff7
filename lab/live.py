"""The live view every page uses (`view`): where a view's runs stand (`phase`) and how often it redraws
(`REFRESH_S`).

Why a fragment: only the live part reruns on its timer, not the page. Why rerun the page on a phase change:
a fragment's timer is fixed when it is drawn, and the rest of the page (results, buttons) depends on the phase.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lab import timing
from lab.actions import FOLLOW, launch_pending, waiting
from lab.resources import jobs
from selfsup_core import runs

# Seconds between redraws of a live view, by phase. A queued run has nothing new to draw but its place in
# the queue: with forty students and one trainer at a time, most views are queued ones. A starting one
# (launched, no point logged yet) looks often, so the first point shows a moment after it is logged, not up
# to a second later: Launch -> first point is what a class waits on.
REFRESH_S = {"queued": 3.0, "starting": 0.25, "running": 1.0}


def phase(ids: list[str], key: str | None = None) -> str | None:
    """Where a live view's runs stand: "running" if any trains and has logged a step, "starting" if any
    trains or is next in the queue (it starts any moment: a just-launched run is queued until a worker takes
    it) but none has logged yet, else "queued" if any waits behind others (or, with `key`, is still to be
    submitted), else None: all finished.

    A live view is a fragment that redraws every `REFRESH_S[phase]` seconds and redraws the whole page when
    the phase changes, which sets its new timer (none once finished)."""
    manager = jobs()
    found = [job for job in map(manager.status, ids) if job]
    if any(job.state != "queued" or job.queue_position == 1 for job in found):
        logged = any(runs.logged(job.run_id, manager.root) for job in found if job.state == "running")
        return "running" if logged else "starting"
    return "queued" if found or (key and waiting(key)) else None


def view(
    draw: Callable[[list[str], str | None], None], ids: list[str], key: str | None = None, name: str | None = None
) -> str | None:
    """The one live view: `draw(ids, phase)` inside a fragment that redraws every `REFRESH_S[phase]` seconds
    while the runs are live, and reruns the whole page when their phase changes (which sets the new timer; none
    once all are finished, so a finished view costs nothing). `key`: the page's launch queue (`actions.launch`);
    on each redraw its waiting runs are submitted as the caps allow, and `ids` are the queue's. `name`: which
    view of the page this is, unique on a page ("sidebar"; by default `key`, else "main"). Right after a launch
    the view of the launched runs is scrolled into sight (`follow`). Returns the phase the view was drawn in (None: all finished)."""
    drawn, name = phase(ids, key), name or key or "main"

    def redraw() -> None:
        with timing.timed(f"fragment:live-{name}"):
            current = launch_pending(key) if key else ids
            if phase(current, key) != drawn:
                st.rerun()  # started or all done: redraw the page with the new timer (none, and the results)
            draw(current, drawn)

    with st.container(key=f"live-{name}"):
        st.fragment(redraw, run_every=REFRESH_S.get(drawn))()
    if st.session_state.get(FOLLOW) == name:
        follow(st.session_state.pop(FOLLOW))
    return drawn


def follow(name: str) -> None:
    """Scroll the live view `name` into sight, once: after Launch the curve appears where the student looks,
    not below the fold of a projector's 800 pixels. Streamlit has no scroll API; a one-line script does it
    (the app's own text, no user input in it)."""
    st.html(
        f"<script>document.querySelector('.st-key-live-{name}')?.scrollIntoView({{block: 'start'}});</script>",
        unsafe_allow_javascript=True,
    )
