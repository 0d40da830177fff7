"""The one module that imports both streamlit and the core: cached loaders, shared settings, sidebar,
token rendering and error display, so pages stay layout only.

Rules (see CONVENTIONS.md): session_state holds UI state only (the settings dict, the current run
id); models, tokenizers and the job manager are process-wide `st.cache_resource` singletons.
"""

from __future__ import annotations

import html
import logging
import os
from typing import Any

import streamlit as st

from selfsup_core import corpus as corpus_mod
from selfsup_core.config import TrainConfig
from selfsup_core.jobs import JobManager
from selfsup_core.masking import Fate
from selfsup_core.probe import ProbeError, load_model
from selfsup_core.runs import RunNotFoundError, load_run, runs_root
from selfsup_core.tokenization import build_tokenizer

log = logging.getLogger("selfsup_lab")

# Token states: Okabe-Ito colours, and a second cue (border style / strike-through) for colour-blind
# readers and grey-scale projectors.
FATE_STYLE: dict[Fate, str] = {
    Fate.UNTOUCHED: "background:#f2f2f2;border:2px solid #d0d0d0;",
    Fate.MASKED: "background:#0072B2;color:#fff;border:2px solid #003f63;font-weight:700;",
    Fate.RANDOM: "background:#E69F00;color:#000;border:2px dashed #000;",
    Fate.KEPT: "background:#009E73;color:#fff;border:2px dotted #000;",
    Fate.NOISED: "background:#D55E00;color:#fff;border:2px dashed #fff;text-decoration:underline wavy;",
    Fate.SHUFFLED: "background:#CC79A7;color:#000;border:2px double #000;",
    Fate.DELETED: "background:#fff;color:#777;border:2px dashed #999;text-decoration:line-through;",
}
FATE_LABEL: dict[Fate, str] = {
    Fate.UNTOUCHED: "untouched",
    Fate.MASKED: "masked → [MASK]",
    Fate.RANDOM: "replaced by a random token",
    Fate.KEPT: "kept, but must be predicted",
    Fate.NOISED: "noise",
    Fate.SHUFFLED: "shuffled",
    Fate.DELETED: "deleted",
}
TOKEN_CSS = "display:inline-block;margin:3px 2px;padding:2px 8px;border-radius:6px;font-size:1.35rem;font-family:monospace;"


# -- process-wide resources -------------------------------------------------------------------------
@st.cache_resource
def jobs() -> JobManager:
    """The server's job manager: one pool of training workers shared by every session."""
    return JobManager()


@st.cache_resource(max_entries=8, show_spinner="Loading corpus…")
def corpus(spec: str, column: str | None = None) -> corpus_mod.Corpus:
    return corpus_mod.load_corpus(spec, column)


@st.cache_resource(max_entries=16, show_spinner="Training the tokenizer on the corpus…")
def tokenizer(spec: str, kind: str, column: str | None = None, vocab_size: int | None = None):
    return build_tokenizer(kind, corpus(spec, column).documents, vocab_size)


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def _model(path: str, mtime: float, attention: bool):
    return load_model(path, attention=attention)


def model(path: os.PathLike, attention: bool = False):
    """(model, tokenizer, objective) of a saved model folder; reloaded when the folder changes."""
    weights = os.path.join(path, "model.safetensors")
    if not os.path.exists(weights):
        raise ProbeError("This run has no saved model yet; wait until it finishes (or pick another run).")
    return _model(str(path), os.path.getmtime(weights), attention)


# -- shared settings --------------------------------------------------------------------------------
def config() -> TrainConfig:
    """The session's current settings, shared by the corpus, masking and train pages."""
    if "config" not in st.session_state:
        st.session_state["config"] = TrainConfig().to_dict()
    return TrainConfig.from_dict(st.session_state["config"])


def update_config(**changes: Any) -> TrainConfig:
    """Validate and store changed settings; raises ValueError (shown by `error`) when invalid."""
    cfg = config().replace(**changes)
    st.session_state["config"] = cfg.to_dict()
    return cfg


def current_run() -> str | None:
    """The run this session is looking at, kept in the URL so a reload reattaches to it."""
    return st.query_params.get("run")


def set_current_run(run_id: str | None) -> None:
    if run_id:
        st.query_params["run"] = run_id
    else:
        st.query_params.pop("run", None)


# -- rendering --------------------------------------------------------------------------------------
def tokens(items: list[tuple[str, Fate, str | None]]) -> None:
    """Show tokens as boxes styled by their fate; each item is (text, fate, tooltip). Text is escaped."""
    spans = [
        f'<span style="{TOKEN_CSS}{FATE_STYLE[fate]}" title="{html.escape(tip or FATE_LABEL[fate])}">'
        f"{html.escape(text)}</span>"
        for text, fate, tip in items
    ]
    st.html(f'<div style="line-height:2.4">{"".join(spans)}</div>')


