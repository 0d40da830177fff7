"""Turn documents into fixed-length training sequences, the same way for MLM and AR.

Whole documents are packed greedily, each row reading `[CLS] doc [SEP] doc [SEP] ... [PAD]`, so
every row starts at a document boundary (as a probe sentence does) and little is spent on padding.
A document longer than one row is cut into row-sized pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerFast

from .corpus import CorpusTooShortError
from .tokenization import encode


@dataclass
class Packed:
    """Packed rows. All tensors are (N, L) with L = seq_len."""

    input_ids: torch.Tensor  # long
    word_starts: torch.Tensor  # bool: token begins a word (special tokens: False)
    special_mask: torch.Tensor  # bool: [CLS] / [SEP] / [PAD], never masked or augmented

    def __len__(self) -> int:
        return self.input_ids.shape[0]

    @property
    def attention_mask(self) -> torch.Tensor:
        return self.input_ids != PAD_ID

    def rows(self, index: torch.Tensor) -> Packed:
        return Packed(self.input_ids[index], self.word_starts[index], self.special_mask[index])


PAD_ID, CLS_ID, SEP_ID = 0, 2, 3  # fixed by tokenization.SPECIAL_TOKENS


def pack(tokenizer: PreTrainedTokenizerFast, documents: Sequence[str], seq_len: int) -> Packed:
    """Tokenise `documents` and pack them into rows of `seq_len` tokens."""
    assert tokenizer.pad_token_id == PAD_ID and tokenizer.cls_token_id == CLS_ID and tokenizer.sep_token_id == SEP_ID
    ids, starts = encode(tokenizer, documents)
    room = seq_len - 2  # one [CLS] at the start, one [SEP] after the first document
    flat_ids: list[int] = []  # rows laid end to end, each padded to seq_len
    flat_starts: list[bool] = []
    row_ids, row_starts = [CLS_ID], [False]

    def close_row() -> None:
        pad = seq_len - len(row_ids)
        flat_ids.extend(row_ids + [PAD_ID] * pad)
        flat_starts.extend(row_starts + [False] * pad)

    for doc_ids, doc_starts in zip(ids, starts, strict=True):
        for i in range(0, len(doc_ids), room):
            piece, piece_starts = doc_ids[i : i + room], doc_starts[i : i + room]
            if len(row_ids) + len(piece) + 1 > seq_len:
                close_row()
                row_ids, row_starts = [CLS_ID], [False]
            row_ids = row_ids + piece + [SEP_ID]
            row_starts = row_starts + piece_starts + [False]
    if len(row_ids) > 1:
        close_row()
    if not flat_ids:
        raise CorpusTooShortError("The text has no tokens to train on; add more text.")
    input_ids = torch.tensor(flat_ids, dtype=torch.long).view(-1, seq_len)
    word_starts = torch.tensor(flat_starts, dtype=torch.bool).view(-1, seq_len)
    special_mask = (input_ids == PAD_ID) | (input_ids == CLS_ID) | (input_ids == SEP_ID)
    return Packed(input_ids, word_starts, special_mask)
