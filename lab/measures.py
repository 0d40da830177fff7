"""Cached measurements single pages show: the padding share and realised rates (Corpus, Masking lab), a
finished run's scoreboard, comparable metrics and robustness (MLM vs AR, sweeps). Plain values in and out:
models stay in `resources`."""

from __future__ import annotations

import streamlit as st

from lab.resources import corpus, model, model_version, spinner, tokenizer
from selfsup_core import corpus as corpus_mod
from selfsup_core import verdicts
from selfsup_core.config import TrainConfig
from selfsup_core.runs import load_run

PADDING_SAMPLE = 3000  # documents packed to measure the padding share: plenty for a percentage, fast on 2 cores


@spinner("spin.padding")
@st.cache_data(max_entries=64, show_spinner=False)
def padding_share(
    spec: str, column: str | None, kind: str, vocab_size: int | None, lowercase: bool, seq_len: int, objective: str
) -> float:
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
    for an uploaded text (it has no facts) or a model that fills no blanks (ELECTRA's discriminator)."""
    from selfsup_core import experiments

    run = load_run(run_id)
    facts = corpus_mod.builtin_facts(run.config.get("corpus", ""))
    if not facts:
        return None
    m, tok, _ = model(run.model_path)
    found = experiments.facts_known(m, tok, facts)
    return {k: found[k] for k in ("asked", "known", "share")} if found else None


def run_results(run_id: str) -> dict:
    """What a finished run is compared by: `comparable_metrics` plus facts_share, facts_asked and facts (known/asked;
    None for an uploaded text or ELECTRA's discriminator),
    and its training time and steps (equal seconds are not equal steps on a busy server)."""
    stamp = finished_stamp(run_id)
    facts = facts_known(run_id, stamp)
    known = {"facts_share": facts["share"], "facts_asked": facts["asked"]} if facts else {"facts_share": None}
    return {**comparable_metrics(run_id, stamp), **known, "facts": facts}


@spinner("train.timing")
@st.cache_data(show_spinner=False, max_entries=64, ttl="5m")  # timing drifts with load
def estimate(objective: str, size: str, seq_len: int, batch_size: int, tokenizer: str, vocab: int | None) -> dict:
    """`models.estimate` of a config's shape: parameters and seconds per step, measured on this server."""
    from selfsup_core import models

    shape = dict(objective=objective, size=size, seq_len=seq_len, batch_size=batch_size, tokenizer=tokenizer)
    return models.estimate(TrainConfig(**shape, vocab_size=vocab, steps=1))


def ask(model_path, question: str, *args):
    """`probe.<question>(model, tokenizer, *args)` of a saved model (fill_mask, next_token, answer_rank, attention,
    generate), cached per (model folder, its version, question, arguments): asking again what a student asked
    before (back to an earlier sentence, another tab, a classmate's same demo question) costs a dictionary
    look-up instead of a forward pass on a core that two training runs share. The model is loaded with its
    attention weights, so one loaded model answers every question."""
    return _asked(str(model_path), model_version(model_path), question, args)


@st.cache_data(max_entries=512, show_spinner=False)
def _asked(path: str, version: float, question: str, args: tuple):
    from selfsup_core import probe

    m, tok, _ = model(path, attention=True)
    return getattr(probe, question)(m, tok, *args)


@st.cache_data(max_entries=64, show_spinner=False)
def timeline(run_id: str, finished: float | None, text: str, answer: str | None) -> list[dict]:
    """`probe.timeline` of a run's checkpoints on `text` (cached until the run finishes again)."""
    from selfsup_core import probe

    run = load_run(run_id)
    return probe.timeline(run.checkpoints(), run.model_path, text, answer=answer)


def lesson_outcome(step, ids: list[str], labels: list[str]) -> tuple[list, str | None, object | None]:
    """What a lesson step's finished runs say: (each run's value of the judge's metric, the answer they support
    (None: no verdict), and an `verdicts.Verdict` when runs compared while still guessing (too early))."""
    from selfsup_core import lessons

    def value(run_id: str) -> float | None:  # the same-blanks accuracy is measured on demand, cached
        run = load_run(run_id)
        if run.status != "completed":
            return None
        if step.judge.metric in ("blank_accuracy", "facts_share"):
            return run_results(run_id)[step.judge.metric]
        return run.summary.get(step.judge.metric)

    results = [value(i) for i in ids]
    answer, early = lessons.outcome(step, results), None
    # runs compared while still guessing: no verdict (a single run, fine-tuning or a rate is not judged so), on
    # the facts where the step asks them (T5 answers no held-out blanks), else on the same blanks
    trained = all(load_run(i).kind == "train" and load_run(i).status == "completed" for i in ids)
    if len(ids) > 1 and trained and step.judge.metric not in lessons.RATES:
        metric = "facts_share" if step.judge.metric == "facts_share" else "blank_accuracy"
        early = verdicts.judge_runs({label: [run_results(i)] for label, i in zip(labels, ids, strict=True)}, metric)
        early = early if early and early.kind == verdicts.TOO_EARLY else None
        answer = None if early else answer
    return results, answer, early
