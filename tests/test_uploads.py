"""Uploads: read capped and validated, saved under the runs folder with a name from the content only."""

import json

import pytest

from selfsup_core import uploads
from selfsup_core.config import TrainConfig


def test_a_run_config_uploaded_again_gives_back_the_same_config():
    cfg = TrainConfig(objective="ar", steps=123)
    assert uploads.read_config(json.dumps(cfg.to_dict()).encode()) == cfg


def test_an_uploaded_config_over_the_cap_is_refused_before_it_is_parsed():
    huge = b'{"steps": 1' + b" " * uploads.CONFIG_MAX_BYTES + b"}"
    with pytest.raises(ValueError, match="too large for a run's config.json"):
        uploads.read_config(huge)


def test_saved_content_lands_in_the_runs_uploads_folder_named_by_its_content(runs_dir):
    first = uploads.save_content(b'{"text": "a"}\n', "task-")
    assert first.parent == runs_dir.resolve() / uploads.UPLOADS_DIR and first.name.startswith("task-")
    assert uploads.save_content(b'{"text": "a"}\n', "task-") == first  # same content, same file
    assert uploads.save_content(b'{"text": "b"}\n', "task-") != first


def test_a_file_over_the_limit_is_refused_without_being_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(uploads.CorpusTooLargeError, match="the limit is 100 bytes"):
        uploads.read_upload(path, None, max_bytes=100)
