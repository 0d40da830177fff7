import pytest
import torch

from selfsup_core.corpus import CorpusTooShortError
from selfsup_core.data import CLS_ID, PAD_ID, SEP_ID, pack
from selfsup_core.tokenization import build_tokenizer, encode

DOCS = [f"document {i} says {' '.join(['word'] * (i % 7))} ." for i in range(200)] + ["long " * 100]
TOK = build_tokenizer("word", DOCS)


def test_packing_keeps_every_token_in_order_and_starts_rows_at_a_document():
    packed = pack(TOK, DOCS, 32)
    ids = packed.input_ids
    assert ids.shape[1] == 32 and (ids[:, 0] == CLS_ID).all()
    content = ids[~packed.special_mask].tolist()
    assert content == [t for doc in encode(TOK, DOCS)[0] for t in doc]
    # padding only at the end of a row
    pad = ids == PAD_ID
    assert (pad.cummax(dim=1).values == pad).all()


def test_a_document_longer_than_a_row_is_cut_into_pieces():
    packed = pack(TOK, ["long " * 100], 16)
    assert len(packed) == 8  # ceil(100 tokens / 14 per row)
    assert (packed.input_ids == SEP_ID).sum() == 8


def test_word_starts_and_special_mask_are_consistent():
    packed = pack(TOK, DOCS, 32)
    assert not (packed.word_starts & packed.special_mask).any()
    assert torch.equal(packed.attention_mask, packed.input_ids != PAD_ID)


def test_nothing_to_pack_is_a_clear_error():
    with pytest.raises(CorpusTooShortError):
        pack(TOK, ["", ""], 32)
