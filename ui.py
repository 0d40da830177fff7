"""The one module that imports both streamlit and the core: cached loaders, shared settings, sidebar,
token rendering and error display, so pages stay layout only.

Rules (see CONVENTIONS.md): session_state holds UI state only (the settings dict, the current run
id); models, tokenizers and the job manager are process-wide `st.cache_resource` singletons.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import streamlit as st

import i18n
from i18n import t
from selfsup_core import charts, uploads
from selfsup_core import config as config_mod
from selfsup_core import corpus as corpus_mod
from selfsup_core import runs as runs_mod
from selfsup_core.config import TrainConfig
from selfsup_core.jobs import JobManager
from selfsup_core.masking import Fate
from selfsup_core.probe import ProbeError, load_model
from selfsup_core.runs import NICKNAME_MAX, RunInfo, RunNotFoundError, clean_nickname, list_runs, load_run, runs_root
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
TOKEN_CSS = (
    "display:inline-block;margin:3px 2px;padding:2px 8px;border-radius:6px;font-size:1.35rem;font-family:monospace;"
)
# Keyboard users: a focus ring that shows on a projector. Streamlit's radios and checkboxes hide the focused
# <input> itself, so the ring goes on its label; text boxes and select boxes ring their frame.
FOCUS_CSS = (
    ":focus-visible{outline:3px solid #0072B2!important;outline-offset:2px}"
    "label:has(input:focus-visible){outline:3px solid #0072B2;outline-offset:2px;border-radius:4px}"
    "[data-baseweb=select]:focus-within,[data-baseweb=input]:focus-within,[data-baseweb=textarea]:focus-within"
    "{outline:3px solid #0072B2;outline-offset:1px;border-radius:8px}"
)


def fate_label(fate: Fate) -> str:
    """What happened to a token, in the session's language (legend and tooltips)."""
    return t(f"fate.{fate.name.lower()}")


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


def chart(fig: Any, key: str | None = None) -> None:
    """A `selfsup_core.charts` figure in the session's language, drawn as it was styled: theme=None keeps the
    Okabe-Ito palette and projector font sizes that Streamlit's theme would override."""
    st.plotly_chart(i18n.figure(fig), key=key, theme=None)


# -- process-wide resources -------------------------------------------------------------------------
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
def _model(path: str, mtime: float, attention: bool):
    return load_model(path, attention=attention)


def model(path: os.PathLike, attention: bool = False):
    """(model, tokenizer, objective) of a saved model folder; reloaded when the folder changes."""
    try:  # one stat, no exists-then-stat race with a run deleted in between
        mtime = os.path.getmtime(os.path.join(path, "model.safetensors"))
    except FileNotFoundError:
        raise ProbeError("This run has no saved model yet; wait until it finishes (or pick another run).") from None
    return _model(str(path), mtime, attention)


# -- shared settings --------------------------------------------------------------------------------
def config() -> TrainConfig:
    """The session's current settings, shared by the corpus, masking and train pages."""
    if "config" not in st.session_state:
        st.session_state["config"] = TrainConfig().to_dict()
    return TrainConfig.from_dict(st.session_state["config"])


def update_config(**changes: Any) -> TrainConfig:
    """Validate and store changed settings, and show them in the URL; raises ValueError (shown by `error`)
    when invalid."""
    cfg = config().replace(**changes)
    st.session_state["config"] = cfg.to_dict()
    settings_to_url(cfg, TrainConfig(), SETTINGS_IN_URL)
    return cfg


# -- settings in the URL ------------------------------------------------------------------------------
# A page's settings live in its URL, so a link (or a reload) opens it exactly as it was: the shared settings
# by their TrainConfig names (?objective=ar&rate=0.3&seed=4, see config.to_params), only those that differ
# from the defaults. Not Streamlit's own `bind="query-params"`: the shared settings are set on one page and
# used on others (a Train link must carry the masking chosen in the Masking lab), and a bad value in a
# hand-edited link deserves a warning saying why, not silence.
SETTINGS_IN_URL = ("objective", "corpus", "text_column", "tokenizer", "lowercase", "size", "steps", "time_budget_s", "lr",
                   "batch_size", "seed", *config_mod.flat(TrainConfig().masking),
                   *config_mod.flat(TrainConfig().augment))  # fmt: skip
