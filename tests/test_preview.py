"""Masking Lab preview: what each token became, and realised rates on a real batch."""

import math
import random

import pytest

from selfsup_core.config import AugmentConfig, MaskingConfig
from selfsup_core.masking import Fate
from selfsup_core.preview import decoder_targets, expected_rates, preview, realised_rates, tokenized, tokens_per_word
from selfsup_core.tokenization import build_tokenizer, encode

SIGMAS = 5  # tolerance in standard errors
SENTENCES = ["the cat sat on the mat.", "dogs were playing happily outside.", "a bird sang under the sunny sky."]


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(0)
    words = " ".join(SENTENCES).replace(".", "").split() + ["river", "stone", "quietly", "green", "walked"]
    return [" ".join(rng.choices(words, k=rng.randint(5, 14))) + "." for _ in range(600)]


@pytest.fixture(scope="module")
def tokenizer(corpus):
    return build_tokenizer("wordpiece", corpus, vocab_size=120)


def tokens(tokenizer, sentence):
    return tokenizer.convert_ids_to_tokens(encode(tokenizer, [sentence])[0][0])


def test_one_view_per_sentence_covering_its_tokens(tokenizer):
    views = preview(tokenizer, SENTENCES, "mlm", MaskingConfig(), AugmentConfig(), seed=0)
    assert len(views) == len(SENTENCES)
    for view, sentence in zip(views, SENTENCES, strict=True):
        assert len(view) == len(tokens(tokenizer, sentence))


def test_ar_preview_has_no_masking(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "ar", MaskingConfig(rate=0.9), AugmentConfig(noise=0.3), seed=0)
    fates = {t.fate for view in views for t in view}
    assert Fate.NOISED in fates
    assert not fates & {Fate.MASKED, Fate.RANDOM, Fate.KEPT}


def test_masked_tokens_show_mask_with_the_hidden_original(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "mlm", MaskingConfig(rate=0.5), AugmentConfig(), seed=1)
    seen = set()
    for view, sentence in zip(views, SENTENCES * 10, strict=True):
        for shown, clean in zip(view, tokens(tokenizer, sentence), strict=True):
            seen.add(shown.fate)
            if shown.fate == Fate.MASKED:
                assert shown.text == "[MASK]" and shown.original == clean
            elif shown.fate in (Fate.RANDOM, Fate.KEPT):
                assert shown.original == clean
            else:
                assert shown.fate == Fate.UNTOUCHED and shown.text == clean and shown.original is None
    assert {Fate.MASKED, Fate.RANDOM, Fate.KEPT} <= seen


def test_deleted_tokens_are_shown_where_they_were(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "ar", MaskingConfig(), AugmentConfig(delete=0.3), seed=2)
    deleted = 0
    for view, sentence in zip(views, SENTENCES * 10, strict=True):
        assert [t.text for t in view] == tokens(tokenizer, sentence)  # survivors and deleted, in the original order
        deleted += sum(t.fate == Fate.DELETED for t in view)
    assert deleted > 0


def test_same_seed_same_preview(tokenizer):
    args = (tokenizer, SENTENCES, "mlm", MaskingConfig(strategy="span"), AugmentConfig(shuffle=0.5, delete=0.1))
    assert preview(*args, seed=3) == preview(*args, seed=3)


def test_realised_rates_match_the_settings(tokenizer, corpus):
    masking, aug = MaskingConfig(rate=0.3), AugmentConfig(noise=0.1, delete=0.2, shuffle=0.3, permute=0.5)
    rates = realised_rates(tokenizer, corpus, masking, aug, seed=0, batch_size=64)
    assert set(rates) == {"masked", "random", "kept", "predicted", "noised", "shuffled", "deleted"}
    assert rates["predicted"] == pytest.approx(rates["masked"] + rates["random"] + rates["kept"])
    n = 64 * 40  # fewer content tokens than the batch holds (about 64 * 60 * 0.8): a wider tolerance
    for name, p in [("predicted", 0.3), ("masked", 0.3 * 0.8), ("noised", 0.1), ("deleted", 0.2)]:
        assert abs(rates[name] - p) < SIGMAS * math.sqrt(p * (1 - p) / n), name
    assert 0 < rates["shuffled"] <= 0.3 + SIGMAS * math.sqrt(0.3 * 0.7 / n)  # windows, less the noised tokens


def test_tokenized_marks_word_continuations(tokenizer):
    views = tokenized(tokenizer, "dogs were playing happily")
    pieces = tokens(tokenizer, "dogs were playing happily")
    assert [v.text for v in views] == pieces
    assert all(v.fate == Fate.UNTOUCHED and v.original is None for v in views)
    assert [v.is_word_start for v in views] == [not p.startswith("##") for p in pieces]


