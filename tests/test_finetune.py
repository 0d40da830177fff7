"""Fine-tuning: every method learns an easy task, trains exactly the parameters it says it trains, and
saves a classifier that `predict` loads back (safetensors only) with the same predictions."""

import json
import math

import pytest
import torch
from safetensors.torch import load_file

from selfsup_core import runs
from selfsup_core.config import TrainConfig
from selfsup_core.finetune import (
    CLASSIFIER_DIR,
    FinetuneConfig,
    FinetuneError,
    classification_report,
    finetune,
    load_classifier,
    predict,
    run_job,
)
from selfsup_core.label_budget import curve_table, label_budget_curve
from selfsup_core.train import train

ANIMALS = "dog cat cow duck goat lion owl frog horse bee".split()
FRUITS = "apple cherry banana lemon pear lime grape plum".split()
QUICK = dict(steps=30, batch_size=16, eval_every=10)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A runs folder with a nano MLM and a nano AR run pretrained for 20 steps on world-en, and an easy task:
    animal sentences vs fruit sentences (every word in world-en), 2 classes, 40 test examples."""
    root = tmp_path_factory.mktemp("ft-runs")
    for objective in ("mlm", "ar"):
        cfg = TrainConfig(
            objective=objective, size="nano", steps=20, batch_size=8, eval_every=10, checkpoints=0, tokenizer="word"
        )
        train(cfg, runs.create_run(cfg.to_dict(), root, run_id=f"pre-{objective}"))
    rows = []
    for i in range(120):
        split = "train" if i < 60 else "validation" if i < 80 else "test"
        animal, fruit = ANIMALS[i % len(ANIMALS)], FRUITS[i % len(FRUITS)]
        verb, adjective = ["barks", "sleeps", "is here"][i % 3], ["sweet", "red", "here"][i % 3]
        rows.append({"text": f"the {animal} {verb} .", "label": "animal", "split": split})
        rows.append({"text": f"the {fruit} is {adjective} .", "label": "fruit", "split": split})
    (root / "easy.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def in_root(root, monkeypatch):
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))


def easy(root, **changes) -> FinetuneConfig:
    return FinetuneConfig(**{"pretrained": "pre-mlm", "task": str(root / "easy.jsonl"), **QUICK, **changes})


def beats_chance(accuracy: float, n: int = 40, classes: int = 2) -> bool:
    """Above chance by 3 binomial standard deviations of a guesser on n test examples."""
    p = 1 / classes
    return accuracy > p + 3 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("method", ["linear-probe", "full", "lora", "ia3", "scratch"])
@pytest.mark.parametrize("source", ["pre-mlm", "pre-ar"])
def test_every_method_learns_the_easy_task(root, method, source):
    lr = 3e-3 if method in ("full", "scratch") else None  # 30 steps: bigger steps than their defaults
    result = finetune(easy(root, pretrained=source, method=method, lr=lr))
    s = result.summary
    assert beats_chance(s["test_accuracy"]), s
    assert s["status"] == "completed" and s["steps"] == QUICK["steps"] and len(s["confusion"]) == 2
    assert 0 < s["trainable_parameters"] <= s["total_parameters"]
    assert (s["trainable_fraction"] == 1.0) == (method in ("full", "scratch"))


def test_lora_trains_only_its_adapters_and_the_head(root):
    before = load_file(root / "pre-mlm" / "model" / "model.safetensors")
    result = finetune(easy(root, method="lora", lora_rank=4))
    model = result.model
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert all("lora_" in n or "classifier" in n or "pooler" in n for n in trainable)
    assert result.summary["trainable_parameters"] == model.get_nb_trainable_parameters()[0]
    counted = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert counted == result.summary["trainable_parameters"]
    # LoRA on query and value of 2 layers of width 64: 2 x 2 x (64x4 + 4x64) parameters
    assert sum(p.numel() for n, p in model.named_parameters() if "lora_" in n) == 2 * 2 * 2 * 64 * 4
    frozen = model.get_base_model().bert.encoder.layer[0].attention.self.query.base_layer.weight
    assert torch.equal(frozen, before["bert.encoder.layer.0.attention.self.query.weight"])


def test_linear_probe_leaves_the_pretrained_encoder_unchanged(root):
    before = load_file(root / "pre-mlm" / "model" / "model.safetensors")
    model = finetune(easy(root, method="linear-probe")).model
    after = model.state_dict()
    encoder = [k for k in before if k.startswith("bert.") and k in after]
    assert len(encoder) > 10
    assert all(torch.equal(before[k], after[k]) for k in encoder)
    pooler = after["bert.pooler.dense.weight"]  # fixed: it standardises [CLS] (a diagonal matrix)
    assert torch.equal(pooler, torch.diag(torch.diagonal(pooler))) and (torch.diagonal(pooler) > 0).all()
    assert {n for n, p in model.named_parameters() if p.requires_grad} == {"classifier.weight", "classifier.bias"}


@pytest.mark.parametrize("method, source", [("lora", "pre-mlm"), ("ia3", "pre-ar"), ("full", "pre-ar")])
def test_saved_classifier_loads_back_with_the_same_predictions(root, method, source):
    run_dir = runs.create_run({}, root, kind="finetune")
    result = finetune(easy(root, pretrained=source, method=method, lr=5e-3), run_dir)
    texts = ["the owl sleeps .", "the plum is red .", "the lion is here ."]
    saved = run_dir / CLASSIFIER_DIR
    assert not list(saved.glob("*.bin")) and not list(saved.glob("*.pt"))  # safetensors only
    if method in ("lora", "ia3"):
        assert (saved / "adapter_model.safetensors").is_file() and not (saved / "model.safetensors").exists()
    enc = result.tokenizer(texts, padding=True, return_tensors="pt", return_token_type_ids=False)
    with torch.no_grad():
        expected = torch.softmax(result.model.eval()(**enc).logits, -1)
    got = predict(saved, texts)
    assert [label for label, _ in got] == [result.labels[i] for i in expected.argmax(-1)]
    for (_, probs), row in zip(got, expected, strict=True):
        assert [probs[lab] for lab in result.labels] == pytest.approx(row.tolist(), abs=1e-5)
        assert list(probs.values()) == sorted(probs.values(), reverse=True)  # most likely first
    summary = runs.load_run(run_dir.name, root).summary
    assert summary["kind"] == "finetune" and summary["status"] == "completed"
    assert summary["labels"] == result.labels and summary["test_accuracy"] == result.summary["test_accuracy"]
    assert any("val_accuracy" in line for line in runs.load_run(run_dir.name, root).metrics())


def test_scratch_without_a_pretrained_run_trains_its_own_tokenizer(root):
    result = finetune(
        easy(
            root,
            pretrained=None,
            method="scratch",
            scratch_objective="ar",
            scratch_size="nano",
            tokenizer="word",
            lr=3e-3,
        )
    )
    assert result.summary["architecture"] == "gpt2" and result.summary["pretrained"] is None
    assert "owl" in result.tokenizer.get_vocab()
    assert beats_chance(result.summary["test_accuracy"])


def test_run_job_stops_when_asked_and_records_the_run(root):
    run_dir = runs.create_run({}, root, kind="finetune")
    calls = iter([False, False, True])
    run_job(easy(root, steps=1000).to_dict(), run_dir, lambda: next(calls, True))
    summary = runs.load_run(run_dir.name, root).summary
    assert summary["status"] == "stopped" and summary["steps"] == 2 and "test_accuracy" in summary
    assert load_classifier(run_dir / CLASSIFIER_DIR).labels == ["animal", "fruit"]


def test_config_validation_says_what_to_do():
    with pytest.raises(ValueError, match="pick a pretrained run, or use method 'scratch'"):
        FinetuneConfig(pretrained=None, method="lora")
    with pytest.raises(ValueError, match="Unknown method"):
        FinetuneConfig(pretrained="x", method="prefix")
    with pytest.raises(ValueError, match="Pick a task"):
        FinetuneConfig(pretrained="x", task="")
    with pytest.raises(ValueError, match="label budget"):
        FinetuneConfig(pretrained="x", label_budget=1)
    cfg = FinetuneConfig(pretrained="x", method="lora")
    assert cfg.lr == 5e-3 and FinetuneConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="Unknown fine-tuning config keys"):
        FinetuneConfig.from_dict({"objective": "mlm"})


def test_missing_or_unfinished_pretrained_run_is_explained(root):
    with pytest.raises(FinetuneError, match="no run 'nope'"):
        finetune(easy(root, pretrained="nope"))
    with pytest.raises(FinetuneError, match="No fine-tuned classifier"):
        load_classifier(root / "pre-mlm" / "model")


def test_classification_report_matches_a_hand_count():
    # true:      a a a b b c ; predicted: a a b b c c
    report = classification_report([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3)
    assert report["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report["accuracy"] == pytest.approx(4 / 6)
    f1 = [2 * 2 / (2 * 2 + 0 + 1), 2 * 1 / (2 + 1 + 1), 2 * 1 / (2 + 1 + 0)]  # 2tp / (2tp + fp + fn)
    assert report["macro_f1"] == pytest.approx(sum(f1) / 3)


def test_label_budget_curve_gives_one_row_per_run_and_a_summary_per_setting(root):
    rows = label_budget_curve(
        str(root / "easy.jsonl"), {"MLM": "pre-mlm"}, budgets=(4, None), seeds=(0, 1), steps=3, eval_every=3
    )
    assert len(rows) == 2 * 2 * 2  # (full, scratch) x budgets x seeds
    assert {r["source"] for r in rows} == {"MLM", "MLM shape, random init"}
    assert {r["budget"] for r in rows} == {4, "all"}
    table = curve_table(rows)
    assert len(table) == 4 and all(t["seeds"] == 2 for t in table)
    first = [r["test_accuracy"] for r in rows[:2]]
    assert table[0]["accuracy_mean"] == pytest.approx(sum(first) / 2)
