"""Augmentations: each keeps rows well formed and does exactly what its explanation says."""

import math
import random
from collections import Counter

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from selfsup_core.augment import EXPLANATIONS, augment
from selfsup_core.config import AugmentConfig
from selfsup_core.masking import Fate
from selfsup_core.tokenization import CLS_ID as CLS
from selfsup_core.tokenization import NUM_SPECIAL
from selfsup_core.tokenization import PAD_ID as PAD
from selfsup_core.tokenization import SEP_ID as SEP

VOCAB = 500
SIGMAS = 5  # tolerance in standard errors


def build(docs: list[list[int]], length: int, continuation_every: int = 4):
    """One row per list of documents: [CLS] doc [SEP] doc [SEP] ... [PAD]; every 4th token a "##" piece."""
    ids = torch.zeros(len(docs), length, dtype=torch.long)
    starts = torch.zeros(len(docs), length, dtype=torch.bool)
    for r, row_docs in enumerate(docs):
        row, row_starts = [CLS], [False]
        for doc in row_docs:
            row += [*doc, SEP]
            row_starts += [i % continuation_every != 1 for i in range(len(doc))] + [False]
        ids[r, : len(row)] = torch.tensor(row)
        starts[r, : len(row)] = torch.tensor(row_starts)
    return ids, (ids == PAD) | (ids == CLS) | (ids == SEP), starts


def random_rows(n_rows: int, length: int = 64, seed: int = 0):
    rng = random.Random(seed)
    docs = []
    for _ in range(n_rows):
        row, used = [], 1
        while used < length - 8:
            n = rng.randint(1, min(15, length - used - 2))
            row.append([rng.randrange(NUM_SPECIAL, VOCAB) for _ in range(n)])
            used += n + 1
        docs.append(row)
    return build(docs, length)


def run(cfg, ids, special, starts, seed=0):
    return augment(ids, special, starts, cfg, VOCAB, torch.Generator().manual_seed(seed))


def assert_well_formed(a, ids):
    """[CLS] first, padding only at the end, the same [SEP]s as before, specials where the ids say."""
    for out in (a.input_ids, a.targets):
        assert (out[:, 0] == CLS).all()
        pad = out == PAD
        assert torch.equal(pad, pad.cummax(1).values)  # once padding starts, it never stops
        assert torch.equal((out == SEP).sum(1), (ids == SEP).sum(1))
        assert torch.equal(a.special_mask, (out == PAD) | (out == CLS) | (out == SEP))
    assert torch.equal(a.source_index == -1, a.targets == PAD)
    assert not (a.word_starts & a.special_mask).any()


def sentences(row: torch.Tensor) -> list[tuple[int, ...]]:
    out, current = [], []
    for token in row.tolist():
        if token == SEP:
            out.append(tuple(current))
            current = []
        elif token not in (CLS, PAD):
            current.append(token)
    return out


def test_every_augmentation_is_explained():
    assert set(EXPLANATIONS) == {"noise", "delete", "shuffle", "permute"}


def test_all_zero_config_is_identity():
    ids, special, starts = random_rows(8)
    a = run(AugmentConfig(), ids, special, starts)
    assert torch.equal(a.input_ids, ids) and torch.equal(a.targets, ids)
    assert torch.equal(a.special_mask, special) and torch.equal(a.word_starts, starts)
    assert (a.fates == Fate.UNTOUCHED).all()
    assert torch.equal(a.source_index, torch.arange(64).expand(8, 64).masked_fill(ids == PAD, -1))


def test_delete_keeps_survivors_in_order_and_drops_about_p():
    ids, special, starts = random_rows(300)
    p = 0.3
    a = run(AugmentConfig(delete=p), ids, special, starts)
    assert_well_formed(a, ids)
    assert torch.equal(a.input_ids, a.targets)  # delete rewrites the text itself
    for r in range(ids.shape[0]):
        source = a.source_index[r][a.source_index[r] >= 0]
        assert (source.diff() > 0).all()  # survivors keep their relative order
        assert torch.equal(a.input_ids[r, : len(source)], ids[r, source])
    n = int((~special).sum())
    survived = int((~a.special_mask).sum()) / n
    assert abs(survived - (1 - p)) < SIGMAS * math.sqrt(p * (1 - p) / n)


def test_delete_makes_the_first_surviving_piece_of_a_word_its_start():
    ids, special, starts = build([[[10, 11, 12]]], 8)  # 10 starts a word, 11 is "##" piece of it, 12 a new word
    for seed in range(50):
        a = run(AugmentConfig(delete=0.5), ids, special, starts, seed)
        if a.input_ids[0, 1] == 11:  # 10 was deleted
            assert a.word_starts[0, 1]
            return
    raise AssertionError("no seed deleted the first token")


