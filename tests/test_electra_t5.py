"""ELECTRA and T5 under the one trainer: their corruptions, losses, saved runs, probes and fine-tuning."""

import io
import json
import math
import zipfile

import pytest
import torch
from transformers import AutoModelForPreTraining, AutoModelForSeq2SeqLM, AutoTokenizer, ElectraForMaskedLM

from selfsup_core import cli, experiments, export, probe, runs
from selfsup_core.config import AugmentConfig, MaskingConfig, TrainConfig
from selfsup_core.corpus import builtin_facts
from selfsup_core.data import Packed
from selfsup_core.finetune import FinetuneConfig, finetune
from selfsup_core.masking import IGNORE_INDEX
from selfsup_core.models import GENERATOR_DIR, Shape, build_model, generator_shape
from selfsup_core.objectives import electra_replacements, make_batch, signal_tokens
from selfsup_core.span_corruption import MEAN_SPAN, NOISE_DENSITY, corrupt_spans
from selfsup_core.tokenization import (
    CLS_ID,
    NUM_SENTINELS,
    PAD_ID,
    SENTINELS,
    SEP_ID,
    build_tokenizer,
    for_objective,
    from_json,
    to_json,
)
from selfsup_core.train import train

VOCAB = 300
SENTINEL = VOCAB - NUM_SENTINELS


