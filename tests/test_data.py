import pytest
import torch

from selfsup_core.corpus import CorpusTooShortError, load_builtin, split_text
from selfsup_core.data import CLS_ID, PAD_ID, SEP_ID, pack
from selfsup_core.tokenization import build_tokenizer, encode

DOCS = [f"document {i} says {' '.join(['word'] * (i % 7))} ." for i in range(200)] + ["long " * 100]
TOK = build_tokenizer("word", DOCS)


def stream(docs) -> list[int]:
    return [t for doc in encode(TOK, docs)[0] for t in [*doc, SEP_ID]]


def test_ar_rows_are_the_stream_cut_anywhere_with_one_end_of_text_between_documents():
    packed = pack(TOK, DOCS, 32, "ar")
    flat = packed.input_ids.flatten().tolist()
    assert flat[: 1 + len(stream(DOCS))] == [SEP_ID, *stream(DOCS)]  # every document follows an end-of-text
    assert set(flat[1 + len(stream(DOCS)) :]) <= {PAD_ID}  # padding only at the very end
    assert not (packed.input_ids == CLS_ID).any()  # a row does not restart with [CLS]


def test_mlm_rows_open_with_cls_and_carry_the_stream_on():
    packed = pack(TOK, DOCS, 32, "mlm")
    assert (packed.input_ids[:, 0] == CLS_ID).all()
    body = packed.input_ids[:, 1:].flatten().tolist()
    assert body[: len(stream(DOCS))] == stream(DOCS) and set(body[len(stream(DOCS)) :]) <= {PAD_ID}


@pytest.mark.parametrize("objective", ["mlm", "ar"])
@pytest.mark.parametrize("name", ["world-en", "world-zh"])
def test_padding_is_under_one_percent_on_a_real_corpus(objective, name):
    docs = load_builtin(name).documents[:4000]
    tok = build_tokenizer("wordpiece", docs)
    packed = pack(tok, docs, 64, objective)
    # the last row alone is padded: at most seq_len - 1 pads over all rows
    assert packed.padding_share <= 63 / packed.input_ids.numel() < 0.01


def test_a_play_split_into_paragraphs_packs_without_padding_but_the_last_row():
    play = "\n\n".join(f"CITIZEN {i}:\nWe are accounted poor citizens,\nthe patricians good." for i in range(300))
    docs, unit = split_text(play)
    tok = build_tokenizer("char", docs)
    packed = pack(tok, docs, 64, "ar")
    assert unit == "paragraph" and len(docs) == 300
    assert (packed.input_ids[:-1] != PAD_ID).all() and packed.padding_share < 0.01
    newline = tok.convert_tokens_to_ids("\n")
    assert (packed.input_ids == newline).sum() == 2 * 300  # a line break inside a paragraph is a token


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