NO_STEP_LIMIT = 100_000  # the steps of a run with a time budget: the budget ends it
# What the settings widgets accept, and so what a link may set (a value out of a widget's range would crash it)
LIMITS = {"steps": (1, NO_STEP_LIMIT), "time_budget_s": (5, 3600), "batch_size": (1, 512), "seed": (0, 2**31 - 1),
          "span_mean": (1.0, 10.0), "span_max": (1, 20), "shuffle_window": (2, 8)}  # fmt: skip


def settings_limits() -> dict[str, Any]:
    """`LIMITS`, plus the corpora and model sizes this server offers: a link names a built-in corpus or a
    text uploaded here, never any other file."""
    from selfsup_core.models import available_sizes

    return {**LIMITS, "corpus": [*corpus_mod.builtin_names(), *saved_uploads()], "size": available_sizes()}


def saved_uploads(tasks: bool = False) -> list[str]:
    """Paths of the texts (or, with `tasks`, the labelled files) students uploaded to this server."""
    folder = runs_root() / "uploads"
    found = folder.glob("*.jsonl") if folder.is_dir() else []
    return [str(p) for p in found if p.name.startswith("task-") == tasks]


def settings_from_url(base: Any, names: tuple[str, ...], limits: config_mod.Limits) -> Any | None:
    """The settings of a link the page was opened with (or of a URL edited by hand, or of back / forward):
    `base` with the URL's values of `names` applied. None when the URL holds none of them (page navigation
    clears it) or just what this session wrote there. A value that cannot be used gets a warning saying why
    and keeps `base`'s."""
    params = {n: st.query_params[n] for n in names if n in st.query_params}
    if not params or params == st.session_state.get("url_settings"):
        return None
    cfg, problems = config_mod.from_params(params, base, names, limits)
    for problem in problems:  # the core's words; in Chinese they follow as the detail
        st.warning(problem if i18n.lang() == "en" else t("error.detail", message=t("url.not_used"), detail=problem),
                   icon="🔗")  # fmt: skip
    return cfg


def settings_to_url(cfg: Any, base: Any, names: tuple[str, ...]) -> None:
    """Show `cfg`'s settings `names` in the URL: those that differ from `base`; the others leave it."""
    params = config_mod.to_params(cfg, base, names)
    current = st.query_params.to_dict()
    wanted = {**{k: v for k, v in current.items() if k not in names}, **params}
    if wanted != current:
        st.query_params.from_dict(wanted)  # one change of the URL, so one step back undoes it
    st.session_state["url_settings"] = params


def config_from_url(widgets: tuple[str, ...]) -> TrainConfig:
    """The shared settings; replaced by a link's (see `settings_from_url`) when the page was opened with one,
    and then the page's `widgets` (keys) are reset so that they start from them."""
    loaded = settings_from_url(TrainConfig(), SETTINGS_IN_URL, settings_limits())
    if loaded is not None:
        st.session_state["config"] = loaded.to_dict()
        for key in widgets:
            st.session_state.pop(key, None)
        settings_to_url(loaded, TrainConfig(), SETTINGS_IN_URL)
    return config()


def share_link(page: str) -> None:
    """A "Share link" box holding this page's URL with its settings; the code block's copy button puts it on
    the clipboard (Streamlit has no clipboard API). `page`: the page's URL path, e.g. "train"."""
    url = (st.context.url or "").rstrip("/")  # the page's address in the browser, without the query
    url = url if url.endswith(f"/{page}") else f"{url}/{page}"
    query = urlencode(st.query_params.to_dict())
    with st.popover(t("url.share"), icon="🔗"):
        st.caption(t("url.share_help"))
        st.code(url + (f"?{query}" if query else ""), language=None, wrap_lines=True)


