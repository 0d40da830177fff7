"""The two self-supervised objectives: how a batch is made from packed rows and what the loss is.

MLM (BERT):  L = -sum_{i in M} log p(x_i | x_without_M)   over the masked positions M only.
AR   (GPT):  L = -sum_t log p(x_t | x_<t)                  over every next token.

Both losses are computed *sparsely*: the vocabulary-sized output layer runs only on the positions
that have a target (masked tokens for MLM, non-padding for AR). For MLM at 15% that skips 85% of
the most expensive matrix multiply. MLM goes one layer further down (`bert_hidden_at`): the last
transformer layer also runs its queries, attention output and feed-forward on the masked positions
only. The loss and its gradients are exactly those of the full model; only unused work is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import BertModel, PreTrainedModel
from transformers.masking_utils import create_bidirectional_mask

from .augment import augment
from .config import AugmentConfig, MaskingConfig
from .data import Packed
from .masking import IGNORE_INDEX, mask_tokens
from .tokenization import PAD_ID, SEP_ID


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, L) what the model reads
    labels: torch.Tensor  # (B, L) MLM: target at masked positions; AR: target token at each position
    attention_mask: torch.Tensor | None = None  # (B, 1, L, L) bool, who attends to whom (see `documents`); None: all
    position_ids: torch.Tensor | None = None  # (B, L) each token's place in its own document; None: 0..L-1

    def tensors(self) -> tuple[torch.Tensor | None, ...]:
        return self.input_ids, self.labels, self.attention_mask, self.position_ids

    def _map(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> Batch:
        return Batch(*(None if t is None else fn(t) for t in self.tensors()))

    def rows(self, index: slice) -> Batch:
        return self._map(lambda t: t[index])

    def shard(self, rank: int, world_size: int) -> Batch:
        """This process's share of a global batch (every world_size-th row, from row `rank`)."""
        return self if world_size == 1 else self.rows(slice(rank, None, world_size))

    def split(self, parts: int) -> list[Batch]:
        """Equal micro-batches, for gradient accumulation."""
        n = self.input_ids.shape[0] // parts
        return [self.rows(slice(i * n, (i + 1) * n)) for i in range(parts)]

    def to(self, device: torch.device) -> Batch:
        return self._map(lambda t: t.to(device, non_blocking=True))


def make_batch(
    objective: str,
    rows: Packed,
    masking: MaskingConfig,
    aug: AugmentConfig,
    vocab_size: int,
    generator: torch.Generator,
) -> Batch:
    """Corrupt `rows` (augmentations, then MLM masking) and attach the clean targets."""
    input_ids, special, starts, clean = rows.input_ids, rows.special_mask, rows.word_starts, rows.input_ids
    if aug.active:
        a = augment(input_ids, special, starts, aug, vocab_size, generator)
        input_ids, special, starts, clean = a.input_ids, a.special_mask, a.word_starts, a.targets
    if objective == "mlm":
        m = mask_tokens(input_ids, special, starts, masking, vocab_size, generator)
        # predict the clean token, not the noised one
        labels = torch.where(m.labels != IGNORE_INDEX, clean, IGNORE_INDEX)
        return Batch(m.input_ids, labels, *documents(input_ids, causal=False))
    labels = torch.where(clean != PAD_ID, clean, IGNORE_INDEX)
    return Batch(input_ids, labels, *documents(input_ids, causal=True))


