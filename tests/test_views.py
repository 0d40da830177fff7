"""Core views behind the Train and Probe pages: past-runs table, live progress, clickable words, probe timeline."""

import math

import pytest
import torch
from transformers import BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel

from selfsup_core import probe, runs
from selfsup_core.config import TrainConfig
from selfsup_core.probe import ProbeError
from selfsup_core.tokenization import build_tokenizer

SENTENCES = ["the cat sat on the mat", "the dog sat on the log", "a bird sings in the tree"] * 10


# ----- runs.table / runs.progress -------------------------------------------------------------------


def test_table_has_settings_and_final_figures_of_each_run(runs_dir):
    done = runs.create_run(
        TrainConfig(objective="mlm", size="nano", steps=40, seed=3, masking={"rate": 0.15}).to_dict()
    )
    runs.update_summary(done, status="completed", steps=40, val_loss=2.5, val_accuracy=0.4, tokens_per_s=1e4)
    failed = runs.create_run(TrainConfig(objective="ar", steps=10).to_dict())
    runs.update_summary(failed, status="failed", error="The loss became nan")
    rows = {r["run"]: r for r in runs.table(runs.list_runs())}
    mlm, ar = rows[done.name], rows[failed.name]
    assert (mlm["objective"], mlm["size"], mlm["status"], mlm["steps"], mlm["seed"]) == (
        "MLM",
        "nano",
        "completed",
        40,
        3,
    )
    assert (mlm["mask_rate"], mlm["masking"], mlm["val_accuracy"], mlm["error"]) == (0.15, "token", 0.4, None)
    assert ar["objective"] == "AR" and ar["mask_rate"] is None and ar["masking"] is None
    assert ar["error"] == "The loss became nan" and ar["val_loss"] is None
    assert (ar["steps"], ar["target_steps"], ar["time_budget_s"]) == (0, 10, None)  # failed before a step


def test_table_shows_a_training_run_as_running_with_its_steps_done_not_its_step_cap(runs_dir):
    run = runs.create_run(TrainConfig(objective="mlm", steps=100_000, time_budget_s=30).to_dict())
    assert runs.table(runs.list_runs(), jobs={run.name: "running"})[0]["status"] == "running"  # summary: queued
    runs.update_summary(run, status="running")
    runs.append_jsonl(run / "metrics.jsonl", {"step": 120, "train_loss": 3.0, "elapsed_s": 4.0})
    row = runs.table(runs.list_runs(), jobs={run.name: "running"})[0]
    assert (row["status"], row["steps"], row["target_steps"], row["time_budget_s"]) == ("running", 120, None, 30)
    runs.update_summary(run, status="completed", steps=900)  # done, though the job manager has not heard yet
    row = runs.table(runs.list_runs(), jobs={run.name: "running"})[0]
    assert (row["status"], row["steps"]) == ("completed", 900)


def test_progress_before_first_line_has_no_eta():
    p = runs.progress({"steps": 100}, [])
    assert p["step"] == 0 and p["fraction"] == 0 and p["eta_s"] is None and p["val_loss"] is None


def test_progress_eta_follows_the_pace_and_the_time_budget():
    lines = [
        {"step": 10, "train_loss": 5.0, "tokens_per_s": 900.0, "elapsed_s": 2.0, "val_loss": 4.0, "val_accuracy": 0.1},
        {"step": 20, "train_loss": 4.0, "tokens_per_s": 1000.0, "elapsed_s": 4.0},
    ]
    p = runs.progress({"steps": 100}, lines)
    assert p["step"] == 20 and p["fraction"] == pytest.approx(0.2) and p["eta_s"] == pytest.approx(16.0)
    assert p["tokens_per_s"] == 1000.0 and p["val_loss"] == 4.0 and p["val_accuracy"] == 0.1  # last evaluation
    budget = runs.progress({"steps": 100, "time_budget_s": 10.0}, lines)
    assert budget["eta_s"] == pytest.approx(6.0) and budget["fraction"] == pytest.approx(0.4)


def test_progress_of_a_finished_run_reports_its_summary_figures():
    lines = [
        {"step": 20, "train_loss": 4.0, "tokens_per_s": 1000.0, "elapsed_s": 4.0, "val_loss": 4.0, "val_accuracy": 0.1}
    ]
    summary = {"status": "stopped", "steps": 23, "elapsed_s": 4.7, "tokens_per_s": 1200.0, "val_loss": 3.9}
    p = runs.progress({"steps": 100}, lines, summary)
    assert (p["step"], p["elapsed_s"], p["eta_s"], p["tokens_per_s"]) == (23, 4.7, 0.0, 1200.0)
    assert p["val_loss"] == 3.9 and p["val_accuracy"] == 0.1  # not in the summary: the last evaluation's
    assert p["fraction"] == pytest.approx(0.2)  # stopped early: not full
    assert runs.progress({"steps": 100}, lines, {**summary, "status": "completed"})["fraction"] == 1.0
    assert runs.progress({"steps": 100}, lines, {"status": "running", "steps": 99})["step"] == 20


# ----- clickable words ------------------------------------------------------------------------------


