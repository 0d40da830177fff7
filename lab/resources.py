"""Process-wide resources, cached for every session: the job manager, corpora, tokenizers, saved models and
classifiers (keyed by folder and file mtime, so a rewritten run is loaded again), the runs listing, uploads."""

from __future__ import annotations

import functools
import os

import streamlit as st

from lab.i18n import t
from selfsup_core import corpus as corpus_mod
from selfsup_core import runs as runs_mod
from selfsup_core import uploads
from selfsup_core.jobs import JobManager
from selfsup_core.runs import RunInfo, list_runs, runs_root
from selfsup_core.tokenization import build_tokenizer


def spinner(key: str):
    """Decorator: show the catalogue text `key` while the wrapped (cached) function runs. A cache decorator's
    own `show_spinner` text is fixed at import, before any session's language is known, so cached functions
    take `show_spinner=False` and this instead; `st.spinner` appears only after half a second, so a cache hit
    shows nothing."""

    def wrap(fn):
        @functools.wraps(fn)
        def spinning(*args, **kwargs):
            with st.spinner(t(key)):
                return fn(*args, **kwargs)

        spinning.clear = fn.clear  # the cache's own clear()
        return spinning

    return wrap


@st.cache_resource
def jobs() -> JobManager:
    """The server's job manager: one pool of training workers shared by every session."""
    return JobManager()


@spinner("spin.corpus")
@st.cache_resource(max_entries=8, show_spinner=False)
def corpus(spec: str, column: str | None = None) -> corpus_mod.Corpus:
    return corpus_mod.load_corpus(spec, column)


@spinner("spin.tokenizer")
@st.cache_resource(max_entries=16, show_spinner=False)
def tokenizer(spec: str, kind: str, column: str | None = None, vocab_size: int | None = None, lowercase: bool = False):
    """The `kind` tokenizer trained on the corpus `spec` (the previews' tokenizer; training builds its own)."""
    return build_tokenizer(kind, corpus(spec, column).documents, vocab_size, lowercase=lowercase)


@spinner("spin.model")
@st.cache_resource(max_entries=8, show_spinner=False)
def _model(path: str, mtime: float, attention: bool, tokenizer_path: str | None):
    from selfsup_core.probe import load_model  # torch and transformers: only once a model is needed

    return load_model(path, attention=attention, tokenizer_path=tokenizer_path)


def model_version(path: os.PathLike) -> float:
    """The saved model's version (its weights file's mtime): part of every cache key of what it answers."""
    try:  # one stat, no exists-then-stat race with a run deleted in between
        return os.path.getmtime(os.path.join(path, "model.safetensors"))
    except FileNotFoundError:
        from selfsup_core.probe import ProbeError

        raise ProbeError("This run has no saved model yet; wait until it finishes (or pick another run).") from None


def model(path: os.PathLike, attention: bool = False, tokenizer_path: os.PathLike | None = None):
    """(model, tokenizer, objective) of a saved model folder; reloaded when the folder changes. A checkpoint
    holds weights only: `tokenizer_path` is then its run's model folder."""
    return _model(str(path), model_version(path), attention, None if tokenizer_path is None else str(tokenizer_path))


@spinner("spin.task")
@st.cache_resource(max_entries=8, show_spinner=False)
def task(spec: str):
    """A labelled task (tasks.Task), built-in or a saved upload."""
    from selfsup_core.tasks import load_task

    return load_task(spec)


@spinner("spin.classifier")
@st.cache_resource(max_entries=8, show_spinner=False)
def _classifier(path: str, mtime: float):
    from selfsup_core.finetune import load_classifier

    return load_classifier(path)


def classifier(path: os.PathLike):
    """A fine-tuned classifier (finetune.Classifier) from its folder; reloaded when the folder changes."""
    info = os.path.join(path, "finetune.json")
    if not os.path.exists(info):
        from selfsup_core.probe import ProbeError

        raise ProbeError("This run has no saved classifier yet; wait until it finishes (or pick another run).")
    return _classifier(str(path), os.path.getmtime(info))


@st.cache_resource(max_entries=4, show_spinner=False)
def _runs_listing(root: str, fingerprint: tuple) -> tuple[RunInfo, ...]:
    return tuple(list_runs(root))


def all_runs() -> list[RunInfo]:
    """Every run, newest first. Read once for the whole server and kept until a run is added, deleted or
    rewritten (`runs.fingerprint`: a stat per file): reading every run's files for every page was a quarter
    of the server's time with forty students (bench/load.py). Do not change the RunInfo objects: every
    session shares them."""
    root = runs_root()
    return list(_runs_listing(str(root), runs_mod.fingerprint(root)))


def saved_uploads(tasks: bool = False) -> list[str]:
    """Paths of the texts (or, with `tasks`, the labelled files) students uploaded to this server."""
    folder = runs_root() / "uploads"
    found = folder.glob("*.jsonl") if folder.is_dir() else []
    return [str(p) for p in found if p.name.startswith("task-") == tasks]


def use_upload(data: bytes, filename: str, column: str | None = None) -> tuple[str, str, int]:
    """Validate a student's text (raises `corpus.CorpusError`) and save it for training: (the saved path, what
    one document is (`Corpus.unit`: paragraph, line or row), how many documents). The saved file is a table
    (.jsonl), so the unit of the text as uploaded is known only here."""
    saved = _use_upload(data, filename, column, str(runs_root()))
    if not os.path.isfile(saved[0]):  # the runs folder was cleaned since: save it again
        _use_upload.clear()
        saved = _use_upload(data, filename, column, str(runs_root()))
    return saved


@spinner("spin.upload")
@st.cache_data(max_entries=32, show_spinner=False)
def _use_upload(data: bytes, filename: str, column: str | None, root: str) -> tuple[str, str, int]:
    limit = jobs().settings.upload_mb * 1024 * 1024  # SELFSUP_UPLOAD_MB
    text = corpus_mod.load_user(data, filename, column, max_bytes=limit)
    return str(uploads.save_upload(text, root)), text.unit, len(text.documents)


def use_task_upload(data: bytes, filename: str) -> str:
    """Validate a labelled upload (raises `tasks.TaskError` / `corpus.CorpusError`) and save it; the saved path."""
    path = _use_task_upload(data, filename, str(runs_root()))
    if not os.path.isfile(path):  # the runs folder was cleaned since: save it again
        _use_task_upload.clear()
        path = _use_task_upload(data, filename, str(runs_root()))
    return path


@spinner("spin.task_upload")
@st.cache_data(max_entries=32, show_spinner=False)
def _use_task_upload(data: bytes, filename: str, root: str) -> str:
    from selfsup_core.tasks import load_task_file, save_task

    limit = jobs().settings.upload_mb * 1024 * 1024  # SELFSUP_UPLOAD_MB, as for a corpus upload
    return str(save_task(load_task_file(data, filename, max_bytes=limit), root))
