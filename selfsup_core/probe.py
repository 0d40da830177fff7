"""Ask a trained model questions: fill a [MASK], predict the next word, generate, show attention.

Every function takes a model and its tokenizer (as `load_model` returns them) and runs without
gradients on the model's device. Each objective reads text its own way:

- "mlm" (BertForMaskedLM) reads `[CLS] text [SEP]` and sees the whole sentence at once; so does ELECTRA's
  generator (ElectraForMaskedLM, in a run's model/generator/), a small masked LM;
- "ar" (GPT2LMHeadModel) reads `<bos> text`, left to right, where the beginning-of-text token is the
  end-of-text [SEP] that separates documents in training (see tokenization.for_objective);
- "electra" (ElectraForPreTraining, the discriminator) reads `[CLS] text [SEP]` and says of each token how
  likely it is to have been replaced (`replaced_probabilities`): it fills no blanks;
- "t5" (T5ForConditionalGeneration) reads `text [SEP]` with sentinels <extra_id_k> (or [MASK]s) where text
  is missing, and its decoder writes what goes there (`fill_spans`).

Tokens are shown as the text they stand for (`tokenization.token_texts`): " cat" with its space for
byte-level BPE, "ing" for WordPiece's "##ing".
Text longer than the model's positions (config.max_position_embeddings) is refused with a
ProbeError rather than silently cut, so a [MASK] near the end is never lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForPreTraining,
    AutoModelForSeq2SeqLM,
    PreTrainedModel,
)
from transformers import PreTrainedTokenizerFast as Tokenizer

from .models import objective_of_config
from .tokenization import CJK_CHARS, MASK_TOKEN, SENTINELS, token_texts

MASK_PATTERN = re.compile(r"\[mask\]", re.IGNORECASE)  # "[mask]" would otherwise become 3 [UNK]s


class ProbeError(ValueError):
    """A probe cannot run on this input or model; the message says what to do instead."""


class Candidate(NamedTuple):
    """One possible token and its probability (0-1)."""

    token: str
    prob: float


class Continuation(NamedTuple):
    """Generated text that follows a prompt, and whether the model ended the text there (end-of-text)."""

    text: str
    ended: bool


class Replaced(NamedTuple):
    """ELECTRA's discriminator on one token: the probability (0-1) that it is not the original."""

    token: str
    prob: float


class SpanFill(NamedTuple):
    """What T5's decoder wrote for one sentinel of the input ("" if it wrote nothing for it)."""

    sentinel: str
    text: str


class TokenLoss(NamedTuple):
    """How surprised the model is by one token: -log p(token), in nats (0 = certain)."""

    token: str
    loss: float


class ScoredCandidate(NamedTuple):
    """A word for the blank: its share of probability among the candidates (sums to 1 over them)
    and the log-likelihood it was computed from, in nats (see `score_candidates`)."""

    candidate: str
    prob: float
    log_likelihood: float


@dataclass
class MaskPrediction:
    """The top candidates for one [MASK]; `position` indexes the encoded tokens ([CLS] is 0)."""

    position: int
    candidates: list[Candidate]


@dataclass
class AttentionMaps:
    """Attention weights: row q of weights[layer, head] says how token q spreads its attention over
    the tokens (columns); each row sums to 1."""

    tokens: list[str]
    weights: np.ndarray  # (layers, heads, T, T), float32


# ---------------------------------------------------------------- loading and shared helpers


