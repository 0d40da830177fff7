"""Writing, step by step: a BERT by iterative unmasking beside a GPT writing left to right.

A masked LM was trained to fill blanks, not to continue a text, yet it can write: put N [MASK]s after the
prompt, let the model guess every blank at once, keep only the guess it is surest of, and ask again with
that blank filled (Ghazvininejad et al. 2019, "Mask-Predict", with one token per step). Each step the model
reads both sides of every remaining blank, so BERT writes in any order: often the end of a sentence before
its middle. A GPT writes one token after another, each from the tokens before it only (`probe.generate_ids`).

Both are returned in the same shape, a list of `WritingStep`s from the prompt alone to the finished text, so
a page can play them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import PreTrainedModel
from transformers import PreTrainedTokenizerFast as Tokenizer

from .probe import ProbeError, _check_length, _content_ids, _logits, generate_ids, lm_objective
from .tokenization import token_texts

MAX_NEW_TOKENS = 64


@dataclass
class WritingStep:
    """The text after one step: its tokens ([MASK] where a blank is still open), the one written at this
    step (None for the prompt alone) and the probability the model gave it."""

    tokens: list[str]
    written: int | None  # index in tokens
    prob: float | None  # 0-1


@dataclass
class Writing:
    """How a model wrote after a prompt: every step's text, first the prompt alone, then one token more each."""

    objective: str  # "mlm": by unmasking; "ar": left to right
    prompt_tokens: int  # tokens[:prompt_tokens] of every step are the prompt ([CLS] or <bos> included)
    steps: list[WritingStep]
    text: str  # the written tokens of the last step, decoded
    ended: bool  # AR: the model ended the text (end-of-text) before using all its tokens


def _checked(n: int) -> None:
    if not 1 <= n <= MAX_NEW_TOKENS:
        raise ProbeError(f"Ask for between 1 and {MAX_NEW_TOKENS} new tokens.")


@torch.inference_mode()
def unmask(
    model: PreTrainedModel,
    tokenizer: Tokenizer,
    prompt: str,
    n_tokens: int = 8,
    greedy: bool = True,
    temperature: float = 1.0,
    seed: int = 0,
) -> Writing:
    """A masked LM writes `n_tokens` after `prompt`: `[CLS] prompt [MASK] x n [SEP]`, then n steps that each
    fill the one blank whose best guess is the most probable (ties: the leftmost), with that guess (greedy) or
    a token sampled from its distribution (temperature, `seed`). Special tokens are never written; a [MASK]
    typed in the prompt is one more blank to fill."""
    if lm_objective(model, "Writing by unmasking") != "mlm":
        raise ProbeError("Writing by unmasking needs a masked LM (BERT); an AR run writes left to right.")
    _checked(n_tokens)
    if not greedy and temperature <= 0:
        raise ProbeError("Temperature must be above 0, or write greedily.")
    mask = tokenizer.mask_token_id
    ids = [tokenizer.cls_token_id, *_content_ids(tokenizer, prompt)]
    start = len(ids)
    ids += [mask] * n_tokens + [tokenizer.sep_token_id]
    _check_length(model, len(ids))
    special = torch.tensor(tokenizer.all_special_ids, device=model.device)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    steps = [WritingStep(token_texts(tokenizer, ids), None, None)]
    while mask in ids:  # one blank fewer each step
        blanks = torch.tensor([i for i, t in enumerate(ids) if t == mask], device=model.device)  # (open,)
        logits = _logits(model, [ids])[0, blanks]  # (open, V)
        logits[:, special] = float("-inf")
        probs = logits.softmax(-1)
        best = probs.max(-1).values  # (open,): how sure the model is at each blank
        at = int(best.argmax())  # the first of the surest
        if greedy:
            token = int(probs[at].argmax())
        else:
            token = int(torch.multinomial((logits[at] / temperature).softmax(-1), 1, generator=generator))
        position = int(blanks[at])
        ids[position] = token
        steps.append(WritingStep(token_texts(tokenizer, ids), position, float(probs[at, token])))
    text = tokenizer.decode(ids[start:-1], skip_special_tokens=True)
    return Writing("mlm", start, steps, text, False)


def left_to_right(
    model: PreTrainedModel,
    tokenizer: Tokenizer,
    prompt: str,
    n_tokens: int = 8,
    greedy: bool = True,
    temperature: float = 1.0,
    seed: int = 0,
) -> Writing:
    """An AR model writes up to `n_tokens` after `prompt` (`probe.generate_ids`: HF generate), one step per
    token, stopping early where it ends the text."""
    if lm_objective(model, "Writing left to right") != "ar":
        raise ProbeError("Writing left to right needs an autoregressive model (GPT); an MLM run writes by unmasking.")
    _checked(n_tokens)
    ids, out, probs = generate_ids(model, tokenizer, prompt, n_tokens, temperature, 0, greedy, seed)
    ended = len(out) > len(ids) and out[-1] == tokenizer.sep_token_id
    steps = [WritingStep(token_texts(tokenizer, ids), None, None)]
    steps += [WritingStep(token_texts(tokenizer, out[: n + 1]), n, p) for n, p in enumerate(probs, len(ids))]
    text = tokenizer.decode(out[len(ids) :], skip_special_tokens=True)
    return Writing("ar", len(ids), steps, text, ended)


def write(model: PreTrainedModel, tokenizer: Tokenizer, prompt: str, n_tokens: int = 8, **sampling) -> Writing:
    """The model's own way of writing: `unmask` for an MLM, `left_to_right` for an AR model."""
    how = unmask if lm_objective(model, "Writing") == "mlm" else left_to_right
    return how(model, tokenizer, prompt, n_tokens, **sampling)
