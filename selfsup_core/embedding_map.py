"""The embedding map: the model's token embeddings in two dimensions, coloured by what the words are.

Each token's input embedding (`model.get_input_embeddings()`, the first thing a model does with a token) is a
vector of `hidden` numbers. A principal component analysis (PCA) keeps the two directions along which the
chosen words' vectors differ most: the centred vectors X (n, hidden) are factored by the SVD X = U S V^T, and
each word's coordinates are its row of U S on the first two columns, the projection X V[:, :2]. Words the model
uses alike get alike vectors, so once it has learned its world the capitals gather in one place, the fruits in
another: the picture of "it learned the world".

The words and their colours come from the world's own tables (its "categories": capitals are the countries
table's capital column, see `corpus.builtin_categories`). Only words that are one token of the run's tokenizer
have one embedding to draw; the others are skipped and reported. An uploaded text has no categories: its most
frequent one-token words are drawn, uncoloured (category None).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

import torch
from transformers import PreTrainedModel
from transformers import PreTrainedTokenizerFast as Tokenizer

from .probe import ProbeError
from .tokenization import CJK_CHARS, token_texts

_WORD = re.compile(rf"[{CJK_CHARS}]|[^\W\d_]+")  # one Chinese character, or a run of letters


class MapPoint(NamedTuple):
    """One word on the map: its token's text, its category (None: uncoloured) and its coordinates."""

    token: str
    category: str | None
    x: float
    y: float


@dataclass
class EmbeddingMap:
    """The drawn words and the words left out: they are more than one token of this tokenizer."""

    points: list[MapPoint]
    skipped: dict[str | None, list[str]]  # category -> its words split into pieces (or unknown), not drawn
    explained: tuple[float, float]  # the share (0-1) of the words' variance along x and along y


def pca_2d(vectors: torch.Tensor) -> tuple[torch.Tensor, tuple[float, float]]:
    """The rows of `vectors` (n, d), n >= 2, on their first two principal axes: (n, 2), and the share of the
    variance each axis explains. Exact (`torch.linalg.svd` of the centred rows, not an iteration). An axis's
    sign is arbitrary, so each is turned to make its largest loading positive (scikit-learn's `svd_flip`): the
    same vectors always give the same picture, not a mirror image of it."""
    x = vectors.double()
    x = x - x.mean(0)  # (n, d), centred
    _, s, vt = torch.linalg.svd(x, full_matrices=False)  # vt: (min(n, d), d), one principal axis a row
    axes = vt[:2] if len(vt) >= 2 else torch.cat([vt, torch.zeros_like(vt)])  # (2, d); one point pair: a line
    signs = axes.gather(1, axes.abs().argmax(1, keepdim=True)).sign()  # (2, 1)
    axes = axes * torch.where(signs == 0, 1.0, signs)
    variance = s.square()
    share = (variance / variance.sum()).tolist() if variance.sum() > 0 else [0.0]
    share = (share + [0.0, 0.0])[:2]
    return (x @ axes.T).float(), (share[0], share[1])


def word_token(tokenizer: Tokenizer, word: str) -> int | None:
    """The one token that stands for `word` inside a text, or None when the tokenizer splits it into pieces
    (or does not know it). Byte-level BPE's words carry their space (" cat"), so that form is tried first."""
    for form in (" " + word, word):
        ids = tokenizer(form, add_special_tokens=False)["input_ids"]
        if len(ids) == 1 and ids[0] not in tokenizer.all_special_ids:
            return ids[0]
    return None


def frequent_words(
    tokenizer: Tokenizer, documents: Iterable[str], n: int = 100, sample_chars: int = 2_000_000
) -> list[str]:
    """The `n` most frequent words of a text (Chinese: characters) that are one token each, most frequent first;
    counted on its first `sample_chars` characters."""
    counts: Counter[str] = Counter()
    read = 0
    for doc in documents:
        counts.update(_WORD.findall(doc))
        read += len(doc)
        if read >= sample_chars:
            break
    one_token = (w for w, _ in counts.most_common() if word_token(tokenizer, w) is not None)
    return list(islice(one_token, n))


@torch.inference_mode()
def embedding_map(
    model: PreTrainedModel, tokenizer: Tokenizer, categories: dict[str | None, list[str]]
) -> EmbeddingMap:
    """The 2-D PCA map of the input embeddings of `categories`' words (category -> words; None: uncoloured).

    A token already drawn for an earlier category is not drawn again. Needs two drawable words at least.
    """
    chosen: dict[int, str | None] = {}
    skipped: dict[str | None, list[str]] = {}
    for category, words in categories.items():
        for word in words:
            token = word_token(tokenizer, word)
            if token is None:
                skipped.setdefault(category, []).append(word)
            else:
                chosen.setdefault(token, category)
    if len(chosen) < 2:
        raise ProbeError("Fewer than two of these words are one token of this run's tokenizer: nothing to map.")
    ids = list(chosen)
    vectors = model.get_input_embeddings().weight[ids]  # (n, hidden)
    xy, explained = pca_2d(vectors)
    names = token_texts(tokenizer, ids)
    points = [
        MapPoint(name, chosen[i], float(x), float(y)) for name, i, (x, y) in zip(names, ids, xy.tolist(), strict=True)
    ]
    return EmbeddingMap(points, skipped, explained)
