"""Probes on tiny random-init models, checked against transformers itself where it has the same tool."""

import math
import shutil
import time

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel, pipeline

from selfsup_core import probe
from selfsup_core.probe import ProbeError
from selfsup_core.tokenization import build_tokenizer, for_objective, from_json, to_json

SENTENCES = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog play in the garden",
    "the bird sings in the tree",
    "one two three four five six",
    "my cat likes warm milk",
    "the dog likes to run in the park",
    "we walked to the park with the dog",
    "the sun is warm and the sky is blue",
    "birds fly over the garden",
] * 4
MAX_POSITIONS = 64


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer("wordpiece", SENTENCES, vocab_size=200)


def tiny_model(objective: str, vocab_size: int):
    torch.manual_seed(0)
    if objective == "mlm":
        config = BertConfig(
            vocab_size=vocab_size,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=MAX_POSITIONS,
            pad_token_id=0,
        )
        return BertForMaskedLM(config).eval()
    config = GPT2Config(
        vocab_size=vocab_size,
        n_embd=32,
        n_layer=2,
        n_head=2,
        n_positions=MAX_POSITIONS,
        pad_token_id=0,
        bos_token_id=3,  # [SEP]: end-of-text opens a text, as models.build_model sets it
        eos_token_id=3,
    )
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def folders(tokenizer, tmp_path_factory):
    """objective -> a saved model folder (weights + tokenizer), as train.save_model writes it."""
    out = {}
    for objective in ("mlm", "ar"):
        folder = tmp_path_factory.mktemp(objective)
        tiny_model(objective, len(tokenizer)).save_pretrained(folder)
        for_objective(from_json(to_json(tokenizer), 512), objective).save_pretrained(folder)
        out[objective] = folder
    return out


@pytest.fixture(scope="module")
def bert(folders):
    model, tok, _ = probe.load_model(folders["mlm"], attention=True)
    return model, tok


@pytest.fixture(scope="module")
def gpt(folders):
    model, tok, _ = probe.load_model(folders["ar"], attention=True)
    return model, tok


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_load_model_round_trip_gives_identical_logits(objective, tokenizer, tmp_path):
    original = tiny_model(objective, len(tokenizer))
    original.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    model, tok, found = probe.load_model(tmp_path)
    ids = torch.tensor([tok("the cat sat on the mat")["input_ids"]])
    assert found == objective and not model.training
    assert torch.equal(model(input_ids=ids).logits, original(input_ids=ids).logits)


def test_load_model_of_an_empty_folder_raises_probe_error(tmp_path):
    with pytest.raises(ProbeError, match="No saved model"):
        probe.load_model(tmp_path)


def test_load_model_of_a_checkpoint_takes_the_tokenizer_from_elsewhere(folders, tmp_path):
    tiny_model("ar", 200).save_pretrained(tmp_path)  # weights only, like checkpoints/step-N
    with pytest.raises(ProbeError, match="tokenizer_path"):
        probe.load_model(tmp_path)
    _, tok, objective = probe.load_model(tmp_path, tokenizer_path=folders["ar"])
    assert objective == "ar" and tok.mask_token == "[MASK]"


# ---------------------------------------------------------------- fill_mask / next_token


def test_fill_mask_gives_top_k_sorted_candidates_for_each_mask(bert):
    model, tok = bert
    predictions = probe.fill_mask(model, tok, "the [MASK] sat on the [MASK]", top_k=4)
    ids = tok("the [MASK] sat on the [MASK]")["input_ids"]
    assert [p.position for p in predictions] == [i for i, t in enumerate(ids) if t == tok.mask_token_id]
    for p in predictions:
        probs = [c.prob for c in p.candidates]
        assert len(probs) == 4 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6


