"""The embedding map: PCA of known vectors (a line, a plane: orientation-free checks), the world's categories
found as tokens of a tokenizer trained on world-en and world-zh, and an upload's most frequent words."""

import pytest
import torch

from selfsup_core.corpus import builtin_categories, load_builtin
from selfsup_core.embedding_map import embedding_map, frequent_words, pca_2d, word_token
from selfsup_core.probe import ProbeError
from selfsup_core.tokenization import build_tokenizer
from tests import window_models


def random_basis(d: int, k: int, seed: int = 0) -> torch.Tensor:
    """k orthonormal directions in d dimensions, as rows: (k, d)."""
    q, _ = torch.linalg.qr(torch.randn(d, k, generator=torch.Generator().manual_seed(seed), dtype=torch.float64))
    return q.T


def test_points_on_a_line_have_no_second_coordinate():
    t = torch.linspace(-3, 5, 20, dtype=torch.float64)[:, None]  # (20, 1)
    vectors = 7.0 + t * random_basis(6, 1)  # a line in 6-D, away from the origin
    xy, explained = pca_2d(vectors)
    assert xy[:, 1].abs().max() < 1e-5
    assert explained[0] == pytest.approx(1.0) and explained[1] == pytest.approx(0.0, abs=1e-9)
    assert torch.allclose(xy[:, 0].abs(), (t[:, 0] - t.mean()).abs().float(), atol=1e-5)  # the spacing kept


def test_rank_two_data_keeps_every_distance():
    plane = torch.randn(30, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    vectors = plane @ random_basis(8, 2, seed=2) - 3.0  # (30, 8) on a plane through (-3, ..., -3)
    xy, explained = pca_2d(vectors)
    assert torch.allclose(torch.cdist(xy.double(), xy.double()), torch.cdist(plane, plane), atol=1e-5)
    assert sum(explained) == pytest.approx(1.0)


def test_the_shares_of_variance_are_the_axes_own():
    # spread 2 along one direction, 1 along another, none along the rest: variances 4 : 1
    a = torch.tensor([-2.0, 2.0, 0.0, 0.0], dtype=torch.float64)
    b = torch.tensor([0.0, 0.0, -1.0, 1.0], dtype=torch.float64)
    vectors = torch.stack([a, b], 1) @ random_basis(5, 2)
    _, explained = pca_2d(vectors)
    assert explained == pytest.approx((0.8, 0.2))


def test_the_same_vectors_give_the_same_picture_not_its_mirror():
    vectors = torch.randn(12, 16, generator=torch.Generator().manual_seed(3))
    order = torch.randperm(12, generator=torch.Generator().manual_seed(4))
    xy, _ = pca_2d(vectors)
    again, _ = pca_2d(vectors[order])
    assert torch.allclose(again, xy[order], atol=1e-5)  # same axes, same signs, whatever the row order


@pytest.fixture(scope="module")
def world_tokenizers():
    return {name: build_tokenizer("wordpiece", load_builtin(name).documents) for name in ("world-en", "world-zh")}


def drawn(name, world_tokenizers):
    tok = world_tokenizers[name]
    found = embedding_map(window_models.model("mlm", len(tok), layers=1), tok, builtin_categories(name))
    by_category = {}
    for p in found.points:
        by_category.setdefault(p.category, set()).add(p.token)
    return found, by_category


def test_world_en_categories_are_found_as_whole_tokens(world_tokenizers):
    found, by_category = drawn("world-en", world_tokenizers)
    expected = ["countries", "capitals", "fruits", "colours", "tastes", "days", "months", "animals"]
    assert list(builtin_categories("world-en")) == expected
    assert set(by_category) == set(expected) and not found.skipped  # every world word is one WordPiece token
    assert {"velmar", "kelbo"} <= by_category["capitals"] and "norland" in by_category["countries"]
    assert len(found.points) == sum(len(set(w)) for w in builtin_categories("world-en").values())


def test_world_zh_draws_its_one_character_words_and_says_which_it_skipped(world_tokenizers):
    found, by_category = drawn("world-zh", world_tokenizers)
    assert {"红", "黄"} <= by_category["colours"] and "狗" in by_category["animals"] and "一" in by_category["days"]
    # a Chinese WordPiece token is one character: two-character names have no single embedding
    assert found.skipped["countries"] == builtin_categories("world-zh")["countries"]
    assert "countries" not in by_category and "鸭子" in found.skipped["animals"]


def test_an_upload_draws_its_most_frequent_one_token_words_uncoloured():
    tok = window_models.tokenizer("mlm")
    words = frequent_words(tok, window_models.SENTENCES, n=5)
    assert words[0] == "the" and len(words) == 5  # "the" is the most frequent word of the sentences
    found = embedding_map(window_models.model("mlm", len(tok)), tok, {None: words})
    assert [p.category for p in found.points] == [None] * 5 and [p.token for p in found.points] == words


def test_a_byte_level_word_is_its_spaced_token():
    tok = build_tokenizer("bpe", window_models.SENTENCES, vocab_size=400)
    assert tok.convert_ids_to_tokens(word_token(tok, "capital")) == "Ġcapital"
    assert word_token(tok, "zyzzyva") is None  # split into pieces


def test_too_few_words_are_refused():
    tok = window_models.tokenizer("mlm")
    with pytest.raises(ProbeError, match="Fewer than two"):
        embedding_map(window_models.model("mlm", len(tok)), tok, {"x": ["the", "zyzzyva"]})


@pytest.mark.parametrize("objective", ["electra", "t5"])
def test_electra_and_t5_runs_map_their_own_input_embeddings(objective):
    tok = window_models.tokenizer(objective)
    model = window_models.model(objective, len(tok))
    model = model.discriminator if objective == "electra" else model  # what a run saves under model/
    found = embedding_map(model, tok, {"x": ["the", "cat", "velmar"]})
    ids = [word_token(tok, w) for w in ("the", "cat", "velmar")]
    expected, _ = pca_2d(model.get_input_embeddings().weight[ids])
    assert torch.allclose(torch.tensor([(p.x, p.y) for p in found.points]), expected)
