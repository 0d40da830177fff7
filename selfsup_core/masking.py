"""Masked-language-model corruption: choose the tokens to predict, then hide them.

`mask_tokens` follows `transformers.DataCollatorForLanguageModeling.torch_mask_tokens` (labels are
-100 where nothing is predicted; special tokens are never chosen) and goes further:

- three ways to choose what to predict (`MaskingConfig.strategy`):
  "token"      each token on its own with probability `rate` (BERT, exactly as Hugging Face does it);
  "whole-word" each word with probability `rate`, all of its sub-word tokens together, so the model
               cannot fill in "play ##[MASK]" from the visible half of the word;
  "span"       runs of whole words, SpanBERT-style, so the model must rebuild whole phrases;
- random replacements are drawn from the ordinary vocabulary only (never [PAD], [CLS], ...);
- a per-token record (`Fate`) of what happened, for the Masking Lab's token inspector.

Why 80/10/10: at fine-tuning and probing time the input has no [MASK] tokens. If the chosen tokens
were always [MASK], the model could learn that only [MASK] positions need a good representation.
Replacing some with a random token and leaving some unchanged forces it to keep a useful
representation of every token, and to doubt tokens that do not fit.

Every strategy predicts `rate` of the non-special tokens in expectation: words and spans are chosen
independently of how many tokens they have, so the share of tokens equals the share of words.
All randomness comes from the `generator` argument, so a seed fixes the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import torch

from .config import MaskingConfig
from .tokenization import MASK_ID, NUM_SPECIAL

IGNORE_INDEX = -100  # label of positions without a prediction (PyTorch cross-entropy ignores it)


class Fate(IntEnum):
    """What happened to one token; one record shared by masking and augmentation."""

    UNTOUCHED = 0
    MASKED = 1
    RANDOM = 2
    KEPT = 3
    NOISED = 4
    SHUFFLED = 5
    DELETED = 6


FATE_EXPLANATIONS: dict[Fate, str] = {
    Fate.UNTOUCHED: "untouched: the model sees this token and is not asked about it.",
    Fate.MASKED: "masked: replaced by [MASK]; the model must predict the hidden token.",
    Fate.RANDOM: "random: replaced by a random token; the model must spot it and predict the real one.",
    Fate.KEPT: "kept: left as it is, but the model must still predict it (it cannot trust what it sees).",
    Fate.NOISED: "noised: swapped for a random token like a typo; the target is still the clean token.",
    Fate.SHUFFLED: "shuffled: its small window of tokens was put in a random order; the target is the clean order.",
    Fate.DELETED: "deleted: removed from the text; the tokens after it moved left.",
}


@dataclass
class MaskedBatch:
    """The input the model sees, what it must predict, and what happened to each token. All (B, L)."""

    input_ids: torch.Tensor  # long: corrupted input
    labels: torch.Tensor  # long: the clean token where predicted, IGNORE_INDEX (-100) elsewhere
    fates: torch.Tensor  # int8: a `Fate` per token (UNTOUCHED / MASKED / RANDOM / KEPT)


def mask_tokens(
    input_ids: torch.Tensor,
    special_mask: torch.Tensor,
    word_starts: torch.Tensor,
    cfg: MaskingConfig,
    vocab_size: int,
    generator: torch.Generator,
    targets: torch.Tensor | None = None,
) -> MaskedBatch:
    """Choose tokens to predict (per `cfg.strategy`) and corrupt them 80/10/10 (per cfg); inputs are not modified.

    input_ids, special_mask, word_starts: (B, L) packed rows as made by `data.pack`.
    vocab_size: random replacements are drawn uniformly from [NUM_SPECIAL, vocab_size).
    generator: the source of all randomness (on the same device as input_ids).
    targets: the clean ids to use as labels (default input_ids); pass `augment`'s targets when the
        input is already noised or shuffled, so the model is asked for the clean text.
    """
    if vocab_size <= NUM_SPECIAL:
        raise ValueError(f"vocab_size must be above the {NUM_SPECIAL} special tokens, got {vocab_size}.")
    batch, length = input_ids.shape
    device = input_ids.device
    content = ~special_mask  # (B, L)

    # 1. Which tokens are predicted, and the unit (token, word or span) each belongs to. A unit is
    #    chosen as a whole and gets one [MASK]/random/kept decision: a half-hidden "play ##[MASK]"
    #    would give the word away, which is what whole-word masking exists to prevent (SpanBERT also
    #    decides per span; Google's original whole-word code decided per token).
    if cfg.strategy == "token":
        unit = torch.arange(length, device=device).expand(batch, length)  # (B, L)
        chosen = (torch.rand(batch, length, generator=generator, device=device) < cfg.rate) & content
    elif cfg.strategy == "whole-word":
        starts = effective_word_starts(special_mask, word_starts)  # (B, L)
        unit = (starts.cumsum(1) - 1).clamp(min=0)  # (B, L) word index
        word_chosen = torch.rand(batch, length, generator=generator, device=device) < cfg.rate  # (B, L) per word
        chosen = word_chosen.gather(1, unit) & content
    else:
        unit, chosen = _span_choice(special_mask, word_starts, cfg, generator)

    # 2. Of the chosen: [MASK] with mask_replace_prob, a random token with random_replace_prob, else kept.
    #    One uniform draw per unit splits it exactly in these proportions.
    u = torch.rand(batch, length, generator=generator, device=device).gather(1, unit)  # (B, L)
    masked = chosen & (u < cfg.mask_replace_prob)
    randomised = chosen & ~masked & (u < cfg.mask_replace_prob + cfg.random_replace_prob)
    kept = chosen & ~masked & ~randomised
    random_ids = torch.randint(NUM_SPECIAL, vocab_size, (batch, length), generator=generator, device=device)

    corrupted = torch.where(masked, MASK_ID, input_ids)  # (B, L)
    corrupted = torch.where(randomised, random_ids, corrupted)
    labels = torch.where(chosen, input_ids if targets is None else targets, IGNORE_INDEX)  # (B, L)
    fates = (masked * Fate.MASKED + randomised * Fate.RANDOM + kept * Fate.KEPT).to(torch.int8)  # (B, L)
    return MaskedBatch(corrupted, labels, fates)


def effective_word_starts(special_mask: torch.Tensor, word_starts: torch.Tensor) -> torch.Tensor:
    """(B, L) bool: token starts a word. A content token right after a special token also starts one,
    so a document cut mid-word by packing does not glue its first pieces to the previous document."""
    prev_special = torch.cat([torch.ones_like(special_mask[:, :1]), special_mask[:, :-1]], dim=1)  # (B, L)
    return ~special_mask & (word_starts | prev_special)


# --- span masking --------------------------------------------------------------------------------
# Each row's words (specials skipped) are walked as an alternation of unmasked gaps and masked
# spans. Span lengths are geometric, clipped at span_max, with mean span_mean (SpanBERT: p=0.2, max
# 10). Gap lengths are geometric with mean span_mean * (1 - rate) / rate, so spans cover `rate` of
# the words. Gaps are at least one word whenever that mean allows it (rate <= span_mean /
# (span_mean + 1)), so two spans never touch and every masked run is one span. The walk starts "in
# equilibrium" (inside a span with probability `rate`), so the first words of a row are masked as
# often as the others. A span that runs over a [SEP] simply continues in the next sentence; it
# becomes two units there, so each sentence's part gets its own [MASK]/random/kept decision.


def _span_choice(
    special_mask: torch.Tensor, word_starts: torch.Tensor, cfg: MaskingConfig, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Unit index (B, L) and chosen mask (B, L) for span masking."""
    batch, length = special_mask.shape
    starts = effective_word_starts(special_mask, word_starts)  # (B, L)
    word = (starts.cumsum(1) - 1).clamp(min=0)  # (B, L) word index of each token
    covered, span_id = _sample_spans(batch, length, cfg, generator, special_mask.device)  # (B, L) per word
    chosen = covered.gather(1, word) & ~special_mask  # (B, L)
    span = span_id.gather(1, word)  # (B, L)
    prev_span = torch.cat([span[:, :1] - 1, span[:, :-1]], dim=1)  # (B, L)
    prev_special = torch.cat([torch.ones_like(special_mask[:, :1]), special_mask[:, :-1]], dim=1)  # (B, L)
    new_unit = ~special_mask & ((span != prev_span) | prev_special)  # a new span, or the same one in a new sentence
    unit = (new_unit.cumsum(1) - 1).clamp(min=0)  # (B, L)
    return unit, chosen