def test_tokens_per_word_is_one_for_a_word_tokenizer_and_more_for_characters(corpus):
    words = build_tokenizer("word", corpus)
    chars = build_tokenizer("char", corpus)
    assert tokens_per_word(words, SENTENCES) == 1.0
    # a char "word" is GPT-2's: " cat" carries its space, "." is a word of its own
    expected = sum(len(s) for s in SENTENCES) / sum(len(s.replace(".", " .").split()) for s in SENTENCES)
    assert tokens_per_word(chars, SENTENCES) == pytest.approx(expected)


def test_expected_rates_split_the_mask_rate_and_list_active_augmentations_only():
    rates = expected_rates("mlm", MaskingConfig(rate=0.2), AugmentConfig(noise=0.1))
    assert rates == pytest.approx({"predicted": 0.2, "masked": 0.16, "random": 0.02, "kept": 0.02, "noised": 0.1})
    assert expected_rates("ar", MaskingConfig(), AugmentConfig()) == {}
    assert expected_rates("ar", MaskingConfig(), AugmentConfig(delete=0.3)) == {"deleted": 0.3}


def test_expected_rates_agree_with_realised_rates_on_a_batch(tokenizer, corpus):
    masking, aug = MaskingConfig(rate=0.3), AugmentConfig(noise=0.2, delete=0.1)
    realised = realised_rates(tokenizer, corpus, masking, aug, seed=0, batch_size=32)
    n = 32 * 48  # fewer content tokens than a batch of 32 packed rows of 64 holds (padding, deletions)
    for key, p in expected_rates("mlm", masking, aug).items():
        assert abs(realised[key] - p) < SIGMAS * math.sqrt(p * (1 - p) / n), key


# ---------------------------------------------------------------- every objective's exercise, same token records


def test_ar_reads_the_text_as_it_is_and_every_token_is_a_target(tokenizer):
    (row,) = preview(tokenizer, SENTENCES[:1], "ar", MaskingConfig(rate=0.9), AugmentConfig(), seed=0)
    assert [v.text for v in row] == tokens(tokenizer, SENTENCES[0])
    assert all(v.fate == Fate.UNTOUCHED and v.target for v in row)


def test_mlm_targets_are_exactly_its_chosen_tokens(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "mlm", MaskingConfig(rate=0.5), AugmentConfig(), seed=1)
    chosen = {Fate.MASKED, Fate.RANDOM, Fate.KEPT}
    assert all(v.target == (v.fate in chosen) for row in views for v in row)
    assert any(v.target for row in views for v in row) and not all(v.target for row in views for v in row)


def test_electra_replaces_the_chosen_tokens_with_random_ones_and_asks_about_every_token(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "electra", MaskingConfig(rate=0.4), AugmentConfig(), seed=2)
    flat = [v for row in views for v in row]
    assert all(v.target for v in flat)
    assert {v.fate for v in flat} <= {Fate.UNTOUCHED, Fate.RANDOM}  # never a [MASK]: the discriminator reads words
    replaced = [v for v in flat if v.fate == Fate.RANDOM]
    assert 0.25 < len(replaced) / len(flat) < 0.55  # the mask rate's 40%, of ~500 tokens
    assert all(v.original is not None for v in replaced)


def test_t5_drops_spans_into_sentinels_and_the_decoder_writes_them_back(tokenizer):
    views = preview(tokenizer, SENTENCES * 10, "t5", MaskingConfig(), AugmentConfig(), seed=3)
    for sentence, row in zip(SENTENCES * 10, views, strict=True):
        sentinels = [v for v in row if v.span]
        assert [v.text for v in sentinels] == [f"<extra_id_{k}>" for k in range(len(sentinels))]
        assert all(v.fate == Fate.MASKED and v.target for v in sentinels)
        # the kept tokens and the spans, in order, are the sentence
        rebuilt = [t.text for v in row for t in (v.span or (v,))]
        assert rebuilt == tokens(tokenizer, sentence)
        writes = decoder_targets(row)
        assert [v.text for v in writes] == [t for v in sentinels for t in (v.text, *(s.text for s in v.span))] + [
            "[SEP]"
        ]
        assert all(v.target for v in writes)
    dropped = sum(len(v.span) for row in views for v in row)
    total = sum(len(tokens(tokenizer, s)) for s in SENTENCES * 10)
    assert 0.08 < dropped / total < 0.25  # T5's 15%, rounded per row
