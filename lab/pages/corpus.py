"""Corpus & tokens: pick the text the models learn from, and see how a tokenizer cuts it into tokens."""

import pandas as pd
import streamlit as st

from lab import i18n, measures, ownership, resources, url_state, widgets
from lab.i18n import t
from selfsup_core import config, corpus
from selfsup_core.config import TOKENIZER_KINDS, TrainConfig
from selfsup_core.preview import tokenized, tokens_per_word

SOURCES = ["builtin", "upload", "paste"]


def set_tokenizer(kind: str, auto: bool) -> TrainConfig:
    """Before the tokenizer radio is drawn: use the `kind` tokenizer, in the shared settings and the radio;
    `auto`: chosen for the student (their own text's default), so a built-in world gets its own back."""
    st.session_state["corpus_tokenizer"] = kind  # the radio is drawn further down this run
    st.session_state["corpus_tokenizer_auto"] = auto
    return url_state.update_config(tokenizer=kind)


st.title(t("corpus.title"))
st.caption(t("corpus.caption"))
cfg = url_state.config()
builtin = cfg.corpus in corpus.builtin_names()
st.session_state.setdefault("corpus_source", "builtin" if builtin else "upload")
st.session_state.setdefault("corpus_builtin", cfg.corpus if builtin else corpus.builtin_names()[0])

source = st.radio(
    t("corpus.source"), SOURCES, horizontal=True, key="corpus_source", format_func=i18n.labels("corpus.source.")
)
if source == "builtin":
    name = st.selectbox(t("corpus.builtin"), corpus.builtin_names(), key="corpus_builtin")
    if name != cfg.corpus:
        if st.session_state.get("corpus_tokenizer_auto") and cfg.tokenizer == config.default_tokenizer(cfg.corpus):
            cfg = set_tokenizer(config.default_tokenizer(name), auto=False)  # the world's own default again
        cfg = url_state.update_config(corpus=name, text_column=None)
else:
    if source == "upload":
        # no type= filter: Streamlit would refuse another file in a hover on its chip only; the core says why here
        upload = st.file_uploader(t("corpus.upload"), key="corpus_upload")
        data, filename = (upload.getvalue(), upload.name) if upload else (None, None)
    else:
        text = st.text_area(t("corpus.paste"), height=180, key="corpus_paste")
        data, filename = (text.encode("utf-8"), "pasted.txt") if text.strip() else (None, None)
    if data is not None:
        try:
            columns = corpus.list_columns(data, filename)
            column = None
            if columns:
                column = st.selectbox(
                    t("corpus.column"),
                    [None, *columns],
                    key="corpus_column",
                    format_func=lambda c: c or t("corpus.column_auto"),
                )
            path, unit, n = resources.use_upload(data, filename, column)
            st.session_state.setdefault("upload_names", {})[path] = filename  # the saved file is named by its content
            st.session_state.setdefault("upload_units", {})[path] = unit  # saved as a table: the split is known here
            if path != cfg.corpus:
                if cfg.tokenizer == config.default_tokenizer(cfg.corpus):  # not chosen by the student: text's default
                    cfg = set_tokenizer(config.default_tokenizer(path), auto=True)
                cfg = url_state.update_config(corpus=path, text_column="text")
            st.success(t("corpus.ready"), icon=":material/check_circle:")
            if st.session_state.get("corpus_tokenizer_auto") and cfg.tokenizer == "bpe":
                st.caption(t("corpus.bpe_default"))
        except corpus.CorpusError as e:
            widgets.error(e)
            st.caption(t("corpus.not_used"))

current, cfg = url_state.current_corpus(), url_state.config()
if current.name in corpus.builtin_names():
    st.subheader(t("corpus.using", name=current.name))
    st.write(t(f"corpus.about.{current.name}"))
else:
    name = st.session_state.get("upload_names", {}).get(cfg.corpus, t("corpus.uploaded"))
    st.subheader(t("corpus.using_yours", name=name))
    st.caption(t("corpus.saved_as", path=ownership.shown_path(cfg.corpus)))
stats = current.stats()
unit = st.session_state.get("upload_units", {}).get(cfg.corpus, current.unit)
st.markdown(t(f"corpus.split.{unit}", n=f"{stats['documents']:,}"))
size = stats["bytes"] / 2**20
# Chinese has no spaces between words: the core counts characters instead
units = ("chars_no_space", "distinct_chars") if current.language == "zh" else ("words", "distinct_words")
for col, label, value in zip(
    st.columns(5),
    ["documents", "characters", "size", *units],
    [
        stats["documents"],
        stats["characters"],
        f"{size:.2f} MB" if size >= 0.1 else f"{stats['bytes'] / 1024:.1f} kB",
        stats["words"],
        stats["distinct_words"],
    ],
    strict=True,
):
    col.metric(t(f"corpus.{label}"), f"{value:,}" if isinstance(value, int) else value)

samples = corpus.sample_documents(current, 6, max_chars=160)
st.markdown(t("corpus.samples"))
st.dataframe(pd.DataFrame({t("corpus.col.text"): samples}), hide_index=True, width="stretch")
if current.probes:
    st.markdown(t("corpus.probes"))
    columns = [t("corpus.col.question"), t("corpus.col.answer"), t("corpus.col.needs_right")]
    probes = pd.DataFrame([(p.text, p.answer, p.needs_right_context) for p in current.probes], columns=columns)
    st.dataframe(probes, hide_index=True, width="stretch", height=260)

st.subheader(t("corpus.tokens"))
st.session_state.setdefault("corpus_tokenizer", cfg.tokenizer)
st.session_state.setdefault("corpus_lowercase", cfg.lowercase)
kind = st.radio(
    t("corpus.tokenizer"),
    TOKENIZER_KINDS,
    horizontal=True,
    key="corpus_tokenizer",
    format_func=i18n.labels("corpus.kind."),
)
st.caption(t("corpus.try_unseen", explanation=t(f"corpus.explain.{kind}")))
lowercase = st.toggle(t("corpus.lowercase"), key="corpus_lowercase", help=t("corpus.lowercase_help"))
if kind != cfg.tokenizer:  # the student's own choice: kept when they switch texts
    st.session_state["corpus_tokenizer_auto"] = False
    cfg = url_state.update_config(tokenizer=kind)
if lowercase != cfg.lowercase:
    cfg = url_state.update_config(lowercase=lowercase)
tok = resources.tokenizer(cfg.corpus, kind, cfg.text_column, cfg.vocab_size, cfg.lowercase)
# a paragraph keeps its line breaks, so the first sample is edited in a box that can hold them
sentence = st.text_area(t("corpus.sentence"), samples[0], key=f"corpus_sentence-{cfg.corpus}", height=130)
views = tokenized(tok, sentence)
padding = measures.padding_share(
    cfg.corpus, cfg.text_column, kind, cfg.vocab_size, cfg.lowercase, cfg.seq_len, cfg.objective
)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("corpus.vocab"), f"{len(tok):,}", help=t("corpus.vocab_help"))
c2.metric(t("corpus.tokens_for", n=sum(v.is_word_start for v in views)), len(views))
c3.metric(t("corpus.per_word"), f"{tokens_per_word(tok, samples):.2f}")
c4.metric(t("corpus.padding"), f"{padding:.1%}", help=t("corpus.padding_help", seq_len=cfg.seq_len))
widgets.token_views(views)