def config_from_upload(data: bytes) -> TrainConfig:
    """A run's uploaded config.json, to launch it again ("reproduce this run"); raises ValueError saying what
    is wrong. Its corpus must be on this server (built in, or a text uploaded here): a file names no other."""
    cfg = uploads.read_config(data)  # capped at uploads.CONFIG_MAX_BYTES
    if cfg.corpus not in settings_limits()["corpus"]:
        raise ValueError(t("url.unknown_corpus"))
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
        f'<span style="{TOKEN_CSS}{FATE_STYLE[fate]}" title="{html.escape(tip or fate_label(fate))}">'
        f"{html.escape(text)}</span>"
        for text, fate, tip in items
    ]
    st.html(f'<div style="line-height:2.4">{"".join(spans)}</div>')


def legend(fates: list[Fate]) -> None:
    tokens([(fate_label(f), f, None) for f in fates])


def error(e: BaseException) -> None:
    """Show a core error's message; anything unexpected is logged with its traceback and apologised for."""
    if isinstance(e, ValueError | LookupError | OSError):
        st.error(i18n.error_text(e), icon="⚠️")
    else:
        log.exception("unexpected error", exc_info=e)
        st.error(t("error.sorry"), icon="🛠️")


# -- sidebar ----------------------------------------------------------------------------------------
def sidebar() -> None:
    """Current corpus / tokenizer, the nickname box, and this student's active runs (all of them for
    the teacher) with where each stands and a stop button; others' runs are only counted."""
    cfg = config()
    with st.sidebar:
        st.html(f"<style>{FOCUS_CSS}</style>")  # style only: applied without adding an element
        i18n.switch()
        st.markdown(t("sidebar.settings", corpus=cfg.corpus if len(cfg.corpus) < 40 else "…" + cfg.corpus[-38:],
                      tokenizer=cfg.tokenizer, objective=cfg.objective.upper()))  # fmt: skip
        active, me = jobs().active(), session_id()
        mine = [j for j in active if is_teacher() or j.owner == me]
        yours = t("sidebar.yours", n=len(mine)) if active and not is_teacher() else ""
        st.markdown(t("sidebar.active", n=len(active) or t("sidebar.none"), yours=yours))
        for job in mine:
            where = t("status.running") if job.state == "running" else t("status.queued_at", n=job.queue_position)
            c1, c2 = st.columns([3, 1])
            c1.caption(f"{job.run_id}  \n{where}")
            if c2.button(t("sidebar.stop"), key=f"stop-{job.run_id}", help=t("sidebar.stop_help")):
                stop_run(job.run_id)
        if "nickname" not in st.session_state:
            st.session_state["nickname"] = _last_nickname()
        st.text_input(t("sidebar.nickname"), key="nickname", max_chars=NICKNAME_MAX, help=t("sidebar.nickname_help"))
        st.caption(t("sidebar.runs_folder", path=runs_root()))
        teacher_login()


def run_label(run_id: str) -> str:
    """A short human label for a run: objective, size, corpus, status."""
    try:
        r = load_run(run_id)
    except RunNotFoundError:
        return run_id
    c = r.config
    objective, size, corpus_name = c.get("objective", "?").upper(), c.get("size", ""), c.get("corpus", "")
    return f"{run_id} · {objective} {size} · {corpus_name} · {status(r.status)}"


def status(name: str) -> str:
    """A run's status word (completed, stopped, …) in the session's language."""
    return t(f"status.{name}") if f"status.{name}" in i18n.TEXT else name


def is_teacher() -> bool:
    """True once this session has entered the server's teacher password (SELFSUP_TEACHER_PASSWORD)."""
    return bool(st.session_state.get("teacher"))


