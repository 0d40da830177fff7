"""Is there a difference to see? Data for the pages' verdicts: too early, within the spread, or who is ahead.

Comparisons made too early compare noise: after 5 s a nano MLM answers "." (the most common token) to every
held-out blank and knows none of the world's facts, yet a table would still rank it. And one run per setting
cannot tell a real difference from the luck of one seed. So a page asks `verdict` (or `judge_runs`, for runs'
results) before it says who wins; the app turns the verdict into words.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a tensor's type only: the app's verdicts need not import torch
    import torch

TOO_EARLY, WITHIN_SPREAD, WINS = "too_early", "within_spread", "wins"
# A model has learned something to compare once BOTH hold (a model that is still guessing fails both):
MIN_LIFT = 0.05  # held-out blank accuracy at least 5 points above `guessing_baseline`
MIN_FACTS = 0.10  # it knows at least 10% of the world's facts (`facts_known`; built-in worlds only)
# Why there: measured on world-en, 512 blanks (`held_out_blanks`), seed 0, on this 2-core machine while another
# training kept one core busy (2026-12-02; `facts_known` share of 180 facts for MLM, of 109 for AR):
#   nano 5 s    MLM   2 steps  blanks 14.1%  facts 0%    AR  4 steps  blanks 14.8%  facts 0%
#   mini 20 s   MLM  75 steps  blanks 15.8%  facts 0%    AR 25 steps  blanks 37.9%  facts 0%
#   mini 30 s   MLM  64 steps  blanks 16.6%  facts 0%    AR 20 steps  blanks 30.9%  facts 0%
# The guessing baseline was 14.5% ("." is 14.5% of those blanks): the MLMs sat within 2 points of it, answering
# "." everywhere, as did the nano 5 s sweep (15.6-17.2% at every rate). MIN_LIFT = 5 points is more than
# twice the blanks' own sampling noise at that accuracy (2 sqrt(0.15 x 0.85 / 512) = 3.2 points), so a model
# above it is not there by the luck of the blanks. But the AR runs show blank accuracy alone is not enough: a
# GPT learns the sentence templates ("the capital of ... is ... .") within 20 steps, 16-23 points above the
# baseline, while knowing none of the facts. Hence the facts: MIN_FACTS = 10% is 18 whole answers of 180 (11 of
# AR's 109), which a guesser of frequent tokens never gets (0 in every run above); a model that knows that many
# has started learning the world, not just its grammar. (bench/RESULTS.md, issue 4: a mini MLM after 250 steps
# reaches 22.3% of the blanks and 0 of 18 probes, still guessing by this rule; an idle machine gives ~3x the steps.)


def guessing_baseline(targets: torch.Tensor) -> float:
    """The accuracy of a model that always says the most common token: the share of the blanks' true tokens
    (`targets`, (N,)) that are the most common one (0 for no blanks). A model at or near it is still guessing."""
    if not len(targets):
        return 0.0
    return float(targets.bincount().max()) / len(targets)


def still_guessing(accuracy: float | None, baseline: float | None, facts_share: float | None = None) -> bool:
    """Has a model not yet learned enough to be compared? True when its held-out blank `accuracy` is less than
    MIN_LIFT above `baseline` (`guessing_baseline`), or, where the world has facts (`facts_share`, 0-1, from
    `facts_known`; None for an uploaded text), it knows less than MIN_FACTS of them. A model asked no blanks
    (accuracy None: T5) is judged by the facts alone, and one with neither figure is taken to be guessing.
    See MIN_LIFT for the evidence."""
    if accuracy is None:
        return facts_share is None or facts_share < MIN_FACTS
    return accuracy < baseline + MIN_LIFT or (facts_share is not None and facts_share < MIN_FACTS)


def sampling_noise(accuracies: Sequence[float], n: int) -> float:
    """How far apart two accuracies measured on the same `n` blanks may be by the luck of the blanks alone:
    two standard errors of their difference, 2 sqrt(sum p(1-p) / n), for runs that differ in nothing else."""
    if n < 1:
        return 1.0
    return 2 * math.sqrt(sum(p * (1 - p) for p in accuracies) / n)


@dataclass(frozen=True)
class Spread:
    """One setting's results over its seeds: the median and the lowest and highest (the spread), and how many."""

    median: float
    low: float
    high: float
    n: int


