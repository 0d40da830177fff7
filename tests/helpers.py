"""Small helpers shared by the test modules (import as `from tests.helpers import ...`)."""

import time


def wait_until(predicate, timeout=60.0):
    """Poll `predicate` until it is true; fail the test if it is not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