def load_model(
    path: str | Path,
    attention: bool = False,
    tokenizer_path: str | Path | None = None,
    device: str | torch.device = "cpu",
) -> tuple[PreTrainedModel, Tokenizer, str]:
    """Load a saved model folder; return (model in eval mode, tokenizer, objective: mlm, ar, electra or t5).

    ELECTRA's generator (a run's model/generator/, with tokenizer_path the run's model/) loads as an "mlm".

    attention=True loads the "eager" attention code, the only one that returns attention weights.
    tokenizer_path: where the tokenizer lives if not in `path` (checkpoints hold weights only).
    """
    path = Path(path)
    if not (path / "config.json").is_file() or not (path / "model.safetensors").is_file():
        raise ProbeError(f"No saved model in {path} (config.json and model.safetensors are needed); train one first.")
    tok_dir = Path(tokenizer_path) if tokenizer_path is not None else path
    if not (tok_dir / "tokenizer.json").is_file():
        raise ProbeError(f"No tokenizer in {tok_dir}; pass the run's model folder as tokenizer_path.")
    try:
        config = AutoConfig.from_pretrained(path)
        objective = objective_of_config(config)
        if objective is None:
            raise ProbeError(
                f"This is a {config.model_type!r} model; the probes know BERT, GPT-2, ELECTRA and T5 runs only."
            )
        auto = AUTO_CLASSES[objective]
        extra = {"attn_implementation": "eager"} if attention else {}
        model = auto.from_pretrained(path, use_safetensors=True, **extra).to(device).eval()
        return model, Tokenizer.from_pretrained(tok_dir), objective
    except (OSError, SafetensorError) as e:  # deleted while loading (its run was deleted), or damaged
        raise ProbeError(f"The model in {path} could not be read: was its run deleted? Pick another run.") from e


AUTO_CLASSES = {
    "mlm": AutoModelForMaskedLM,
    "ar": AutoModelForCausalLM,
    "electra": AutoModelForPreTraining,
    "t5": AutoModelForSeq2SeqLM,
}
KINDS = {
    "mlm": "a masked LM (BERT)",
    "ar": "an autoregressive model (GPT)",
    "electra": "an ELECTRA discriminator",
    "t5": "a T5 model",
}


def objective_of(model: PreTrainedModel) -> str:
    """The model's objective: "mlm" for a BERT (or ELECTRA's generator), "ar" for a GPT-2, "electra" for an
    ELECTRA discriminator, "t5" for a T5."""
    if model.__class__.__name__ == "ElectraForMaskedLM":
        return "mlm"
    found = objective_of_config(model.config)
    if found is None:
        raise ProbeError(f"Unknown model type {model.config.model_type!r}; expected BERT, GPT-2, ELECTRA or T5.")
    return found


def require(model: PreTrainedModel, objective: str | tuple[str, ...], what: str) -> None:
    """Raise a ProbeError saying what is needed unless `model` was trained with (one of) `objective`."""
    wanted = (objective,) if isinstance(objective, str) else objective
    if objective_of(model) not in wanted:
        kinds = " or ".join(KINDS[o] for o in wanted)
        raise ProbeError(f"{what} needs {kinds}; pick a run trained with objective {' or '.join(wanted)}.")


def lm_objective(model: PreTrainedModel, what: str) -> str:
    """The model's objective where it is "mlm" or "ar"; for any other objective's model a ProbeError saying
    that `what` ("The logit lens") reads BERT and GPT-2 runs only, so a page can show it."""
    objective = objective_of(model)
    if objective not in ("mlm", "ar"):
        raise ProbeError(f"{what} reads BERT (mlm) and GPT-2 (ar) runs; this is a {objective!r} run. Pick another.")
    return objective


def _check_length(model: PreTrainedModel, n_tokens: int) -> None:
    limit = model.config.max_position_embeddings
    if n_tokens > limit:
        raise ProbeError(
            f"This text is {n_tokens} tokens long (with [CLS]/[SEP]) but the model reads at most {limit}; shorten it."
        )


def _content_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """Token ids of `text` without [CLS]/[SEP]; "[mask]" in any case becomes the [MASK] token."""
    return tokenizer(MASK_PATTERN.sub(MASK_TOKEN, text), add_special_tokens=False)["input_ids"]


