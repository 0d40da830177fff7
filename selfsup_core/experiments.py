"""Experiments that teach: each one produces evidence a class can look at, not prose.

Configurations that differ in exactly one thing:
    matched_group       one run per objective (MLM and AR, or any 2-4 of config.OBJECTIVES), identical in
                        everything else (data, size, budget, seed)
    mask_rate_sweep     MLM runs that differ only in the mask rate
    strategy_sweep      MLM runs that differ only in the masking strategy (token / whole-word / span)
    ablation            the same run without and with one augmentation

Measurements:
    scoreboard          the corpus's ground-truth probes: is the model's answer right? split by whether
                        the blank needs the words to its right
    comparable_metrics  MLM vs AR on the same footing. Their training losses are NOT comparable: MLM's
                        is averaged over the masked positions only (predicted from both sides), AR's over
                        every next token (predicted from the left only). So both models are asked about
                        the SAME held-out blanks, one token hidden at a time (see `held_out_blanks`).
    facts_known         the share of the world's facts (corpus.facts) a model answers right, whole answers only

Runs and robustness (whether a difference is real: verdicts.py):
    with_seeds          each setting run with several seeds, so that the spread shows
    robustness          held-out accuracy as the held-out text is corrupted more and more
    iterative_fill      what happens if you try to generate with an MLM
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import PreTrainedModel
from transformers import PreTrainedTokenizerFast as Tokenizer

from . import corpus as corpus_mod
from . import probe
from .config import MASK_STRATEGIES, OBJECTIVES, AugmentConfig, MaskingConfig, TrainConfig
from .data import Packed
from .objectives import documents
from .runs import RunInfo, load_run
from .tokenization import CJK, CLS_ID, MASK_TOKEN, PAD_ID, token_texts
from .train import eval_batches, evaluate, prepare_data
from .verdicts import guessing_baseline

AUGMENTATIONS = ("noise", "delete", "shuffle", "permute")
MASK_RATES = (0.05, 0.15, 0.3, 0.4, 0.6)
PAIR = ("mlm", "ar")  # the matched group of the MLM vs AR comparison
BLANK_OBJECTIVES = PAIR  # the objectives `comparable_metrics` asks held-out blanks of, one token at a time
# Fields that decide the held-out text: two runs agreeing on all of them are scored on the same blanks.
DATA_FIELDS = ("corpus", "text_column", "tokenizer", "vocab_size", "seq_len", "seed", "val_fraction")
BLANK_SEED = 1234  # the held-out blanks depend on the held-out text only, never on a run's own seed or objective
NEEDS_RIGHT, LEFT_SUFFICES = "needs right context", "left context suffices"


# ---------------------------------------------------------------- configurations differing in one thing


def matched_group(cfg: TrainConfig, objectives: Sequence[str] = PAIR) -> list[TrainConfig]:
    """One copy of `cfg` per objective, in order: same corpus, tokenizer, size, steps / time budget, batch and seed.

    objectives: 2-4 different ones of config.OBJECTIVES (default MLM and AR). The masking settings stay in every
    copy (MLM and ELECTRA use them, AR and T5 ignore them), so the copies differ in `objective` only.
    """
    if len(objectives) < 2 or len(set(objectives)) != len(objectives):
        raise ValueError(f"A comparison needs two or more different objectives, got {list(objectives)}.")
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown:
        raise ValueError(f"Unknown objective {unknown[0]!r}; choose from {OBJECTIVES}.")
    return [cfg.replace(objective=o) for o in objectives]


def mask_rate_sweep(cfg: TrainConfig, rates: Sequence[float] = MASK_RATES) -> list[TrainConfig]:
    """One MLM config per mask rate (0.01-0.9), everything else as in `cfg` (whose objective is set to MLM)."""
    base = cfg.replace(objective="mlm")
    return [base.replace(masking=_masking(base.masking, rate=r)) for r in rates]


def strategy_sweep(cfg: TrainConfig, rate: float | None = None) -> list[TrainConfig]:
    """One MLM config per masking strategy (token, whole-word, span) at the same mask rate (default: cfg's)."""
    base = cfg.replace(objective="mlm")
    rate = base.masking.rate if rate is None else rate
    return [base.replace(masking=_masking(base.masking, rate=rate, strategy=s)) for s in MASK_STRATEGIES]


def ablation(cfg: TrainConfig, augmentation: str, strength: float) -> tuple[TrainConfig, TrainConfig]:
    """(without, with): `cfg` with every augmentation off, and with only `augmentation` at `strength` (0-1].

    augmentation: noise | delete | shuffle | permute (see augment.EXPLANATIONS).
    """
    if augmentation not in AUGMENTATIONS:
        raise ValueError(f"Unknown augmentation {augmentation!r}; choose one of {AUGMENTATIONS}.")
    if not 0 < strength <= 1:
        raise ValueError(f"The augmentation strength is a probability in (0, 1], got {strength}.")
    window = cfg.augment.shuffle_window
    return (
        cfg.replace(augment=AugmentConfig(shuffle_window=window)),
        cfg.replace(augment=AugmentConfig(shuffle_window=window, **{augmentation: strength})),
    )


def _masking(m: MaskingConfig, **changes: Any) -> MaskingConfig:
    return MaskingConfig(**{**m.__dict__, **changes})


def same_held_out(a: dict[str, Any] | TrainConfig, b: dict[str, Any] | TrainConfig) -> bool:
    """Do two runs (configs or config dicts) hold out the same text, so they are scored on the same blanks?"""
    a, b = (c.to_dict() if isinstance(c, TrainConfig) else c for c in (a, b))
    return all(a.get(f) == b.get(f) for f in DATA_FIELDS)


def estimated_seconds(
    configs: Sequence[TrainConfig],
    slots: int = 1,
    overhead_s: float = 4.0,
    step_s: Callable[[TrainConfig], float] | None = None,
) -> float:
    """Wall time until the last of `configs` finishes when they queue, in order, for `slots` workers.

    A run lasts its time budget (or steps x step_s(cfg), measured by models.estimate when not given)
    plus `overhead_s` for data preparation, the final evaluation and saving.
    """
    if step_s is None:
        from .models import estimate

        def step_s(c: TrainConfig) -> float:
            return estimate(c)["step_s"]

    finish = [0.0] * max(1, slots)
    for c in configs:
        run = c.time_budget_s if c.time_budget_s else c.steps * step_s(c)
        i = finish.index(min(finish))
        finish[i] += run + overhead_s
    return max(finish)


# ---------------------------------------------------------------- the probes' scoreboard


def candidate_words(name: str) -> list[str]:
    """The candidate set for a built-in corpus's blanks: the answers of all its probes, plus the words
    of the same kind (the other values of every table column holding an answer: all capitals, all
    weekdays...). Chinese answers are single characters: the characters at the same place in those
    values. An uploaded corpus has no probes: an empty list."""
    if name not in corpus_mod.builtin_names():
        return []
    world = corpus_mod._world(name)  # the world's tables: the "kinds" of words
    answers = {p.answer for p in corpus_mod.builtin_probes(name)}
    columns = [
        [row[key] for row in table if key in row]
        for table in world["tables"].values()
        for key in dict.fromkeys(k for row in table for k in row)
    ]
    words = set(answers)
    for column in columns:
        if world["language"] == "zh":
            for answer in answers:
                places = {i for v in column for i, ch in enumerate(v) if ch == answer}
                words |= {v[i] for v in column for i in places if i < len(v) and CJK.match(v[i])}
        elif answers & set(column):
            words |= {v for v in column if " " not in v}
    return sorted(words)


def _single_token_id(tokenizer: Tokenizer, word: str) -> int | None:
    ids = tokenizer(word, add_special_tokens=False)["input_ids"]
    return ids[0] if len(ids) == 1 and ids[0] != tokenizer.unk_token_id else None


@torch.inference_mode()
def candidate_logprobs(
    model: PreTrainedModel, tokenizer: Tokenizer, text: str, words: Sequence[str], chunk: int = 128
) -> list[float]:
    """`probe.score_candidates`' log-likelihoods (nats) of each word in the one [MASK] of `text`, batched.

    AR: log p of the whole `[CLS] sentence [SEP]` with the word in the blank (a GPT cannot look right
    of the blank, so it judges each filled-in sentence). MLM: log p(word | context) at the blank, a word
    of k tokens through k masks filled left to right. The same numbers as score_candidates, with one
    forward pass per `chunk` rows instead of one per candidate.
    """
    probe.require(model, ("mlm", "ar"), "Scoring candidates")
    text = probe.MASK_PATTERN.sub("[MASK]", text)
    if text.count("[MASK]") != 1:
        raise probe.ProbeError("Put exactly one [MASK] where the candidates should go.")
    rows: list[list[int]] = []  # token ids of each row to run
    parts: list[list[tuple[int, int, int]]] = []  # per word: the (row, position, token) whose log p add up
    left, right = text.split("[MASK]")
    for w in words:
        if probe.objective_of(model) == "ar":
            content = tokenizer(text.replace("[MASK]", w), add_special_tokens=False)["input_ids"]
            ids = [tokenizer.bos_token_id, *content, tokenizer.sep_token_id]  # the whole text, its end included
            parts.append([(len(rows), t - 1, ids[t]) for t in range(1, len(ids))])  # position t-1 predicts t
            rows.append(ids)
            continue
        word_ids = tokenizer(w, add_special_tokens=False)["input_ids"]
        if not word_ids:
            raise probe.ProbeError(f"The candidate {w!r} has no tokens; type a word.")
        ids = tokenizer(left + " [MASK]" * len(word_ids) + " " + right)["input_ids"]  # [CLS] ... [SEP]
        slots = [i for i, t in enumerate(ids) if t == tokenizer.mask_token_id]
        parts.append([])
        for j in range(len(word_ids)):  # row j: the first j word tokens filled in, the rest still masked
            row = list(ids)
            for s, t in zip(slots[:j], word_ids[:j], strict=True):
                row[s] = t
            parts[-1].append((len(rows), slots[j], word_ids[j]))
            rows.append(row)
    if not rows:
        raise probe.ProbeError("Give at least one candidate word for the blank.")
    longest = max(len(r) for r in rows)
    if longest > model.config.max_position_embeddings:
        raise probe.ProbeError(
            f"With a candidate in it this text is {longest} tokens long, but the model reads "
            f"at most {model.config.max_position_embeddings}; shorten it."
        )
    flat = torch.tensor([(w, *part) for w, word in enumerate(parts) for part in word])  # (P, 4): word, row, pos, token
    totals = torch.zeros(len(parts), dtype=torch.float64)
    for i in range(0, len(rows), chunk):  # right padding, masked out: earlier positions are unaffected
        ids = torch.tensor([r + [PAD_ID] * (longest - len(r)) for r in rows[i : i + chunk]], device=model.device)
        logp = model(input_ids=ids, attention_mask=(ids != PAD_ID).long()).logits.float().log_softmax(-1).cpu()
        w, r, p, t = flat[(flat[:, 1] >= i) & (flat[:, 1] < i + chunk)].T  # the parts read from this chunk
        totals.index_add_(0, w, logp[r - i, p, t].double())
    return totals.tolist()


def scoreboard(
    model: PreTrainedModel,
    tokenizer: Tokenizer,
    objective: str,
    probes: Sequence[corpus_mod.Question],
    candidates: Sequence[str] | None = None,
    mlm_from_candidates: bool = False,
) -> list[dict[str, Any]]:
    """Is the model's answer to each ground-truth probe right? One row per probe, in order:
    text, answer, needs_right_context, prediction, correct, method.

    MLM: the top-1 token of fill-mask over the whole vocabulary, read from both sides of the blank
    (mlm_from_candidates=True, or an answer of several tokens: the best of the candidate set instead).
    AR: a GPT cannot look right of a middle blank, so it fills it honestly by trying every candidate in
    the blank and keeping the sentence it finds most likely (`candidate_logprobs`).
    candidates: the candidate set (see `candidate_words`); the probes' answers are always in it.
    """
    words = list(dict.fromkeys([*(candidates or []), *(p.answer for p in probes)]))
    rows = []
    for p in probes:
        answer_id = _single_token_id(tokenizer, p.answer)
        if objective == "mlm" and not mlm_from_candidates and answer_id is not None:
            top = probe.fill_mask(model, tokenizer, p.text, top_k=1)[0].candidates[0]
            prediction, method = top.token, "fill-mask top-1, whole vocabulary"
            correct = top.token == token_texts(tokenizer, [answer_id])[0]
        else:
            scores = candidate_logprobs(model, tokenizer, p.text, words)
            prediction = words[max(range(len(words)), key=scores.__getitem__)]
            how = "likelihood of each filled-in sentence" if objective == "ar" else "probability at the blank"
            method, correct = f"best of {len(words)} candidates by {how}", prediction == p.answer
        rows.append(
            {
                "text": p.text,
                "answer": p.answer,
                "needs_right_context": p.needs_right_context,
                "prediction": prediction,
                "correct": bool(correct),
                "method": method,
            }
        )
    return rows


def facts_known(
    model: PreTrainedModel, tokenizer: Tokenizer, facts: Sequence[corpus_mod.Question]
) -> dict[str, Any] | None:
    """How many of a world's facts the model knows: its top-1 guess is the whole answer.

    MLM: the blank becomes one [MASK] per token of the answer, all filled at once from both sides.
    AR: the text left of the blank is the prompt and the greedy continuation of as many tokens must be the answer;
    only facts decided by their left context are asked (a GPT cannot know the others yet).
    T5: the blank becomes the sentinel <extra_id_0> and the decoder's greedy span for it must be the answer.
    ELECTRA: None, not defined: the discriminator, the model ELECTRA keeps, tells original from replaced words
    and fills no blank. Its generator (model/generator/, loaded by `probe.load_model` as an MLM) can be asked
    like any MLM, but that is the knowledge of a network a quarter as wide, not of the discriminator.
    Returns asked, known, share (0-1) and the questions it got wrong (text, answer, guess).
    """
    objective = probe.objective_of(model)
    if objective == "electra":
        return None
    asked, wrong = [f for f in facts if not (objective == "ar" and f.needs_right_context)], []
    for fact in asked:
        answer = tokenizer(fact.answer, add_special_tokens=False)["input_ids"]
        if objective == "ar":
            prompt = fact.text.split(MASK_TOKEN)[0].rstrip(" ")
            guess = probe.generate(model, tokenizer, prompt, max_new_tokens=len(answer), greedy=True).text
        elif objective == "t5":
            guess = probe.fill_spans(model, tokenizer, fact.text, max_new_tokens=len(answer) + 1)[0].text
        else:
            text = fact.text.replace(MASK_TOKEN, " ".join([MASK_TOKEN] * len(answer)))
            guess = "".join(p.candidates[0].token for p in probe.fill_mask(model, tokenizer, text, top_k=1))
        if "".join(guess.split()) != "".join(fact.answer.split()):
            wrong.append((fact.text, fact.answer, guess.strip()))
    known = len(asked) - len(wrong)
    return {"asked": len(asked), "known": known, "share": known / max(len(asked), 1), "wrong": wrong}


def scoreboard_summary(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Right / total / accuracy for the probes that need right context, those where the left context
    suffices, and all of them (the first two add up to the third)."""
    groups = [
        (NEEDS_RIGHT, [r for r in rows if r["needs_right_context"]]),
        (LEFT_SUFFICES, [r for r in rows if not r["needs_right_context"]]),
        ("all", list(rows)),
    ]
    return [
        {
            "probes": name,
            "right": sum(r["correct"] for r in g),
            "total": len(g),
            "accuracy": sum(r["correct"] for r in g) / len(g) if g else None,
        }
        for name, g in groups
    ]


@dataclass
class BlankAnswer:
    """How a model fills one blank: the method in words and its options (word, probability), best first."""

    method: str
    options: list[tuple[str, float]]


def blank_at_end(text: str) -> bool:
    """Is the [MASK] the last word, with only punctuation after it (so the left context is all there is)?"""
    right = probe.MASK_PATTERN.split(text)[-1]
    return not re.search(r"\w", right)


def answer_blank(
    model: PreTrainedModel, tokenizer: Tokenizer, text: str, candidates: Sequence[str], top_k: int = 5
) -> list[BlankAnswer]:
    """The same blank put to either model, answered the way that model can.

    MLM: fill-mask, reading both sides. AR: each candidate tried in the blank, whole sentence scored;
    and when the blank is at the end, also the plain next-word prediction from the left context.
    """
    if probe.objective_of(model) == "mlm":
        top = probe.fill_mask(model, tokenizer, text, top_k)[0].candidates
        return [
            BlankAnswer(
                "fill-mask: reads the words on both sides of the blank (whole vocabulary)",
                [(c.token, c.prob) for c in top],
            )
        ]
    words = list(dict.fromkeys(candidates))
    probs = torch.tensor(candidate_logprobs(model, tokenizer, text, words)).softmax(0)  # share among the candidates
    best = probs.topk(min(top_k, len(words)))
    out = [
        BlankAnswer(
            f"tries each of {len(words)} candidates in the blank and scores the whole sentence "
            "(share of probability among the candidates)",
            [(words[i], float(p)) for p, i in zip(best.values, best.indices.tolist(), strict=True)],
        )
    ]
    if blank_at_end(text):
        left = probe.MASK_PATTERN.split(text)[0]
        nxt = probe.next_token(model, tokenizer, left, top_k)
        out.append(BlankAnswer("next word after the left context (whole vocabulary)", [(c.token, c.prob) for c in nxt]))
    return out


# ---------------------------------------------------------------- comparable metrics


def held_out_blanks(rows: Packed, n_rows: int = 128, per_row: int = 4, seed: int = BLANK_SEED):
    """The blanks both objectives are scored on: up to `per_row` random content tokens (never [CLS],
    [SEP], [PAD]) in each of the first `n_rows` held-out rows. Returns (row index, position), each (N,)."""
    n = min(len(rows), n_rows)
    content = ~rows.special_mask[:n]  # (n, L)
    gen = torch.Generator().manual_seed(seed)
    scores = torch.rand(content.shape, generator=gen).masked_fill(~content, -1.0)  # (n, L)
    top = scores.topk(min(per_row, content.shape[1]), dim=1)  # (n, k)
    keep = top.values >= 0  # rows with fewer content tokens than k
    row = torch.arange(n)[:, None].expand_as(top.indices)[keep]  # (N,)
    return row, top.indices[keep]


@torch.inference_mode()
def blank_predictions(
    model: PreTrainedModel, tokenizer: Tokenizer, rows: Packed, row: torch.Tensor, pos: torch.Tensor, chunk: int = 256
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each blank: was the model's top-1 token (whole vocabulary) right, and -log p(true token) in nats.

    MLM: the blank alone is replaced by [MASK]; the model reads both sides of it.
    AR: the model predicts the token at the blank from the tokens before it, as it always does.
    Both are the same question, -log p(x_t | context), asked with different context. Returns (N,) each.
    """
    probe.require(model, ("mlm", "ar"), "Scoring held-out blanks")
    targets = rows.input_ids[row, pos]  # (N,)
    if not len(row):
        return torch.zeros(0, dtype=torch.bool), torch.zeros(0)
    logits = []
    if probe.objective_of(model) == "mlm":
        for i in range(0, len(row), chunk):
            r, p = row[i : i + chunk], pos[i : i + chunk]
            ids = rows.input_ids[r].clone()  # (b, L)
            ids[torch.arange(len(r)), p] = tokenizer.mask_token_id
            hidden = _packed_hidden(model, ids.to(model.device))  # (b, L, H)
            logits.append(model.cls(hidden[torch.arange(len(r)), p.to(model.device)]).float().cpu())
    else:
        n, dev = int(row.max()) + 1 if len(row) else 0, model.device
        ids = rows.input_ids.masked_fill(rows.input_ids == CLS_ID, tokenizer.bos_token_id)  # a GPT opens with its own
        hidden = torch.cat([_packed_hidden(model, ids[i : i + 64].to(dev)).cpu() for i in range(0, n, 64)])
        # (n, L, H): one forward per row serves all its blanks
        logits.append(model.lm_head(hidden[row, pos - 1].to(dev)).float().cpu())  # position t-1 predicts token t
    logits = torch.cat(logits)  # (N, V)
    nll = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    return logits.argmax(-1) == targets, nll


def _packed_hidden(model: PreTrainedModel, ids: torch.Tensor) -> torch.Tensor:
    """Last hidden states (b, L, H) of packed rows, each document read alone, as in training."""
    ar = probe.objective_of(model) == "ar"
    mask, positions = documents(ids, causal=ar)
    body = model.transformer if ar else model.bert
    return body(input_ids=ids, attention_mask=mask, position_ids=positions).last_hidden_state


def comparable_metrics(
    run: RunInfo | str,
    model: PreTrainedModel | None = None,
    tokenizer: Tokenizer | None = None,
    n_rows: int = 128,
    per_row: int = 4,
) -> dict[str, Any]:
    """The figures that compare runs of different objectives honestly (see the module docstring).

    blank_accuracy / blank_loss: top-1 accuracy and mean -log p (nats) on the held-out blanks of
    `held_out_blanks`, the same blanks for any two runs with the same data settings (`same_held_out`); None
    for the objectives outside BLANK_OBJECTIVES (ELECTRA's discriminator fills no blank, T5 writes spans:
    compare those by `facts_known` and fine-tuning), whose `blanks` is then 0.
    baseline_accuracy: what answering every blank with its most common token scores (`guessing_baseline`).
    tokens_seen, elapsed_s, steps, parameters: the run's budget. targets_trained: about how many
    tokens the loss was computed on (MLM: the masked share only; ELECTRA, T5: the run's own count,
    `signal_seen`); signal_tokens_per_s: those per second of training (the signal meter). train_val_loss:
    the run's own held-out loss, on its own objective's targets: not comparable across objectives.
    model / tokenizer: the run's, if already loaded.
    """
    run = load_run(run) if isinstance(run, str) else run
    cfg = TrainConfig.from_dict(run.config)
    _, _, val_rows = prepare_data(cfg.replace(objective="mlm"))  # one row layout for every objective: same blanks
    row, pos = held_out_blanks(val_rows, n_rows, per_row)
    targets_at_blanks = val_rows.input_ids[row, pos]  # (N,)
    asked = cfg.objective in BLANK_OBJECTIVES and len(row) > 0
    if asked:
        if model is None or tokenizer is None:
            model, tokenizer, _ = probe.load_model(run.model_path)
        hits, nll = blank_predictions(model, tokenizer, val_rows, row, pos)
    s = run.summary
    tokens = s.get("tokens_seen") or 0
    content_share = float((~val_rows.special_mask).float().mean())  # share of tokens that are words, not specials
    nonpad_share = float((val_rows.input_ids != PAD_ID).float().mean())
    targets = {"mlm": tokens * content_share * cfg.masking.rate, "ar": tokens * nonpad_share}.get(cfg.objective)
    return {
        "objective": cfg.objective,
        "blanks": len(row) if asked else 0,
        "blank_accuracy": float(hits.float().mean()) if asked else None,
        "blank_loss": float(nll.mean()) if asked else None,
        "baseline_accuracy": guessing_baseline(targets_at_blanks),
        "tokens_seen": tokens,
        "targets_trained": round(targets if targets is not None else s.get("signal_seen") or 0),
        "signal_tokens_per_s": s.get("signal_tokens_per_s"),
        "elapsed_s": s.get("elapsed_s"),
        "steps": s.get("steps"),
        "parameters": s.get("parameters"),
        "train_val_loss": s.get("val_loss"),
    }


def with_seeds(cfgs: Sequence[TrainConfig], seeds: int) -> list[TrainConfig]:
    """`seeds` runs of each config, seeds cfg.seed, cfg.seed + 1, ...: all configs at the first seed, then all
    at the next, so a sweep's first full curve comes early. Runs of the same seed hold out the same text and
    answer the same blanks (`same_held_out`); the spread over seeds includes that of the held-out text."""
    if seeds < 1:
        raise ValueError(f"Run each setting at least once (seeds >= 1), got {seeds}.")
    return [c.replace(seed=c.seed + k) for k in range(seeds) for c in cfgs]


# ---------------------------------------------------------------- robustness


def robustness(
    run_or_model: RunInfo | str | PreTrainedModel,
    strengths: Sequence[float] = (0.0, 0.1, 0.2, 0.3),
    kind: str = "noise",
    cfg: TrainConfig | None = None,
) -> list[dict[str, Any]]:
    """Held-out accuracy and loss of a model on its run's held-out rows, clean (strength 0) and corrupted
    by `augment()` with `kind` at each strength (seeded: the same corrupted copy every time).

    The objective's own held-out measure is used (MLM: masked tokens; AR: next tokens), with the
    targets the clean text, as in training with that augmentation. Strength 0 gives exactly the
    run's clean held-out accuracy. (For MLM the corrupted copies get their own seeded blanks: the
    corruption draws from the generator before the masking does.) run_or_model: a run (id or RunInfo), or a model plus its `cfg`.
    Returns one row per strength: {"kind", "strength", "val_accuracy", "val_loss"}.
    """
    if kind not in AUGMENTATIONS:
        raise ValueError(f"Unknown augmentation {kind!r}; choose one of {AUGMENTATIONS}.")
    if isinstance(run_or_model, (RunInfo, str)):
        run = load_run(run_or_model) if isinstance(run_or_model, str) else run_or_model
        cfg = TrainConfig.from_dict(run.config)
        model, _, _ = probe.load_model(run.model_path)
    elif cfg is None:
        raise ValueError("Pass the run's TrainConfig as cfg together with a model.")
    else:
        model = run_or_model
    if cfg.objective == "electra":  # its held-out loss needs the generator too, which a saved run keeps apart
        raise probe.ProbeError("Robustness is measured for MLM, AR and T5 runs; pick one of those.")
    tokenizer, _, val_rows = prepare_data(cfg)
    out = []
    for s in strengths:
        aug = AugmentConfig(shuffle_window=cfg.augment.shuffle_window, **{kind: s}) if s else None
        m = evaluate(model, eval_batches(cfg, val_rows, len(tokenizer), aug), cfg.objective, model.device)
        out.append({"kind": kind, "strength": float(s), "val_accuracy": m["val_accuracy"], "val_loss": m["val_loss"]})
    model.eval()  # evaluate() leaves the model in training mode
    return out


# ---------------------------------------------------------------- generating with an MLM


@dataclass
class IterativeFill:
    """The result of `iterative_fill`: the filled tokens and the text after each step."""

    tokens: list[str]  # the n filled tokens, left to right
    text: str  # prompt + the filled tokens, decoded
    steps: list[str]  # the text after each fill, the remaining [MASK]s still showing


@torch.inference_mode()
def iterative_fill(model: PreTrainedModel, tokenizer: Tokenizer, prompt: str, n_tokens: int = 10) -> IterativeFill:
    """ "Generate" with an MLM: append n [MASK]s to the prompt, then fill them one at a time, left to
    right, each with the most likely token (never a special one) given everything filled so far.

    BERT was never trained for this: it always saw the whole sentence, with ~15% missing, and here
    the right side is a wall of [MASK]s. It is a demonstration of why generation needs AR training.
    """
    if probe.objective_of(model) != "mlm":
        raise probe.ProbeError("Iterative mask-filling needs a masked LM (BERT); an AR model generates directly.")
    if n_tokens < 1:
        raise probe.ProbeError("Ask for at least one token.")
    content = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = [tokenizer.cls_token_id, *content, *[tokenizer.mask_token_id] * n_tokens, tokenizer.sep_token_id]
    if len(ids) > model.config.max_position_embeddings:
        raise probe.ProbeError(
            f"Prompt plus {n_tokens} blanks is {len(ids)} tokens; the model reads at most "
            f"{model.config.max_position_embeddings}. Shorten the prompt or ask for fewer."
        )
    banned = torch.tensor(tokenizer.all_special_ids)
    start, steps = 1 + len(content), []
    for pos in range(start, start + n_tokens):
        logits = model(input_ids=torch.tensor([ids], device=model.device)).logits[0, pos].float().cpu()
        logits[banned] = float("-inf")
        ids[pos] = int(logits.argmax())
        steps.append(tokenizer.decode(ids[1:-1], skip_special_tokens=False))
    filled = ids[start : start + n_tokens]
    return IterativeFill(token_texts(tokenizer, filled), tokenizer.decode(ids[1:-1], skip_special_tokens=True), steps)


# ---------------------------------------------------------------- tables


def scoreboard_table(rows: dict[str, Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Scoreboards of several models (name -> `scoreboard` rows, same probes) side by side: one row per
    question with its answer, whether it needs right context, and under `answers` each model's prediction and
    whether it is correct ({name: {"prediction": str, "correct": bool}})."""
    names = list(rows)
    return [
        {
            "question": first["text"],
            "answer": first["answer"],
            "needs_right_context": first["needs_right_context"],
            "answers": {
                name: {"prediction": rows[name][i]["prediction"], "correct": rows[name][i]["correct"]} for name in names
            },
        }
        for i, first in enumerate(rows[names[0]])
    ]


# The rows of the MLM-vs-AR comparison of `comparable_metrics`: the comparable ones first.
COMPARISON_ROWS = (
    "blank_accuracy",
    "baseline_accuracy",
    "blank_loss",
    "elapsed_s",
    "steps",
    "tokens_seen",
    "targets_trained",
    "train_val_loss",
)


def augmentation_of(config: dict[str, Any]) -> tuple[str, float] | None:
    """(kind, strength) of the first augmentation a run (config dict) trained with, or None: the label of an ablation."""
    augment = config.get("augment") or {}
    return next(((k, float(augment[k])) for k in AUGMENTATIONS if augment.get(k)), None)
