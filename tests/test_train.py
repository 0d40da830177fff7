import json
import math

import pytest
import torch
from transformers import pipeline

from selfsup_core import objectives, probe
from selfsup_core.config import AugmentConfig, TrainConfig
from selfsup_core.runs import create_run, load_run
from selfsup_core.train import Callback, TrainingError, lr_factor, train

NANO = dict(size="nano", steps=30, batch_size=16, eval_every=10, log_every=5, lr=3e-3, checkpoints=3, device="cpu")


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_loss_falls_in_a_short_run(objective):
    result = train(TrainConfig(objective=objective, **NANO))
    first, last = result.history[0], result.history[-1]
    assert last["train_loss"] < first["train_loss"] - 0.5
    assert last["val_loss"] < math.log(len(result.tokenizer))  # better than guessing uniformly
    assert result.summary["status"] == "completed" and result.summary["steps"] == 30


def test_same_seed_same_curve_and_other_seed_another():
    a = train(TrainConfig(**{**NANO, "steps": 10})).history
    b = train(TrainConfig(**{**NANO, "steps": 10})).history
    c = train(TrainConfig(**{**NANO, "steps": 10, "seed": 1})).history
    assert [r["train_loss"] for r in a] == [r["train_loss"] for r in b]
    assert [r["train_loss"] for r in a] != [r["train_loss"] for r in c]


def test_run_directory_holds_config_metrics_summary_model_and_checkpoints(runs_dir):
    cfg = TrainConfig(objective="mlm", **NANO)
    path = create_run(cfg.to_dict())
    train(cfg, path)
    run = load_run(path.name)
    assert TrainConfig.from_dict(json.loads((path / "config.json").read_text())) == cfg
    lines = run.metrics()
    assert [r["step"] for r in lines] == [1, 5, 10, 15, 20, 25, 30]  # step 1: the live curve's first point at once
    assert {"step", "train_loss", "tokens_seen", "elapsed_s", "tokens_per_s"} <= set(lines[0])
    assert {"val_loss", "val_accuracy"} <= set(lines[2])
    s = run.summary
    assert s["status"] == "completed" and s["steps"] == 30 and s["tokens_per_s"] > 0
    assert {"val_loss", "val_accuracy"} <= set(s)
    assert (path / "model" / "model.safetensors").exists() and not list(path.rglob("*.bin"))
    assert [step for step, _ in run.checkpoints()] == [10, 20, 30]


def test_saved_run_round_trips_through_probe_and_transformers_pipeline(runs_dir):
    cfg = TrainConfig(objective="mlm", **NANO)
    path = create_run(cfg.to_dict())
    result = train(cfg, path)
    model, tok, objective = probe.load_model(path / "model")
    assert objective == "mlm"
    text = "the capital of [MASK] is velmar ."
    ours = probe.fill_mask(model, tok, text, top_k=1)[0].candidates[0]
    fill = pipeline("fill-mask", model=str(path / "model"), device="cpu")
    theirs = fill(text, top_k=1)[0]
    assert theirs["token_str"].replace(" ", "") == ours.token.replace("##", "")
    assert theirs["score"] == pytest.approx(ours.prob, abs=1e-4)
    # identical weights after the round trip
    reloaded = dict(model.named_parameters())
    for name, p in result.model.named_parameters():
        assert torch.equal(p, reloaded[name])


def test_saved_ar_run_generates_with_transformers_pipeline(runs_dir):
    cfg = TrainConfig(objective="ar", **NANO)
    path = create_run(cfg.to_dict())
    train(cfg, path)
    gen = pipeline("text-generation", model=str(path / "model"), device="cpu")
    out = gen("[CLS] the dog", add_special_tokens=False, max_new_tokens=5, do_sample=False)
    assert out[0]["generated_text"].startswith("[CLS] the dog")


def test_stop_callback_stops_within_one_step(runs_dir):
    class StopAt(Callback):
        calls = 0

        def should_training_stop(self):
            self.calls += 1
            return self.calls > 7

    cfg = TrainConfig(**NANO)
    path = create_run(cfg.to_dict())
    result = train(cfg, path, [StopAt()])
    assert result.summary["status"] == "stopped" and result.summary["steps"] == 7
    assert load_run(path.name).summary["status"] == "stopped"
    assert (path / "model" / "model.safetensors").exists()


def test_time_budget_ends_the_run():
    result = train(TrainConfig(**{**NANO, "steps": 100_000, "time_budget_s": 3.0}))
    # the budget is checked before every step; the margin covers setup, one slow step and the final eval
    assert result.summary["steps"] < 100_000 and result.summary["elapsed_s"] < 3.0 + 10.0
    assert result.history[-1]["elapsed_s"] >= 3.0


def test_nan_loss_fails_the_run_with_advice(runs_dir, monkeypatch):
    real = objectives.loss_and_hits

    def nan_loss(*args):
        loss, hits, n = real(*args)
        return loss * float("nan"), hits, n

    monkeypatch.setattr("selfsup_core.objectives.loss_and_hits", nan_loss)
    cfg = TrainConfig(**NANO)
    path = create_run(cfg.to_dict())
    with pytest.raises(TrainingError, match="Lower the learning rate"):
        train(cfg, path)
    summary = load_run(path.name).summary
    assert summary["status"] == "failed" and "Lower the learning rate" in summary["error"]


def test_augmented_mlm_training_predicts_clean_tokens():
    result = train(TrainConfig(**{**NANO, "steps": 10}, augment=AugmentConfig(noise=0.2, shuffle=0.3)))
    assert result.summary["status"] == "completed"


def test_bad_corpus_fails_with_the_corpus_message(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty"):
        train(TrainConfig(**NANO, corpus=str(empty)))


def test_lr_schedule_warms_up_then_decays_to_a_tenth():
    assert lr_factor(0.0, 0.1) == 0.0
    assert lr_factor(0.1, 0.1) == pytest.approx(1.0)
    assert lr_factor(1.0, 0.1) == pytest.approx(0.1)
    assert lr_factor(0.5, 0.1) > lr_factor(0.8, 0.1)


def test_gradient_accumulation_gives_the_same_steps_in_smaller_pieces():
    one = train(TrainConfig(**{**NANO, "steps": 6, "log_every": 1})).history
    two = train(TrainConfig(**{**NANO, "steps": 6, "log_every": 1, "grad_accum": 4})).history
    # micro-batch losses are averaged over pieces with different masked counts: close, not identical
    assert [r["train_loss"] for r in two] == pytest.approx([r["train_loss"] for r in one], rel=2e-2)
    with pytest.raises(ValueError, match="divide evenly"):
        train(TrainConfig(**{**NANO, "grad_accum": 3}))


def test_the_large_preset_is_refused_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="needs a GPU"):
        train(TrainConfig(**{**NANO, "size": "large", "device": "auto"}))
