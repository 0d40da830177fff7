import pytest

from selfsup_core.corpus import load_builtin
from selfsup_core.tokenization import (
    CJK,
    KINDS,
    LOSSLESS,
    NUM_SPECIAL,
    SPECIAL_TOKENS,
    build_tokenizer,
    chinese_word_starts,
    encode,
    for_objective,
    token_texts,
)

EN = load_builtin("world-en").documents[:3000]
ZH = load_builtin("world-zh").documents[:3000]
MIXED = [
    "The Cat sat.\nThen it SLEPT,\tquietly;  twice!",
    "自监督学习让模型从文本本身学习。\n第二行。",
    "emoji 🙂👍🏽 and code: def f(x): return x**2  # ok",
    "Mixed 中文 and English — «quotes», naïve café",
]
TRAIN = EN[:1000] + ZH[:1000] + MIXED


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("kind", LOSSLESS)
@pytest.mark.parametrize(
    "text", [*MIXED, "never seen: ßŋ ψ ☃ 𝄞\r\n", "  leading and trailing  \n\n", ""], ids=lambda t: t[:12]
)
def test_lossless_tokenizers_give_back_any_text_exactly(kind, text):
    tok = build_tokenizer(kind, TRAIN)
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == text
    assert tok.unk_token_id not in ids  # unseen characters fall back to bytes, never to [UNK]


@pytest.mark.parametrize("kind", ["wordpiece", "word"])
@pytest.mark.parametrize("text", MIXED, ids=lambda t: t[:12])
def test_bert_style_tokenizers_keep_every_character_and_its_case(kind, text):
    """WordPiece and word split at spaces and punctuation (spacing and line breaks are not kept); the
    characters themselves, in their case, come back for text they were trained on."""
    tok = build_tokenizer(kind, TRAIN * 2)
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in ids
    assert squash(tok.decode(ids)) == squash(text)


@pytest.mark.parametrize("kind", KINDS)
def test_lower_casing_is_a_choice(kind):
    cased = build_tokenizer(kind, TRAIN)
    lower = build_tokenizer(kind, TRAIN, lowercase=True)
    text = "The Cat sat."
    assert squash(cased.decode(cased(text, add_special_tokens=False)["input_ids"])) == "TheCatsat."
    assert squash(lower.decode(lower(text, add_special_tokens=False)["input_ids"])) == "thecatsat."


@pytest.mark.parametrize("kind", KINDS)
def test_special_tokens_have_fixed_ids_and_each_objective_its_frame(kind):
    tok = build_tokenizer(kind, EN)
    assert [tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS] == list(range(NUM_SPECIAL))
    assert tok.pad_token_id != tok.eos_token_id  # a GPT must be able to learn to stop
    ids = tok("the dog runs .")["input_ids"]
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id  # BERT: [CLS] text [SEP]
    for_objective(tok, "ar")
    ids = tok("the dog runs .")["input_ids"]
    assert ids[0] == tok.bos_token_id == tok.sep_token_id  # GPT-2: end-of-text opens a text ...
    assert ids[-1] != tok.eos_token_id  # ... and nothing ends a prompt
    assert tok(["a b", "c"], ["d", "e"])["input_ids"]  # pairs still encode


def test_char_is_one_token_per_character_with_words_carrying_their_space():
    tok = build_tokenizer("char", EN)
    ids, starts = encode(tok, ["the dogs run"])
    assert token_texts(tok, ids[0]) == list("the dogs run")
    assert starts[0] == [True, False, False, True, False, False, False, False, True, False, False, False]


def test_bpe_mask_takes_the_space_before_it():
    tok = build_tokenizer("bpe", EN)
    ids = tok("the capital of [MASK] is", add_special_tokens=False)["input_ids"]
    pieces = token_texts(tok, ids)
    assert pieces[pieces.index("[MASK]") + 1] == " is" and " " not in pieces  # the blank stands for " norland"


def test_token_texts_read_as_the_text_not_the_vocabulary():
    bpe, wordpiece = build_tokenizer("bpe", TRAIN), build_tokenizer("wordpiece", EN, vocab_size=60)
    assert "".join(token_texts(bpe, bpe("The cat\nsat", add_special_tokens=False)["input_ids"])) == "The cat\nsat"
    pieces = token_texts(wordpiece, wordpiece("velmar", add_special_tokens=False)["input_ids"])
    assert len(pieces) > 1 and not any(p.startswith("##") for p in pieces) and "".join(pieces) == "velmar"


def test_jieba_segments_chinese_words_for_whole_word_masking():
    text = "我们学习语言模型。"
    assert chinese_word_starts(text) == {0, 2, 4, 6, 8}  # 我们 / 学习 / 语言 / 模型 / 。
    for kind in ("char", "wordpiece"):
        tok = build_tokenizer(kind, ZH + [text])
        ids, starts = encode(tok, [text])
        assert len(ids[0]) == len(text)  # one token per character ...
        assert sum(starts[0]) < len(text)  # ... but words of several characters: not every one starts a word
        words = []
        for piece, start in zip(token_texts(tok, ids[0]), starts[0], strict=True):
            words.append(piece) if start else words.__setitem__(-1, words[-1] + piece)
        assert words == ["我们", "学习", "语言", "模型", "。"]


def test_a_character_split_into_bytes_starts_a_word_once():
    tok = build_tokenizer("char", EN)  # has never seen Chinese: each character is three byte tokens
    ids, starts = encode(tok, ["猫猫"])
    assert len(ids[0]) == 6 and sum(starts[0]) == 1  # jieba: one word


def test_empty_text_encodes_to_nothing():
    tok = build_tokenizer("word", EN)
    assert encode(tok, ["", "the"]) == ([[], [tok.convert_tokens_to_ids("the")]], [[], [True]])


def test_vocab_size_is_capped_and_validated():
    assert len(build_tokenizer("word", EN, vocab_size=50)) == 50
    assert len(build_tokenizer("char", EN, vocab_size=280)) == 280
    with pytest.raises(ValueError, match="vocab_size"):
        build_tokenizer("word", EN, vocab_size=3)
    with pytest.raises(ValueError, match="at least 263"):
        build_tokenizer("bpe", EN, vocab_size=100)
    with pytest.raises(ValueError, match="Unknown tokenizer"):
        build_tokenizer("sentencepiece", EN)


def test_the_cjk_pattern_knows_chinese_from_other_letters():
    assert CJK.match("自") and not CJK.match("a") and not CJK.match("ü")
