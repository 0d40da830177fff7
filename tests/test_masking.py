"""MLM masking: the realised statistics match the settings, and Hugging Face's collator."""

import math
import random

import pytest
import torch
from transformers import DataCollatorForLanguageModeling

from selfsup_core.config import MaskingConfig
from selfsup_core.masking import IGNORE_INDEX, MASK_ID, Fate, effective_word_starts, mask_tokens
from selfsup_core.tokenization import NUM_SPECIAL, build_tokenizer

VOCAB = 500
STRATEGIES = ("token", "whole-word", "span")
SIGMAS = 5  # tolerance in standard errors: a correct implementation fails about once in 3 million runs


def packed_rows(n_rows: int, length: int, seed: int, continuation: float = 0.3, doc_len: int = 12):
    """Rows like data.pack's: [CLS] doc [SEP] doc [SEP] ... [PAD]; ~`continuation` of tokens are "##" pieces."""
    rng = random.Random(seed)
    ids = torch.zeros(n_rows, length, dtype=torch.long)
    starts = torch.zeros(n_rows, length, dtype=torch.bool)
    for r in range(n_rows):
        row, row_starts = [2], [False]
        end = length - rng.randrange(0, 6)  # some rows end in padding
        while len(row) < end - 2:
            n = rng.randint(1, min(doc_len, end - 2 - len(row)))
            row += [rng.randrange(NUM_SPECIAL, VOCAB) for _ in range(n)] + [3]
            row_starts += [i == 0 or rng.random() > continuation for i in range(n)] + [False]
        ids[r, : len(row)] = torch.tensor(row)
        starts[r, : len(row)] = torch.tensor(row_starts)
    special = (ids == 0) | (ids == 2) | (ids == 3)
    return ids, special, starts


def run(cfg, ids, special, starts, seed=0):
    return mask_tokens(ids, special, starts, cfg, VOCAB, torch.Generator().manual_seed(seed))


def row_standard_error(chosen: torch.Tensor, content: torch.Tensor, rate: float) -> float:
    """Standard error of the pooled rate from the spread between rows (rows are independent draws;
    tokens within a row are not, under whole-word and span masking)."""
    per_row_excess = (chosen & content).sum(1) - rate * content.sum(1)  # (B,)
    return float(per_row_excess.double().pow(2).sum().sqrt()) / int(content.sum())


@pytest.mark.parametrize("rate", [0.15, 0.4])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_realised_rate_matches_setting(strategy, rate):
    ids, special, starts = packed_rows(400, 64, seed=1)
    m = run(MaskingConfig(rate=rate, strategy=strategy), ids, special, starts)
    content = ~special
    predicted = m.labels != IGNORE_INDEX
    realised = int((predicted & content).sum()) / int(content.sum())
    n = int(content.sum())
    se = math.sqrt(rate * (1 - rate) / n) if strategy == "token" else row_standard_error(predicted, content, rate)
    assert se < 0.01  # the sample is big enough for the check to mean something
    assert abs(realised - rate) < SIGMAS * se


@pytest.mark.parametrize("strategy", ["whole-word", "span"])
def test_word_level_rate_matches_setting(strategy):
    ids, special, starts = packed_rows(400, 64, seed=2)
    m = run(MaskingConfig(rate=0.15, strategy=strategy), ids, special, starts)
    words = effective_word_starts(special, starts)
    chosen_words = (m.labels != IGNORE_INDEX) & words
    se = row_standard_error(chosen_words, words, 0.15)
    assert abs(int(chosen_words.sum()) / int(words.sum()) - 0.15) < SIGMAS * se


@pytest.mark.parametrize("split", [(0.8, 0.1), (0.5, 0.3)])
def test_replacement_split_matches_setting(split):
    mask_p, random_p = split
    ids, special, starts = packed_rows(600, 64, seed=3)
    m = run(MaskingConfig(rate=0.4, mask_replace_prob=mask_p, random_replace_prob=random_p), ids, special, starts)
    n = int((m.labels != IGNORE_INDEX).sum())
    for fate, p in [(Fate.MASKED, mask_p), (Fate.RANDOM, random_p), (Fate.KEPT, 1 - mask_p - random_p)]:
        share = int((m.fates == fate).sum()) / n
        assert abs(share - p) < SIGMAS * math.sqrt(p * (1 - p) / n), fate


