"""Writing step by step: BERT by iterative unmasking (one blank a step, the surest; an oracle model writes the
expected text, in its order of confidence), GPT left to right (the same steps as greedy generation)."""

import pytest
import torch

from selfsup_core import probe, unmasking
from selfsup_core.probe import ProbeError
from selfsup_core.tokenization import MASK_TOKEN
from selfsup_core.unmasking import left_to_right, unmask, write
from tests import window_models

PROMPT = "the capital of norland is"


@pytest.fixture(scope="module")
def mlm():
    tok = window_models.tokenizer("mlm")
    return window_models.model("mlm", len(tok)), tok


@pytest.fixture(scope="module")
def ar():
    tok = window_models.tokenizer("ar")
    return window_models.model("ar", len(tok)), tok


def test_each_step_fills_exactly_one_blank_the_surest_one(mlm):
    model, tok = mlm
    writing = unmask(model, tok, PROMPT, n_tokens=5)
    assert len(writing.steps) == 6 and writing.steps[0].written is None
    assert writing.steps[0].tokens[writing.prompt_tokens :] == [MASK_TOKEN] * 5 + ["[SEP]"]
    for before, after in zip(writing.steps, writing.steps[1:], strict=False):
        changed = [i for i, (a, b) in enumerate(zip(before.tokens, after.tokens, strict=True)) if a != b]
        assert changed == [after.written] and before.tokens[after.written] == MASK_TOKEN
        # the reference: every open blank's best guess (no special tokens) asked of the model on the text before
        ids = tok(" ".join(before.tokens[1:-1]))["input_ids"]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0]
        logits[:, tok.all_special_ids] = float("-inf")
        best = logits.softmax(-1).max(-1).values
        blanks = [i for i, t in enumerate(ids) if t == tok.mask_token_id]
        assert after.written == max(blanks, key=lambda i: best[i])
        assert after.prob == pytest.approx(float(best[after.written]), abs=1e-6)
    assert MASK_TOKEN not in writing.steps[-1].tokens


def test_an_oracle_model_writes_the_expected_text_surest_first(mlm, monkeypatch):
    model, tok = mlm
    target = tok("velmar is the capital", add_special_tokens=False)["input_ids"]  # 4 tokens
    start = len(tok(PROMPT)["input_ids"]) - 1  # [CLS] + the prompt
    confidence = [3.0, 9.0, 5.0, 7.0]  # the oracle is surest of the 2nd token, then the 4th, 3rd, 1st

    def oracle(_model, rows):
        logits = torch.zeros(len(rows), len(rows[0]), len(tok))
        for k, (token, c) in enumerate(zip(target, confidence, strict=True)):
            logits[:, start + k, token] = c
            logits[:, start + k, tok.sep_token_id] = c + 1  # a special token is never written, however likely
        return logits

    monkeypatch.setattr(unmasking, "_logits", oracle)
    writing = unmask(model, tok, PROMPT, n_tokens=4)
    assert [s.written - start for s in writing.steps[1:]] == [1, 3, 2, 0]
    assert writing.text == "velmar is the capital" and not writing.ended


def test_it_ends_after_every_blank_is_filled_typed_ones_too(mlm):
    model, tok = mlm
    writing = unmask(model, tok, "the [MASK] of norland is", n_tokens=3)
    assert len(writing.steps) == 1 + 4 and MASK_TOKEN not in writing.steps[-1].tokens


def test_sampling_is_seeded(mlm):
    model, tok = mlm
    a = unmask(model, tok, PROMPT, 6, greedy=False, temperature=2.0, seed=1)
    assert a == unmask(model, tok, PROMPT, 6, greedy=False, temperature=2.0, seed=1)
    others = {unmask(model, tok, PROMPT, 6, greedy=False, temperature=2.0, seed=s).text for s in range(2, 6)}
    assert others - {a.text}  # another seed, another text (random weights: the distributions are flat)


def test_ar_steps_are_greedy_generation_one_token_at_a_time(ar):
    model, tok = ar
    writing = left_to_right(model, tok, PROMPT, n_tokens=6)
    reference = probe.generate(model, tok, PROMPT, max_new_tokens=6, greedy=True)
    assert writing.text == reference.text.strip()  # the reference starts with the space after the prompt
    assert writing.ended == reference.ended
    n = writing.prompt_tokens
    for k, step in enumerate(writing.steps):
        assert len(step.tokens) == n + k and step.tokens[: n + k - 1] == writing.steps[-1].tokens[: n + k - 1]
        assert step.written == (None if k == 0 else n + k - 1)
    # each token's probability is the model's own for it: the top next-token guess after the text before it
    first = probe.next_token(model, tok, PROMPT, top_k=1)[0]
    assert writing.steps[1].tokens[-1] == first.token and writing.steps[1].prob == pytest.approx(first.prob, abs=1e-5)


def test_each_objective_writes_its_own_way_and_the_other_is_refused(mlm, ar):
    assert write(*mlm, PROMPT, 3).objective == "mlm" and write(*ar, PROMPT, 3).objective == "ar"
    with pytest.raises(ProbeError, match="left to right"):
        unmask(*ar, PROMPT)
    with pytest.raises(ProbeError, match="by unmasking"):
        left_to_right(*mlm, PROMPT)
    with pytest.raises(ProbeError, match="between 1 and 64"):
        unmask(*mlm, PROMPT, n_tokens=0)
