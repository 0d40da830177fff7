"""Corpus & tokens: pick the text the models learn from, and see how a tokenizer cuts it into tokens."""

import pandas as pd
import streamlit as st

import ui
from selfsup_core import corpus
from selfsup_core.preview import tokenized, tokens_per_word

SOURCES = ["Built-in world", "Upload a file", "Paste text"]
KINDS = {"char": "Characters", "word": "Words", "wordpiece": "WordPiece"}
TOKENIZERS = {
    "char": "Characters: every letter is a token. Tiny vocabulary, long sequences.",
    "word": "Words: every distinct word is a token. Short sequences, but unseen words become [UNK].",
    "wordpiece": "WordPiece (BERT): frequent words whole, rare ones in pieces; ## marks a piece that continues a word.",
}

st.title("Corpus & tokens")
st.caption("A self-supervised model learns only from raw text: choose that text, then see the tokens it is cut into.")
cfg = ui.config()
builtin = cfg.corpus in corpus.builtin_names()
st.session_state.setdefault("corpus_source", SOURCES[0] if builtin else SOURCES[1])
st.session_state.setdefault("corpus_builtin", cfg.corpus if builtin else corpus.builtin_names()[0])

source = st.radio("Where does the text come from?", SOURCES, horizontal=True, key="corpus_source")
if source == SOURCES[0]:
    name = st.selectbox("Built-in world", corpus.builtin_names(), key="corpus_builtin")
    if name != cfg.corpus:
        cfg = ui.update_config(corpus=name, text_column=None)
else:
    if source == SOURCES[1]:
        upload = st.file_uploader("A .txt (one document per line), .csv or .jsonl file", type=["txt", "csv", "jsonl"])
        data, filename = (upload.getvalue(), upload.name) if upload else (None, None)
    else:
        text = st.text_area("Your text, one document per line (at least 2 lines and about 200 characters)", height=180)
        data, filename = (text.encode("utf-8"), "pasted.txt") if text.strip() else (None, None)
    if data is not None:
        try:
            columns = corpus.list_columns(data, filename)
            column = None
            if columns:
                column = st.selectbox(
                    "Column holding the text",
                    [None, *columns],
                    format_func=lambda c: c or "(automatic: the longest text)",
                )
            path = ui.use_upload(data, filename, column)
            st.session_state.setdefault("upload_names", {})[path] = filename  # the saved file is named by its content
            if path != cfg.corpus:
                cfg = ui.update_config(corpus=path, text_column="text")
            st.success("Your text is ready: the Masking lab and Train pages now use it.", icon="✅")
        except corpus.CorpusError as e:
            ui.error(e)

current, cfg = ui.current_corpus(), ui.config()
if current.name in corpus.builtin_names():
    st.subheader(f"Now using: {current.name}")
    st.write(current.description)
else:
    st.subheader(f"Now using: your text ({st.session_state.get('upload_names', {}).get(cfg.corpus, 'uploaded')})")
    st.caption(f"Saved for training as {cfg.corpus}")
stats = current.stats()
size = stats["bytes"] / 2**20
# Chinese has no spaces between words: the core counts characters instead
units = ("Characters w/o spaces", "Distinct characters") if current.language == "zh" else ("Words", "Distinct words")
for col, label, value in zip(
    st.columns(5),
    ["Documents", "Characters", "Size", *units],
    [
        stats["documents"],
        stats["characters"],
        f"{size:.2f} MB" if size >= 0.1 else f"{stats['bytes'] / 1024:.1f} kB",
        stats["words"],
        stats["distinct_words"],
    ],  # fmt: skip
    strict=True,
):
    col.metric(label, f"{value:,}" if isinstance(value, int) else value)

samples = corpus.sample_documents(current, 6, max_chars=160)
st.markdown("**A few documents**")
st.dataframe(pd.DataFrame({"text": samples}), hide_index=True, width="stretch")
if current.probes:
    st.markdown("**Questions with known answers**, asked of the trained models on the Probe page")
    probes = pd.DataFrame([(p.text, p.answer, p.needs_right_context) for p in current.probes],
                          columns=["question", "answer", "needs the words on the right"])  # fmt: skip
    st.dataframe(probes, hide_index=True, width="stretch", height=260)

st.subheader("Tokens: the units the model reads and predicts")
st.session_state.setdefault("corpus_tokenizer", cfg.tokenizer)
kind = st.radio("Tokenizer", list(TOKENIZERS), horizontal=True, key="corpus_tokenizer", format_func=KINDS.get)
st.caption(f"{TOKENIZERS[kind]} Type a word the corpus never uses to see what happens to it.")
if kind != cfg.tokenizer:
    cfg = ui.update_config(tokenizer=kind)
tok = ui.tokenizer(cfg.corpus, kind, cfg.text_column, cfg.vocab_size)
sentence = st.text_input("Try a sentence", samples[0], key=f"corpus_sentence-{cfg.corpus}")
views = tokenized(tok, sentence)
c1, c2, c3 = st.columns(3)
c1.metric("Vocabulary size", f"{len(tok):,}", help="Distinct tokens, including [PAD] [UNK] [CLS] [SEP] [MASK]")
c2.metric(f"Tokens for its {sum(v.is_word_start for v in views)} words", len(views))
c3.metric("Tokens per word (samples)", f"{tokens_per_word(tok, samples):.2f}")
ui.token_views(views)