def teacher_login() -> None:
    """A small sidebar form that unlocks teacher mode for this session; hidden when no password is set."""
    if not jobs().settings.teacher_password:
        return
    if is_teacher():
        if st.button(t("teacher.leave"), key="teacher-logout"):
            st.session_state["teacher"] = False
            st.rerun()
        return
    with st.expander(t("teacher.title")), st.form("teacher-login", border=False):
        password = st.text_input(t("teacher.password"), type="password", key="teacher-password")
        if st.form_submit_button(t("teacher.unlock")):
            st.session_state["teacher"] = jobs().settings.is_teacher(password)
            if not st.session_state["teacher"]:
                st.error(t("teacher.wrong"))
            else:
                st.rerun()


OWNER_COOKIE = "selfsup_owner"
OWNER_COOKIE_MAX_AGE_S = 12 * 3600  # a school day: a lab PC's next class starts as someone new
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def session_id() -> str:
    """This browser's owner id: recorded with every run it launches; only it (or the teacher) may
    stop or delete those runs (the rule is enforced in `JobManager`).

    The id is derived from a random secret token kept in a cookie. session_state alone would not do:
    a full page reload starts a new session and would orphan the student's runs. The token is made on
    the first visit, stored by `remember_owner` (a one-line script; Streamlit cannot set cookies from
    Python) and read back from the connection's cookies (`st.context.cookies`) after a reload, in any
    tab of the same browser. Run folders store only a hash of it, so a run's meta.json is no key.

    Why not the URL's query string, which is simpler: links get pasted into the class chat and shown
    on the projector, and a token in the link would hand ownership to whoever opens it. A cookie stays
    in the browser that launched the run; shared links (`?run=…`) give read-only views only.
    The trade-offs, by design: ownership belongs to a browser profile, not a person (two students on
    one profile share it; a private window or cleared cookies start afresh, and earlier runs become
    read-only: the teacher can still stop them); the cookie is readable by the page's scripts (the app
    renders no untrusted HTML) and is not `Secure`, since a classroom server often has no HTTPS.
    """
    if "owner_token" not in st.session_state:
        token = st.context.cookies.get(OWNER_COOKIE)
        valid = isinstance(token, str) and _TOKEN.match(token)
        st.session_state["owner_token"] = token if valid else secrets.token_urlsafe(24)
    return owner_id(st.session_state["owner_token"])


def owner_id(token: str) -> str:
    """The id recorded as a run's owner: a hash of the browser's secret token."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def remember_owner() -> None:
    """Store this session's owner token in the browser's cookie (an invisible script in the sidebar),
    unless the connection already sent it. A cookie the browser already has is kept: the first tab wins.
    app.py calls it before the page, as a page may end the script early (st.stop)."""
    session_id()
    token = st.session_state["owner_token"]
    if st.context.cookies.get(OWNER_COOKIE) == token:
        return
    cookie = f"{OWNER_COOKIE}={token}; path=/; max-age={OWNER_COOKIE_MAX_AGE_S}; SameSite=Strict"
    st.sidebar.html(f"<script>if (!document.cookie.split('; ').some(c => c.startsWith('{OWNER_COOKIE}=')))"
                    f" document.cookie = '{cookie}';</script>", unsafe_allow_javascript=True)  # fmt: skip


def nickname() -> str | None:
    """The nickname typed in the sidebar, cleaned (`runs.clean_nickname`); stored with each run launched."""
    return clean_nickname(st.session_state.get("nickname"))


def _last_nickname() -> str:
    """After a reload, the nickname of this browser's latest run, so the student need not type it again."""
    me = session_id()
    return next((r.nickname for r in all_runs() if r.owner == me and r.nickname), "")


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


def may_change(run: RunInfo) -> bool:
    """May this session stop or delete `run` (its own, or any in teacher mode)?"""
    return runs_mod.may_change(run, session_id(), is_teacher())


def visible_runs(among: list[RunInfo] | None = None) -> list[RunInfo]:
    """The runs (default: all, newest first) this session may see: only its own when SELFSUP_SHARE_RUNS=0,
    except for the teacher."""
    return runs_mod.visible(all_runs() if among is None else among, session_id(), is_teacher(),
                            jobs().settings.share_runs)  # fmt: skip