def legend(fates: list[Fate]) -> None:
    tokens([(FATE_LABEL[f], f, None) for f in fates])


def error(e: BaseException) -> None:
    """Show a core error's message; anything unexpected is logged with its traceback and apologised for."""
    if isinstance(e, ValueError | LookupError | OSError):
        st.error(str(e), icon="⚠️")
    else:
        log.exception("unexpected error", exc_info=e)
        st.error("Sorry, something went wrong on our side. The details are in the server log.", icon="🛠️")


# -- sidebar ----------------------------------------------------------------------------------------
def sidebar() -> None:
    """Current corpus / tokenizer, and the active runs with their status and a stop button."""
    cfg = config()
    with st.sidebar:
        st.markdown(f"**Corpus:** `{cfg.corpus if len(cfg.corpus) < 40 else '…' + cfg.corpus[-38:]}`  \n"
                    f"**Tokenizer:** {cfg.tokenizer} · **Objective:** {cfg.objective.upper()}")  # fmt: skip
        active = jobs().active()
        st.markdown(f"**Active runs:** {len(active) or 'none'}")
        for job in active:
            where = "running" if job.state == "running" else f"queued #{job.queue_position}"
            c1, c2 = st.columns([3, 1])
            c1.caption(f"{job.run_id}  \n{where}")
            if c2.button("Stop", key=f"stop-{job.run_id}", help="Stop this run (the model so far is kept)"):
                jobs().stop(job.run_id)
                st.toast(f"Stopping {job.run_id}")
        st.caption(f"Runs folder: {runs_root()}")


def run_label(run_id: str) -> str:
    """A short human label for a run: objective, size, corpus, status."""
    try:
        r = load_run(run_id)
    except RunNotFoundError:
        return run_id
    c = r.config
    return f"{run_id} · {c.get('objective', '?').upper()} {c.get('size', '')} · {c.get('corpus', '')} · {r.status}"


def session_id() -> str:
    """A random id for this browser session, used as the owner of the runs it launches."""
    if "session_id" not in st.session_state:
        import secrets

        st.session_state["session_id"] = secrets.token_hex(8)
    return st.session_state["session_id"]


# -- corpus & masking pages -------------------------------------------------------------------------
def token_views(views: list) -> None:
    """Show `preview.TokenView`s like `tokens`; a word's continuation pieces ("##ing") sit glued to its start.

    The tooltip gives the token the model is asked for when it was corrupted or is predicted.
    """
    spans = []
    for i, v in enumerate(views):
        glue_left = not v.is_word_start and i > 0
        glue_right = i + 1 < len(views) and not views[i + 1].is_word_start
        css = TOKEN_CSS + FATE_STYLE[v.fate]
        css += "margin-left:0;border-top-left-radius:0;border-bottom-left-radius:0;" if glue_left else ""
        css += "margin-right:0;border-top-right-radius:0;border-bottom-right-radius:0;" if glue_right else ""
        tip = FATE_LABEL[v.fate] + (f" · the model must predict: {v.original}" if v.original else "")
        tip += "" if v.is_word_start else " · continues the word before it"
        spans.append(f'<span style="{css}" title="{html.escape(tip)}">{html.escape(v.text)}</span>')
    st.html(f'<div style="line-height:2.4;padding-bottom:6px;border-bottom:1px solid #e6e6e6">{"".join(spans)}</div>')


def use_upload(data: bytes, filename: str, column: str | None = None) -> str:
    """Validate a student's text (raises `corpus.CorpusError`) and save it for training; the saved path."""
    path = _use_upload(data, filename, column, str(runs_root()))
    if not os.path.isfile(path):  # the runs folder was cleaned since: save it again
        _use_upload.clear()
        path = _use_upload(data, filename, column, str(runs_root()))
    return path


@st.cache_data(max_entries=32, show_spinner="Checking your text…")
def _use_upload(data: bytes, filename: str, column: str | None, root: str) -> str:
    return str(corpus_mod.save_upload(corpus_mod.load_user(data, filename, column), root))


@st.cache_data(max_entries=64, show_spinner="Measuring on a real batch…")
def realised_rates(cfg_dict: dict, seed: int) -> dict[str, float]:
    """`preview.realised_rates` on one training batch of the config's corpus, cached per settings and seed."""
    from selfsup_core.preview import realised_rates as measure

    cfg = TrainConfig.from_dict(cfg_dict)
    docs = corpus(cfg.corpus, cfg.text_column).documents
    tok = tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size)
    # enough documents to fill one batch a few times over: packing all of a large corpus is wasted work
    texts = docs[: cfg.batch_size * cfg.seq_len]
    return measure(tok, texts, cfg.masking, cfg.augment, seed, cfg.seq_len, cfg.batch_size)
