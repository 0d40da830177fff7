"""Corpus & tokens: pick the text the models learn from, and see how a tokenizer cuts it into tokens."""

import pandas as pd
import streamlit as st

import i18n
import ui
from i18n import t
from selfsup_core import corpus
from selfsup_core.preview import tokenized, tokens_per_word

SOURCES = ["builtin", "upload", "paste"]
TOKENIZERS = ["char", "word", "wordpiece"]

st.title(t("corpus.title"))
st.caption(t("corpus.caption"))
cfg = ui.config()
builtin = cfg.corpus in corpus.builtin_names()
st.session_state.setdefault("corpus_source", "builtin" if builtin else "upload")
st.session_state.setdefault("corpus_builtin", cfg.corpus if builtin else corpus.builtin_names()[0])

source = st.radio(t("corpus.source"), SOURCES, horizontal=True, key="corpus_source",
                  format_func=i18n.labels("corpus.source."))  # fmt: skip
if source == "builtin":
    name = st.selectbox(t("corpus.builtin"), corpus.builtin_names(), key="corpus_builtin")
    if name != cfg.corpus:
        cfg = ui.update_config(corpus=name, text_column=None)
else:
    if source == "upload":
        upload = st.file_uploader(t("corpus.upload"), type=["txt", "csv", "jsonl"], key="corpus_upload")
        data, filename = (upload.getvalue(), upload.name) if upload else (None, None)
    else:
        text = st.text_area(t("corpus.paste"), height=180, key="corpus_paste")
        data, filename = (text.encode("utf-8"), "pasted.txt") if text.strip() else (None, None)
    if data is not None:
        try:
            columns = corpus.list_columns(data, filename)
            column = None
            if columns:
                column = st.selectbox(t("corpus.column"), [None, *columns], key="corpus_column",
                                      format_func=lambda c: c or t("corpus.column_auto"))  # fmt: skip
            path = ui.use_upload(data, filename, column)
            st.session_state.setdefault("upload_names", {})[path] = filename  # the saved file is named by its content
            if path != cfg.corpus:
                cfg = ui.update_config(corpus=path, text_column="text")
            st.success(t("corpus.ready"), icon="✅")
        except corpus.CorpusError as e:
            ui.error(e)

current, cfg = ui.current_corpus(), ui.config()
if current.name in corpus.builtin_names():
    st.subheader(t("corpus.using", name=current.name))
    st.write(t(f"corpus.about.{current.name}"))
else:
    name = st.session_state.get("upload_names", {}).get(cfg.corpus, t("corpus.uploaded"))
    st.subheader(t("corpus.using_yours", name=name))
    st.caption(t("corpus.saved_as", path=cfg.corpus))
stats = current.stats()
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
    ],  # fmt: skip
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
kind = st.radio(t("corpus.tokenizer"), TOKENIZERS, horizontal=True, key="corpus_tokenizer",
                format_func=i18n.labels("corpus.kind."))  # fmt: skip
st.caption(t("corpus.try_unseen", explanation=t(f"corpus.explain.{kind}")))
if kind != cfg.tokenizer:
    cfg = ui.update_config(tokenizer=kind)
tok = ui.tokenizer(cfg.corpus, kind, cfg.text_column, cfg.vocab_size)
sentence = st.text_input(t("corpus.sentence"), samples[0], key=f"corpus_sentence-{cfg.corpus}")
views = tokenized(tok, sentence)
c1, c2, c3 = st.columns(3)
c1.metric(t("corpus.vocab"), f"{len(tok):,}", help=t("corpus.vocab_help"))
c2.metric(t("corpus.tokens_for", n=sum(v.is_word_start for v in views)), len(views))
c3.metric(t("corpus.per_word"), f"{tokens_per_word(tok, samples):.2f}")
ui.token_views(views)
