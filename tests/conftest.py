import os

import pytest
import torch

torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture(autouse=True, scope="session")
def _session_runs_dir(tmp_path_factory):
    """Nothing the tests train lands in the repository's ./runs."""
    os.environ["SELFSUP_RUNS_DIR"] = str(tmp_path_factory.mktemp("session-runs"))


@pytest.fixture
def manager(runs_dir):
    """A job manager of its own on the test's runs directory: one run at a time, one thread each."""
    from selfsup_core.jobs import JobManager

    m = JobManager(root=runs_dir, max_concurrent=1, threads_per_run=1)
    yield m
    m.close()


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    """A private runs directory for the test (also exported as SELFSUP_RUNS_DIR)."""
    d = tmp_path / "runs"
    d.mkdir()
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(d))
    return d
