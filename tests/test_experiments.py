"""Experiments: configs that differ in one thing, the probe scoreboard, comparable metrics, robustness,
and generating with an MLM. Tiny nano models trained for a few steps keep it quick."""

import dataclasses

import pytest
import torch

from selfsup_core import corpus as corpus_mod
from selfsup_core import experiments as ex
from selfsup_core import probe, runs
from selfsup_core import verdicts as vd
from selfsup_core.config import AugmentConfig, TrainConfig
from selfsup_core.corpus import builtin_probes
from selfsup_core.tokenization import token_texts
from selfsup_core.train import eval_batches, evaluate, prepare_data, train

TINY = dict(size="nano", steps=12, batch_size=8, eval_every=6, checkpoints=0, device="cpu")


def flat(d: dict, prefix: str = "") -> dict:
    """{"masking": {"rate": 0.15}} -> {"masking.rate": 0.15}"""
    out = {}
    for k, v in d.items():
        out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out


def differences(a: TrainConfig, b: TrainConfig) -> set[str]:
    """Dotted names of the fields where two configs differ."""
    fa, fb = flat(a.to_dict()), flat(b.to_dict())
    return {k for k in fa if fa[k] != fb[k]}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished nano MLM run and a nano AR run of the same data (RunInfo each), trained in this process."""
    root = tmp_path_factory.mktemp("runs")
    out = {}
    for cfg in ex.matched_group(TrainConfig(**TINY)):
        path = runs.create_run(cfg.to_dict(), root)
        train(cfg, path)
        out[cfg.objective] = runs.load_run(path.name, root)
    return out


def loaded(run):
    model, tok, _ = probe.load_model(run.model_path)
    return model, tok


# ---------------------------------------------------------------- configurations


def test_matched_group_differs_only_in_the_objective():
    cfg = TrainConfig(size="nano", time_budget_s=30, seed=7, corpus="world-zh", tokenizer="char")
    mlm, ar = ex.matched_group(cfg)
    assert (mlm.objective, ar.objective) == ("mlm", "ar")
    assert differences(mlm, ar) == {"objective"}


def test_mask_rate_sweep_differs_only_in_the_mask_rate():
    cfgs = ex.mask_rate_sweep(TrainConfig(objective="ar"))
    assert [c.masking.rate for c in cfgs] == list(ex.MASK_RATES)
    assert all(c.objective == "mlm" for c in cfgs)
    assert all(differences(cfgs[0], c) == {"masking.rate"} for c in cfgs[1:])


def test_strategy_sweep_differs_only_in_the_strategy_at_one_rate():
    cfgs = ex.strategy_sweep(TrainConfig(), 0.3)
    assert [c.masking.strategy for c in cfgs] == ["token", "whole-word", "span"]
    assert all(c.masking.rate == 0.3 for c in cfgs)
    assert all(differences(cfgs[0], c) == {"masking.strategy"} for c in cfgs[1:])


@pytest.mark.parametrize("kind", ex.AUGMENTATIONS)
def test_ablation_turns_on_exactly_one_augmentation(kind):
    base = TrainConfig(augment=AugmentConfig(delete=0.1, shuffle_window=4))
    without, with_ = ex.ablation(base, kind, 0.25)
    assert not without.augment.active and without.augment.shuffle_window == 4
    assert differences(without, with_) == {f"augment.{kind}"} and getattr(with_.augment, kind) == 0.25
    with pytest.raises(ValueError, match="Unknown augmentation"):
        ex.ablation(base, "blur", 0.1)


def test_estimated_time_queues_runs_on_the_free_slots():
    cfgs = [TrainConfig(time_budget_s=20)] * 5
    assert ex.estimated_seconds(cfgs, slots=1, overhead_s=4) == 5 * 24
    assert ex.estimated_seconds(cfgs, slots=2, overhead_s=4) == 3 * 24
    assert ex.estimated_seconds([TrainConfig(steps=10)], overhead_s=0, step_s=lambda c: 0.5) == 5


def test_same_held_out_compares_the_data_settings_only():
    a = TrainConfig(objective="mlm", size="nano")
    assert ex.same_held_out(a, a.replace(objective="ar", size="small", lr=1e-3))
    assert not ex.same_held_out(a, a.replace(seed=1)) and not ex.same_held_out(a, a.replace(tokenizer="char"))


# ---------------------------------------------------------------- scoreboard


def test_candidate_words_hold_every_answer_and_words_of_its_kind():
    en = ex.candidate_words("world-en")
    assert {p.answer for p in builtin_probes("world-en")} <= set(en)
    assert {"kelbo", "miravel", "wednesday", "hammer"} <= set(en)  # other capitals, days, tools
    assert all(" " not in w for w in en)
    zh = ex.candidate_words("world-zh")
    assert {p.answer for p in builtin_probes("world-zh")} <= set(zh) and all(len(w) == 1 for w in zh)
    assert ex.candidate_words("notes.txt") == []


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_candidate_logprobs_match_probe_score_candidates(trained, objective):
    model, tok = loaded(trained[objective])
    text, words = "the [MASK] barks all day long .", ["dog", "cat", "velmar", "tuesday morning"]
    reference = {c.candidate: c.log_likelihood for c in probe.score_candidates(model, tok, text, words)}
    batched = ex.candidate_logprobs(model, tok, text, words)
    assert batched == pytest.approx([reference[w] for w in words], abs=1e-4)


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_scoreboard_has_one_row_per_probe_and_the_summary_adds_up(trained, objective):
    model, tok = loaded(trained[objective])
    probes = builtin_probes("world-en")
    rows = ex.scoreboard(model, tok, objective, probes, ex.candidate_words("world-en"))
    assert [r["text"] for r in rows] == [p.text for p in probes]
    assert all(isinstance(r["correct"], bool) and r["prediction"] for r in rows)
    assert all(r["correct"] == (r["prediction"] == r["answer"]) for r in rows)
    need, left, total = ex.scoreboard_summary(rows)
    assert need["total"] == sum(p.needs_right_context for p in probes) and need["total"] + left["total"] == len(probes)
    assert need["right"] + left["right"] == total["right"] == sum(r["correct"] for r in rows)
    method = "fill-mask" if objective == "mlm" else "likelihood of each filled-in sentence"
    assert all(method in r["method"] for r in rows)


def test_ar_answers_an_end_blank_two_ways_and_a_middle_blank_one_way(trained):
    model, tok = loaded(trained["ar"])
    assert ex.blank_at_end("the capital of norland is [MASK] .") and not ex.blank_at_end("the [MASK] barks .")
    end = ex.answer_blank(model, tok, "the capital of norland is [MASK] .", ["velmar", "kelbo"])
    assert len(end) == 2 and "next word" in end[1].method
    assert sum(p for _, p in end[0].options) == pytest.approx(1.0)  # shares among the candidates
    middle = ex.answer_blank(model, tok, "the [MASK] barks all day long .", ["dog", "cat"])
    assert len(middle) == 1 and {w for w, _ in middle[0].options} == {"dog", "cat"}


# ---------------------------------------------------------------- comparable metrics, robustness


def test_both_objectives_are_scored_on_the_same_held_out_blanks(trained):
    metrics = {o: ex.comparable_metrics(trained[o]) for o in ("mlm", "ar")}
    assert metrics["mlm"]["blanks"] == metrics["ar"]["blanks"] > 100
    _, _, rows = prepare_data(TrainConfig.from_dict(trained["ar"].config).replace(objective="mlm"))  # one layout
    row, pos = ex.held_out_blanks(rows)
    assert not rows.special_mask[row, pos].any() and (pos >= 1).all()
    for m in metrics.values():
        assert (
            0 <= m["blank_accuracy"] <= 1
            and m["blank_loss"] > 0
            and 0.9 * 12 * 8 * 64 <= m["tokens_seen"] <= 12 * 8 * 64
        )  # real tokens: no padding counted
    assert metrics["mlm"]["targets_trained"] < metrics["ar"]["targets_trained"]  # MLM learns from ~15% only


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_blank_predictions_ask_each_objective_the_question_it_was_trained_on(trained, objective):
    """Reference check: the same -log p as the model's own forward pass on the blank's document alone (each
    packed document is read alone, as in training)."""
    model, tok = loaded(trained[objective])
    _, _, rows = prepare_data(TrainConfig.from_dict(trained[objective].config))
    ends = [int((rows.input_ids[r, 1:] == tok.sep_token_id).nonzero()[0]) + 1 for r in (0, 1)]  # first doc's end
    row, pos = torch.tensor([0, 1]), torch.tensor([2, ends[1] - 1])
    _, nll = ex.blank_predictions(model, tok, rows, row, pos)
    for i in range(2):
        ids = rows.input_ids[row[i], : ends[i] + 1].clone()  # the first document (MLM: [CLS] ... [SEP])
        if objective == "mlm":
            ids[pos[i]] = tok.mask_token_id
            logits = model(input_ids=ids[None]).logits[0, pos[i]]
        else:
            logits = model(input_ids=ids[None, : pos[i]]).logits[0, -1]  # the left context only
        expected = -logits.log_softmax(-1)[rows.input_ids[row[i], pos[i]]]
        assert nll[i].item() == pytest.approx(expected.item(), abs=1e-4)


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_robustness_at_strength_zero_is_the_clean_held_out_accuracy(trained, objective):
    run = trained[objective]
    rows = ex.robustness(run, (0.0, 0.3), "noise")
    assert [r["strength"] for r in rows] == [0.0, 0.3]
    assert rows[0]["val_accuracy"] == pytest.approx(run.summary["val_accuracy"], abs=1e-9)
    cfg = TrainConfig.from_dict(run.config)
    tok, _, val = prepare_data(cfg)
    model, _ = loaded(run)
    clean = evaluate(model, eval_batches(cfg, val, len(tok)), cfg.objective, model.device)
    assert rows[0]["val_accuracy"] == clean["val_accuracy"]
    assert ex.robustness(model, (0.0,), "delete", cfg=cfg)[0]["val_accuracy"] == clean["val_accuracy"]
    assert not model.training  # left in eval mode


def test_corrupted_held_out_text_differs_from_the_clean_one(trained):
    cfg = TrainConfig.from_dict(trained["ar"].config)
    tok, _, val = prepare_data(cfg)
    clean = eval_batches(cfg, val, len(tok))
    noisy = eval_batches(cfg, val, len(tok), AugmentConfig(noise=0.3))
    assert torch.equal(clean[0].labels, noisy[0].labels)  # noise corrupts the input; targets stay clean
    changed = (clean[0].input_ids != noisy[0].input_ids).float().mean().item()
    assert 0.1 < changed < 0.4


# ---------------------------------------------------------------- generating with an MLM


def test_iterative_fill_appends_exactly_n_tokens_left_to_right(trained):
    model, tok = loaded(trained["mlm"])
    out = ex.iterative_fill(model, tok, "the capital of norland", 5)
    assert len(out.tokens) == 5 and len(out.steps) == 5
    assert out.steps[0].count("[MASK]") == 4 and "[MASK]" not in out.steps[-1]
    assert not set(out.tokens) & set(tok.all_special_tokens)
    assert out.text.startswith("the capital of norland")
    with pytest.raises(probe.ProbeError, match="masked LM"):
        ex.iterative_fill(*loaded(trained["ar"]), "the", 3)


def test_matched_group_keeps_every_other_setting(trained):
    mlm, ar = (TrainConfig.from_dict(trained[o].config) for o in ("mlm", "ar"))
    assert dataclasses.replace(mlm, objective="ar") == ar


# ---------------------------------------------------------------- facts known


@pytest.mark.parametrize("name", ["world-en", "world-zh"])
def test_every_fact_of_a_world_is_stated_in_its_corpus_with_one_answer(name):
    facts = corpus_mod.builtin_facts(name)
    documents = set(corpus_mod.load_builtin(name).documents)
    assert len(facts) > 150 and all(f.filled() in documents for f in facts)
    answers = {}
    for f in facts:
        assert answers.setdefault(f.text, f.answer) == f.answer  # a question has one answer
    capital = next(f for f in facts if f.text in ("the capital of norland is [MASK] .", "诺兰的首都是[MASK]。"))
    assert not capital.needs_right_context  # the country comes first: a GPT can answer it
    assert any(f.needs_right_context for f in facts)  # "velmar is the capital of ..." asked for velmar


@pytest.mark.parametrize("objective", ["mlm", "ar"])
def test_facts_known_counts_whole_answers_and_asks_a_gpt_only_what_its_left_context_decides(
    trained, objective, monkeypatch
):
    model, tok = loaded(trained[objective])
    facts = corpus_mod.builtin_facts("world-en")
    result = ex.facts_known(model, tok, facts)
    decided_left = sum(not f.needs_right_context for f in facts)
    assert result["asked"] == (decided_left if objective == "ar" else len(facts))
    assert result["known"] == result["asked"] - len(result["wrong"]) and result["share"] == pytest.approx(
        result["known"] / result["asked"]
    )
    # an oracle knows everything: the score reads the model's guesses and nothing else
    if objective == "mlm":

        def oracle(model, tokenizer, text, top_k=5):
            n = text.count("[MASK]")
            fact = next(f for f in facts if f.text.replace("[MASK]", " ".join(["[MASK]"] * n)) == text)
            pieces = token_texts(tokenizer, tokenizer(fact.answer, add_special_tokens=False)["input_ids"])
            return [probe.MaskPrediction(i, [probe.Candidate(p, 1.0)]) for i, p in enumerate(pieces)]

        monkeypatch.setattr(probe, "fill_mask", oracle)
    else:

        def oracle(model, tokenizer, prompt, **_):
            fact = next(f for f in facts if f.text.split("[MASK]")[0].rstrip(" ") == prompt)
            return probe.Continuation(" " + fact.answer, False)

        monkeypatch.setattr(probe, "generate", oracle)
    assert ex.facts_known(model, tok, facts)["share"] == 1.0


# ---------------------------------------------------------------- verdicts


def test_a_model_that_says_the_most_common_token_everywhere_scores_the_guessing_baseline():
    targets = torch.tensor([5, 5, 5, 7, 8, 5, 9, 7])  # "." (5) is half of the blanks
    assert vd.guessing_baseline(targets) == 0.5 and vd.guessing_baseline(torch.tensor([], dtype=torch.long)) == 0.0
    assert vd.still_guessing(0.52, baseline=0.5)  # at the baseline: the model says "." everywhere
    assert not vd.still_guessing(0.5 + vd.MIN_LIFT, baseline=0.5)
    assert vd.still_guessing(0.9, baseline=0.1, facts_share=vd.MIN_FACTS / 2)  # blanks right, but knows no facts
    assert not vd.still_guessing(0.9, baseline=0.1, facts_share=vd.MIN_FACTS)
    assert vd.still_guessing(None, baseline=0.1)  # not measured: nothing to compare


def test_the_comparable_metrics_carry_the_guessing_baseline_of_their_blanks(trained):
    m = ex.comparable_metrics(trained["mlm"])
    _, _, rows = prepare_data(TrainConfig.from_dict(trained["mlm"].config))
    row, pos = ex.held_out_blanks(rows)
    counts = rows.input_ids[row, pos].bincount()
    assert m["baseline_accuracy"] == pytest.approx(float(counts.max()) / len(row)) and 0 < m["baseline_accuracy"] < 1


def test_verdict_says_too_early_while_any_model_still_guesses_whatever_the_numbers():
    v = vd.verdict({"MLM": [0.14], "AR": [0.30]}, guessing={"MLM"})
    assert v.kind == vd.TOO_EARLY and v.guessing == ("MLM",) and v.best is None
    assert vd.verdict({"MLM": [0.14], "AR": [0.30]}).kind == vd.WINS


def test_verdict_needs_the_best_seeds_all_above_the_runner_ups():
    apart = vd.verdict({"5%": [0.30, 0.31], "15%": [0.36, 0.38], "40%": [0.33, 0.34]})
    assert (apart.kind, apart.best, apart.runner_up, apart.seeds) == (vd.WINS, "15%", "40%", 2)
    assert apart.gap == pytest.approx(0.37 - 0.335)
    assert apart.spreads["15%"] == vd.Spread(median=0.37, low=0.36, high=0.38, n=2)
    overlapping = vd.verdict({"5%": [0.30, 0.31], "15%": [0.33, 0.38], "40%": [0.32, 0.34]})
    assert overlapping.kind == vd.WITHIN_SPREAD and overlapping.best is None  # 15%'s worst seed is below 40%'s best
    # the observed nano 5 s sweep of issue #14: a point apart at every rate, a spread of two
    noise = vd.verdict({"5%": [0.156, 0.172], "15%": [0.160, 0.168], "40%": [0.158, 0.171]})
    assert noise.kind == vd.WITHIN_SPREAD


def test_with_one_seed_each_a_gap_within_the_sampling_noise_is_no_difference():
    noise = vd.sampling_noise([0.30, 0.33], n=512)
    assert noise == pytest.approx(2 * ((0.3 * 0.7 + 0.33 * 0.67) / 512) ** 0.5)  # about 5.8 points
    assert vd.verdict({"MLM": [0.33], "AR": [0.30]}, noise=noise).kind == vd.WITHIN_SPREAD
    far = vd.verdict({"MLM": [0.45], "AR": [0.30]}, noise=vd.sampling_noise([0.45, 0.30], 512))
    assert (far.kind, far.best) == (vd.WINS, "MLM")
    assert vd.sampling_noise([0.3], n=4) > vd.sampling_noise([0.3], n=400)  # fewer blanks, more luck


def test_verdict_refuses_a_single_setting_and_a_setting_without_results():
    with pytest.raises(ValueError):
        vd.verdict({"MLM": [0.3]})
    with pytest.raises(ValueError):
        vd.verdict({"MLM": [0.3], "AR": []})


def test_with_seeds_runs_every_config_at_each_seed_first_seed_first():
    cfgs = ex.mask_rate_sweep(TrainConfig(seed=3), (0.15, 0.4))
    seeded = ex.with_seeds(cfgs, 2)
    assert [(c.masking.rate, c.seed) for c in seeded] == [(0.15, 3), (0.4, 3), (0.15, 4), (0.4, 4)]
    assert differences(seeded[0], seeded[2]) == {"seed"}
    assert ex.with_seeds(cfgs, 1) == cfgs
    with pytest.raises(ValueError):
        ex.with_seeds(cfgs, 0)


def test_judge_runs_calls_a_setting_guessing_if_any_of_its_seeds_is_and_weighs_the_blanks_luck():
    def run(acc, facts=0.5, baseline=0.145, blanks=512):
        return {"blank_accuracy": acc, "baseline_accuracy": baseline, "blanks": blanks, "facts_share": facts}

    # issue #14, nano 5 s: MLM says "." everywhere (14.1% against a 14.5% baseline) and knows no facts
    early = vd.judge_runs({"MLM": [run(0.141, facts=0.0)], "AR": [run(0.30)]})
    assert early.kind == vd.TOO_EARLY and early.guessing == ("MLM",)
    one_bad_seed = vd.judge_runs({"15%": [run(0.40), run(0.15)], "40%": [run(0.35), run(0.36)]})
    assert one_bad_seed.guessing == ("15%",)
    uploaded = vd.judge_runs({"MLM": [run(0.40, facts=None)], "AR": [run(0.30, facts=None)]})  # no facts to ask
    assert (uploaded.kind, uploaded.best) == (vd.WINS, "MLM")
    close = vd.judge_runs({"MLM": [run(0.40, blanks=64)], "AR": [run(0.35, blanks=64)]})  # 64 blanks: 5 points is luck
    assert close.kind == vd.WITHIN_SPREAD and close.noise > 0.05


def test_matched_group_takes_any_two_to_four_objectives_and_differs_only_in_them():
    cfg = TrainConfig(size="nano", time_budget_s=20, seed=3)
    group = ex.matched_group(cfg, ("t5", "mlm", "electra", "ar"))
    assert [c.objective for c in group] == ["t5", "mlm", "electra", "ar"]
    assert all(differences(group[0], c) <= {"objective"} for c in group)
    assert ex.matched_group(cfg) == [cfg.replace(objective="mlm"), cfg.replace(objective="ar")]  # MLM + AR by default
    for wrong in (("mlm",), ("mlm", "mlm"), ("mlm", "bart")):
        with pytest.raises(ValueError):
            ex.matched_group(cfg, wrong)


def test_judge_runs_compares_n_settings_on_any_metric_leaving_out_those_without_it():
    def run(facts, blank=None, test=None):
        return {
            "blank_accuracy": blank,
            "baseline_accuracy": 0.145,
            "blanks": 0 if blank is None else 512,
            "facts_share": facts,
            "facts_asked": 180,
            "test_accuracy": test,
            "test_examples": 400,
        }

    # MLM and T5 on the facts (T5 asks no blanks: its facts alone say whether it still guesses); ELECTRA has none
    group = {"MLM": [run(0.9, blank=0.5)], "T5": [run(0.4)], "ELECTRA": [run(None)]}
    facts = vd.judge_runs(group, "facts_share")
    assert (facts.kind, facts.best, set(facts.spreads)) == (vd.WINS, "MLM", {"MLM", "T5"})
    assert vd.judge_runs({"T5": [run(0.02)], "MLM": [run(0.9, blank=0.5)]}, "facts_share").guessing == ("T5",)
    assert vd.judge_runs({"MLM": [run(0.9, blank=0.5)], "ELECTRA": [run(None)]}, "facts_share") is None
    # fine-tuning: ELECTRA's discriminator cannot be told to be guessing, so it is judged on its test accuracy
    tuned = {
        name: [{**r[0], "test_accuracy": acc}] for (name, r), acc in zip(group.items(), (0.6, 0.55, 0.9), strict=True)
    }
    ahead = vd.judge_runs(tuned, "test_accuracy")
    assert (ahead.kind, ahead.best, ahead.guessing) == (vd.WINS, "ELECTRA", ())
    assert ahead.noise == pytest.approx(vd.sampling_noise([0.9, 0.6], 400))