def test_shuffle_permutes_tokens_within_windows_only():
    ids, special, starts = random_rows(200)
    window = 3
    a = run(AugmentConfig(shuffle=0.5, shuffle_window=window), ids, special, starts)
    assert_well_formed(a, ids)
    assert torch.equal(a.targets, ids)  # shuffle corrupts the input only
    assert torch.equal(a.input_ids[special], ids[special])  # specials never move
    moved = 0
    for r in range(ids.shape[0]):
        for sentence_start, sentence in _sentence_spans(ids[r]):
            for w in range(0, len(sentence), window):
                lo, hi = sentence_start + w, sentence_start + min(w + window, len(sentence))
                assert sorted(a.input_ids[r, lo:hi].tolist()) == sorted(ids[r, lo:hi].tolist())
                moved += int((a.input_ids[r, lo:hi] != ids[r, lo:hi]).any())
    assert moved > 0
    assert (a.fates[a.input_ids != ids] == Fate.SHUFFLED).all()  # every moved token is marked


def _sentence_spans(row: torch.Tensor):
    """(first position, token list) of each sentence of a row."""
    start = 1
    for pos, token in enumerate(row.tolist()):
        if token == SEP:
            yield start, row[start:pos].tolist()
            start = pos + 1


def test_noise_replaces_about_p_of_tokens_and_targets_stay_clean():
    ids, special, starts = random_rows(300)
    p = 0.2
    a = run(AugmentConfig(noise=p), ids, special, starts)
    assert_well_formed(a, ids)
    assert torch.equal(a.targets, ids)
    noised = a.fates == Fate.NOISED
    assert not (noised & special).any()
    assert torch.equal(a.input_ids[~noised], ids[~noised])
    assert ((a.input_ids[noised] >= NUM_SPECIAL) & (a.input_ids[noised] < VOCAB)).all()
    n = int((~special).sum())
    assert abs(int(noised.sum()) / n - p) < SIGMAS * math.sqrt(p * (1 - p) / n)


def test_permute_reorders_whole_sentences():
    ids, special, starts = random_rows(100)
    a = run(AugmentConfig(permute=1.0), ids, special, starts)
    assert_well_formed(a, ids)
    assert torch.equal(a.input_ids, a.targets)
    changed = 0
    for r in range(ids.shape[0]):
        before, after = sentences(ids[r]), sentences(a.input_ids[r])
        assert Counter(before) == Counter(after)
        changed += before != after
    after_special = torch.cat([torch.ones(100, 1, dtype=torch.bool), a.special_mask[:, :-1]], dim=1)
    assert a.word_starts[after_special & ~a.special_mask].all()  # each sentence's first token starts a word
    assert changed > 50


def test_same_seed_same_result_and_different_seed_different():
    ids, special, starts = random_rows(32)
    cfg = AugmentConfig(noise=0.1, delete=0.1, shuffle=0.3, permute=0.5)
    a, b, c = run(cfg, ids, special, starts, 0), run(cfg, ids, special, starts, 0), run(cfg, ids, special, starts, 1)
    for field in ("input_ids", "targets", "special_mask", "word_starts", "fates", "source_index"):
        assert torch.equal(getattr(a, field), getattr(b, field)), field
    assert not torch.equal(a.input_ids, c.input_ids)


docs_strategy = st.lists(
    st.lists(st.lists(st.integers(NUM_SPECIAL, VOCAB - 1), min_size=1, max_size=8), min_size=1, max_size=4),
    min_size=1,
    max_size=4,
)
strength = st.sampled_from([0.0, 0.1, 0.5, 0.9])


@settings(max_examples=60, deadline=None)
@given(docs_strategy, strength, strength, strength, strength, st.integers(2, 5), st.integers(0, 2**31))
def test_any_rows_and_strengths_keep_the_invariants(docs, noise, delete, shuffle, permute, window, seed):
    ids, special, starts = build(docs, 40)
    cfg = AugmentConfig(noise=noise, delete=delete, shuffle=shuffle, shuffle_window=window, permute=permute)
    a = run(cfg, ids, special, starts, seed)
    assert_well_formed(a, ids)
    for r in range(ids.shape[0]):
        source = a.source_index[r][a.source_index[r] >= 0]
        assert len(set(source.tolist())) == len(source)  # each original token shown at most once
        content = ~a.special_mask[r]
        assert not (Counter(a.targets[r][content].tolist()) - Counter(ids[r][~special[r]].tolist()))
        clean = a.fates[r] != Fate.NOISED
        assert torch.equal(a.input_ids[r][clean & (a.source_index[r] >= 0)], ids[r, source][clean[: len(source)]])