def _sample_spans(
    batch: int, n_words: int, cfg: MaskingConfig, generator: torch.Generator, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Covered (B, n_words) bool and span index (B, n_words) long, over word positions."""
    p = _span_geometric_p(cfg.span_mean, cfg.span_max)
    gap_mean = cfg.span_mean * (1 - cfg.rate) / cfg.rate
    min_gap = 1 if gap_mean >= 1 else 0
    q = min(1 / (1 + gap_mean - min_gap), 1 - 1e-12)  # success probability of the geometric part of a gap

    u = torch.rand(batch, n_words + 1, 2, generator=generator, dtype=torch.float64, device=device)  # (B, K+1, 2)
    # Geometric draws by inverting the distribution function: floor(log(1-u) / log(1-p)) failures.
    spans = (1 + torch.floor(torch.log1p(-u[..., 0]) / math.log1p(-p)).long()).clamp(max=cfg.span_max)  # (B, K+1)
    gaps = min_gap + torch.floor(torch.log1p(-u[..., 1]) / math.log1p(-q)).long()  # (B, K+1)
    # K+1 pairs, each at least one word long, always reach the end of the row.
    # Equilibrium start (pair 0): inside a span with probability `rate`, the rest of that span following
    # the length-biased law P(r) ~ P(span >= r), a truncated geometric; otherwise inside a gap, whose
    # rest is 1 + geometric (geometric gaps have no memory).
    head = torch.rand(batch, 2, generator=generator, dtype=torch.float64, device=device)  # (B, 2)
    in_span = head[:, 0] < cfg.rate  # (B,)
    scale = -math.expm1(cfg.span_max * math.log1p(-p))  # 1 - (1-p)^span_max
    rest = torch.ceil(torch.log1p(-head[:, 1] * scale) / math.log1p(-p)).long().clamp(1, cfg.span_max)  # (B,)
    spans[:, 0] = torch.where(in_span, rest, 0)
    gaps[:, 0] += torch.where(in_span, 0, 1 - min_gap)

    cycle = spans + gaps  # (B, K+1)
    span_start = cycle.cumsum(1) - cycle  # (B, K+1) non-decreasing, span_start[:, 0] = 0
    words = torch.arange(n_words, device=device).repeat(batch, 1)  # (B, n_words)
    span_id = torch.searchsorted(span_start, words, right=True) - 1  # (B, n_words) last span starting at or before
    covered = words < (span_start + spans).gather(1, span_id)  # (B, n_words)
    return covered, span_id


@lru_cache(maxsize=64)
def _span_geometric_p(span_mean: float, span_max: int) -> float:
    """The p of a geometric length clipped at span_max whose mean is span_mean.

    The clipped mean, sum_{k<span_max} (1-p)^k, falls from span_max (p -> 0) to 1 (p = 1): bisect.
    """
    lo, hi = 1e-9, 1 - 1e-12  # open ends keep the logarithms finite
    for _ in range(100):
        mid = (lo + hi) / 2
        mean = -math.expm1(span_max * math.log1p(-mid)) / mid
        lo, hi = (mid, hi) if mean > span_mean else (lo, mid)
    return (lo + hi) / 2