def seed_spread(values: Sequence[float]) -> Spread:
    """The median, min and max of one setting's results (one per seed); raises ValueError for none."""
    if not values:
        raise ValueError("A setting needs at least one finished run to have a result.")
    return Spread(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Verdict:
    """What a comparison supports, as data for a page to put into words.

    kind: TOO_EARLY (`guessing` lists the settings still guessing: no conclusion), WITHIN_SPREAD (the best and
    the runner-up differ by no more than the seeds' spread or the `noise`), WINS (`best` is ahead of every other
    setting by more). gap: best median minus runner-up median; noise: the noise a gap had to exceed;
    spreads: each setting's `Spread`; seeds: the fewest runs any setting has.
    """

    kind: str
    best: str | None
    runner_up: str | None
    gap: float
    noise: float
    spreads: dict[str, Spread]
    guessing: tuple[str, ...]
    seeds: int


def verdict(scores: Mapping[str, Sequence[float]], guessing: Collection[str] = (), noise: float = 0.0) -> Verdict:
    """Who is ahead, if anyone, among settings with one result per seed (higher is better, e.g. blank accuracy).

    guessing: the settings whose models are still guessing (`still_guessing`): then TOO_EARLY, whatever the
    numbers. Otherwise the best median wins only if its lowest seed beats the runner-up's highest seed and the
    gap exceeds `noise` (with one seed each there is no spread to see: pass `sampling_noise` as `noise`);
    else WITHIN_SPREAD.
    """
    if len(scores) < 2:
        raise ValueError("A comparison needs at least two settings.")
    spreads = {name: seed_spread(list(v)) for name, v in scores.items()}
    order = sorted(spreads, key=lambda name: spreads[name].median, reverse=True)
    best, runner_up = order[0], order[1]
    gap = spreads[best].median - spreads[runner_up].median
    still = tuple(name for name in scores if name in set(guessing))
    if still:
        kind = TOO_EARLY
    elif spreads[best].low <= max(spreads[n].high for n in order[1:]) or gap <= noise:
        kind = WITHIN_SPREAD
    else:
        kind = WINS
    return Verdict(
        kind, best if kind == WINS else None, runner_up, gap, noise, spreads, still, min(s.n for s in spreads.values())
    )


# What each figure `judge_runs` compares is a share of: the sample whose luck `sampling_noise` weighs.
SAMPLE_OF = {"blank_accuracy": "blanks", "facts_share": "facts_asked", "test_accuracy": "test_examples"}


def judge_runs(results: Mapping[str, Sequence[Mapping[str, Any]]], metric: str = "blank_accuracy") -> Verdict | None:
    """`verdict` on runs' measured figures, for 2 or more settings: per setting, one mapping per run (seed) holding
    `metric` (a key of SAMPLE_OF, higher is better) and the size of its sample (SAMPLE_OF[metric]), and what
    `still_guessing` reads of the pretrained model: blank_accuracy and baseline_accuracy (`comparable_metrics`;
    None where no blanks are asked) and facts_share (`facts_known`'s share; None or absent for an uploaded text
    or ELECTRA's discriminator). A setting whose `metric` is not defined (None: the facts an ELECTRA knows) is
    left out, and with fewer than two left there is nothing to judge: None. A run with neither blank accuracy nor
    facts (ELECTRA's discriminator) cannot be told to be guessing and is not called so. A setting is still guessing
    if any of its runs is; a gap must exceed the seeds' spread and the sample's `sampling_noise` to be a difference."""
    defined = {name: rs for name, rs in results.items() if rs and all(r.get(metric) is not None for r in rs)}
    if len(defined) < 2:
        return None
    scores = {name: [r[metric] for r in rs] for name, rs in defined.items()}
    guessing = {
        name
        for name, rs in defined.items()
        if any(
            (r.get("blank_accuracy"), r.get("facts_share")) != (None, None)
            and still_guessing(r.get("blank_accuracy"), r.get("baseline_accuracy"), r.get("facts_share"))
            for r in rs
        )
    }
    medians = sorted((statistics.median(v) for v in scores.values()), reverse=True)
    n = min((r.get(SAMPLE_OF[metric]) or 0 for rs in defined.values() for r in rs), default=0)
    return verdict(scores, guessing, sampling_noise(medians[:2], n))