def _mlm_ids(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> list[int]:
    """`[CLS] text [SEP]`, as BERT saw sentences in training."""
    ids = [tokenizer.cls_token_id, *_content_ids(tokenizer, text), tokenizer.sep_token_id]
    _check_length(model, len(ids))
    return ids


def _ar_ids(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> list[int]:
    """Beginning-of-text then `text`, with no end-of-text, so the model continues the text."""
    ids = [tokenizer.bos_token_id, *_content_ids(tokenizer, text)]  # [SEP] (or [CLS] in runs before it was)
    _check_length(model, len(ids))
    return ids


def _logits(model: PreTrainedModel, rows: list[list[int]]) -> torch.Tensor:
    """Logits for equally long rows of ids: (rows, T, vocab), float32."""
    return model(input_ids=torch.tensor(rows, device=model.device)).logits.float()


def _ar_token_logprobs(model: PreTrainedModel, ids: list[int]) -> torch.Tensor:
    """log p(x_t | x_<t) for t = 1 .. T-1, in nats: (T-1,)."""
    logp = _logits(model, [ids])[0, :-1].log_softmax(-1)  # (T-1, V): position t predicts t+1
    return logp.gather(-1, torch.tensor(ids[1:], device=logp.device)[:, None])[:, 0]


def _top(probs: torch.Tensor, tokenizer: Tokenizer, top_k: int) -> list[Candidate]:
    if top_k < 1:
        raise ProbeError("top_k must be at least 1.")
    p, i = probs.topk(min(top_k, probs.numel()))
    return [Candidate(t, float(q)) for t, q in zip(token_texts(tokenizer, i.tolist()), p.tolist(), strict=True)]


# ---------------------------------------------------------------- probes


@torch.inference_mode()
def fill_mask(model: PreTrainedModel, tokenizer: Tokenizer, text: str, top_k: int = 5) -> list[MaskPrediction]:
    """Top-k tokens for each [MASK] in `text` (one entry per mask, in order), all masks predicted at
    once from the same input. A text of masks only ("[MASK]") shows what the model expects anywhere."""
    require(model, "mlm", "Filling a [MASK]")
    ids = _mlm_ids(model, tokenizer, text)
    positions = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
    if not positions:
        raise ProbeError("Type at least one [MASK] where the model should guess a word, e.g. 'the [MASK] sat'.")
    probs = _logits(model, [ids])[0, positions].softmax(-1)  # (masks, V)
    return [MaskPrediction(pos, _top(p, tokenizer, top_k)) for pos, p in zip(positions, probs, strict=True)]


class AnswerRank(NamedTuple):
    """Where the right answer stands among a model's guesses for a blank: rank 1 is its top guess."""

    rank: int  # 1 = the top guess, of the whole vocabulary
    prob: float  # its probability (0-1)
    vocabulary: int  # how many tokens it was ranked among


@torch.inference_mode()
def answer_rank(model: PreTrainedModel, tokenizer: Tokenizer, text: str, answer: str) -> AnswerRank | None:
    """The rank and probability of `answer` over the whole vocabulary: at the one [MASK] of `text` for a masked
    LM, as the next token after the prompt `text` for an AR model; None when the answer is not one token (then
    no single [MASK] or next token can be it). Ties count in its favour."""
    require(model, ("mlm", "ar"), "Ranking an answer")
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if objective_of(model) == "ar":
        ids, position = _ar_ids(model, tokenizer, text), -1
    else:
        ids = _mlm_ids(model, tokenizer, text)
        positions = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
        if len(positions) != 1:
            raise ProbeError("Put exactly one [MASK] where the answer should go.")
        position = positions[0]
    if len(answer_ids) != 1 or answer_ids[0] == tokenizer.unk_token_id:
        return None
    probs = _logits(model, [ids])[0, position].softmax(-1)  # (V,)
    p = probs[answer_ids[0]]
    return AnswerRank(int((probs > p).sum()) + 1, float(p), probs.numel())


@torch.inference_mode()
def next_token(model: PreTrainedModel, tokenizer: Tokenizer, text: str, top_k: int = 5) -> list[Candidate]:
    """Top-k next tokens after `[CLS] text` (empty text: how the model starts a text)."""
    require(model, "ar", "Predicting the next word")
    ids = _ar_ids(model, tokenizer, text)
    return _top(_logits(model, [ids])[0, -1].softmax(-1), tokenizer, top_k)


@torch.inference_mode()
def generate(
    model: PreTrainedModel,
    tokenizer: Tokenizer,
    prompt: str,
    max_new_tokens: int = 20,
    temperature: float = 1.0,
    top_k: int = 0,
    greedy: bool = False,
    seed: int = 0,
) -> Continuation:
    """Continue `prompt`: the continuation only, decoded as it follows the prompt (it starts with a space
    when the model starts a new word, and runs across lines), and whether the model ended the text.
    Stops at end-of-text ([SEP]) or after max_new_tokens tokens, fewer if the model runs out of positions.

    temperature > 0 (below 1 sharper, above 1 flatter); top_k = 0 samples from the whole vocabulary;
    greedy always takes the most likely token. The same seed gives the same text.
    """
    ids, out, _ = generate_ids(model, tokenizer, prompt, max_new_tokens, temperature, top_k, greedy, seed)
    ended = len(out) > len(ids) and out[-1] == tokenizer.sep_token_id
    before = tokenizer.decode(ids, skip_special_tokens=True)
    after = tokenizer.decode(out, skip_special_tokens=True)
    # decoding a longer sequence extends that of its prefix; fall back if it ever does not
    # (a WordPiece run that joins a word across the cut, or half a character's bytes)
    text = (
        after[len(before) :]
        if after.startswith(before)
        else tokenizer.decode(out[len(ids) :], skip_special_tokens=True)
    )
    return Continuation(text, ended)


@torch.inference_mode()
def generate_ids(
    model: PreTrainedModel,
    tokenizer: Tokenizer,
    prompt: str,
    max_new_tokens: int = 20,
    temperature: float = 1.0,
    top_k: int = 0,
    greedy: bool = False,
    seed: int = 0,
) -> tuple[list[int], list[int], list[float]]:
    """`generate` as token ids: (the prompt's ids, the prompt's and the new ones, the probability each new
    token was drawn with (after temperature and top-k; greedy: the model's own)), for views of each token."""
    require(model, "ar", "Generating text")
    ids = _ar_ids(model, tokenizer, prompt)
    if max_new_tokens < 1:
        raise ProbeError("Ask for at least one new token.")
    room = min(max_new_tokens, model.config.max_position_embeddings - len(ids))
    if room < 1:
        raise ProbeError("The prompt fills every position the model has, leaving no room to continue; shorten it.")
    if not greedy and temperature <= 0:
        raise ProbeError("Temperature must be above 0; tick 'greedy' to always take the most likely word.")
    sampling = {"do_sample": False} if greedy else {"do_sample": True, "temperature": temperature, "top_k": top_k}
    devices = [model.device] if model.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):  # seed locally; leave the global RNG as it was
        torch.manual_seed(seed)
        out = model.generate(
            input_ids=torch.tensor([ids], device=model.device),
            attention_mask=torch.ones(1, len(ids), dtype=torch.long, device=model.device),
            max_new_tokens=room,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.sep_token_id,
            return_dict_in_generate=True,
            output_scores=True,
            **sampling,
        )
    new = out.sequences[0, len(ids) :]  # (new,)
    probs = [float(s[0].float().softmax(-1)[i]) for s, i in zip(out.scores, new.tolist(), strict=True)]
    return ids, out.sequences[0].tolist(), probs


@torch.inference_mode()
def attention(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> AttentionMaps:
    """Attention weights of every layer and head for `text` (BERT: `[CLS] text [SEP]`; GPT: `[CLS] text`).

    Only the "eager" attention code returns weights: a model loaded without it is switched to it
    here, for good (same results, a little slower).
    """
    require(model, ("mlm", "ar", "electra"), "Showing attention")
    ids = _ar_ids(model, tokenizer, text) if objective_of(model) == "ar" else _mlm_ids(model, tokenizer, text)
    if len(ids) < 2 or ids[1] == tokenizer.sep_token_id:
        raise ProbeError("Type some text to see where the model looks.")
    if model.config._attn_implementation != "eager":
        model.set_attn_implementation("eager")
    out = model(input_ids=torch.tensor([ids], device=model.device), output_attentions=True)
    weights = torch.stack(out.attentions)[:, 0]  # (layers, 1, heads, T, T) -> (layers, heads, T, T)
    return AttentionMaps(token_texts(tokenizer, ids), weights.float().cpu().numpy())


@torch.inference_mode()
def token_losses(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> list[TokenLoss]:
    """How surprising each token of `text` is to the model, in nats.

    AR: -log p(x_t | tokens before it) for every token after beginning-of-text, the final [SEP] included
    (did the model expect the text to end there?): len(tokens) + 1 entries.
    MLM: pseudo-log-likelihood: each token is masked in turn (one row per token, one batch) and
    scored from both sides: len(tokens) entries, [CLS]/[SEP] excluded as they are never masked.
    """
    require(model, ("mlm", "ar"), "Scoring each token")
    content = _content_ids(tokenizer, text)
    if not content:
        raise ProbeError("Type some text to score.")
    ar = objective_of(model) == "ar"
    ids = [tokenizer.bos_token_id if ar else tokenizer.cls_token_id, *content, tokenizer.sep_token_id]
    _check_length(model, len(ids))
    if ar:
        losses = -_ar_token_logprobs(model, ids)
        return [TokenLoss(t, float(v)) for t, v in zip(token_texts(tokenizer, ids[1:]), losses, strict=True)]
    n = len(content)
    rows = torch.tensor([ids] * n, device=model.device)  # (n, T)
    where = torch.arange(1, n + 1, device=model.device)  # row r masks token r+1
    rows[torch.arange(n), where] = tokenizer.mask_token_id
    logp = model(input_ids=rows).logits.float()[torch.arange(n), where].log_softmax(-1)  # (n, V)
    losses = -logp.gather(-1, torch.tensor(content, device=logp.device)[:, None])[:, 0]
    return [TokenLoss(t, float(v)) for t, v in zip(token_texts(tokenizer, content), losses, strict=True)]


@torch.inference_mode()
def score_candidates(
    model: PreTrainedModel, tokenizer: Tokenizer, text: str, candidates: list[str]
) -> list[ScoredCandidate]:
    """Which candidate fits the one [MASK] in `text` best, for either objective; best first.

    AR: a GPT cannot look ahead to the words after the blank, so each candidate is put in the blank
    and the whole `<bos> sentence [SEP]` is scored: log_likelihood = sum of log p(token | tokens before).
    MLM: log_likelihood = log p(candidate | context) at the mask, the question BERT was trained on;
    a candidate of k tokens gets k masks, filled left to right (chain rule over the k slots).
    prob is softmax(log_likelihood) over the candidates: the model's choice among these words only.
    """
    require(model, ("mlm", "ar"), "Scoring candidates")
    text = MASK_PATTERN.sub(MASK_TOKEN, text)
    if text.count(MASK_TOKEN) != 1:
        raise ProbeError("Put exactly one [MASK] where the candidates should go.")
    words = [c.strip() for c in candidates if c.strip()]
    if not words:
        raise ProbeError("Give at least one candidate word for the blank.")
    score = _ar_sentence_logprob if objective_of(model) == "ar" else _mlm_slot_logprob
    scores = [score(model, tokenizer, text, w) for w in words]
    probs = torch.tensor(scores).softmax(0).tolist()
    return sorted(
        (ScoredCandidate(w, p, s) for w, p, s in zip(words, probs, scores, strict=True)), key=lambda c: -c.prob
    )


def _ar_sentence_logprob(model: PreTrainedModel, tokenizer: Tokenizer, text: str, word: str) -> float:
    ids = [tokenizer.bos_token_id, *_content_ids(tokenizer, text.replace(MASK_TOKEN, word)), tokenizer.sep_token_id]
    _check_length(model, len(ids))
    return float(_ar_token_logprobs(model, ids).sum())


def _mlm_slot_logprob(model: PreTrainedModel, tokenizer: Tokenizer, text: str, word: str) -> float:
    left, right = text.split(MASK_TOKEN)
    word_ids = _content_ids(tokenizer, word)
    if not word_ids:
        raise ProbeError(f"The candidate {word!r} has no tokens; type a word.")
    ids = _mlm_ids(model, tokenizer, left + " [MASK]" * len(word_ids) + " " + right)
    slots = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
    rows = []
    for j in range(len(word_ids)):  # row j: first j word tokens filled in, the rest still masked
        row = list(ids)
        for s, w in zip(slots[:j], word_ids[:j], strict=True):
            row[s] = w
        rows.append(row)
    logp = _logits(model, rows)[torch.arange(len(rows)), slots].log_softmax(-1)  # (k, V)
    return float(logp[torch.arange(len(rows)), word_ids].sum())


@torch.inference_mode()
def replaced_probabilities(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> list[Replaced]:
    """ELECTRA's discriminator reading `text`: for each token, the probability that it was replaced (not the
    original). Try a sentence with one wrong word: "the capital of norland is red ." ([CLS]/[SEP] left out)."""
    require(model, "electra", "Spotting replaced words")
    content = _content_ids(tokenizer, text)
    if not content:
        raise ProbeError("Type a sentence for the model to check.")
    ids = _mlm_ids(model, tokenizer, text)
    probs = model(input_ids=torch.tensor([ids], device=model.device)).logits[0, 1:-1].float().sigmoid()
    return [Replaced(tk, float(p)) for tk, p in zip(token_texts(tokenizer, content), probs, strict=True)]


def sentinel_text(text: str) -> str:
    """`text` with each [MASK] (any case) turned into the first sentinel it does not hold yet: <extra_id_0>, ..."""
    parts = MASK_PATTERN.split(text)
    free = [s for s in SENTINELS if s not in text]
    if len(parts) - 1 > len(free):
        raise ProbeError(f"Mark at most {len(SENTINELS)} gaps.")
    return "".join(p + (free[i] if i < len(parts) - 1 else "") for i, p in enumerate(parts))


@torch.inference_mode()
def fill_spans(model: PreTrainedModel, tokenizer: Tokenizer, text: str, max_new_tokens: int = 20) -> list[SpanFill]:
    """T5: what its decoder writes for each gap of `text`, greedily (the most likely token each time).

    Gaps are sentinels <extra_id_k> or [MASK]s (each becomes the next sentinel). The decoder writes
    `<extra_id_0> span <extra_id_1> span ... [SEP]`, as in training (span_corruption.py); each gap gets the
    tokens after its sentinel, up to the next sentinel or [SEP]. One entry per gap, in the text's order."""
    require(model, "t5", "Filling the gaps of a text")
    if max_new_tokens < 1:
        raise ProbeError("Ask for at least one new token.")
    ids = tokenizer(sentinel_text(text))["input_ids"]  # text [SEP]
    _check_length(model, len(ids))
    sentinel_ids = set(tokenizer.convert_tokens_to_ids(list(SENTINELS)))
    gaps = [i for i in ids if i in sentinel_ids]
    if not gaps:
        raise ProbeError("Mark the gap with <extra_id_0> or [MASK], e.g. 'the capital of norland is [MASK] .'")
    out = model.generate(
        input_ids=torch.tensor([ids], device=model.device),
        attention_mask=torch.ones(1, len(ids), dtype=torch.long, device=model.device),
        max_new_tokens=max_new_tokens + 1,
        do_sample=False,
    )[0].tolist()[1:]  # without the decoder's start token
    written: dict[int, list[int]] = {}
    current = None
    for i in out:
        if i == tokenizer.sep_token_id:
            break
        if i in sentinel_ids:
            current = written.setdefault(i, []) if i not in written else None  # a sentinel written twice: stop it
        elif current is not None:
            current.append(i)
    return [SpanFill(tokenizer.convert_ids_to_tokens(g), tokenizer.decode(written.get(g, []))) for g in gaps]


def causal_vs_bidirectional_masks(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which tokens each of n tokens may attend to (row = query, column = key, 1 = allowed):
    GPT's causal mask (lower-triangular) and BERT's bidirectional one (all ones)."""
    return np.tril(np.ones((n, n), dtype=np.int8)), np.ones((n, n), dtype=np.int8)


# ---------------------------------------------------------------- words to click, probe timeline

_WORD = re.compile(rf"\[mask\]|[{CJK_CHARS}]|[^\s{CJK_CHARS}]+?(?=\[mask\]|[\s{CJK_CHARS}]|$)", re.IGNORECASE)


def split_words(text: str) -> list[str]:
    """The words of `text` a student can click to hide: space-separated words, single Chinese
    characters (Chinese has no spaces; the corpora's blanks are one character), and "[MASK]"."""
    return [m.group() for m in _WORD.finditer(text)]


def mask_words(text: str, indices: list[int] | set[int]) -> str:
    """`text` with the words at `indices` (positions in `split_words(text)`) replaced by [MASK],
    spacing kept as it was."""
    spans = [m.span() for m in _WORD.finditer(text)]
    for i in sorted(set(indices), reverse=True):
        if not 0 <= i < len(spans):
            raise ProbeError(f"There is no word number {i + 1} in this text.")
        start, end = spans[i]
        text = text[:start] + MASK_TOKEN + text[end:]
    return text


@torch.inference_mode()
def _probe_distribution(model: PreTrainedModel, tokenizer: Tokenizer, text: str) -> torch.Tensor:
    """The probe's answer distribution (vocab,): MLM at the first [MASK], AR for the next token."""
    require(model, ("mlm", "ar"), "The probe timeline")
    if objective_of(model) == "ar":
        return _logits(model, [_ar_ids(model, tokenizer, text)])[0, -1].softmax(-1)
    ids = _mlm_ids(model, tokenizer, text)
    if tokenizer.mask_token_id not in ids:
        raise ProbeError("Type at least one [MASK] where the model should guess a word, e.g. 'the [MASK] sat'.")
    return _logits(model, [ids])[0, ids.index(tokenizer.mask_token_id)].softmax(-1)


def timeline(
    checkpoints: list[tuple[int, Path]],
    tokenizer_path: str | Path,
    text: str,
    track: int = 3,
    answer: str | None = None,
) -> list[dict]:
    """The same probe asked of every checkpoint of a run, to watch the model learn.

    checkpoints: (step, folder) pairs, oldest first, as `RunInfo.checkpoints()` gives them (the last
    one is the final model); tokenizer_path: the run's model folder (checkpoints hold weights only).
    MLM runs answer the first [MASK] of `text`; AR runs predict the token after `text`.
    answer: the known right answer, if any; its first token is tracked too.
    Returns one row per checkpoint: {"step", "top1", "top1_prob", "probs", "answer"}: probs maps each
    of the final model's `track` most likely tokens (then any other checkpoint's top guess, then the
    answer's token) to its probability at that step, same keys in the same order in every row, so their
    lines can be drawn against the step and every row's top guess is one of them; "answer" is the
    answer's token (a key of probs) or None.
    """
    if not checkpoints:
        raise ProbeError("This run has no saved model yet; wait until it finishes (or pick another run).")
    dists, tok = [], None
    for step, folder in checkpoints:
        model, tok, _ = load_model(folder, tokenizer_path=tokenizer_path)
        dists.append((step, _probe_distribution(model, tok, text)))
    tracked = dists[-1][1].topk(min(track, dists[-1][1].numel())).indices.tolist()
    answer_ids = _content_ids(tok, answer) if answer else []
    for i in [int(p.argmax()) for _, p in dists] + answer_ids[:1]:  # the table's top guesses: drawn too
        if i not in tracked:
            tracked.append(i)
    names = token_texts(tok, tracked)
    answer_token = token_texts(tok, answer_ids[:1])[0] if answer_ids else None
    rows = []
    for step, p in dists:
        best = int(p.argmax())
        rows.append(
            {
                "step": int(step),
                "top1": token_texts(tok, [best])[0],
                "top1_prob": float(p[best]),
                "probs": {name: float(p[i]) for name, i in zip(names, tracked, strict=True)},
                "answer": answer_token,
            }
        )
    return rows
