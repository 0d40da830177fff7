"""The two self-supervised objectives: how a batch is made from packed rows and what the loss is.

MLM (BERT):  L = -sum_{i in M} log p(x_i | x_without_M)   over the masked positions M only.
AR   (GPT):  L = -sum_t log p(x_t | x_<t)                  over every next token.

Both losses are computed *sparsely*: the vocabulary-sized output layer runs only on the positions
that have a target (masked tokens for MLM, non-padding for AR). For MLM at 15% that skips 85% of
the most expensive matrix multiply, which is where most of the speed-up over HF `Trainer` comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel

from .augment import augment
from .config import AugmentConfig, MaskingConfig
from .data import PAD_ID, Packed
from .masking import mask_tokens

IGNORE = -100  # label of positions without a target (the HF convention)


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
        labels = torch.where(m.labels != IGNORE, clean, IGNORE)  # predict the clean token, not the noised one
        return Batch(m.input_ids, labels, input_ids != PAD_ID)
    labels = torch.where(clean != PAD_ID, clean, IGNORE)
    return Batch(input_ids, labels, None)


def loss_and_hits(model: PreTrainedModel, batch: Batch, objective: str) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Mean cross-entropy over the targets, the number predicted correctly (argmax), and the target count."""
    if objective == "mlm":
        hidden = model.bert(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
        where = batch.labels != IGNORE  # (B, L)
        logits = model.cls(hidden[where])  # (M, V): the MLM head on masked positions only
        targets = batch.labels[where]  # (M,)
    else:
        hidden = model.transformer(input_ids=batch.input_ids).last_hidden_state  # causal mask built in
        targets = batch.labels[:, 1:]  # (B, L-1): position t predicts token t+1
        where = targets != IGNORE
        logits = model.lm_head(hidden[:, :-1][where])  # (M, V)
        targets = targets[where]
    loss = F.cross_entropy(logits.float(), targets)
    hits = (logits.argmax(-1) == targets).sum()
    return loss, hits, targets.numel()


class LossModule(torch.nn.Module):
    """A model and its objective's loss as one module, so `DistributedDataParallel` can wrap the whole step."""

    def __init__(self, model: PreTrainedModel, objective: str) -> None:
        super().__init__()
        self.model, self.objective = model, objective

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor, attention_mask: torch.Tensor | None = None):
        return loss_and_hits(self.model, Batch(input_ids, labels, attention_mask), self.objective)
