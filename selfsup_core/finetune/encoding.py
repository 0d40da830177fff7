"""A labelled split as tensors: texts framed and padded as the tokenizer frames a prompt, labels as class ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerFast

from ..tasks import Example


@dataclass
class Encoded:
    """A split as tensors: input_ids / attention_mask (N, L) right-padded with [PAD], labels (N,)."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return self.labels.shape[0]

    def batch(self, index: torch.Tensor, device: torch.device) -> dict[str, torch.Tensor]:
        mask = self.attention_mask[index]
        width = int(mask.sum(1).max())  # trim the padding no row of this batch needs
        return {
            "input_ids": self.input_ids[index, :width].to(device),
            "attention_mask": mask[:, :width].to(device),
            "labels": self.labels[index].to(device),
        }


def encode_texts(
    tokenizer: PreTrainedTokenizerFast, texts: Sequence[str], max_length: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Ids and attention masks, (N, L), framed as the tokenizer frames a text (so the text-classification
    pipeline reads it the same way): BERT `[CLS] text [SEP]`, GPT `[SEP] text` (see tokenization.for_objective).
    No token_type_ids: GPT-2 would add them as embeddings."""
    enc = tokenizer(
        list(texts),
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
        return_token_type_ids=False,
    )
    return enc["input_ids"], enc["attention_mask"]


def encode_examples(
    tokenizer: PreTrainedTokenizerFast, examples: Sequence[Example], labels: list[str], max_length: int
) -> Encoded:
    index = {lab: i for i, lab in enumerate(labels)}
    ids, mask = encode_texts(tokenizer, [e.text for e in examples], max_length)
    return Encoded(ids, mask, torch.tensor([index[e.label] for e in examples], dtype=torch.long))
