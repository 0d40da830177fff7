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

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import BertModel, PreTrainedModel
from transformers.masking_utils import create_bidirectional_mask

from .augment import augment
from .config import AugmentConfig, MaskingConfig
from .data import Packed
from .masking import IGNORE_INDEX, mask_tokens
from .tokenization import PAD_ID


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, L) what the model reads
    labels: torch.Tensor  # (B, L) MLM: target at masked positions; AR: target token at each position
    attention_mask: torch.Tensor | None  # (B, L) MLM only; AR needs none (padding only at the end)

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        return self.input_ids, self.labels, self.attention_mask

    def rows(self, index: slice) -> Batch:
        mask = None if self.attention_mask is None else self.attention_mask[index]
        return Batch(self.input_ids[index], self.labels[index], mask)

    def shard(self, rank: int, world_size: int) -> Batch:
        """This process's share of a global batch (every world_size-th row, from row `rank`)."""
        return self if world_size == 1 else self.rows(slice(rank, None, world_size))

    def split(self, parts: int) -> list[Batch]:
        """Equal micro-batches, for gradient accumulation."""
        n = self.input_ids.shape[0] // parts
        return [self.rows(slice(i * n, (i + 1) * n)) for i in range(parts)]

    def to(self, device: torch.device) -> Batch:
        mask = None if self.attention_mask is None else self.attention_mask.to(device, non_blocking=True)
        return Batch(self.input_ids.to(device, non_blocking=True), self.labels.to(device, non_blocking=True), mask)


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
        return Batch(m.input_ids, labels, input_ids != PAD_ID)
    labels = torch.where(clean != PAD_ID, clean, IGNORE_INDEX)
    return Batch(input_ids, labels, None)


def loss_and_hits(model: PreTrainedModel, batch: Batch, objective: str) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Mean cross-entropy over the targets, the number predicted correctly (argmax), and the target count."""
    if objective == "mlm":
        where = batch.labels != IGNORE_INDEX  # (B, L)
        hidden = bert_hidden_at(model.bert, batch.input_ids, batch.attention_mask, where)  # (M, H)
        logits = model.cls(hidden)  # (M, V): the MLM head on masked positions only
        targets = batch.labels[where]  # (M,)
    else:
        hidden = model.transformer(input_ids=batch.input_ids).last_hidden_state  # causal mask built in
        targets = batch.labels[:, 1:]  # (B, L-1): position t predicts token t+1
        where = targets != IGNORE_INDEX
        logits = model.lm_head(hidden[:, :-1][where])  # (M, V)
        targets = targets[where]
    loss = F.cross_entropy(logits.float(), targets)
    hits = (logits.argmax(-1) == targets).sum()
    return loss, hits, targets.numel()


def bert_hidden_at(
    bert: BertModel, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, where: torch.Tensor
) -> torch.Tensor:
    """`bert(...).last_hidden_state[where]`, without computing the last layer at the other positions.

    In the last layer a position's output needs every position's keys and values, but only its own
    query, attention output and feed-forward. So the layers below run as usual (Hugging Face's own
    modules), and the last one runs its key/value projections on all B x L positions and the rest on
    the M selected ones: at 15% masking that is about a third of the layer's work.
    """
    h = bert.embeddings(input_ids=input_ids)
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

    keep = None if attention_mask is None else attention_mask[:, None, None, :].bool()  # keys that take part
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

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor, attention_mask: torch.Tensor | None = None):
        return loss_and_hits(self.model, Batch(input_ids, labels, attention_mask), self.objective)
