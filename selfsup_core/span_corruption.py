"""T5's span corruption (Raffel et al. 2020): drop spans of the text, ask for them back.

    text:     the capital of norland is oslo and its flag is red [SEP]
    encoder:  the capital of <extra_id_0> is oslo and its flag <extra_id_1> [SEP]
    decoder:  <extra_id_0> norland <extra_id_1> is red [SEP]

`NOISE_DENSITY` (15%) of the content tokens are dropped, in spans of `MEAN_SPAN` (3) tokens on average; each
span becomes one sentinel in the encoder's input, and the decoder writes every span after its sentinel,
then the end-of-text [SEP] (T5's </s>). This follows Hugging Face's T5 pretraining script
(`run_t5_mlm_flax.py`): for a row of n content tokens, round(0.15 n) noise tokens (at least one) in
round(noise / 3) spans (at least one); the noise and the kept tokens are each cut into that many
non-empty runs uniformly at random and the runs alternate, kept first.

Per row, not per document: T5 corrupts its packed 512-token inputs as one stream, and so does this. Our
documents are one or two short sentences, and a document-by-document draw would round most of them to a
single noise token in a single span (mean span ~1, not 3). The row's [SEP]s are never dropped, so a span
never crosses from one document into the next (one that would is cut in two, each part with its own
sentinel), and the encoder still reads each document alone (`objectives.documents`).
"""

from __future__ import annotations

import torch

from .masking import IGNORE_INDEX
from .tokenization import NUM_SENTINELS, PAD_ID, SEP_ID

NOISE_DENSITY = 0.15  # share of the content tokens dropped (T5)
MEAN_SPAN = 3.0  # mean length of a dropped span, in tokens (T5)


def _runs(n: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """Lengths of k non-empty runs that add up to n, every such split equally likely: (k,)."""
    cuts = torch.randperm(n - 1, generator=generator)[: k - 1].sort().values + 1
    return torch.cat([torch.tensor([0]), cuts, torch.tensor([n])]).diff()


def noise_mask(n: int, generator: torch.Generator) -> torch.Tensor:
    """Which of n content tokens are dropped: (n,) bool, `NOISE_DENSITY` of them in spans of `MEAN_SPAN` on
    average, the first token always kept (as T5's `random_spans_noise_mask`)."""
    if n < 2:
        return torch.zeros(n, dtype=torch.bool)
    noise = min(max(round(n * NOISE_DENSITY), 1), n - 1)
    spans = min(max(round(noise / MEAN_SPAN), 1), n - noise)
    lengths = torch.stack([_runs(n - noise, spans, generator), _runs(noise, spans, generator)], 1).flatten()
    return torch.arange(2 * spans).remainder(2).bool().repeat_interleave(lengths)  # kept, noise, kept, noise ...


def corrupt_spans(
    input_ids: torch.Tensor, targets: torch.Tensor, special_mask: torch.Tensor, sentinel: int, generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(encoder input (B, Le), decoder targets (B, Lt)) of packed rows: spans dropped, each replaced by its
    sentinel in the input; the targets the spans after their sentinels, then [SEP]. Both right-padded, the
    input with [PAD], the targets with IGNORE_INDEX, to the longest row.

    input_ids, targets, special_mask: (B, L), [CLS]-free rows (`doc [SEP] doc [SEP] [PAD]...`); the dropped
    tokens are read from `targets` (the clean text where an augmentation corrupted the input).
    sentinel: the id of <extra_id_0>; span k of a row becomes sentinel + k.
    """
    inputs, outputs = [], []
    for ids, clean, special in zip(input_ids, targets, special_mask, strict=True):
        content = (~special).nonzero()[:, 0]  # (n,) positions of the words
        noise = torch.zeros_like(special)  # (L,)
        noise[content] = noise_mask(len(content), generator)
        starts = noise & ~torch.cat([noise.new_zeros(1), noise[:-1]])  # (L,) a span begins here
        span = starts.cumsum(0) - 1  # (L,) the span of each noise position
        noise &= span < NUM_SENTINELS  # never more spans than sentinels (a row of over ~600 tokens)
        starts &= noise
        keep = (~noise | starts) & (ids != PAD_ID)
        inputs.append(torch.where(starts, sentinel + span, ids)[keep])
        dropped, first = clean[noise], starts[noise]  # (m,) the spans' tokens; does each open a span?
        at = torch.arange(len(dropped)) + first.cumsum(0)  # where each lands, after the sentinels before it
        out = torch.full((len(dropped) + int(first.sum()) + 1,), SEP_ID)  # ... [SEP]
        out[at] = dropped
        out[at[first] - 1] = sentinel + span[noise][first]
        outputs.append(out)
    return _pad(inputs, PAD_ID), _pad(outputs, IGNORE_INDEX)


def _pad(rows: list[torch.Tensor], value: int) -> torch.Tensor:
    return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=value)