def test_answer_rank_counts_the_tokens_fill_mask_ranks_above_the_answer(bert):
    model, tok = bert
    text = "the [MASK] sat on the mat"
    ranked = [c for c in probe.fill_mask(model, tok, text, top_k=len(tok))[0].candidates]  # the whole vocabulary
    words = [(i, c) for i, c in enumerate(ranked) if c.token in ("cat", "mat", "sat", "the")]
    assert len(words) == 4
    for i, c in words:
        got = probe.answer_rank(model, tok, text, c.token)
        assert (got.rank, got.vocabulary) == (i + 1, len(tok)) and got.prob == pytest.approx(c.prob)
    assert probe.answer_rank(model, tok, text, "cat sat") is None  # two tokens: no single [MASK] holds it
    with pytest.raises(probe.ProbeError):
        probe.answer_rank(model, tok, "the [MASK] sat on the [MASK]", "cat")


def test_answer_rank_of_an_ar_model_ranks_the_next_token_after_the_prompt(gpt):
    model, tok = gpt
    ranked = probe.next_token(model, tok, "the cat", top_k=len(tok))  # the whole vocabulary
    for i in (0, 3):
        got = probe.answer_rank(model, tok, "the cat", ranked[i].token)
        assert (got.rank, got.vocabulary) == (i + 1, len(tok)) and got.prob == pytest.approx(ranked[i].prob)


def test_fill_mask_accepts_a_lower_case_mask(bert):
    # the tokenizer matches "[MASK]" before lower-casing; "[mask]" alone would become [UNK] tokens
    model, tok = bert
    assert probe.fill_mask(model, tok, "the [mask] sat") == probe.fill_mask(model, tok, "the [MASK] sat")


@pytest.mark.parametrize("text", ["", "   ", "the cat sat", "[CLS] [SEP]"])
def test_fill_mask_without_a_mask_asks_for_one(bert, text):
    with pytest.raises(ProbeError, match="at least one \\[MASK\\]"):
        probe.fill_mask(*bert, text)


def test_text_longer_than_the_model_is_refused_not_cut(bert, gpt):
    long_text = "the cat sat " * 30 + "[MASK]"  # 91 tokens, the mask beyond position 64
    with pytest.raises(ProbeError, match=f"at most {MAX_POSITIONS}"):
        probe.fill_mask(*bert, long_text)
    with pytest.raises(ProbeError, match=f"at most {MAX_POSITIONS}"):
        probe.next_token(*gpt, long_text)


def test_probes_refuse_the_wrong_kind_of_model(bert, gpt):
    with pytest.raises(ProbeError, match="masked LM"):
        probe.fill_mask(*gpt, "the [MASK] sat")
    with pytest.raises(ProbeError, match="autoregressive"):
        probe.next_token(*bert, "the cat")
    with pytest.raises(ProbeError, match="autoregressive"):
        probe.generate(*bert, "the cat")


def test_fill_mask_top1_matches_the_transformers_pipeline(bert, folders):
    text = "the dog [MASK] in the park"
    ours = probe.fill_mask(*bert, text)[0].candidates
    theirs = pipeline("fill-mask", model=str(folders["mlm"]), tokenizer=str(folders["mlm"]))(text)
    assert bert[1].convert_tokens_to_ids(ours[0].token) == theirs[0]["token"]
    assert ours[0].prob == pytest.approx(theirs[0]["score"], abs=1e-5)


def test_next_token_is_the_distribution_after_cls_and_text(gpt):
    model, tok = gpt
    top = probe.next_token(model, tok, "the cat", top_k=len(tok))
    assert len(top) == len(tok) and sum(c.prob for c in top) == pytest.approx(1, abs=1e-4)
    logits = model(input_ids=torch.tensor([[tok.cls_token_id, *tok("the cat", add_special_tokens=False)["input_ids"]]]))
    assert tok.convert_tokens_to_ids(top[0].token) == int(logits.logits[0, -1].argmax())


# ---------------------------------------------------------------- generate


