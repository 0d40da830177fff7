"""The code is formatted and linted by ruff (pyproject.toml's settings), as CI would check it: `ruff format`
does the formatting, so a hand-aligned table needs its own `# fmt: skip`."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_finds_nothing_to_change(command):
    pytest.importorskip("ruff")
    done = subprocess.run([sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