def submit(cfg: Any, kind: str = "train") -> str:
    """Queue `cfg` (a TrainConfig, or a FinetuneConfig with kind="finetune") as this session's run, with its
    owner id and nickname; returns the run id."""
    return jobs().submit(cfg, owner=session_id(), kind=kind, nickname=nickname())


def stop_run(run_id: str) -> None:
    """Stop a run as this session (its owner, or the teacher); a refusal is shown, not raised."""
    try:
        jobs().stop(run_id, by=session_id(), teacher=is_teacher())
        st.toast(t("sidebar.stopping", run_id=run_id))
    except (PermissionError, RunNotFoundError) as e:
        error(e)


def delete_run(run_id: str) -> bool:
    """Delete a run as this session (its owner, or the teacher); True when done, else the reason is shown."""
    try:
        jobs().delete(run_id, by=session_id(), teacher=is_teacher())
    except (PermissionError, ValueError, RunNotFoundError) as e:
        error(e)
        return False
    if st.session_state.get("current_run") == run_id:
        set_current_run(None)
    return True


# -- corpus & masking pages -------------------------------------------------------------------------
# A token is shown as the text it stands for, its whitespace made visible: bpe's " cat" reads "␣cat", a newline
# token "↵". One helper for the token boxes and the charts' labels.
SPACE_MARK, NEWLINE_MARK, TAB_MARK = "\u2423", "\u21b5", "\u21e5"  # ␣ ↵ ⇥
_MARK_CSS = "opacity:.55;font-weight:400"  # a mark is quieter than the letters beside it


def token_label(text: str) -> str:
    """A token's text (`tokenization.token_texts`) with its spaces, newlines and tabs as visible marks."""
    return text.replace(" ", SPACE_MARK).replace("\n", NEWLINE_MARK).replace("\t", TAB_MARK)


def _token_html(text: str) -> str:
    """`token_label` of `text`, HTML-escaped, its marks drawn faint."""
    shown = html.escape(token_label(text))
    for mark in (SPACE_MARK, NEWLINE_MARK, TAB_MARK):
        shown = shown.replace(mark, f'<span style="{_MARK_CSS}">{mark}</span>')
    return shown


def token_bars(candidates: list, title: str, expected: str | None = None, key: str | None = None) -> None:
    """Probability bars of `probe.Candidate`s, labelled by `token_label`; the bar of the `expected` answer is
    highlighted (a bpe token " cat" counts as the answer "cat")."""
    labels = [token_label(c.token) for c in candidates]
    hits = [lab for c, lab in zip(candidates, labels, strict=True) if expected and c.token.strip() == expected.strip()]
    hit = hits[0] if hits else None
    chart(charts.bars(labels, [c.prob for c in candidates], title=title, highlight=hit), key=key)


def token_views(views: list) -> None:
    """Show `preview.TokenView`s like `tokens`, as the text they stand for (`token_label`); a word's
    continuation pieces ("play" "ing") sit glued to its start, and a token that ends a line ends the row.

    The tooltip gives the token the model is asked for when it was corrupted or is predicted.
    """
    spans = []
    for i, v in enumerate(views):
        glue_left = not v.is_word_start and i > 0
        glue_right = i + 1 < len(views) and not views[i + 1].is_word_start
        css = TOKEN_CSS + FATE_STYLE[v.fate]
        css += "margin-left:0;border-top-left-radius:0;border-bottom-left-radius:0;" if glue_left else ""
        css += "margin-right:0;border-top-right-radius:0;border-bottom-right-radius:0;" if glue_right else ""
        original = token_label(v.original) if v.original else ""
        tip = fate_label(v.fate) + (t("token.must_predict", original=original) if original else "")
        tip += "" if v.is_word_start else t("token.continues")
        spans.append(f'<span style="{css}" title="{html.escape(tip)}">{_token_html(v.text)}</span>')
        if v.text.endswith("\n") and i + 1 < len(views):
            spans.append("<br>")  # the boxes keep the text's lines
    st.html(f'<div style="line-height:2.4;padding-bottom:6px;border-bottom:1px solid #e6e6e6">{"".join(spans)}</div>')


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


