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
    """The run this session is looking at: from the URL (so a reload reattaches to it), else the one
    last chosen in this session (page navigation clears the URL's query)."""
    run_id = st.query_params.get("run") or st.session_state.get("current_run")
    if run_id:
        st.session_state["current_run"] = run_id
        st.query_params["run"] = run_id
    return run_id


def set_current_run(run_id: str | None) -> None:
    st.session_state["current_run"] = run_id
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
        teacher_login()


def run_label(run_id: str) -> str:
    """A short human label for a run: objective, size, corpus, status."""
    try:
        r = load_run(run_id)
    except RunNotFoundError:
        return run_id
    c = r.config
    return f"{run_id} · {c.get('objective', '?').upper()} {c.get('size', '')} · {c.get('corpus', '')} · {r.status}"


def is_teacher() -> bool:
    """True once this session has entered the server's teacher password (SELFSUP_TEACHER_PASSWORD)."""
    return bool(st.session_state.get("teacher"))


def teacher_login() -> None:
    """A small sidebar form that unlocks teacher mode for this session; hidden when no password is set."""
    if not jobs().settings.teacher_password:
        return
    if is_teacher():
        if st.button("Leave teacher mode", key="teacher-logout"):
            st.session_state["teacher"] = False
            st.rerun()
        return
    with st.expander("Teacher"), st.form("teacher-login", border=False):
        password = st.text_input("Teacher password", type="password")
        if st.form_submit_button("Unlock"):
            st.session_state["teacher"] = jobs().settings.is_teacher(password)
            if not st.session_state["teacher"]:
                st.error("Wrong password.")
            else:
                st.rerun()


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


def current_corpus() -> corpus_mod.Corpus:
    """The corpus of the shared settings. One that cannot be loaded any more (say, an upload deleted with the
    runs folder) is reported and replaced by the default corpus, so the page still works."""
    cfg = config()
    try:
        return corpus(cfg.corpus, cfg.text_column)
    except corpus_mod.CorpusError as e:
        error(e)
        default = TrainConfig()
        update_config(corpus=default.corpus, text_column=default.text_column)
        st.warning(f"Switched back to the built-in corpus {default.corpus}.")
        return corpus(default.corpus, default.text_column)


# -- fine-tuning page -------------------------------------------------------------------------------
@st.cache_resource(max_entries=8, show_spinner="Loading the task…")
def task(spec: str):
    """A labelled task (tasks.Task), built-in or a saved upload."""
    from selfsup_core.tasks import load_task

    return load_task(spec)


def use_task_upload(data: bytes, filename: str) -> str:
    """Validate a labelled upload (raises `tasks.TaskError` / `corpus.CorpusError`) and save it; the saved path."""
    path = _use_task_upload(data, filename, str(runs_root()))
    if not os.path.isfile(path):  # the runs folder was cleaned since: save it again
        _use_task_upload.clear()
        path = _use_task_upload(data, filename, str(runs_root()))
    return path


@st.cache_data(max_entries=32, show_spinner="Checking your labelled file…")
def _use_task_upload(data: bytes, filename: str, root: str) -> str:
    from selfsup_core.tasks import load_task_file, save_task

    return str(save_task(load_task_file(data, filename), root))


@st.cache_resource(max_entries=8, show_spinner="Loading the classifier…")
def _classifier(path: str, mtime: float):
    from selfsup_core.finetune import load_classifier

    return load_classifier(path)


def classifier(path: os.PathLike):
    """A fine-tuned classifier (finetune.Classifier) from its folder; reloaded when the folder changes."""
    info = os.path.join(path, "finetune.json")
    if not os.path.exists(info):
        raise ProbeError("This run has no saved classifier yet; wait until it finishes (or pick another run).")
    return _classifier(str(path), os.path.getmtime(info))


# -- experiment pages (MLM vs AR, sweeps) -----------------------------------------------------------
def run_ids_param(key: str) -> list[str]:
    """The run ids kept in the URL under `key` (comma-separated), so a reload reattaches; unknown ids are dropped."""
    ids = []
    for rid in (st.query_params.get(key) or "").split(","):
        try:
            load_run(rid)
            ids.append(rid)
        except RunNotFoundError:
            continue
    return ids


