"""The live view: where a view's runs stand (`phase`) and how often it redraws (`REFRESH_S`)."""

from __future__ import annotations

from lab.launch import waiting
from lab.resources import jobs

# Seconds between redraws of a live view, by phase. A queued run has nothing new to draw but its place in
# the queue: with forty students and one trainer at a time, most views are queued ones.
REFRESH_S = {"queued": 3.0, "running": 1.0}


def phase(ids: list[str], key: str | None = None) -> str | None:
    """Where a live view's runs stand: "running" if any trains or is next in the queue (it starts any
    moment: a just-launched run is queued until a worker takes it), else "queued" if any waits behind others
    (or, with `key`, is still to be submitted), else None: all finished.

    A live view is a fragment that redraws every `REFRESH_S[phase]` seconds and redraws the whole page when
    the phase changes, which sets its new timer (none once finished)."""
    found = [job for job in map(jobs().status, ids) if job]
    if any(job.state != "queued" or job.queue_position == 1 for job in found):
        return "running"
    return "queued" if found or (key and waiting(key)) else None