PADDING_SAMPLE = 3000  # documents packed to measure the padding share: plenty for a percentage, fast on 2 cores


@spinner("spin.padding")
@st.cache_data(max_entries=64, show_spinner=False)
def padding_share(spec: str, column: str | None, kind: str, vocab_size: int | None, lowercase: bool, seq_len: int,
                  objective: str) -> float:  # fmt: skip
    """The share of [PAD] positions (0-1) in the training rows `data.pack` would make of the corpus's first
    `PADDING_SAMPLE` documents (plain values in, a number out: the tokenizer itself stays in `tokenizer`)."""
    from selfsup_core.data import pack

    tok = tokenizer(spec, kind, column, vocab_size, lowercase)
    return pack(tok, corpus(spec, column).documents[:PADDING_SAMPLE], seq_len, objective).padding_share


@spinner("spin.realised")
@st.cache_data(max_entries=64, show_spinner=False)
def realised_rates(cfg_dict: dict, seed: int) -> dict[str, float]:
    """`preview.realised_rates` on one training batch of the config's corpus, cached per settings and seed."""
    from selfsup_core.preview import realised_rates as measure

    cfg = TrainConfig.from_dict(cfg_dict)
    docs = corpus(cfg.corpus, cfg.text_column).documents
    tok = tokenizer(cfg.corpus, cfg.tokenizer, cfg.text_column, cfg.vocab_size, cfg.lowercase)
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
        st.warning(t("url.switched_back", corpus=default.corpus))
        return corpus(default.corpus, default.text_column)


# -- fine-tuning page -------------------------------------------------------------------------------
@spinner("spin.task")
@st.cache_resource(max_entries=8, show_spinner=False)
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


@spinner("spin.task_upload")
@st.cache_data(max_entries=32, show_spinner=False)
def _use_task_upload(data: bytes, filename: str, root: str) -> str:
    from selfsup_core.tasks import load_task_file, save_task

    limit = jobs().settings.upload_mb * 1024 * 1024  # SELFSUP_UPLOAD_MB, as for a corpus upload
    return str(save_task(load_task_file(data, filename, max_bytes=limit), root))


@spinner("spin.classifier")
@st.cache_resource(max_entries=8, show_spinner=False)
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


def launch(key: str, cfgs: list[Any], kind: str = "train") -> list[str]:
    """Queue `cfgs` (TrainConfigs, or FinetuneConfigs with kind="finetune") as this session's runs; their ids
    replace those in the URL under `key`.

    Runs beyond the per-student cap wait in this session and are queued by `launch_pending` as earlier
    ones finish. Raises ValueError when a config breaks the server's limits (show it with `error`).
    """
    st.session_state[f"pending_{key}"] = [c.to_dict() for c in cfgs]
    st.session_state[f"pending_kind_{key}"] = kind
    set_run_ids_param(key, [])
    return launch_pending(key)


def launch_pending(key: str) -> list[str]:
    """Queue as many of `key`'s waiting runs as the caps allow now; returns the ids in the URL."""
    from selfsup_core.finetune import FinetuneConfig
    from selfsup_core.jobs import CapacityError

    pending, ids = st.session_state.get(f"pending_{key}", []), run_ids_param(key)
    kind = st.session_state.get(f"pending_kind_{key}", "train")
    config_class = FinetuneConfig if kind == "finetune" else TrainConfig
    while pending:
        try:
            ids.append(submit(config_class.from_dict(pending[0]), kind=kind))
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


