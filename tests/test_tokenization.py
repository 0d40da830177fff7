import pytest

from selfsup_core.corpus import load_builtin
from selfsup_core.tokenization import NUM_SPECIAL, SPECIAL_TOKENS, build_tokenizer, encode

EN = load_builtin("world-en").documents[:3000]
ZH = load_builtin("world-zh").documents[:3000]


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("kind", ["char", "word", "wordpiece"])
@pytest.mark.parametrize("docs", [EN, ZH], ids=["en", "zh"])
def test_round_trip_restores_the_lower_cased_text(kind, docs):
    tok = build_tokenizer(kind, docs)
    for text in docs[:50]:
        ids = tok.encode(text, add_special_tokens=False)
        assert tok.unk_token_id not in ids
        assert squash(tok.decode(ids)) == squash(text.lower())


@pytest.mark.parametrize("kind", ["char", "word", "wordpiece"])
def test_special_tokens_have_fixed_ids_and_wrap_a_sentence(kind):
    tok = build_tokenizer(kind, EN)
    assert [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == list(range(NUM_SPECIAL))
    assert tok.pad_token_id != tok.eos_token_id  # a GPT must be able to learn to stop
    ids = tok("the dog runs .")["input_ids"]
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id


def test_word_starts_mark_the_first_piece_of_each_word():
    tok = build_tokenizer("char", EN)
    ids, starts = encode(tok, ["the dogs run"])
    assert tok.convert_ids_to_tokens(ids[0])[:4] == ["t", "##h", "##e", "d"]
    assert starts[0] == [True, False, False, True, False, False, False, True, False, False]


def test_chinese_characters_are_words_for_whole_word_masking():
    tok = build_tokenizer("wordpiece", ZH)
    ids, starts = encode(tok, [ZH[0]])
    assert all(starts[0])  # every CJK character is its own word
    assert len(ids[0]) == len(squash(ZH[0]))


def test_empty_text_encodes_to_nothing():
    tok = build_tokenizer("word", EN)
    assert encode(tok, ["", "the"]) == ([[], [tok.convert_tokens_to_ids("the")]], [[], [True]])


def test_vocab_size_is_capped_and_validated():
    assert len(build_tokenizer("word", EN, vocab_size=50)) == 50
    with pytest.raises(ValueError, match="vocab_size"):
        build_tokenizer("word", EN, vocab_size=3)
    with pytest.raises(ValueError, match="Unknown tokenizer"):
        build_tokenizer("bpe", EN)
