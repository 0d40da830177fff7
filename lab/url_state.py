"""The session's shared settings and the URL: settings <-> st.query_params (so a link or a reload opens a page
exactly as it was), the current run and run-id lists in the URL, a run's config.json uploaded to launch again."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab import i18n
from lab.i18n import t
from lab.resources import corpus, saved_uploads
from lab.widgets import error
from selfsup_core import config as config_mod
from selfsup_core import corpus as corpus_mod
from selfsup_core import tasks, uploads
from selfsup_core.config import TrainConfig
from selfsup_core.runs import RunNotFoundError, load_run


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


# A page's settings live in its URL, so a link (or a reload) opens it exactly as it was: the shared settings
# by their TrainConfig names (?objective=ar&rate=0.3&seed=4, see config.to_params), only those that differ
# from the defaults. Not Streamlit's own `bind="query-params"`: the shared settings are set on one page and
# used on others (a Train link must carry the masking chosen in the Masking lab), and a bad value in a
# hand-edited link deserves a warning saying why, not silence.
SETTINGS_IN_URL = (
    "objective",
    "corpus",
    "text_column",
    "tokenizer",
    "lowercase",
    "size",
    "steps",
    "time_budget_s",
    "lr",
    "batch_size",
    "seed",
    *config_mod.flat(TrainConfig().masking),
    *config_mod.flat(TrainConfig().augment),
)


NO_STEP_LIMIT = 100_000  # the steps of a run with a time budget: the budget ends it


# What the settings widgets accept, and so what a link may set (a value out of a widget's range would crash it)
LIMITS = {
    "steps": (1, NO_STEP_LIMIT),
    "time_budget_s": (5, 3600),
    "batch_size": (1, 512),
    "seed": (0, 2**31 - 1),
    "span_mean": (1.0, 10.0),
    "span_max": (1, 20),
    "shuffle_window": (2, 8),
}


def settings_limits() -> dict[str, Any]:
    """`LIMITS`, plus the corpora and model sizes this server offers: a link names a built-in corpus or a
    text uploaded here, never any other file."""
    from selfsup_core.models import available_sizes

    return {**LIMITS, "corpus": [*corpus_mod.builtin_names(), *saved_uploads()], "size": available_sizes()}


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
        st.warning(
            problem if i18n.lang() == "en" else t("error.detail", message=t("url.not_used"), detail=problem),
            icon=":material/link:",
        )
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


def config_from_upload(data: bytes) -> TrainConfig:
    """A run's uploaded config.json, to launch it again ("reproduce this run"); raises ValueError saying what
    is wrong. Its corpus must be on this server (built in, or a text uploaded here): a file names no other."""
    cfg = uploads.read_config(data)  # capped at uploads.CONFIG_MAX_BYTES
    if cfg.corpus not in settings_limits()["corpus"]:
        raise ValueError(t("url.unknown_corpus"))
    return cfg


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


# -- the Fine-tune page's link ---------------------------------------------------------------------
FINETUNE_BUDGETS = {"8": 8, "32": 32, "128": 128, "all": None}
FINETUNE_ARCHS = ("mlm", "ar")  # the architecture of a model from scratch: BERT or GPT-2
# The Fine-tune page's settings in the URL: a FinetuneConfig's, those that differ from `finetune_link_base()`;
# FINETUNE_LIMITS: what its widgets accept (a link's value outside them would crash a widget)


def finetune_link_base():
    """The FinetuneConfig a Fine-tune link is written against (made on demand: `selfsup_core.finetune` imports
    torch, which the other pages need not wait for)."""
    from selfsup_core import finetune

    return finetune.FinetuneConfig(method="scratch", label_budget=32)


FINETUNE_LINKED = (
    "pretrained",
    "task",
    "method",
    "label_budget",
    "steps",
    "lr",
    "seed",
    "lora_rank",
    "scratch_objective",
)
FINETUNE_LIMITS = {
    "label_budget": list(FINETUNE_BUDGETS.values()),
    "steps": (1, 5000),
    "lr": (1e-5, 1.0),
    "seed": (0, 2**31 - 1),
    "lora_rank": (1, 64),
    "scratch_objective": list(FINETUNE_ARCHS),
}


def finetune_link(choices: list):
    """The Fine-tune page's settings of a link the page was opened with (None: none), put into its widgets
    (keys ft_*); `choices`: the pretraining runs it offers."""
    link = settings_from_url(
        finetune_link_base(),
        FINETUNE_LINKED,
        {
            **FINETUNE_LIMITS,
            "pretrained": choices,
            "task": [*tasks.builtin_task_names(), *saved_uploads(tasks=True)],
        },
    )
    if link is not None:  # opened from a link: its settings go into the widgets
        builtin = link.task in tasks.builtin_task_names()
        st.session_state.pop("ft_pretrained", None)  # set through its index: a selectbox's None means "nothing picked"
        st.session_state.update(
            {
                "ft_source": "built-in" if builtin else "upload",
                "ft_linked_task": None if builtin else link.task,
                f"ft_method_{link.pretrained is not None}": link.method,
                "ft_budget": next(k for k, v in FINETUNE_BUDGETS.items() if v == link.label_budget),
                "ft_steps": link.steps,
                f"ft_lr_{link.method}": link.lr,
                "ft_seed": link.seed,
                "ft_rank": link.lora_rank,
                "ft_arch": link.scratch_objective,
                **({"ft_task": link.task} if builtin else {}),
            }
        )
    return link