def test_greedy_generate_matches_the_text_generation_pipeline_called_with_its_defaults(gpt, folders):
    generator = pipeline("text-generation", model=str(folders["ar"]))
    ours = probe.generate(*gpt, "the cat", max_new_tokens=8, greedy=True)
    # the saved AR tokenizer opens a prompt with end-of-text and never ends it, so defaults just work; the
    # pipeline decodes the new tokens alone, and WordPiece drops a word's leading space there (the lossless
    # tokenizers keep it: tests/test_real_text.py compares their text exactly)
    out = generator("the cat", max_new_tokens=8, do_sample=False)[0]["generated_text"]
    assert ours.text and squash(out) == squash("the cat" + ours.text)


def test_generate_is_reproducible_under_a_seed_and_leaves_the_global_rng_alone(gpt):
    state = torch.get_rng_state()
    a = probe.generate(*gpt, "the cat", max_new_tokens=15, seed=1)
    assert probe.generate(*gpt, "the cat", max_new_tokens=15, seed=1) == a
    assert torch.equal(torch.get_rng_state(), state)
    others = {probe.generate(*gpt, "the cat", max_new_tokens=15, seed=s) for s in range(2, 6)}
    assert others - {a}  # a random model's samples differ between seeds


def test_greedy_generation_starts_with_the_top_next_token(gpt):
    model, tok = gpt
    first = probe.next_token(model, tok, "the dog")[0].token
    out = probe.generate(model, tok, "the dog", max_new_tokens=1, greedy=True)
    assert (out.text, out.ended) == ("", True) if first == "[SEP]" else out.text.strip() == first and not out.ended


def test_generate_never_runs_past_the_last_position(gpt):
    model, tok = gpt
    prompt = "the cat sat " * 20  # 60 tokens + beginning-of-text: room for 3 more
    text = probe.generate(model, tok, prompt, max_new_tokens=50, greedy=True).text
    assert len(tok(text, add_special_tokens=False)["input_ids"]) <= 3


# ---------------------------------------------------------------- attention and the reference test


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_attention_rows_sum_to_one_and_only_gpt_is_causal(objective, bert, gpt):
    model, tok = bert if objective == "mlm" else gpt
    maps = probe.attention(model, tok, "the cat sat on the mat")
    layers, heads, t, _ = maps.weights.shape
    assert (layers, heads) == (2, 2) and maps.weights.shape[-1] == t == len(maps.tokens)
    assert np.allclose(maps.weights.sum(-1), 1, atol=1e-5)
    above_diagonal = maps.weights[..., np.triu_indices(t, k=1)[0], np.triu_indices(t, k=1)[1]]
    if objective == "ar":
        assert maps.tokens[0] == "[SEP]" and maps.tokens[-1] == "mat"  # opened by end-of-text, never closed
        assert np.all(above_diagonal == 0)
    else:
        assert maps.tokens[0] == "[CLS]" and maps.tokens[-1] == "[SEP]"
        assert np.all(above_diagonal > 0)


def test_attention_switches_an_sdpa_model_to_eager(folders):
    model, tok, _ = probe.load_model(folders["mlm"])  # default (sdpa) attention returns no weights
    assert probe.attention(model, tok, "the cat").weights.shape[:2] == (2, 2)
    assert model.config._attn_implementation == "eager"


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_changing_a_later_token_changes_earlier_logits_only_for_bert(objective, bert, gpt):
    model, tok = bert if objective == "mlm" else gpt
    ids = tok("the cat sat on the mat")["input_ids"]
    changed = ids[:-2] + [tok.convert_tokens_to_ids("dog")] + ids[-1:]  # replace "mat"
    a, b = (model(input_ids=torch.tensor([x])).logits[0, :-2] for x in (ids, changed))
    if objective == "ar":
        assert torch.equal(a, b)  # a GPT cannot see the future
    else:
        assert not torch.allclose(a, b)  # every BERT position sees the whole sentence


