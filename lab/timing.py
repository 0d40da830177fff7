"""Script run durations in the server log, for `bench/ui_latency.py`: on when the server is started with
SELFSUP_TIMING=1 (off by default: a classroom server logs nothing per click).

Each timed region logs one line, `timing <what> <ms> ms`: a whole script run as `page:<url path>` (app.py),
a fragment's own rerun as `fragment:<name>` (a probe answered, a live view redrawn), which is what a click
costs the server without the browser's share.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator

ENABLED = os.environ.get("SELFSUP_TIMING") == "1"
log = logging.getLogger("selfsup_lab.timing")


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    """Log how long the block took (when ENABLED), also when it ends early (st.rerun, st.stop, an error)."""
    if not ENABLED:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        log.info("timing %s %.1f ms", what, (time.perf_counter() - start) * 1000)