def test_whole_word_split_is_decided_per_word():
    ids, special, starts = packed_rows(600, 64, seed=4)
    m = run(MaskingConfig(rate=0.4, strategy="whole-word"), ids, special, starts)
    first = (m.labels != IGNORE_INDEX) & effective_word_starts(special, starts)  # one token per chosen word
    n = int(first.sum())
    for fate, p in [(Fate.MASKED, 0.8), (Fate.RANDOM, 0.1), (Fate.KEPT, 0.1)]:
        share = int(((m.fates == fate) & first).sum()) / n
        assert abs(share - p) < SIGMAS * math.sqrt(p * (1 - p) / n), fate


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_specials_and_padding_are_never_masked(strategy):
    ids, special, starts = packed_rows(100, 64, seed=5)
    m = run(MaskingConfig(rate=0.9, strategy=strategy), ids, special, starts)
    assert torch.equal(m.input_ids[special], ids[special])
    assert (m.labels[special] == IGNORE_INDEX).all()
    assert (m.fates[special] == Fate.UNTOUCHED).all()


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_labels_and_input_follow_each_tokens_fate(strategy):
    ids, special, starts = packed_rows(100, 64, seed=6)
    before = ids.clone()
    m = run(MaskingConfig(rate=0.4, strategy=strategy), ids, special, starts)
    assert torch.equal(ids, before)  # pure: the batch is not modified
    untouched = m.fates == Fate.UNTOUCHED
    assert torch.equal(m.labels == IGNORE_INDEX, untouched)
    assert torch.equal(m.labels[~untouched], ids[~untouched])
    assert torch.equal(m.input_ids[untouched], ids[untouched])
    assert (m.input_ids[m.fates == Fate.MASKED] == MASK_ID).all()
    assert torch.equal(m.input_ids[m.fates == Fate.KEPT], ids[m.fates == Fate.KEPT])
    random_ids = m.input_ids[m.fates == Fate.RANDOM]
    assert ((random_ids >= NUM_SPECIAL) & (random_ids < VOCAB)).all()  # never a special token


def test_targets_become_the_labels():
    ids, special, starts = packed_rows(20, 64, seed=7)
    clean = ids + 1000
    m = mask_tokens(ids, special, starts, MaskingConfig(rate=0.5), VOCAB, torch.Generator().manual_seed(0), clean)
    predicted = m.labels != IGNORE_INDEX
    assert torch.equal(m.labels[predicted], clean[predicted])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_same_seed_same_masks_and_different_seed_different(strategy):
    ids, special, starts = packed_rows(32, 64, seed=8)
    cfg = MaskingConfig(strategy=strategy)
    a, b, c = run(cfg, ids, special, starts, 0), run(cfg, ids, special, starts, 0), run(cfg, ids, special, starts, 1)
    assert torch.equal(a.input_ids, b.input_ids) and torch.equal(a.labels, b.labels) and torch.equal(a.fates, b.fates)
    assert not torch.equal(a.fates, c.fates)


@pytest.mark.parametrize("strategy", ["whole-word", "span"])
def test_whole_word_masking_never_splits_a_word(strategy):
    ids, special, starts = packed_rows(200, 64, seed=9, continuation=0.6)
    m = run(MaskingConfig(rate=0.4, strategy=strategy), ids, special, starts)
    word_start = effective_word_starts(special, starts)
    continuation = ~special & ~word_start  # (B, L): shares the fate of the token before it
    prev_fate = torch.cat([m.fates[:, :1], m.fates[:, :-1]], dim=1)
    assert continuation.any()
    assert torch.equal(m.fates[continuation], prev_fate[continuation])


def masked_runs(predicted_words: list[bool]) -> list[int]:
    """Lengths of the runs of consecutive predicted words that touch neither end of the row."""
    runs, length = [], 0
    for i, chosen in enumerate(predicted_words):
        if chosen:
            length += 1
            continue
        if length and i - length > 0:
            runs.append(length)
        length = 0
    return runs


@pytest.mark.parametrize(("rate", "span_mean", "span_max"), [(0.15, 3.0, 10), (0.4, 3.0, 10), (0.15, 2.0, 4)])
def test_span_lengths_have_the_set_mean_and_max(rate, span_mean, span_max):
    # Long rows, so few spans are cut by a row's ends (runs touching them are skipped).
    ids, special, starts = packed_rows(64, 512, seed=10, doc_len=510)
    m = run(MaskingConfig(rate=rate, strategy="span", span_mean=span_mean, span_max=span_max), ids, special, starts)
    words = effective_word_starts(special, starts)
    runs = []
    for r in range(ids.shape[0]):
        runs += masked_runs((m.labels[r] != IGNORE_INDEX)[words[r]].tolist())
    lengths = torch.tensor(runs, dtype=torch.double)
    assert len(runs) > 1000 and lengths.max() <= span_max
    assert abs(lengths.mean() - span_mean) < SIGMAS * lengths.std() / math.sqrt(len(runs))