def documents(input_ids: torch.Tensor, causal: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(attention mask (B, 1, L, L) bool, position ids (B, L)): each document of a packed row read as if alone.

    A packed row holds several documents at arbitrary offsets. Read as one text, the words that decide a
    blank (the country in "the capital of norland is [MASK] .") are diluted among four other sentences'
    words, at a different place every time, and a mini model spends the class minute learning the templates
    before it finds them. So each position attends only to its own document (AR: and not ahead) and counts
    its place from the document's start, as packed pretraining does (Llama 3's document mask) and as a
    probe shows the model a text: alone, from the start. Measured on world-en (a two-layer mini MLM, 600 steps,
    mask rate 0.4, lr 4e-3): facts known 21% reading whole rows, 29% with the mask alone, 84-86% with the
    positions too (bench/RESULTS.md, "Facts in a class minute").

    Documents are cut at [SEP]. MLM rows are `[CLS] doc [SEP] doc [SEP] [PAD]...`: a [SEP] closes its
    document, later ones count from 1 as if after a [CLS], and the [PAD]s form one of their own. The AR
    stream is `[SEP] doc [SEP] doc`: a [SEP] opens the next document at place 0, as a prompt starts from it.
    """
    sep = input_ids == SEP_ID  # (B, L)
    doc = sep.long().cumsum(1) - (0 if causal else sep.long())  # (B, L): document index of each position
    mask = doc[:, :, None] == doc[:, None, :]  # (B, L, L): query, key
    if causal:
        mask &= torch.ones(mask.shape[1:], dtype=torch.bool, device=mask.device).tril()
    place = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
    new = torch.ones_like(sep)
    new[:, 1:] = doc[:, 1:] != doc[:, :-1]  # (B, L): a document starts here
    start = torch.cummax(torch.where(new, place, 0), dim=1).values  # (B, L): where this one started
    positions = place - start + (0 if causal else (doc > 0).long())  # MLM: after the first, as if after [CLS]
    return mask[:, None], positions


def loss_and_hits(model: PreTrainedModel, batch: Batch, objective: str) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Mean cross-entropy over the targets, the number predicted correctly (argmax), and the target count."""
    if objective == "mlm":
        where = batch.labels != IGNORE_INDEX  # (B, L)
        hidden = bert_hidden_at(model.bert, batch.input_ids, batch.attention_mask, where, batch.position_ids)  # (M, H)
        logits = model.cls(hidden)  # (M, V): the MLM head on masked positions only
        targets = batch.labels[where]  # (M,)
    else:
        hidden = model.transformer(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids
        ).last_hidden_state
        targets = batch.labels[:, 1:]  # (B, L-1): position t predicts token t+1
        where = targets != IGNORE_INDEX
        logits = model.lm_head(hidden[:, :-1][where])  # (M, V)
        targets = targets[where]
    loss = F.cross_entropy(logits.float(), targets)
    hits = (logits.argmax(-1) == targets).sum()
    return loss, hits, targets.numel()


def bert_hidden_at(
    bert: BertModel,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    where: torch.Tensor,
    position_ids: torch.Tensor | None = None,
) -> torch.Tensor:
    """`bert(...).last_hidden_state[where]`, without computing the last layer at the other positions.

    In the last layer a position's output needs every position's keys and values, but only its own
    query, attention output and feed-forward. So the layers below run as usual (Hugging Face's own
    modules), and the last one runs its key/value projections on all B x L positions and the rest on
    the M selected ones: at 15% masking that is about a third of the layer's work.
    """
    h = bert.embeddings(input_ids=input_ids, position_ids=position_ids)
    mask = create_bidirectional_mask(config=bert.config, inputs_embeds=h, attention_mask=attention_mask)
    *lower, last = bert.encoder.layer
    for layer in lower:
        h = layer(h, mask)
    attn = last.attention.self
    batch, _, width = h.shape
    counts = where.sum(1)
    # each row's selected positions first, in order, padded with unselected ones to the longest row
    slots = torch.argsort((~where).to(torch.int8), dim=1, stable=True)[:, : int(counts.max())]
    h_q = h.gather(1, slots[..., None].expand(-1, -1, width))  # (B, Q, H)

    def heads(x: torch.Tensor) -> torch.Tensor:  # (B, n, H) -> (B, heads, n, head size)
        return x.view(batch, -1, attn.num_attention_heads, attn.attention_head_size).transpose(1, 2)

    if attention_mask is None:
        keep = None
    elif attention_mask.dim() == 2:  # (B, L): keys that take part
        keep = attention_mask[:, None, None, :].bool()
    else:  # (B, 1, L, L): the chosen queries' rows
        keep = attention_mask.gather(2, slots[:, None, :, None].expand(-1, 1, -1, attention_mask.shape[-1]))
    context = F.scaled_dot_product_attention(
        heads(attn.query(h_q)), heads(attn.key(h)), heads(attn.value(h)), attn_mask=keep, scale=attn.scaling
    )
    context = context.transpose(1, 2).reshape(batch, -1, width)  # (B, Q, H)
    real = torch.arange(slots.shape[1], device=h.device) < counts[:, None]  # (B, Q): not padding
    out = last.attention.output(context[real], h_q[real])  # (M, H), same order as h[where]
    return last.output(last.intermediate(out), out)


class LossModule(torch.nn.Module):
    """A model and its objective's loss as one module, so `DistributedDataParallel` can wrap the whole step."""

    def __init__(self, model: PreTrainedModel, objective: str) -> None:
        super().__init__()
        self.model, self.objective = model, objective

    def forward(self, *tensors: torch.Tensor | None):  # Batch.tensors()
        return loss_and_hits(self.model, Batch(*tensors), self.objective)