def test_causal_and_bidirectional_masks():
    causal, full = probe.causal_vs_bidirectional_masks(3)
    assert causal.tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]] and full.tolist() == [[1] * 3] * 3


# ---------------------------------------------------------------- token_losses and score_candidates


def test_token_losses_cover_each_token_and_the_end_for_gpt(bert, gpt):
    tokens = bert[1].tokenize("the cat sat on the mat")
    mlm = probe.token_losses(*bert, "the cat sat on the mat")
    ar = probe.token_losses(*gpt, "the cat sat on the mat")
    assert [t.token for t in mlm] == tokens
    assert [t.token for t in ar] == [*tokens, "[SEP]"]
    assert all(t.loss > 0 for t in mlm + ar)


def test_mlm_token_loss_is_the_fill_mask_surprise(bert):
    model, tok = bert
    loss = probe.token_losses(model, tok, "the cat sat")[1].loss  # "cat", masked
    probs = {c.token: c.prob for c in probe.fill_mask(model, tok, "the [MASK] sat", top_k=len(tok))[0].candidates}
    assert loss == pytest.approx(-math.log(probs["cat"]), rel=1e-4)


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_score_candidates_is_a_distribution_best_first(objective, bert, gpt):
    model, tok = bert if objective == "mlm" else gpt
    words = ["cat", "dog", "garden", "xylophone"]  # the last is several tokens
    scored = probe.score_candidates(model, tok, "the [MASK] sat on the mat", words)
    assert sorted(s.candidate for s in scored) == sorted(words)
    assert sum(s.prob for s in scored) == pytest.approx(1)
    assert [s.prob for s in scored] == sorted((s.prob for s in scored), reverse=True)


def test_score_candidates_agrees_with_the_other_probes(bert, gpt):
    mlm = {s.candidate: s for s in probe.score_candidates(*bert, "the [MASK] sat", ["cat", "dog"])}
    fill = {c.token: c.prob for c in probe.fill_mask(*bert, "the [MASK] sat", top_k=len(bert[1]))[0].candidates}
    assert math.exp(mlm["cat"].log_likelihood) == pytest.approx(fill["cat"], rel=1e-4)
    ar = {s.candidate: s for s in probe.score_candidates(*gpt, "the [MASK] sat", ["cat", "dog"])}
    sentence_loss = sum(t.loss for t in probe.token_losses(*gpt, "the cat sat"))
    assert ar["cat"].log_likelihood == pytest.approx(-sentence_loss, rel=1e-4)


@pytest.mark.parametrize("text", ["the cat sat", "the [MASK] sat on the [MASK]"])
def test_score_candidates_needs_exactly_one_mask(bert, text):
    with pytest.raises(ProbeError, match="exactly one"):
        probe.score_candidates(*bert, text, ["cat"])


# ---------------------------------------------------------------- a model that has learned something


