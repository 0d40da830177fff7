"""Tokenizers trained on the corpus in seconds: character, byte-level BPE, WordPiece and word.

All four are `transformers.PreTrainedTokenizerFast` objects built with the `tokenizers` library, so
they save with `save_pretrained` and load in any `transformers` pipeline.

- "char" and "bpe" are lossless: `decode(encode(text)) == text` for any text, with case, spaces, tabs
  and newlines kept. "char" is one token per character, with UTF-8 byte tokens (<0xE4> ...) for
  characters it never saw in training (Llama's byte fallback); "bpe" is GPT-2's byte-level BPE. Both
  split text into words the way GPT-2 does (" cat", ",", "\\n"): a word carries its leading space.
- "wordpiece" and "word" are BERT's: they split on whitespace and punctuation and decode with one
  space between words, so line breaks and spacing are not kept. Lower-casing is a choice.
- The same special tokens at ids 0-4: [PAD] [UNK] [CLS] [SEP] [MASK]. [SEP] is also end-of-text: the
  training stream puts one between documents (see data.py).
- `for_objective` sets what a saved tokenizer adds around a text: MLM and ELECTRA `[CLS] text [SEP]` (as BERT
  and the fill-mask pipeline expect), AR `[SEP] text` (the end-of-text token as beginning-of-text, GPT-2's
  convention), so `pipeline("text-generation")` continues a prompt instead of ending it, and T5 `text [SEP]`
  ([SEP] as T5's </s>), with T5's sentinels `<extra_id_0>` ... `<extra_id_99>` added at the top of the
  vocabulary (ids `len(vocab) - NUM_SENTINELS` upwards, in order), after every trained token, so the other
  objectives' vocabularies and every saved run keep their ids.

`encode` also reports which tokens start a word, for whole-word masking: a word is what the
pre-tokenizer cuts, except in Chinese, where words come from `jieba`'s segmentation (as
Chinese-BERT-wwm did), not one character each.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

if TYPE_CHECKING:  # transformers (and torch with it) only once a tokenizer is made: the app's first page needs neither
    from transformers import PreTrainedTokenizerFast

MASK_TOKEN = "[MASK]"  # the blank: what masking puts in, and what a question's text holds where its answer goes
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", MASK_TOKEN)
NUM_SPECIAL = len(SPECIAL_TOKENS)  # ids below this are special; random replacements never use them
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(NUM_SPECIAL)
# T5's span-corruption sentinels: span k of a text is replaced by <extra_id_k>. 100, as T5 has: a row of the
# longest seq_len (1024) at 15% noise in spans of 3 holds about 51 spans, so 100 is never short.
NUM_SENTINELS = 100
SENTINELS = tuple(f"<extra_id_{k}>" for k in range(NUM_SENTINELS))
KINDS = ("char", "bpe", "wordpiece", "word")
LOSSLESS = ("char", "bpe")
DEFAULT_VOCAB = {"char": 3000, "bpe": 2000, "wordpiece": 2000, "word": 6000}
BYTES = 256  # char's byte-fallback tokens and bpe's byte alphabet
# GPT-2's pre-tokenizer pattern: contractions, letters, digits, other symbols, each with one leading space
_GPT2_SPLIT = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"  # CJK ideographs, for [...] classes
CJK = re.compile(f"[{CJK_CHARS}]")  # one Chinese character (the one definition in the project)


def _special(kind: str) -> list[AddedToken]:
    """The special tokens; for bpe, [MASK] takes the space before it (as RoBERTa's <mask>), because its
    words carry their leading space: in "the [MASK] sat" the blank stands for " cat"."""
    return [AddedToken(t, special=True, lstrip=kind == "bpe" and t == "[MASK]") for t in SPECIAL_TOKENS]


def _base(model: models.Model, kind: str, lowercase: bool) -> Tokenizer:
    tok = Tokenizer(model)
    if kind in LOSSLESS:
        tok.normalizer = normalizers.Lowercase() if lowercase else None
        if kind == "bpe":
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
            tok.decoder = decoders.ByteLevel()
        else:
            tok.pre_tokenizer = pre_tokenizers.Split(Regex(_GPT2_SPLIT), behavior="isolated")
            tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
    else:
        tok.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=lowercase
        )
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece(prefix="##")
    return tok


def _pieces(tok: Tokenizer, texts: Iterable[str]) -> Counter[str]:
    """Count the pre-tokenised words of `texts` (after normalisation)."""
    counts: Counter[str] = Counter()
    norm, pre = tok.normalizer, tok.pre_tokenizer
    for text, n in Counter(texts).items():  # corpora repeat sentences: split each distinct one once
        for w, _ in pre.pre_tokenize_str(norm.normalize_str(text) if norm else text):
            counts[w] += n
    return counts


def _wrap(tok: Tokenizer, max_length: int) -> PreTrainedTokenizerFast:
    from transformers import PreTrainedTokenizerFast

    return for_objective(
        PreTrainedTokenizerFast(
            tokenizer_object=tok,
            pad_token="[PAD]",
            unk_token="[UNK]",
            cls_token="[CLS]",
            sep_token="[SEP]",
            mask_token="[MASK]",
            model_max_length=max_length,
        ),
        "mlm",
    )


def for_objective(tokenizer: PreTrainedTokenizerFast, objective: str) -> PreTrainedTokenizerFast:
    """Set what `tokenizer(text)` adds (in place, and returned): MLM and ELECTRA `[CLS] text [SEP]`; AR
    `[SEP] text`, with [SEP] as both beginning- and end-of-text (GPT-2's <|endoftext|>), so a prompt is never
    ended; T5 `text [SEP]`, and its sentinels added at the top of the vocabulary (see the module docstring)."""
    backend = tokenizer.backend_tokenizer
    if objective == "t5":
        missing = [s for s in SENTINELS if s not in tokenizer.get_vocab()]
        tokenizer.add_tokens([AddedToken(s, special=True) for s in missing], special_tokens=True)
        backend.post_processor = processors.TemplateProcessing(
            single="$A [SEP]", pair="$A [SEP] $B:1 [SEP]:1", special_tokens=[("[SEP]", SEP_ID)]
        )
        tokenizer.bos_token, tokenizer.eos_token = None, "[SEP]"
    elif objective == "ar":
        backend.post_processor = processors.TemplateProcessing(
            single="[SEP] $A", pair="[SEP] $A [SEP] $B:1", special_tokens=[("[SEP]", SEP_ID)]
        )
        tokenizer.bos_token, tokenizer.eos_token = "[SEP]", "[SEP]"
    else:
        backend.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", CLS_ID), ("[SEP]", SEP_ID)],
        )
        tokenizer.bos_token, tokenizer.eos_token = "[CLS]", "[SEP]"
    return tokenizer


def first_sentinel(vocab_size: int) -> int:
    """The id of <extra_id_0> in a T5 run's vocabulary of `vocab_size` tokens (sentinel k is this + k)."""
    return vocab_size - NUM_SENTINELS


def to_json(tokenizer: PreTrainedTokenizerFast) -> str:
    """The trained tokenizer as the `tokenizers` library's JSON (what `from_json` reads back)."""
    return tokenizer.backend_tokenizer.to_str()


def from_json(text: str, max_length: int) -> PreTrainedTokenizerFast:
    return _wrap(Tokenizer.from_str(text), max_length)


def build_tokenizer(
    kind: str,
    texts: Sequence[str],
    vocab_size: int | None = None,
    max_length: int = 512,
    lowercase: bool = False,
) -> PreTrainedTokenizerFast:
    """Train a `kind` tokenizer (one of `KINDS`) on `texts`.

    vocab_size caps the vocabulary including the 5 special tokens and, for char and bpe, the 256 byte
    tokens (None: `DEFAULT_VOCAB[kind]`); max_length is the longest sequence the model will accept.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown tokenizer {kind!r}; choose one of {KINDS}.")
    vocab_size = vocab_size or DEFAULT_VOCAB[kind]
    least = NUM_SPECIAL + (BYTES if kind in LOSSLESS else 0) + 2
    if vocab_size < least:
        raise ValueError(f"vocab_size of a {kind} tokenizer must be at least {least}, got {vocab_size}.")
    if kind == "bpe":
        tok = _base(models.BPE(unk_token=None), kind, lowercase)
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=_special(kind),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            min_frequency=2,
            show_progress=False,
        )
        tok.train_from_iterator(texts, trainer=trainer)
        return _wrap(tok, max_length)
    if kind == "wordpiece":
        tok = _base(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100), kind, lowercase)
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=_special(kind), min_frequency=2, show_progress=False
        )
        tok.train_from_iterator(texts, trainer=trainer)
        return _wrap(tok, max_length)
    counts = _pieces(_base(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"), kind, lowercase), texts)
    if kind == "word":
        entries = [w for w, _ in counts.most_common(vocab_size - NUM_SPECIAL)]
        vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *entries])}
        tok = _base(models.WordLevel(vocab, unk_token="[UNK]"), kind, lowercase)
    else:  # char: the most frequent characters, then a token per byte for any other character
        chars: Counter[str] = Counter()
        for piece, n in counts.items():
            for ch in piece:
                chars[ch] += n
        byte_tokens = [f"<0x{b:02X}>" for b in range(BYTES)]
        entries = [c for c, _ in chars.most_common(vocab_size - NUM_SPECIAL - BYTES)]
        vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *byte_tokens, *entries])}
        tok = _base(models.BPE(vocab, [], unk_token="[UNK]", byte_fallback=True), kind, lowercase)
    tok.add_special_tokens(_special(kind))
    return _wrap(tok, max_length)


def cached_tokenizer(
    kind: str,
    texts: Sequence[str],
    vocab_size: int | None,
    max_length: int,
    cache_dir: Path,
    lowercase: bool = False,
) -> PreTrainedTokenizerFast:
    """`build_tokenizer`, memoised on disk under `cache_dir` by (kind, vocab size, lower-casing, texts).

    The WordPiece and BPE trainers break ties between equally frequent merges in hash order, so training
    twice can give slightly different vocabularies. Reusing the saved file makes a re-run of the same
    config on the same machine identical (and its first step faster).
    """
    digest = hashlib.sha256(f"{kind}\0{vocab_size}\0{lowercase}\0".encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    path = Path(cache_dir) / f"{kind}-{digest.hexdigest()[:20]}.json"
    if path.exists():
        return from_json(path.read_text(encoding="utf-8"), max_length)
    tokenizer = build_tokenizer(kind, texts, vocab_size, max_length, lowercase)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tokenizer.backend_tokenizer.save(str(tmp))
    os.replace(tmp, path)  # atomic: concurrent runs never read half a file
    return tokenizer


@functools.cache
def _jieba():
    import jieba  # imported on first Chinese text only: it loads a dictionary (about a second)

    jieba.setLogLevel(logging.WARNING)
    return jieba


def chinese_word_starts(text: str) -> set[int]:
    """Character offsets where a Chinese word begins, by jieba's segmentation (empty without Chinese)."""
    if not CJK.search(text):
        return set()
    starts, at = set(), 0
    for word in _jieba().cut(text):
        starts.add(at)
        at += len(word)
    return starts


def encode(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> tuple[list[list[int]], list[list[bool]]]:
    """Token ids of each text (no special tokens) and, per token, whether it starts a word.

    A token starts a word when the pre-tokenizer began a new word there, except on a Chinese
    character, which starts a word where jieba's segmentation does. Where one character became
    several tokens (byte fallback), only the first can start a word.
    """
    distinct = list(dict.fromkeys(texts))  # encode each distinct text once (templated corpora repeat a lot)
    encodings = tokenizer.backend_tokenizer.encode_batch(distinct, add_special_tokens=False)
    by_text = {}
    for text, e in zip(distinct, encodings, strict=True):
        chinese = chinese_word_starts(text)
        starts, prev_word, prev_at = [], None, None
        for word, (at, _) in zip(e.word_ids, e.offsets, strict=True):
            if chinese and at < len(text) and CJK.match(text[at]):
                starts.append(at in chinese and at != prev_at)
            else:
                starts.append(word != prev_word)
            prev_word, prev_at = word, at
        by_text[text] = (e.ids, starts)
    return [by_text[t][0] for t in texts], [by_text[t][1] for t in texts]


def token_texts(tokenizer: PreTrainedTokenizerFast, ids: Sequence[int]) -> list[str]:
    """What each token stands for in the text: " cat" for byte-level "Ġcat", "ing" for WordPiece "##ing",
    "\\n" for a newline; special tokens by name. A lone byte of a longer character reads "�"."""
    special = set(tokenizer.all_special_ids)
    model = tokenizer.backend_tokenizer.model
    prefix = model.continuing_subword_prefix if isinstance(model, models.WordPiece) else None
    out = []
    for i in ids:
        if i in special:
            out.append(tokenizer.convert_ids_to_tokens(i))
            continue
        text = tokenizer.decode([i], clean_up_tokenization_spaces=False)  # alone, a WordPiece keeps its "##"
        out.append(text[len(prefix) :] if prefix and text.startswith(prefix) and len(text) > len(prefix) else text)
    return out
