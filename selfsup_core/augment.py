"""Augmentations: corrupt packed rows before the objective sees them, to teach robustness.

Applied in this order, each with its own probability from `AugmentConfig` (0 = off):

1. permute (per row): the [SEP]-terminated sentences of the row are put in a random order; [CLS]
   stays first and padding last. Rewrites the text: the targets are the permuted text.
2. delete (per token): the token is dropped; the tokens after it move left and padding fills the
   end. Rewrites the text: there is no clean token left to align with a deleted one.
3. shuffle (per window): each sentence is cut into consecutive windows of `shuffle_window` tokens;
   a chosen window's tokens are put in a random order. Specials never move. Corrupts the input
   only: the target at each position stays the clean (unshuffled) token.
4. noise (per token): the token is replaced by a random vocabulary token. Corrupts the input only:
   the target stays the clean token.

"Targets" are what the objective predicts at each position: for AR the label of position i is
targets[i + 1] (the clean next token, read from a corrupted prefix); for MLM pass them to
`masking.mask_tokens(..., targets=...)`, so masked positions are labelled with the clean token.
Special tokens ([CLS], [SEP], [PAD]) are never noised, deleted or moved within a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from .config import AugmentConfig
from .masking import Fate, effective_word_starts
from .tokenization import CLS_ID, NUM_SPECIAL, PAD_ID, SEP_ID

EXPLANATIONS: dict[str, str] = {
    "permute": "permute: the sentences of a sequence are put in a random order; the model learns not to rely on "
    "what the previous sentence was.",
    "delete": "delete: each token is dropped with probability p and the text closes the gap; the model learns to "
    "cope with missing words.",
    "shuffle": "shuffle: small windows of neighbouring tokens are put in a random order with probability p; the "
    "model must predict the clean order, so it learns that word order is noisy.",
    "noise": "noise: each token is swapped for a random word with probability p; the model must predict the clean "
    "text, so it learns to ignore typos.",
}


@dataclass
class Augmented:
    """An augmented batch. All tensors are (B, L)."""

    input_ids: torch.Tensor  # long: what the model reads (all four corruptions applied)
    targets: torch.Tensor  # long: the clean text after permute and delete (what the objective predicts)
    special_mask: torch.Tensor  # bool: [CLS] / [SEP] / [PAD] positions (the same for input and targets)
    word_starts: torch.Tensor  # bool: word starts of the targets' text
    fates: torch.Tensor  # int8 `Fate`: NOISED / SHUFFLED / UNTOUCHED (noise wins over shuffle)
    source_index: torch.Tensor  # long: original position of each input token, -1 for padding


def augment(
    input_ids: torch.Tensor,
    special_mask: torch.Tensor,
    word_starts: torch.Tensor,
    cfg: AugmentConfig,
    vocab_size: int,
    generator: torch.Generator,
) -> Augmented:
    """Apply permute, delete, shuffle and noise (per `cfg`) to packed rows; inputs are not modified.

    input_ids, special_mask, word_starts: (B, L) packed rows as made by `data.pack` ([CLS] first,
    sentences each ended by [SEP], padding at the end). Noise draws from [NUM_SPECIAL, vocab_size).
    For robustness evaluation, call it with one strength set, e.g. `AugmentConfig(noise=0.2)`.
    """
    batch, length = input_ids.shape
    device = input_ids.device
    positions = torch.arange(length, device=device).expand(batch, length)  # (B, L)
    source = positions.masked_fill(input_ids == PAD_ID, -1)  # (B, L)
    fates = torch.zeros(batch, length, dtype=torch.int8, device=device)  # (B, L)
    if not cfg.active:
        return Augmented(input_ids, input_ids, special_mask, word_starts, fates, source)

    def rand(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=generator, device=device)

    # Text rewrites: move whole rows of tokens with one gather by `order` (new[i] = old[order[i]]).
    text, special = input_ids, special_mask
    if cfg.permute:
        order = _permute_order(text, rand(batch, 1) < cfg.permute, rand(batch, length))  # (B, L)
        text, special, source = text.gather(1, order), special.gather(1, order), source.gather(1, order)
    if cfg.delete:
        keep = ~((rand(batch, length) < cfg.delete) & ~special) & (text != PAD_ID)  # (B, L)
        order = torch.sort((~keep).to(torch.uint8), dim=1, stable=True).indices  # survivors first, in order
        gone = positions >= keep.sum(1, keepdim=True)  # (B, L) the tail becomes padding
        text = text.gather(1, order).masked_fill(gone, PAD_ID)
        special = special.gather(1, order) | gone
        source = source.gather(1, order).masked_fill(gone, -1)
    word_starts = _word_starts_after_moves(special_mask, word_starts, source, special)
    targets = text

    # Input-only corruptions: the targets above stay as they are.
    if cfg.shuffle:
        order, shuffled = _shuffle_order(special, cfg.shuffle_window, cfg.shuffle, rand)  # (B, L) each
        text, source = text.gather(1, order), source.gather(1, order)
        fates = fates.masked_fill(shuffled, Fate.SHUFFLED)
    if cfg.noise:
        noised = (rand(batch, length) < cfg.noise) & ~special  # (B, L)
        random_ids = torch.randint(NUM_SPECIAL, vocab_size, (batch, length), generator=generator, device=device)
        text = torch.where(noised, random_ids, text)
        fates = fates.masked_fill(noised, Fate.NOISED)
    return Augmented(text, targets, special, word_starts, fates, source)


def _permute_order(ids: torch.Tensor, chosen_rows: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """(B, L) gather order that shuffles the complete sentences of the chosen rows.

    Every token gets its sentence's sort key: a random one in chosen rows, the sentence's own index
    otherwise; [CLS] sorts first, and an unfinished last piece (no [SEP]) and padding sort last, so
    a stable sort moves whole sentences and keeps each one's tokens in order.
    """
    length = ids.shape[1]
    sep = ids == SEP_ID  # (B, L)
    sentence = sep.cumsum(1) - sep.long()  # (B, L) a [SEP] belongs to the sentence it ends
    complete = sentence < sep.sum(1, keepdim=True)  # (B, L)
    key = torch.where(chosen_rows, u.gather(1, sentence), sentence / length)  # (B, L) in [0, 1)
    key = torch.where(complete, key, 1.5).masked_fill(ids == CLS_ID, -1.0)
    return torch.sort(key, dim=1, stable=True).indices


def _shuffle_order(
    special: torch.Tensor, window: int, prob: float, rand: Callable[..., torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, L) gather order that shuffles chosen windows, and (B, L) bool: token is in a shuffled window.

    Windows are runs of `window` content tokens counted from each sentence's start; every special
    token is a window of its own, so it stays in place.
    """
    batch, length = special.shape
    positions = torch.arange(length, device=special.device).expand(batch, length)  # (B, L)
    prev_special = torch.cat([torch.ones_like(special[:, :1]), special[:, :-1]], dim=1)  # (B, L)
    sentence_start = (positions * (~special & prev_special)).cummax(1).values  # (B, L) first content position
    boundary = special | prev_special | ((positions - sentence_start) % window == 0)  # (B, L)
    win = boundary.cumsum(1) - 1  # (B, L) window index
    size = torch.zeros_like(win).scatter_add_(1, win, torch.ones_like(win)).gather(1, win)  # (B, L) window size
    shuffled = (rand(batch, length) < prob).gather(1, win) & ~special & (size > 1)  # (B, L)
    key = win + rand(batch, length).double() * shuffled  # (B, L) random order inside shuffled windows only
    return torch.sort(key, dim=1, stable=True).indices, shuffled


def _word_starts_after_moves(
    special_mask: torch.Tensor, word_starts: torch.Tensor, source: torch.Tensor, special: torch.Tensor
) -> torch.Tensor:
    """(B, L) bool word starts of the rewritten text: a token starts a word when the token before it
    came from another original word (or is special), e.g. the piece left after its word's start was deleted."""
    starts = effective_word_starts(special_mask, word_starts)  # (B, L) of the original rows
    word = starts.cumsum(1).gather(1, source.clamp(min=0))  # (B, L) original word of each token
    prev_word = torch.cat([word[:, :1] - 1, word[:, :-1]], dim=1)  # (B, L)
    prev_special = torch.cat([torch.ones_like(special[:, :1]), special[:, :-1]], dim=1)  # (B, L)
    return ~special & (prev_special | (word != prev_word))