def test_a_briefly_trained_gpt_predicts_the_next_word(tokenizer):
    torch.manual_seed(0)
    model = tiny_model("ar", len(tokenizer)).train()
    batch = torch.tensor([tokenizer("one two three four five six")["input_ids"]] * 8)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(60):
        loss = model(input_ids=batch, labels=batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    assert probe.next_token(model, tokenizer, "one two three")[0].token == "four"
    assert probe.generate(model, tokenizer, "one two", greedy=True) == (" three four five six", True)  # then it ends


# ---------------------------------------------------------------- bad probe text (issue #6)


def _every_probe(bert, gpt, text: str) -> list:
    """Each free-text probe's answer to `text`, or the ProbeError it raised (anything else fails the test)."""
    calls = [
        lambda: probe.fill_mask(*bert, text),
        lambda: probe.next_token(*gpt, text),
        lambda: probe.generate(*gpt, text, max_new_tokens=3),
        *(lambda m=m: probe.attention(*m, text) for m in (bert, gpt)),
        *(lambda m=m: probe.token_losses(*m, text) for m in (bert, gpt)),
        *(lambda m=m: probe.score_candidates(*m, text, ["cat", "dog"]) for m in (bert, gpt)),
    ]
    outcomes = []
    for call in calls:
        try:
            outcomes.append(call())
        except ProbeError as e:
            outcomes.append(e)
    return outcomes


def test_a_10000_character_text_is_refused_by_every_probe_without_running_the_model(bert, gpt):
    text = ("the cat sat on the mat . " * 400)[:9_994] + "[MASK]"
    assert len(text) == 10_000
    start = time.perf_counter()
    outcomes = _every_probe(bert, gpt, text)
    assert all(isinstance(o, ProbeError) and f"at most {MAX_POSITIONS}" in str(o) for o in outcomes), outcomes
    assert time.perf_counter() - start < 2.0
    assert probe.mask_words(text, [1]).startswith("the [MASK] sat")  # the page's word picker copes too


@pytest.mark.parametrize("text", ["[CLS] [SEP]", "[SEP]", "[PAD] [PAD] [PAD]", "[UNK]", "[MASK] [MASK]", "[CLS]"])
def test_text_of_special_tokens_only_gets_an_answer_or_a_probe_error(bert, gpt, text):
    outcomes = _every_probe(bert, gpt, text)
    assert all(not isinstance(o, ProbeError) or str(o) for o in outcomes)
    if text == "[MASK] [MASK]":
        assert len(outcomes[0]) == 2  # fill_mask: one answer per blank


def test_emoji_and_mixed_scripts_are_read_as_unknown_tokens_and_answered(bert, gpt):
    text = "the 🐱 sat on 山 [MASK] naïve Ελλάδα 😀"
    assert probe.split_words(text) == ["the", "🐱", "sat", "on", "山", "[MASK]", "naïve", "Ελλάδα", "😀"]
    assert probe.mask_words(text, [1, 4]) == "the [MASK] sat on [MASK] [MASK] naïve Ελλάδα 😀"
    fill, nxt, generated, attn_bert, attn_gpt, *_ = _every_probe(bert, gpt, text)
    assert len(fill) == 1 and len(fill[0].candidates) == 5 and len(nxt) == 5 and isinstance(generated.text, str)
    assert "[UNK]" in attn_bert.tokens and attn_gpt.weights.shape[-1] == len(attn_gpt.tokens)


def test_a_run_deleted_while_being_probed_keeps_answering_from_memory_then_explains(runs_dir, folders):
    from selfsup_core.runs import RunNotFoundError, create_run, delete_run, load_run

    path = create_run({"objective": "mlm"})
    shutil.copytree(folders["mlm"], path / "model")
    run = load_run(path.name)
    model, tok, _ = probe.load_model(run.model_path)
    checkpoints = run.checkpoints()
    delete_run(path.name)
    assert probe.fill_mask(model, tok, "the [MASK] sat")  # the page's loaded model still answers
    with pytest.raises(ProbeError, match="No saved model"):
        probe.load_model(run.model_path)
    with pytest.raises(ProbeError, match="No saved model"):
        probe.timeline(checkpoints, run.model_path, "the [MASK] sat")
    with pytest.raises(RunNotFoundError):
        load_run(path.name)


def test_a_model_folder_deleted_while_it_loads_gives_a_probe_error(folders, tmp_path, monkeypatch):
    folder = shutil.copytree(folders["mlm"], tmp_path / "model")
    real = probe.AutoModelForMaskedLM.from_pretrained

    def deleted_meanwhile(path, *args, **kwargs):
        shutil.rmtree(folder)  # the run is deleted between the checks and the read
        return real(path, *args, **kwargs)

    monkeypatch.setattr(probe.AutoModelForMaskedLM, "from_pretrained", deleted_meanwhile)
    with pytest.raises(ProbeError, match="could not be read: was its run deleted"):
        probe.load_model(folder)
