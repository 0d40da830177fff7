"""Small helpers shared by the test modules (import as `from tests.helpers import ...`)."""

import time

# Training configs (TrainConfig keyword arguments) for job tests: one that finishes in seconds, one that
# runs until stopped.
QUICK = dict(size="nano", steps=20, batch_size=8, eval_every=10, checkpoints=0, device="cpu")
LONG = dict(QUICK, steps=100_000, time_budget_s=600.0)


def wait_until(predicate, timeout=60.0):
    """Poll `predicate` until it is true; fail the test if it is not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
