"""The logit lens against a reference: its last layer is the model's own prediction, its layer 0 is the output
head applied to a plain embedding of the input, for BERT (MLM head) and GPT-2 (final norm, then the LM head)."""

import pytest
import torch

from selfsup_core import models, probe
from selfsup_core.lens import LayerGuesses, Lens, logit_lens
from selfsup_core.probe import ProbeError
from selfsup_core.tokenization import token_texts
from tests import window_models

MLM_TEXT, AR_TEXT = "the capital of norland is [MASK] .", "the capital of norland is"


@pytest.fixture(scope="module", params=["mlm", "ar"])
def lm(request):
    tok = window_models.tokenizer(request.param)
    return window_models.model(request.param, len(tok)), tok, request.param


def test_one_row_per_layer_and_the_embeddings(lm):
    model, tok, objective = lm
    lens = logit_lens(model, tok, MLM_TEXT if objective == "mlm" else AR_TEXT, top_k=4)
    assert [g.layer for g in lens.layers] == [0, 1, 2, 3]
    assert all(len(g.candidates) == 4 for g in lens.layers)
    assert lens.tokens[lens.position] == ("[MASK]" if objective == "mlm" else "is")


def test_the_last_layer_is_the_models_own_prediction(lm):
    model, tok, objective = lm
    if objective == "mlm":
        own = probe.fill_mask(model, tok, MLM_TEXT, top_k=5)[0].candidates
        last = logit_lens(model, tok, MLM_TEXT, top_k=5).layers[-1].candidates
    else:
        own = probe.next_token(model, tok, AR_TEXT, top_k=5)
        last = logit_lens(model, tok, AR_TEXT, top_k=5).layers[-1].candidates
    assert [c.token for c in last] == [c.token for c in own]
    assert [c.prob for c in last] == pytest.approx([c.prob for c in own], abs=1e-6)


def test_layer_zero_reads_the_plain_embeddings_through_the_whole_head(lm):
    model, tok, objective = lm
    text = MLM_TEXT if objective == "mlm" else AR_TEXT
    lens = logit_lens(model, tok, text, top_k=3)
    ids = torch.tensor([tok(text.replace("[MASK]", tok.mask_token))["input_ids"]])
    with torch.no_grad():
        if objective == "mlm":  # word + position + type embeddings, LayerNorm; then the MLM head's transform
            logits = model.cls(model.bert.embeddings(input_ids=ids))[0, lens.position]
        else:  # token + position embeddings; then ln_f and lm_head, as the last layer is read
            gpt = model.transformer
            h = gpt.wte(ids) + gpt.wpe(torch.arange(ids.shape[1]))
            logits = model.lm_head(gpt.ln_f(h))[0, lens.position]
    p, i = logits.softmax(-1).topk(3)
    assert [c.token for c in lens.layers[0].candidates] == token_texts(tok, i.tolist())
    assert [c.prob for c in lens.layers[0].candidates] == pytest.approx(p.tolist(), abs=1e-6)


def test_the_answer_is_ranked_at_every_layer(lm):
    model, tok, objective = lm
    lens = logit_lens(model, tok, MLM_TEXT if objective == "mlm" else AR_TEXT, answer="velmar")
    assert lens.answer == "velmar"
    for g in lens.layers:
        assert 1 <= g.answer_rank <= len(tok) and 0 < g.answer_prob < 1
        top = g.candidates[0].prob
        assert (g.answer_rank == 1) == (g.answer_prob == pytest.approx(top))
    assert all(
        g.answer_rank is None for g in logit_lens(model, tok, MLM_TEXT if objective == "mlm" else AR_TEXT).layers
    )


def guesses(ranks):
    return Lens("mlm", [], 0, "x", [LayerGuesses(i, [], 0.5, r) for i, r in enumerate(ranks)])


def test_the_answer_appears_where_it_becomes_the_top_guess_for_good():
    assert guesses([4, 2, 1, 1]).answer_appears == 2
    assert guesses([1, 3, 1]).answer_appears == 2  # top at the embeddings, lost, found again
    assert guesses([1, 1, 2]).answer_appears is None  # lost at the last layer: the model does not answer it
    assert guesses([None, None]).answer_appears is None


def test_a_blank_is_needed_for_an_mlm():
    tok = window_models.tokenizer("mlm")
    with pytest.raises(ProbeError, match="MASK"):
        logit_lens(window_models.model("mlm", len(tok)), tok, "the cat sat .")


def test_other_objectives_are_refused_with_a_clear_message(monkeypatch):
    tok = window_models.tokenizer("mlm")
    model = window_models.model("mlm", len(tok))
    monkeypatch.setitem(models.OBJECTIVE_OF_MODEL_TYPE, "bert", "electra")  # as an ELECTRA run would read
    with pytest.raises(ProbeError, match=r"logit lens reads BERT \(mlm\) and GPT-2 \(ar\).*'electra'"):
        logit_lens(model, tok, MLM_TEXT)