def test_span_masking_reaches_the_first_word_of_a_row_as_often_as_any():
    ids, special, starts = packed_rows(4000, 16, seed=11)
    m = run(MaskingConfig(rate=0.15, strategy="span"), ids, special, starts)
    first = (m.labels[:, 1] != IGNORE_INDEX).double().mean()  # position 1: the word after [CLS]
    assert abs(first - 0.15) < SIGMAS * math.sqrt(0.15 * 0.85 / 4000)


def test_token_masking_matches_huggingface_collator():
    rng = random.Random(0)
    syllables = ["ka", "lo", "mi", "ten", "ru", "sa", "vo", "pel", "dan", "ri", "to", "ne"]
    words = ["".join(rng.choices(syllables, k=rng.randint(1, 3))) for _ in range(300)]
    texts = [" ".join(rng.choices(words, k=rng.randint(8, 40))) for _ in range(600)]
    tokenizer = build_tokenizer("wordpiece", texts, vocab_size=400)
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=64, return_special_tokens_mask=True)
    examples = [
        {"input_ids": i, "special_tokens_mask": s}
        for i, s in zip(enc["input_ids"], enc["special_tokens_mask"], strict=True)
    ]
    hf = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, seed=0, return_tensors="pt")(examples)
    ids = torch.tensor(enc["input_ids"])
    special = torch.tensor(enc["special_tokens_mask"]).bool()
    ours = mask_tokens(
        ids,
        special,
        torch.zeros_like(special),
        MaskingConfig(rate=0.15),
        len(tokenizer),
        torch.Generator().manual_seed(0),
    )

    def stats(input_ids, labels):
        predicted = labels != IGNORE_INDEX
        masked = predicted & (input_ids == MASK_ID)
        kept = predicted & (input_ids == ids)
        return predicted.sum(), {
            "masked": masked.sum(),
            "kept": kept.sum(),
            "random": (predicted & ~masked & ~kept).sum(),
        }

    n = int((~special).sum())
    hf_predicted, hf_split = stats(hf["input_ids"], hf["labels"])
    our_predicted, our_split = stats(ours.input_ids, ours.labels)
    assert abs(int(hf_predicted) - int(our_predicted)) / n < SIGMAS * math.sqrt(2 * 0.15 * 0.85 / n)
    for name, p in [("masked", 0.8), ("random", 0.1), ("kept", 0.1)]:
        hf_share, our_share = int(hf_split[name]) / int(hf_predicted), int(our_split[name]) / int(our_predicted)
        se = math.sqrt(p * (1 - p) * (1 / int(hf_predicted) + 1 / int(our_predicted)))
        assert abs(hf_share - our_share) < SIGMAS * se, name


def test_chinese_whole_word_masking_masks_a_jieba_word_whole():
    """Chinese-BERT-wwm's rule: a word of several characters (here from jieba) is masked with all of them,
    although a char tokenizer makes every character its own token."""
    from selfsup_core.corpus import load_builtin
    from selfsup_core.data import pack
    from selfsup_core.tokenization import chinese_word_starts

    docs = load_builtin("world-zh").documents[:400]
    tok = build_tokenizer("char", docs)
    rows = pack(tok, docs, 64, "mlm")
    m = mask_tokens(
        rows.input_ids,
        rows.special_mask,
        rows.word_starts,
        MaskingConfig(rate=0.3, strategy="whole-word"),
        len(tok),
        torch.Generator().manual_seed(0),
    )
    chosen = m.labels != IGNORE_INDEX
    word = effective_word_starts(rows.special_mask, rows.word_starts).cumsum(1)  # (B, L) word index per token
    words_of_two_or_more = 0
    for r in range(len(rows)):
        for w in word[r][chosen[r]].unique():
            members = (word[r] == w) & ~rows.special_mask[r]
            assert chosen[r][members].all()  # every character of a chosen word is predicted
            words_of_two_or_more += int(members.sum()) > 1
    assert words_of_two_or_more > 100  # and many chosen words are longer than one character
    assert len(chinese_word_starts(docs[0])) < len(docs[0])
