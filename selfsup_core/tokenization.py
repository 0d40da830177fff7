"""Character, word and WordPiece tokenizers, trained on the corpus in seconds.

All three are `transformers.PreTrainedTokenizerFast` objects built with the `tokenizers` library, so
they save with `save_pretrained` and load in any `transformers` pipeline. They share one design:

- the same normaliser (lower-case; every CJK character becomes its own word, as in BERT),
- the same pre-tokeniser (split on whitespace and punctuation): a "word" is what it produces, and
  `encode` reports which tokens start a word, so whole-word masking works for sub-word tokenizers,
- the same special tokens at ids 0-4: [PAD] [UNK] [CLS] [SEP] [MASK]. For AR models [CLS] doubles
  as beginning-of-text and [SEP] as end-of-text, so one tokenizer serves both objectives and a
  GPT learns to end a sentence ([PAD] stays distinct from end-of-text).

The character tokenizer is a WordPiece model whose vocabulary holds single characters only
("cat" -> c ##a ##t), which keeps word boundaries and lets decoding restore the spaces.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
NUM_SPECIAL = len(SPECIAL_TOKENS)  # ids below this are special; random replacements never use them
DEFAULT_VOCAB = {"char": 3000, "word": 6000, "wordpiece": 2000}


def _base(model: models.Model) -> Tokenizer:
    tok = Tokenizer(model)
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok


def _words(tok: Tokenizer, texts: Iterable[str]) -> Counter[str]:
    """Count the pre-tokenised words of `texts` (after normalisation)."""
    counts: Counter[str] = Counter()
    norm, pre = tok.normalizer, tok.pre_tokenizer
    for text, n in Counter(texts).items():  # corpora repeat sentences: split each distinct one once
        for w, _ in pre.pre_tokenize_str(norm.normalize_str(text)):
            counts[w] += n
    return counts


def _wrap(tok: Tokenizer, max_length: int) -> PreTrainedTokenizerFast:
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        bos_token="[CLS]",
        eos_token="[SEP]",
        model_max_length=max_length,
    )


def to_json(tokenizer: PreTrainedTokenizerFast) -> str:
    """The trained tokenizer as the `tokenizers` library's JSON (what `from_json` reads back)."""
    return tokenizer.backend_tokenizer.to_str()


def from_json(text: str, max_length: int) -> PreTrainedTokenizerFast:
    return _wrap(Tokenizer.from_str(text), max_length)


def build_tokenizer(
    kind: str, texts: Sequence[str], vocab_size: int | None = None, max_length: int = 512
) -> PreTrainedTokenizerFast:
    """Train a `kind` tokenizer ("char", "word" or "wordpiece") on `texts`.

    vocab_size caps the vocabulary including the 5 special tokens (None: `DEFAULT_VOCAB[kind]`);
    max_length is the longest sequence the model will accept (model_max_length).
    """
    if kind not in DEFAULT_VOCAB:
        raise ValueError(f"Unknown tokenizer {kind!r}; choose one of {tuple(DEFAULT_VOCAB)}.")
    vocab_size = vocab_size or DEFAULT_VOCAB[kind]
    if vocab_size < NUM_SPECIAL + 2:
        raise ValueError(f"vocab_size must be at least {NUM_SPECIAL + 2}, got {vocab_size}.")
    if kind == "wordpiece":
        tok = _base(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), min_frequency=2, show_progress=False
        )
        tok.train_from_iterator(texts, trainer=trainer)
        return _wrap(tok, max_length)
    probe = _base(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    counts = _words(probe, texts)
    if kind == "word":
        entries = [w for w, _ in counts.most_common(vocab_size - NUM_SPECIAL)]
        vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *entries])}
        return _wrap(_base(models.WordLevel(vocab, unk_token="[UNK]")), max_length)
    # char: count characters in word-initial and in continuing positions separately
    chars: Counter[str] = Counter()
    for word, n in counts.items():
        chars[word[0]] += n
        for ch in word[1:]:
            chars["##" + ch] += n
    entries = [c for c, _ in chars.most_common(vocab_size - NUM_SPECIAL)]
    vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *entries])}
    model = models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
    return _wrap(_base(model), max_length)


def cached_tokenizer(
    kind: str, texts: Sequence[str], vocab_size: int | None, max_length: int, cache_dir: Path
) -> PreTrainedTokenizerFast:
    """`build_tokenizer`, memoised on disk under `cache_dir` by (kind, vocab size, texts).

    The WordPiece trainer breaks ties between equally frequent merges in hash order, so training
    twice can give slightly different vocabularies. Reusing the saved file makes a re-run of the same
    config on the same machine identical (and its first step faster).
    """
    digest = hashlib.sha256(f"{kind}\0{vocab_size}\0".encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    path = Path(cache_dir) / f"{kind}-{digest.hexdigest()[:20]}.json"
    if path.exists():
        return from_json(path.read_text(encoding="utf-8"), max_length)
    tokenizer = build_tokenizer(kind, texts, vocab_size, max_length)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tokenizer.backend_tokenizer.save(str(tmp))
    os.replace(tmp, path)  # atomic: concurrent runs never read half a file
    return tokenizer


def encode(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> tuple[list[list[int]], list[list[bool]]]:
    """Token ids of each text (no special tokens) and, per token, whether it starts a word."""
    distinct = list(dict.fromkeys(texts))  # encode each distinct text once (templated corpora repeat a lot)
    encodings = tokenizer.backend_tokenizer.encode_batch(distinct, add_special_tokens=False)
    by_text = {}
    for text, e in zip(distinct, encodings, strict=True):
        word_ids = e.word_ids
        starts = [w != p for w, p in zip(word_ids, [None, *word_ids][:-1], strict=True)]
        by_text[text] = (e.ids, starts)
    return [by_text[t][0] for t in texts], [by_text[t][1] for t in texts]