def set_run_ids_param(key: str, ids: list[str]) -> None:
    if ids:
        st.query_params[key] = ",".join(ids)
    else:
        st.query_params.pop(key, None)


def launch(key: str, cfgs: list[TrainConfig]) -> list[str]:
    """Queue `cfgs` as this session's runs; their ids replace those in the URL under `key`.

    Runs beyond the per-student cap wait in this session and are queued by `launch_pending` as earlier
    ones finish. Raises ValueError when a config breaks the server's limits (show it with `error`).
    """
    st.session_state[f"pending_{key}"] = [c.to_dict() for c in cfgs]
    set_run_ids_param(key, [])
    return launch_pending(key)


def launch_pending(key: str) -> list[str]:
    """Queue as many of `key`'s waiting runs as the caps allow now; returns the ids in the URL."""
    from selfsup_core.jobs import CapacityError

    pending, ids = st.session_state.get(f"pending_{key}", []), run_ids_param(key)
    while pending:
        try:
            ids.append(jobs().submit(TrainConfig.from_dict(pending[0]), owner=session_id()))
        except CapacityError:
            break  # the queue or this student's share is full: try again on the next tick
        except ValueError:
            st.session_state[f"pending_{key}"] = []  # over the server's limits: retrying will not help
            raise
        pending.pop(0)
        set_run_ids_param(key, ids)
    st.session_state[f"pending_{key}"] = pending
    return ids


def waiting(key: str) -> int:
    """How many of `key`'s runs still wait in this session for a place in the queue."""
    return len(st.session_state.get(f"pending_{key}", []))


def live(key: str, ids: list[str]) -> bool:
    """Is any run of `key` still waiting, queued or running?"""
    return waiting(key) > 0 or any(jobs().status(i) for i in ids)


def run_status(ids: list[str], labels: list[str]) -> None:
    """One row per run: its label, where it stands (waiting / queued #n / running / final status) and figures."""
    from selfsup_core.runs import progress

    rows = []
    for rid, label in zip(ids, labels, strict=True):
        run, job = load_run(rid), jobs().status(rid)
        p = progress(run.config, run.metrics())
        state = f"queued #{job.queue_position}" if job and job.state == "queued" else job.state if job else run.status
        rows.append({"run": label, "status": state, "progress": p["fraction"], "step": p["step"],
                     "held-out accuracy": p["val_accuracy"], "id": rid})  # fmt: skip
    st.dataframe(rows, hide_index=True, column_config={
        "progress": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent"),
        "held-out accuracy": st.column_config.NumberColumn(format="percent")})  # fmt: skip


def finished_stamp(run_id: str) -> float | None:
    """When the run finished (None while it has not): part of cache keys, so a rerun run is measured again."""
    return load_run(run_id).summary.get("finished")


@st.cache_data(max_entries=64, show_spinner="Asking the corpus's questions…")
def scoreboard(run_id: str, finished: float | None, mlm_from_candidates: bool = False) -> list[dict]:
    """experiments.scoreboard of a finished run on its built-in corpus's probes ([] for an uploaded corpus)."""
    from selfsup_core import experiments

    run = load_run(run_id)
    name = run.config.get("corpus", "")
    probes = corpus_mod.builtin_probes(name)
    if not probes:
        return []
    m, tok, objective = model(run.model_path)
    return experiments.scoreboard(m, tok, objective, probes, experiments.candidate_words(name), mlm_from_candidates)


@st.cache_data(max_entries=64, show_spinner="Asking the model about the held-out blanks…")
def comparable_metrics(run_id: str, finished: float | None) -> dict:
    from selfsup_core import experiments

    run = load_run(run_id)
    m, tok, _ = model(run.model_path)
    return experiments.comparable_metrics(run, m, tok)


@st.cache_data(max_entries=64, show_spinner="Corrupting the held-out text and measuring again…")
def robustness(run_id: str, finished: float | None, kind: str, strengths: tuple[float, ...]) -> list[dict]:
    from selfsup_core import experiments

    return experiments.robustness(run_id, strengths, kind)
