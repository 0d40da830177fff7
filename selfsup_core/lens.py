"""The logit lens: what each layer of a model would answer if it were the last (nostalgebraist, 2020).

A transformer keeps one vector per token (the residual stream) and each layer adds to it; only the last
one is read by the output head. Reading the stream after *every* layer through that same head shows at which
layer the answer appears: layer 0 is the embeddings alone (the token and its position, nothing read from the
sentence yet), layer L the model's own prediction.

- BERT (mlm), at the first [MASK]: hidden state after each layer -> `model.cls`, the whole MLM head (its
  dense transform, GELU and LayerNorm, then the decoder onto the vocabulary), as the last layer is read.
- GPT-2 (ar), at the last token (the next word): hidden state after each block -> the final LayerNorm
  `ln_f` -> `lm_head` (the standard lens applies the final norm, without which the early layers read as noise).
  `transformers` returns GPT-2's last hidden state already through `ln_f`, so only the earlier ones get it here.

Other objectives' models are refused with a `probe.ProbeError` that says which ones the lens reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from transformers import PreTrainedModel
from transformers import PreTrainedTokenizerFast as Tokenizer

from .probe import Candidate, ProbeError, _ar_ids, _content_ids, _mlm_ids, _top, lm_objective
from .tokenization import token_texts


class LayerGuesses(NamedTuple):
    """One layer's top guesses, and where the known answer's token stands at that layer."""

    layer: int  # 0 = the embeddings, then 1 .. L; L is the model's own prediction
    candidates: list[Candidate]  # best first
    answer_prob: float | None  # the answer token's probability (0-1), None without an answer
    answer_rank: int | None  # 1 = this layer's top guess, of the whole vocabulary


@dataclass
class Lens:
    """Each layer's guesses for one position: MLM the first [MASK], AR the token after the text."""

    objective: str  # "mlm" | "ar"
    tokens: list[str]  # the input as the model reads it ([CLS] ... [SEP], or <bos> ...)
    position: int  # index in tokens of the blank (MLM) or the last token read (AR)
    answer: str | None  # the answer's first token, as a token's text; None when no answer was given
    layers: list[LayerGuesses]  # layer 0 first

    @property
    def answer_appears(self) -> int | None:
        """The first layer whose top guess is the answer, when one is (and stays so from there on)."""
        first = None
        for g in self.layers:
            if g.answer_rank != 1:
                first = None  # lost again: it has not appeared for good yet
            elif first is None:
                first = g.layer
        return first


def _read_ids(model: PreTrainedModel, tokenizer: Tokenizer, text: str, objective: str) -> tuple[list[int], int]:
    """The ids the model reads and the position the lens looks at."""
    if objective == "ar":
        ids = _ar_ids(model, tokenizer, text)
        return ids, len(ids) - 1
    ids = _mlm_ids(model, tokenizer, text)
    if tokenizer.mask_token_id not in ids:
        raise ProbeError("Type a [MASK] where the model should guess a word, e.g. 'the capital of norland is [MASK] .'")
    return ids, ids.index(tokenizer.mask_token_id)


def layer_logits(model: PreTrainedModel, ids: list[int], position: int) -> torch.Tensor:
    """Each layer's logits at `position`, read through the output head: (layers + 1, vocab), float32."""
    objective = lm_objective(model, "The logit lens")
    out = model(input_ids=torch.tensor([ids], device=model.device), output_hidden_states=True)
    states = torch.stack(out.hidden_states)[:, 0, position]  # (L + 1, H): embeddings, then each layer
    if objective == "mlm":
        return model.cls(states).float()  # (L + 1, V)
    gpt = model.transformer
    normed = torch.cat([gpt.ln_f(states[:-1]), states[-1:]])  # the last state comes through ln_f already
    return model.lm_head(normed).float()


@torch.inference_mode()
def logit_lens(
    model: PreTrainedModel, tokenizer: Tokenizer, text: str, top_k: int = 5, answer: str | None = None
) -> Lens:
    """The top-k guesses of every layer for the first [MASK] of `text` (MLM) or the word after it (AR).

    answer: the known right answer, if any; its first token's probability and rank are given per layer.
    """
    objective = lm_objective(model, "The logit lens")
    ids, position = _read_ids(model, tokenizer, text, objective)
    probs = layer_logits(model, ids, position).softmax(-1)  # (L + 1, V)
    answer_ids = _content_ids(tokenizer, answer) if answer else []
    layers = []
    for layer, p in enumerate(probs):
        prob = rank = None
        if answer_ids:
            prob = float(p[answer_ids[0]])
            rank = int((p > p[answer_ids[0]]).sum()) + 1
        layers.append(LayerGuesses(layer, _top(p, tokenizer, top_k), prob, rank))
    shown = token_texts(tokenizer, answer_ids[:1])[0] if answer_ids else None
    return Lens(objective, token_texts(tokenizer, ids), position, shown, layers)
