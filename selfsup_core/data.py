"""Turn documents into fixed-length training rows: text as one stream, cut anywhere.

The documents are laid end to end with one end-of-text token ([SEP]) after each, as GPT-2 and
nanoGPT train, and the stream is cut into rows of `seq_len` tokens wherever a row ends, so only the
very last row has padding (under 1% of any corpus of more than a few rows):

    AR:   [SEP] doc1 [SEP] doc2 [SEP] do | c2 continues [SEP] doc3 ...      every position predicts the next
    MLM:  [CLS] doc1 [SEP] doc2 [SEP] do | [CLS] c2 continues [SEP] doc3 ...  BERT's [CLS] opens each row

The stream opens with [SEP] for AR, so every document follows an end-of-text, as a prompt does
(see `tokenization.for_objective`). A row does not restart at a document boundary: a row that begins
mid-sentence is simply text whose start the model cannot see, as in nanoGPT's random windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerFast

from .corpus import CorpusTooShortError
from .tokenization import CLS_ID, PAD_ID, SEP_ID, encode


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

    @property
    def padding_share(self) -> float:
        """Share of all positions that are [PAD] (0-1)."""
        return float((self.input_ids == PAD_ID).float().mean()) if len(self) else 0.0

    def rows(self, index: torch.Tensor) -> Packed:
        return Packed(self.input_ids[index], self.word_starts[index], self.special_mask[index])


def pack(tokenizer: PreTrainedTokenizerFast, documents: Sequence[str], seq_len: int, objective: str = "mlm") -> Packed:
    """Tokenise `documents` and cut their stream into rows of `seq_len` tokens (see the module docstring)."""
    assert tokenizer.pad_token_id == PAD_ID and tokenizer.cls_token_id == CLS_ID and tokenizer.sep_token_id == SEP_ID
    ids, starts = encode(tokenizer, documents)
    stream: list[int] = [SEP_ID] if objective == "ar" else []
    stream_starts: list[bool] = [False] * len(stream)
    for doc_ids, doc_starts in zip(ids, starts, strict=True):
        if doc_ids:
            stream += [*doc_ids, SEP_ID]
            stream_starts += [*doc_starts, False]
    if len(stream) <= (objective == "ar"):
        raise CorpusTooShortError("The text has no tokens to train on; add more text.")
    head = [CLS_ID] if objective == "mlm" else []  # MLM rows open with [CLS]
    width = seq_len - len(head)  # stream tokens per row
    rows = -(-len(stream) // width)
    pad = rows * width - len(stream)
    body = torch.tensor(stream + [PAD_ID] * pad, dtype=torch.long).view(rows, width)
    body_starts = torch.tensor(stream_starts + [False] * pad, dtype=torch.bool).view(rows, width)
    input_ids = torch.cat([torch.full((rows, len(head)), CLS_ID, dtype=torch.long), body], dim=1)
    word_starts = torch.cat([torch.zeros(rows, len(head), dtype=torch.bool), body_starts], dim=1)
    special_mask = (input_ids == PAD_ID) | (input_ids == CLS_ID) | (input_ids == SEP_ID)
    return Packed(input_ids, word_starts, special_mask)