def test_split_words_keeps_mask_and_splits_chinese_into_characters():
    assert probe.split_words("the capital of norland is [MASK] .") == [
        "the",
        "capital",
        "of",
        "norland",
        "is",
        "[MASK]",
        ".",
    ]
    assert probe.split_words("诺兰的首都是[mask]马。") == ["诺", "兰", "的", "首", "都", "是", "[mask]", "马", "。"]


def test_mask_words_hides_the_chosen_words_and_keeps_spacing():
    assert probe.mask_words("the  cat sat", [1, 2]) == "the  [MASK] [MASK]"
    assert probe.mask_words("柠檬很酸。", [3]) == "柠檬很[MASK]。"
    assert probe.mask_words("the cat", []) == "the cat"
    with pytest.raises(ProbeError):
        probe.mask_words("the cat", [5])


# ----- probe.timeline -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """objective -> (checkpoints, model folder): three differently initialised snapshots per objective,
    the last one the final model folder holding the tokenizer."""
    tok = build_tokenizer("wordpiece", SENTENCES, vocab_size=100)
    out = {}
    for objective in ("mlm", "ar"):
        root = tmp_path_factory.mktemp(objective)
        points = []
        for step in (5, 10, 20):
            torch.manual_seed(step)
            if objective == "mlm":
                model = BertForMaskedLM(
                    BertConfig(
                        vocab_size=len(tok),
                        hidden_size=16,
                        num_hidden_layers=1,
                        num_attention_heads=2,
                        intermediate_size=32,
                        max_position_embeddings=32,
                        pad_token_id=0,
                    )
                )
            else:
                model = GPT2LMHeadModel(
                    GPT2Config(
                        vocab_size=len(tok),
                        n_embd=16,
                        n_layer=1,
                        n_head=2,
                        n_positions=32,
                        pad_token_id=0,
                        bos_token_id=2,
                        eos_token_id=3,
                    )
                )
            folder = root / ("model" if step == 20 else f"step-{step:06d}")
            model.save_pretrained(folder)
            points.append((step, folder))
        tok.save_pretrained(root / "model")
        out[objective] = (points, root / "model")
    return out


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_timeline_has_one_row_per_checkpoint_tracking_the_final_top_tokens(saved, objective):
    points, model_dir = saved[objective]
    text = "the cat [MASK] on the mat" if objective == "mlm" else "the cat"
    rows = probe.timeline(points, model_dir, text, track=3)
    assert [r["step"] for r in rows] == [5, 10, 20]
    assert all(list(r["probs"]) == list(rows[0]["probs"]) for r in rows) and len(rows[0]["probs"]) >= 3
    model, tok, _ = probe.load_model(model_dir)
    final = (
        probe.fill_mask(model, tok, text, top_k=3)[0].candidates
        if objective == "mlm"
        else probe.next_token(model, tok, text, 3)
    )
    assert list(rows[-1]["probs"])[:3] == [c.token for c in final]
    assert all(r["top1"] in r["probs"] for r in rows)  # the table's top guess of each step is a drawn line
    assert rows[-1]["top1"] == final[0].token and math.isclose(rows[-1]["top1_prob"], final[0].prob, rel_tol=1e-5)
    for r in rows:  # top-1 is the most likely token, so at least as likely as any tracked one
        assert 0 < r["top1_prob"] <= 1 and all(p <= r["top1_prob"] + 1e-7 for p in r["probs"].values())


def test_timeline_also_tracks_the_true_answer(saved):
    points, model_dir = saved["mlm"]
    plain = probe.timeline(points, model_dir, "the cat [MASK] on the mat", track=1)
    drawn = list(plain[0]["probs"])  # the final top guess, then the other steps' top guesses
    assert plain[0]["answer"] is None and drawn[0] == plain[-1]["top1"]
    answer = next(w for w in ("log", "mat", "cat", "sat") if w not in drawn)
    rows = probe.timeline(points, model_dir, "the cat [MASK] on the mat", track=1, answer=answer)
    assert all(r["answer"] == answer and list(r["probs"]) == [*drawn, answer] for r in rows)
    assert (
        list(probe.timeline(points, model_dir, "the cat [MASK] on the mat", track=1, answer=drawn[0])[0]["probs"])
        == drawn
    )


def test_timeline_refuses_mlm_text_without_mask_and_a_run_without_model(saved):
    points, model_dir = saved["mlm"]
    with pytest.raises(ProbeError, match=r"\[MASK\]"):
        probe.timeline(points, model_dir, "the cat sat")
    with pytest.raises(ProbeError, match="no saved model"):
        probe.timeline([], model_dir, "the [MASK] sat")


def test_builtin_probes_are_questions_with_answers_and_uploads_have_none():
    from selfsup_core.corpus import builtin_probes

    probes = builtin_probes("world-zh")
    assert probes and all(p.text.count("[MASK]") == 1 and p.answer for p in probes)
    assert builtin_probes("/some/upload.txt") == []


def test_probability_lines_draws_one_line_per_token():
    from selfsup_core import charts

    fig = charts.probability_lines([5, 10, 20], {"cat": [0.1, 0.3, 0.6], "dog": [0.2, 0.2, 0.1]})
    assert [t.name for t in fig.data] == ["cat", "dog"] and list(fig.data[0].y) == [0.1, 0.3, 0.6]
    assert fig.data[0].line.color != fig.data[1].line.color and fig.data[0].line.dash != fig.data[1].line.dash
