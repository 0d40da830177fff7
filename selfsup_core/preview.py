"""What the model would see: each objective's exercise (and augmentation) applied to example sentences, token by
token.

Backs the Masking Lab page: `preview` annotates every token with its `Fate` (deleted tokens are shown where
they were) and whether the loss is computed on it (`target`), for every objective with the same fates: MLM's
masked tokens; AR reads the text as it is and predicts every next token; ELECTRA's replaced tokens (random ones
here: a preview has no trained generator) and a target at every token; T5's dropped spans as sentinels, whose
decoder writes `decoder_targets`. `realised_rates` measures on a real training batch how often each fate
happened, to compare with the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerFast

from .augment import augment
from .config import AugmentConfig, MaskingConfig
from .data import CLS_ID, PAD_ID, SEP_ID, pack
from .masking import Fate, mask_tokens
from .span_corruption import noise_mask
from .tokenization import SENTINELS, encode, token_texts

END_OF_TEXT = "[SEP]"  # what T5's decoder writes last (its </s>)


@dataclass
class TokenView:
    """One displayed token."""

    text: str  # what the token the model reads stands for (" cat", "\n"; see tokenization.token_texts) ("[MASK]", a random token, ...); for DELETED, the removed token
    fate: Fate
    original: str | None  # the clean token the model is asked for here, when corrupted or predicted; else None
    is_word_start: bool  # the displayed token begins a word; False for a continuation ("ing" of "play|ing")
    target: bool = False  # the loss is computed on this token (MLM: the chosen ones; AR, ELECTRA: every one)
    span: tuple[TokenView, ...] = ()  # a T5 sentinel: the dropped tokens it stands for, which the decoder writes


def preview(
    tokenizer: PreTrainedTokenizerFast,
    sentences: Sequence[str],
    objective: str,
    masking: MaskingConfig,
    augment_cfg: AugmentConfig,
    seed: int,
    seq_len: int = 64,
) -> list[list[TokenView]]:
    """One list of `TokenView` per sentence ([CLS]/[SEP] omitted), each sentence in its own row.

    Augmentation first, then the objective's exercise: "mlm" masks as `masking` says; "ar" reads the text as it
    is (every token a target); "electra" replaces the tokens `masking` chooses with random ones (Fate.RANDOM:
    without a trained generator there is nothing better to sample from) and asks about every token; "t5" drops
    spans as span_corruption.py does, each shown as one sentinel (Fate.MASKED) holding its tokens (`span`).
    Long sentences are cut to seq_len - 2 tokens. The same seed gives the same view.
    """
    ids, starts = encode(tokenizer, sentences)
    batch = len(ids)
    input_ids = torch.full((batch, seq_len), PAD_ID, dtype=torch.long)  # (N, L)
    word_starts = torch.zeros(batch, seq_len, dtype=torch.bool)  # (N, L)
    for r, (row, row_starts) in enumerate(zip(ids, starts, strict=True)):
        row, row_starts = row[: seq_len - 2], row_starts[: seq_len - 2]
        input_ids[r, : len(row) + 2] = torch.tensor([CLS_ID, *row, SEP_ID])
        word_starts[r, 1 : len(row) + 1] = torch.tensor(row_starts, dtype=torch.bool)
    special_mask = (input_ids == PAD_ID) | (input_ids == CLS_ID) | (input_ids == SEP_ID)  # (N, L)

    vocab_size = len(tokenizer)
    generator = torch.Generator().manual_seed(seed)
    aug = augment(input_ids, special_mask, word_starts, augment_cfg, vocab_size, generator)
    shown, fates = aug.input_ids, aug.fates  # (N, L) each
    if objective in ("mlm", "electra"):
        if objective == "electra":  # every chosen token replaced by a sample: here a random token
            masking = MaskingConfig(**{**masking.__dict__, "mask_replace_prob": 0.0, "random_replace_prob": 1.0})
        m = mask_tokens(aug.input_ids, aug.special_mask, aug.word_starts, masking, vocab_size, generator)
        shown = m.input_ids
        fates = torch.where(m.fates != Fate.UNTOUCHED, m.fates, fates)  # masking is what the model sees last
    noise = torch.zeros_like(aug.special_mask)  # (N, L) T5: the dropped tokens
    if objective == "t5":
        for r in range(batch):
            content = (~aug.special_mask[r]).nonzero()[:, 0]
            noise[r, content] = noise_mask(len(content), generator)
    every = objective in ("ar", "electra")  # a target at every token

    views = []
    for r in range(batch):
        source = aug.source_index[r].tolist()
        # Deleted tokens are shown right after the surviving token that preceded them.
        deleted_after: dict[int, list[int]] = {}
        kept, last = set(source), 0
        for pos in range(seq_len):
            if pos not in kept and not special_mask[r, pos]:
                deleted_after.setdefault(last, []).append(pos)
            elif pos in kept:
                last = pos
        row: list[TokenView] = []
        for pos, src in enumerate(source):
            if not aug.special_mask[r, pos]:
                fate = Fate(int(fates[r, pos]))
                original = None if fate == Fate.UNTOUCHED else token_texts(tokenizer, [int(aug.targets[r, pos])])[0]
                text = token_texts(tokenizer, [int(shown[r, pos])])[0]
                # a shuffled token keeps its own word-start flag; anything else takes the position's
                start = word_starts[r, src] if fate == Fate.SHUFFLED else aug.word_starts[r, pos]
                target = every or fate in (Fate.MASKED, Fate.RANDOM, Fate.KEPT)
                view = TokenView(text, fate, original, bool(start), target)
                if noise[r, pos]:  # T5: the first token of a span opens a sentinel, the others join it
                    if not (pos and noise[r, pos - 1]):
                        row.append(TokenView(SENTINELS[sum(v.span != () for v in row)], Fate.MASKED, None, True, True))
                    sentinel = row[-1]
                    sentinel.span += (TokenView(text, Fate.UNTOUCHED, None, bool(start), True),)
                    sentinel.original = "".join((" " if v.is_word_start else "") + v.text for v in sentinel.span)
                else:
                    row.append(view)
            for d in deleted_after.get(src, []):
                text = token_texts(tokenizer, [int(input_ids[r, d])])[0]
                row.append(TokenView(text, Fate.DELETED, None, bool(word_starts[r, d])))
        views.append(row)
    return views


def decoder_targets(row: Sequence[TokenView]) -> list[TokenView]:
    """What T5's decoder writes for one `preview` row: each sentinel followed by the tokens it stands for, then the
    end of the text; every one a target."""
    out = [token for v in row if v.span for token in (TokenView(v.text, Fate.MASKED, None, True, True), *v.span)]
    return [*out, TokenView(END_OF_TEXT, Fate.UNTOUCHED, None, True, True)]


def realised_rates(
    tokenizer: PreTrainedTokenizerFast,
    texts: Sequence[str],
    masking: MaskingConfig,
    augment_cfg: AugmentConfig,
    seed: int,
    seq_len: int = 64,
    batch_size: int = 32,
) -> dict[str, float]:
    """Share of non-special tokens with each fate on one packed batch of `texts` (augment, then mask).

    Keys: masked, random, kept, predicted (their sum), noised, shuffled (shares of the augmented
    batch's tokens; a token both shuffled and noised counts as noised) and deleted (share of the
    original tokens).
    """
    packed = pack(tokenizer, texts, seq_len)
    rows = packed.rows(torch.arange(min(batch_size, len(packed))))
    vocab_size = len(tokenizer)
    generator = torch.Generator().manual_seed(seed)
    aug = augment(rows.input_ids, rows.special_mask, rows.word_starts, augment_cfg, vocab_size, generator)
    m = mask_tokens(aug.input_ids, aug.special_mask, aug.word_starts, masking, vocab_size, generator)
    content = ~aug.special_mask  # (B, L)
    n = max(int(content.sum()), 1)

    def share(fates: torch.Tensor, fate: Fate) -> float:
        return int(((fates == fate) & content).sum()) / n

    rates = {"masked": share(m.fates, Fate.MASKED), "random": share(m.fates, Fate.RANDOM)}
    rates["kept"] = share(m.fates, Fate.KEPT)
    rates["predicted"] = rates["masked"] + rates["random"] + rates["kept"]
    rates["noised"] = share(aug.fates, Fate.NOISED)
    rates["shuffled"] = share(aug.fates, Fate.SHUFFLED)
    rates["deleted"] = 1 - int(content.sum()) / max(int((~rows.special_mask).sum()), 1)
    return rates


def tokenized(tokenizer: PreTrainedTokenizerFast, text: str, max_tokens: int = 200) -> list[TokenView]:
    """The tokens of `text` as the model reads them (no special tokens, at most `max_tokens`), all UNTOUCHED."""
    (ids,), (starts,) = encode(tokenizer, [text])
    pieces = token_texts(tokenizer, ids[:max_tokens])
    return [TokenView(p, Fate.UNTOUCHED, None, s) for p, s in zip(pieces, starts, strict=False)]


def tokens_per_word(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> float:
    """Mean number of tokens per word over `texts` (a "word" as the tokenizer's pre-tokeniser splits it)."""
    ids, starts = encode(tokenizer, texts)
    words = sum(sum(row) for row in starts)
    return sum(len(row) for row in ids) / max(words, 1)


def expected_rates(objective: str, masking: MaskingConfig, augment_cfg: AugmentConfig) -> dict[str, float]:
    """What the settings ask for, with the keys of `realised_rates`, for a setting-vs-realised chart.

    MLM: predicted (= rate) and its masked / random / kept split; AR predicts every next token and
    hides nothing, so it has no masking keys. Then each active augmentation: noised, deleted and
    shuffled (about `shuffle` of the tokens: a window is a few tokens, all moved together).
    """
    rates: dict[str, float] = {}
    if objective == "mlm":
        keep = max(0.0, 1.0 - masking.mask_replace_prob - masking.random_replace_prob)
        rates["predicted"] = masking.rate
        rates["masked"] = masking.rate * masking.mask_replace_prob
        rates["random"] = masking.rate * masking.random_replace_prob
        rates["kept"] = masking.rate * keep
    for key, value in (
        ("noised", augment_cfg.noise),
        ("deleted", augment_cfg.delete),
        ("shuffled", augment_cfg.shuffle),
    ):
        if value:
            rates[key] = value
    return rates