def run_status(ids: list[str], labels: list[str]) -> None:
    """One row per run: its label, where it stands (waiting / queued #n / running / final status) and figures."""
    from selfsup_core.runs import progress

    rows = []
    for rid, label in zip(ids, labels, strict=True):
        run, job = load_run(rid), jobs().status(rid)
        p = progress(run.config, run.metrics())
        queued = job and job.state == "queued"
        state = t("status.queued_at", n=job.queue_position) if queued else status(job.state if job else run.status)
        rows.append({"run": label, "status": state, "progress": p["fraction"], "step": p["step"],
                     "held-out accuracy": p["val_accuracy"], "id": rid})  # fmt: skip
    st.dataframe(rows, hide_index=True, column_config={
        "run": t("runs.col.run"), "status": t("runs.col.status"), "step": t("runs.col.step"),
        "progress": st.column_config.ProgressColumn(t("runs.col.progress"), min_value=0, max_value=1, format="percent"),
        "held-out accuracy": st.column_config.NumberColumn(t("runs.col.accuracy"), format="percent")})  # fmt: skip


def finished_stamp(run_id: str) -> float | None:
    """When the run finished (None while it has not): part of cache keys, so a rerun run is measured again."""
    return load_run(run_id).summary.get("finished")


@spinner("spin.scoreboard")
@st.cache_data(max_entries=64, show_spinner=False)
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


@spinner("spin.comparable")
@st.cache_data(max_entries=64, show_spinner=False)
def comparable_metrics(run_id: str, finished: float | None) -> dict:
    from selfsup_core import experiments

    run = load_run(run_id)
    m, tok, _ = model(run.model_path)
    return experiments.comparable_metrics(run, m, tok)


@spinner("spin.robustness")
@st.cache_data(max_entries=64, show_spinner=False)
def robustness(run_id: str, finished: float | None, kind: str, strengths: tuple[float, ...]) -> list[dict]:
    from selfsup_core import experiments

    return experiments.robustness(run_id, strengths, kind)


@spinner("spin.facts")
@st.cache_data(max_entries=64, show_spinner=False)
def facts_known(run_id: str, finished: float | None) -> dict | None:
    """experiments.facts_known of a finished run on its built-in world's facts (asked, known, share), or None
    for an uploaded text (it has no facts)."""
    from selfsup_core import experiments

    run = load_run(run_id)
    facts = corpus_mod.builtin_facts(run.config.get("corpus", ""))
    if not facts:
        return None
    m, tok, _ = model(run.model_path)
    found = experiments.facts_known(m, tok, facts)
    return {k: found[k] for k in ("asked", "known", "share")}


def run_results(run_id: str) -> dict:
    """What a finished run is compared by: `comparable_metrics` plus facts_share and facts (known/asked, or None),
    and its training time and steps (equal seconds are not equal steps on a busy server)."""
    stamp = finished_stamp(run_id)
    facts = facts_known(run_id, stamp)
    return {**comparable_metrics(run_id, stamp), "facts_share": facts["share"] if facts else None, "facts": facts}


def verdict(v: Any, all_of: str) -> None:
    """An `experiments.Verdict` in words: too early (a warning), within the spread (a note), or who is ahead.
    all_of: what the compared settings are called together ("both models", "all 3 mask rates")."""
    from selfsup_core import experiments

    if v.kind == experiments.TOO_EARLY:
        names = all_of if len(v.guessing) == len(v.spreads) else t("verdict.and").join(v.guessing)
        st.warning(t("verdict.too_early", names=names), icon="⏳")
        return
    if v.kind == experiments.WITHIN_SPREAD:
        st.info(t("verdict.within", best=next(iter(sorted(v.spreads, key=lambda n: -v.spreads[n].median))),
                  runner_up=v.runner_up, gap=v.gap, noise=v.noise), icon="〰️")  # fmt: skip
    else:
        st.success(t("verdict.wins", best=v.best, runner_up=v.runner_up, gap=v.gap, noise=v.noise), icon="📏")
    if v.seeds < 2:
        st.caption(t("verdict.one_seed"))