def packed_rows(rows: int = 400, length: int = 64, seed: int = 0) -> Packed:
    """MLM-style rows `[CLS] doc [SEP] doc [SEP] ... [PAD]`: documents of 4-20 tokens, rows of varied fill."""
    gen = torch.Generator().manual_seed(seed)
    ids = torch.full((rows, length), PAD_ID)
    for r in range(rows):
        row, fill = [CLS_ID], int(torch.randint(length // 3, length + 1, (1,), generator=gen))
        while True:
            doc = torch.randint(5, SENTINEL, (int(torch.randint(4, 21, (1,), generator=gen)),), generator=gen)
            if len(row) > 1 and len(row) + len(doc) + 1 > fill:
                break
            row += [*doc.tolist(), SEP_ID]
        ids[r, : len(row)] = torch.tensor(row)
    special = (ids == PAD_ID) | (ids == CLS_ID) | (ids == SEP_ID)
    return Packed(ids, ~special, special)


def corrupted(rows: Packed, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    ids, special = rows.input_ids[:, 1:], rows.special_mask[:, 1:]
    return ids, special, *corrupt_spans(ids, ids, special, SENTINEL, gen)


def kept_words(encoder: torch.Tensor) -> int:
    """Content tokens left in corrupted rows (not [PAD], [SEP] or a sentinel)."""
    return int(((encoder != PAD_ID) & (encoder != SEP_ID) & (encoder < SENTINEL)).sum())


def rebuild(encoder_row: torch.Tensor, target_row: torch.Tensor) -> list[int]:
    """The text back: each sentinel of the input replaced by what follows it in the targets."""
    spans, current = {}, None
    for t in target_row.tolist():
        if t in (SEP_ID, IGNORE_INDEX):
            break
        if t >= SENTINEL:
            current = spans.setdefault(t, [])
        else:
            current.append(t)
    out = []
    for t in encoder_row.tolist():
        out += spans[t] if t >= SENTINEL else [] if t == PAD_ID else [t]
    return out


def test_span_corruption_drops_15_percent_in_spans_of_3_and_the_targets_rebuild_the_text():
    ids, special, encoder, targets = corrupted(packed_rows())
    content = int((~special).sum())
    sentinels = (encoder >= SENTINEL).sum(1)  # (B,) spans per row
    dropped = content - kept_words(encoder)
    # round(0.15 n) per row: the density is 15% up to half a token per row
    assert abs(dropped / content - NOISE_DENSITY) < 0.5 * len(ids) / content + 0.005
    # spans of 3 on average; a span that would cross a [SEP] is cut in two, which only shortens the mean
    assert 2.4 < dropped / int(sentinels.sum()) <= MEAN_SPAN + 0.2
    for r in range(len(ids)):
        kept = ids[r][ids[r] != PAD_ID].tolist()
        assert rebuild(encoder[r], targets[r]) == kept
        used = encoder[r][encoder[r] >= SENTINEL] - SENTINEL
        assert used.tolist() == list(range(len(used)))  # <extra_id_0>, <extra_id_1>, ... in order
        real = targets[r][targets[r] != IGNORE_INDEX]
        assert real[0] == SENTINEL and real[-1] == SEP_ID  # "<extra_id_0> ... [SEP]"
        assert (encoder[r] == SEP_ID).sum() == (ids[r] == SEP_ID).sum()  # every [SEP] kept: no span crosses one


def test_a_t5_batch_drops_the_cls_and_reads_each_document_alone():
    rows = packed_rows(rows=8)
    batch = make_batch("t5", rows, MaskingConfig(), AugmentConfig(), VOCAB, torch.Generator().manual_seed(0))
    assert CLS_ID not in batch.input_ids
    assert batch.attention_mask.shape[-1] == batch.input_ids.shape[1] and batch.position_ids is None
    first_sep = int((batch.input_ids[0] == SEP_ID).nonzero()[0])
    assert not batch.attention_mask[0, 0, 0, first_sep + 1 :][batch.input_ids[0, first_sep + 1 :] != PAD_ID].any()


def electra_batch(rows: int = 16):
    gen = torch.Generator().manual_seed(0)
    batch = make_batch("electra", packed_rows(rows), MaskingConfig(rate=0.3), AugmentConfig(), VOCAB, gen)
    model = build_model("electra", Shape(hidden=32, layers=1, heads=2, ffn=64), VOCAB, 64)
    return batch, model


def test_electra_replaces_only_the_blanks_and_a_token_is_replaced_where_the_sample_differs():
    batch, model = electra_batch()
    blanks = batch.draws >= 0
    assert blanks.any() and not (blanks & (batch.labels == IGNORE_INDEX)).any()
    _, fake = electra_replacements(model.generator, batch)
    assert torch.equal(fake[~blanks], batch.input_ids[~blanks])  # the rest is what the generator read
    with torch.no_grad():  # a generator sure of one token: it "replaces" every blank with it
        model.generator.generator_lm_head.bias.fill_(-1e4)
        model.generator.generator_lm_head.bias[7] = 1e4
    _, fake = electra_replacements(model.generator, batch)
    assert (fake[blanks] == 7).all()
    replaced = fake != batch.labels  # the discriminator's labels
    assert torch.equal(replaced[blanks], batch.labels[blanks] != 7)  # a correct sample counts as original


def test_electra_samples_follow_the_generators_softmax():
    batch, model = electra_batch(rows=64)
    torch.manual_seed(0)
    with torch.no_grad():  # an output layer that ignores the input: the same three-token distribution everywhere
        model.generator.generator_lm_head.weight.zero_()
        model.generator.generator_lm_head.bias.fill_(-1e4)
        model.generator.generator_lm_head.bias[[5, 6, 7]] = torch.tensor([0.0, math.log(2), math.log(5)])
    _, fake = electra_replacements(model.generator, batch)
    drawn = fake[batch.draws >= 0]
    n = len(drawn)
    for token, p in ((5, 0.125), (6, 0.25), (7, 0.625)):
        assert abs(float((drawn == token).float().mean()) - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_the_generator_is_a_quarter_as_wide_and_shares_the_embeddings():
    model = build_model("electra", Shape(hidden=128, layers=1, heads=4, ffn=512), VOCAB, 64)
    assert generator_shape(Shape(128, 1, 4, 512)) == Shape(hidden=32, layers=1, heads=1, ffn=128)
    assert model.generator.config.hidden_size == 32
    shared = model.discriminator.electra.embeddings.word_embeddings.weight
    assert model.generator.electra.embeddings.word_embeddings.weight is shared
    assert model.generator.generator_lm_head.weight is shared


def test_signal_tokens_count_the_predictions_in_each_objectives_loss():
    rows, gen = packed_rows(rows=32), torch.Generator().manual_seed(0)
    real = int((rows.input_ids != PAD_ID).sum())
    masking = MaskingConfig(rate=0.4)
    mlm = make_batch("mlm", rows, masking, AugmentConfig(), VOCAB, gen)
    assert signal_tokens(mlm, "mlm") == int((mlm.labels != IGNORE_INDEX).sum())
    assert abs(signal_tokens(mlm, "mlm") / int((~rows.special_mask).sum()) - 0.4) < 0.05
    ar = make_batch("ar", rows, masking, AugmentConfig(), VOCAB, gen)
    assert signal_tokens(ar, "ar") == int((rows.input_ids[:, 1:] != PAD_ID).sum())
    assert signal_tokens(make_batch("electra", rows, masking, AugmentConfig(), VOCAB, gen), "electra") == real
    t5 = make_batch("t5", rows, masking, AugmentConfig(), VOCAB, gen)
    dropped = int((~rows.special_mask).sum()) - kept_words(t5.input_ids)
    spans = int((t5.input_ids >= SENTINEL).sum())
    assert signal_tokens(t5, "t5") == dropped + spans + len(rows)  # the spans, their sentinels, one [SEP] a row


def test_t5_tokenizer_adds_sentinels_at_the_top_and_keeps_every_other_id():
    texts = ["the capital of norland is oslo ."] * 20
    tok = build_tokenizer("wordpiece", texts, 200)
    before = dict(tok.get_vocab())
    t5 = for_objective(from_json(to_json(tok), 64), "t5")  # the same trained vocabulary, made a T5's
    assert {k: v for k, v in t5.get_vocab().items() if k in before} == before
    assert [t5.convert_tokens_to_ids(s) for s in SENTINELS] == list(range(len(before), len(before) + NUM_SENTINELS))
    ids = t5("the capital is <extra_id_0> .")["input_ids"]
    assert ids[-1] == SEP_ID and len(before) in ids and CLS_ID not in ids
    assert SENTINELS[0] not in for_objective(tok, "mlm").get_vocab()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """Nano ELECTRA and T5 runs, 60 steps each on world-en, on one thread (a nano model's matrices are too small
    to share, and two threads on a busy machine wait on each other: 5 s a run here instead of 40)."""
    root = tmp_path_factory.mktemp("obj-runs")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    for objective in ("electra", "t5"):
        cfg = TrainConfig(objective=objective, size="nano", steps=60, batch_size=16, eval_every=20, log_every=10,
                          checkpoints=2, device="cpu")  # fmt: skip
        result = train(cfg, runs.create_run(cfg.to_dict(), root, run_id=objective))
        (root / f"{objective}.history.json").write_text(json.dumps(result.history))
    torch.set_num_threads(threads)
    return root


@pytest.mark.parametrize("objective", ["electra", "t5"])
def test_both_train_with_falling_loss_and_record_the_signal_meter(root, objective):
    history = json.loads((root / f"{objective}.history.json").read_text())
    assert history[-1]["train_loss"] < 0.8 * history[0]["train_loss"]
    summary = runs.load_run(objective, root).summary
    if objective == "electra":
        assert summary["signal_share"] == 1.0  # the discriminator judges every real token
    else:  # the 15% dropped, one sentinel per span of 3, one [SEP] per row
        assert 0.15 < summary["signal_share"] < 0.3
    assert summary["signal_tokens_per_s"] == pytest.approx(summary["tokens_per_s"] * summary["signal_share"])
    assert all(0 < r["signal_share"] <= 1 and r["signal_per_s"] > 0 for r in history)


def test_an_electra_run_loads_as_its_discriminator_and_generator_in_transformers(root):
    model_dir = runs.load_run("electra", root).model_path
    disc = AutoModelForPreTraining.from_pretrained(model_dir)
    gen = ElectraForMaskedLM.from_pretrained(model_dir / GENERATOR_DIR)
    assert type(disc).__name__ == "ElectraForPreTraining"
    assert torch.equal(gen.electra.embeddings.word_embeddings.weight, disc.electra.embeddings.word_embeddings.weight)
    for _, folder in runs.load_run("electra", root).checkpoints():
        assert (folder / GENERATOR_DIR / "model.safetensors").is_file()  # the checkpoints hold both
    names = zipfile.ZipFile(io.BytesIO(export.model_zip(runs.load_run("electra", root)))).namelist()
    assert f"electra/{GENERATOR_DIR}/model.safetensors" in names and "electra/model.safetensors" in names
    model, tok, objective = probe.load_model(model_dir)
    assert objective == "electra"
    words = probe.replaced_probabilities(model, tok, "the capital of norland is red .")
    assert [w.token for w in words] == tok.tokenize("the capital of norland is red .")
    assert all(0 <= w.prob <= 1 for w in words)
    generator, _, as_mlm = probe.load_model(model_dir / GENERATOR_DIR, tokenizer_path=model_dir)
    assert as_mlm == "mlm" and probe.fill_mask(generator, tok, "the capital of norland is [MASK] .")
    facts = builtin_facts("world-en")
    assert experiments.facts_known(model, tok, facts) is None  # the discriminator fills no blanks
    assert experiments.facts_known(generator, tok, facts[:5])["asked"] == 5


def test_a_t5_run_fills_a_sentinel_with_generate_and_in_the_probe(root, capsys):
    model_dir = runs.load_run("t5", root).model_path
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    assert (model.config.pad_token_id, model.config.eos_token_id, model.config.decoder_start_token_id) == (
        PAD_ID,
        SEP_ID,
        PAD_ID,
    )
    out = model.generate(**tok("the capital of norland is <extra_id_0> .", return_tensors="pt"), max_new_tokens=4)
    assert tok.convert_ids_to_tokens(out[0].tolist())[1] == "<extra_id_0>"  # after the start token: the gap's fill
    loaded, ptok, objective = probe.load_model(model_dir)
    fills = probe.fill_spans(loaded, ptok, "the [MASK] of norland is <extra_id_1> .")
    assert objective == "t5" and [f.sentinel for f in fills] == ["<extra_id_0>", "<extra_id_1>"]
    facts = builtin_facts("world-en")[:6]
    assert experiments.facts_known(loaded, ptok, facts)["asked"] == 6  # T5 reads both sides: every fact
    assert cli.main(["probe", "--run", str(root / "t5"), "--text", "the capital of norland is <extra_id_0> ."]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["objective"] == "t5" and printed["result"][0]["sentinel"] == "<extra_id_0>"


def test_probes_that_need_mlm_or_ar_say_so_for_the_new_models(root):
    model, tok, _ = probe.load_model(runs.load_run("t5", root).model_path)
    with pytest.raises(probe.ProbeError, match="masked LM"):
        probe.fill_mask(model, tok, "the [MASK] .")
    with pytest.raises(probe.ProbeError, match="ELECTRA discriminator"):
        probe.replaced_probabilities(model, tok, "the cat .")


@pytest.mark.parametrize("objective", ["electra", "t5"])
def test_fine_tuning_starts_from_either_run(root, monkeypatch, objective):
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    cfg = FinetuneConfig(pretrained=objective, task="sentiment-en", label_budget=32, steps=10, eval_every=5)
    summary = finetune(cfg).summary
    assert summary["architecture"] == objective and summary["objective"] == objective
    assert 0 <= summary["test_accuracy"] <= 1 and summary["trainable_fraction"] == 1.0
    probe_cfg = FinetuneConfig(
        pretrained=objective, task="sentiment-en", label_budget=32, steps=5, method="linear-probe"
    )
    assert finetune(probe_cfg).summary["trainable_fraction"] < 0.01
