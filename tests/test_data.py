import pytest
import torch

from selfsup_core.corpus import CorpusTooShortError, load_builtin, split_text
from selfsup_core.data import CLS_ID, PAD_ID, SEP_ID, pack
from selfsup_core.tokenization import build_tokenizer, encode

DOCS = [f"document {i} says {' '.join(['word'] * (i % 7))} ." for i in range(200)] + ["long " * 90]  # longer than a row
TOK = build_tokenizer("word", DOCS)


def stream(docs) -> list[int]:
    return [t for doc in encode(TOK, docs)[0] for t in [*doc, SEP_ID]]


def test_ar_rows_are_the_stream_cut_anywhere_with_one_end_of_text_between_documents():
    packed = pack(TOK, DOCS, 32, "ar")
    flat = packed.input_ids.flatten().tolist()
    assert flat[: 1 + len(stream(DOCS))] == [SEP_ID, *stream(DOCS)]  # every document follows an end-of-text
    assert set(flat[1 + len(stream(DOCS)) :]) <= {PAD_ID}  # padding only at the very end
    assert not (packed.input_ids == CLS_ID).any()  # a row does not restart with [CLS]


def test_mlm_rows_keep_every_document_whole_and_in_one_row():
    packed = pack(TOK, DOCS, 32, "mlm")
    assert (packed.input_ids[:, 0] == CLS_ID).all()
    rows = [[t for t in row if t != PAD_ID][1:] for row in packed.input_ids.tolist()]
    pieces = [piece for row in rows for piece in _split(row)]
    *docs, long = encode(TOK, DOCS)[0]
    rest = list(pieces)
    for doc in docs:  # every document that fits in a row is there whole, once
        rest.remove(doc)
    # the one longer than a row was cut to fill rows: its pieces hold its tokens and nothing else
    assert sorted(t for piece in rest for t in piece) == sorted(long) and len(rest) >= 3


def _split(row: list[int]) -> list[list[int]]:
    """A row's documents (the tokens between [SEP]s)."""
    out, piece = [], []
    for t in row:
        if t == SEP_ID:
            out.append(piece)
            piece = []
        else:
            piece.append(t)
    return out


@pytest.mark.parametrize("name", ["world-en", "world-zh"])
def test_padding_is_under_one_percent_for_ar_and_five_for_mlm_on_a_real_corpus(name):
    docs = load_builtin(name).documents[:4000]
    tok = build_tokenizer("wordpiece", docs)
    ar, mlm = pack(tok, docs, 64, "ar"), pack(tok, docs, 64, "mlm")
    # AR: the last row alone is padded, at most seq_len - 1 pads over all rows
    assert ar.padding_share <= 63 / ar.input_ids.numel() < 0.01
    assert mlm.padding_share <= 0.05


def test_a_play_split_into_paragraphs_packs_without_padding_but_the_last_row():
    play = "\n\n".join(f"CITIZEN {i}:\nWe are accounted poor citizens,\nthe patricians good." for i in range(300))
    docs, unit = split_text(play)
    tok = build_tokenizer("char", docs)
    packed = pack(tok, docs, 64, "ar")
    assert unit == "paragraph" and len(docs) == 300
    assert (packed.input_ids[:-1] != PAD_ID).all() and packed.padding_share < 0.01
    newline = tok.convert_tokens_to_ids("\n")
    assert (packed.input_ids == newline).sum() == 2 * 300  # a line break inside a paragraph is a token
    # paragraphs longer than a row: MLM cuts them to fill the rows, so little is padding there too
    mlm = pack(tok, docs, 64, "mlm")
    assert mlm.padding_share <= 0.05 and (mlm.input_ids == newline).sum() == 2 * 300


def test_word_starts_and_special_mask_are_consistent():
    for objective in ("mlm", "ar"):
        packed = pack(TOK, DOCS, 32, objective)
        assert not (packed.word_starts & packed.special_mask).any()
        assert torch.equal(packed.attention_mask, packed.input_ids != PAD_ID)
        assert torch.equal(packed.special_mask, torch.isin(packed.input_ids, torch.tensor([PAD_ID, CLS_ID, SEP_ID])))


def test_nothing_to_pack_is_a_clear_error():
    for objective in ("mlm", "ar"):
        with pytest.raises(CorpusTooShortError):
            pack(TOK, ["", ""], 32, objective)
