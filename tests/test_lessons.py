"""Lessons (core): short valid runs, honest verdicts, teacher locks honoured (both languages: tests/test_i18n.py)."""

import re

import pytest

from selfsup_core import lessons
from selfsup_core.config import GROUP_LESSON_BUDGET, LESSON_BUDGET, OBJECTIVES, TrainConfig
from selfsup_core.finetune import FinetuneConfig
from selfsup_core.lessons import LESSONS, TIE, outcome, plan

FAKE_RUN = "20260101-000000-mlm-abc123"


def test_the_five_lessons_of_the_issues_exist_with_steps_and_choices():
    titles = {lesson.title["en"] for lesson in LESSONS.values()}
    assert titles == {
        "What does masking teach?",
        "Why 15%?",
        "MLM vs AR",
        "What pretraining buys",
        "Which exercise teaches most per second?",
    }
    for lesson in LESSONS.values():
        assert len(lesson.steps) >= 2
        for step in lesson.steps:
            assert len(step.choices) >= 2 and step.judge.metric in lessons.METRICS


def test_texts_format_with_the_values_a_step_provides():
    for lesson in LESSONS.values():
        values = lessons.preset_values(lesson, "zh")
        for step in lesson.steps:
            for text in (step.intro, step.question):
                assert "{" not in lessons.tr(text, "zh", **values)


@pytest.mark.parametrize("lang, corpus", [("en", "world-en"), ("zh", "world-zh")])
def test_every_step_plans_short_valid_runs_on_the_language_s_corpus(lang, corpus):
    for lesson in LESSONS.values():
        values = lessons.preset_values(lesson, lang)
        for step in lesson.steps:
            planned = plan(step, values, {0: [FAKE_RUN]})
            assert (step.experiment == "reuse") == (not planned)
            for p in planned:
                if p.kind == "train":
                    assert isinstance(p.config, TrainConfig)
                    assert p.config.corpus == corpus and p.config.size in ("nano", "mini")
                    assert 5 <= p.config.time_budget_s <= 40
                else:
                    assert isinstance(p.config, FinetuneConfig) and p.config.task.endswith(lang)


def test_runs_of_a_step_differ_only_in_what_the_step_is_about():
    values = lessons.preset_values(LESSONS["why-15"], "en")
    rates = plan(LESSONS["why-15"].steps[1], values)
    assert [c.config.masking.rate for c in rates] == [0.15, 0.4, 0.8]
    first = rates[0].config.to_dict()
    for other in rates[1:]:
        diff = {k for k, v in other.config.to_dict().items() if v != first[k]}
        assert diff == {"masking"}
    pair = plan(LESSONS["mlm-vs-ar"].steps[0], values)
    assert [p.config.objective for p in pair] == ["mlm", "ar"]
    strategies = plan(LESSONS["masking"].steps[1], values)
    assert [p.config.masking.strategy for p in strategies] == ["token", "span"]
    assert {p.config.tokenizer for p in strategies} == {"char"}


def test_fine_tuning_step_needs_the_pretrained_run_and_compares_with_scratch():
    step = LESSONS["pretraining"].steps[1]
    values = lessons.preset_values(LESSONS["pretraining"], "en")
    with pytest.raises(lessons.LessonError, match="Run step 1 first"):
        plan(step, values, {})
    full, scratch = (p.config for p in plan(step, values, {0: [FAKE_RUN]}))
    assert (full.pretrained, full.method) == (FAKE_RUN, "full")
    assert (scratch.pretrained, scratch.method, scratch.tokenizer_run) == (None, "scratch", FAKE_RUN)
    pretrain = plan(LESSONS["pretraining"].steps[0], values)[0].config
    assert (scratch.scratch_objective, scratch.scratch_size) == (pretrain.objective, pretrain.size)  # same shape
    assert full.label_budget == scratch.label_budget == 32 and full.seed == scratch.seed


def test_locked_and_hidden_controls_keep_the_preset_whatever_the_student_chose():
    lesson = LESSONS["why-15"]
    chosen = {"size": "nano", "seconds": 45, "seed": 7, "corpus": "world-zh"}
    assert lessons.effective_values(lesson, "en", chosen, {}) == chosen
    states = {"seconds": "locked", "size": "hidden"}
    got = lessons.effective_values(lesson, "en", chosen, states)
    preset = lesson.preset
    assert got == {"size": preset["size"], "seconds": preset["seconds"], "seed": 7, "corpus": "world-zh"}
    assert (preset["size"], preset["seconds"]) != ("nano", 45)  # the preset differs from what was chosen


def test_lessons_that_compare_runs_start_at_the_comparison_budget():
    budget = (LESSON_BUDGET.size, LESSON_BUDGET.seconds)
    for lesson in LESSONS.values():
        if any(s.experiment in ("pair", "rates", "strategies") for s in lesson.steps):
            assert (lesson.preset["size"], lesson.preset["seconds"]) == budget, lesson.id


def test_the_objectives_lesson_trains_all_four_under_one_budget_then_asks_facts_and_fine_tunes_each():
    lesson = LESSONS["objectives"]
    assert (lesson.preset["size"], lesson.preset["seconds"]) == (GROUP_LESSON_BUDGET.size, GROUP_LESSON_BUDGET.seconds)
    signal, facts, tune = lesson.steps
    group = plan(signal, lessons.preset_values(lesson, "zh"))
    assert [p.config.objective for p in group] == list(OBJECTIVES) == list(signal.choices)
    first = group[0].config.to_dict()
    assert all({k for k, v in p.config.to_dict().items() if v != first[k]} == {"objective"} for p in group[1:])
    assert (signal.judge.metric, facts.judge.metric, tune.judge.metric) == (
        "signal_tokens_per_s",
        "facts_share",
        "test_accuracy",
    )
    ids = [f"20260101-00000{i}-{o}-abc123" for i, o in enumerate(OBJECTIVES)]
    configs = {i: {"objective": o} for i, o in zip(ids, OBJECTIVES, strict=True)}
    asked = lessons.reused(facts, configs)  # ELECTRA's discriminator fills no blank: left out, in the choices' order
    assert [configs[i]["objective"] for i in asked] == ["mlm", "ar", "t5"] == [k for k in facts.choices if k != TIE]
    tuned = plan(tune, lessons.preset_values(lesson, "en"), {0: ids})
    assert [p.config.pretrained for p in tuned] == ids  # every run, no scratch
    assert {(p.config.method, p.config.label_budget, p.config.task) for p in tuned} == {("full", 32, "topic-en")}
    assert outcome(tune, [0.5, 0.6, 0.9, 0.55]) == "electra" and outcome(tune, [0.5, 0.52, 0.5, 0.5]) == TIE


def test_values_outside_what_lessons_allow_are_refused():
    values = lessons.preset_values(LESSONS["masking"], "en")
    for bad in ({"size": "small"}, {"seconds": 600}, {"corpus": "my.txt"}):
        with pytest.raises(ValueError):
            lessons.base_config({**values, **bad})


def test_outcome_buckets_a_single_value():
    step = LESSONS["masking"].steps[0]
    assert [outcome(step, [v]) for v in (0.02, 0.10, 0.39, 0.41, 0.9)] == ["low", "mid", "mid", "high", "high"]
    assert outcome(step, [None]) is None


def test_outcome_picks_the_best_run_and_calls_close_results_a_tie():
    step = LESSONS["masking"].steps[1]  # token vs span, tie under 5 points
    assert outcome(step, [0.60, 0.20]) == "token"
    assert outcome(step, [0.20, 0.60]) == "span"
    assert outcome(step, [0.31, 0.30]) == TIE
    loss = LESSONS["mlm-vs-ar"].steps[0]  # lower loss wins, no tie choice
    assert outcome(loss, [2.0, 3.0]) == "mlm" and outcome(loss, [3.0, 2.99]) == "ar"
    assert outcome(LESSONS["why-15"].steps[1], [0.1, 0.3, 0.2]) == "r40"
    assert outcome(loss, [2.0, None]) is None


def test_run_labels_name_what_differs():
    assert lessons.run_label({"objective": "ar"}, "en") == "AR (GPT-style)"
    assert "40%" in lessons.run_label({"objective": "mlm", "masking": {"rate": 0.4}}, "zh")
    assert lessons.run_label({"method": "scratch", "task": "x"}, "zh") == "从零开始（随机权重）"
    assert lessons.run_label({"objective": "electra"}, "en") == "ELECTRA (replaced words)"
    assert lessons.run_label({"objective": "t5", "masking": {"rate": 0.4}}, "zh") == "T5（补缺失片段）"
    tuned = {"method": "full", "pretrained": "x", "task": "topic-en"}
    assert lessons.run_label(tuned, "en", source={"objective": "t5"}) == "T5 (missing spans), fine-tuned"


# -- lessons as files -------------------------------------------------------------------------------------
BUILTIN = sorted(lessons.LESSONS_DIR.glob("*.toml"))


def _broken(old: str, new: str, name: str = "02-why-15.toml") -> str:
    text = (lessons.LESSONS_DIR / name).read_text(encoding="utf-8")
    body = text.index("\nid = ")  # past the comment at the top, which quotes field names too
    assert old in text[body:], old
    return text[:body] + text[body:].replace(old, new, 1)


def test_every_built_in_lesson_is_a_file_that_loads_into_the_lesson_types():
    assert [p.stem.split("-", 1)[1] for p in BUILTIN] == list(LESSONS)
    for path in BUILTIN:
        lesson = lessons.load_lesson(path.read_text(encoding="utf-8"), path.name)
        assert lesson == LESSONS[lesson.id]
        assert all(isinstance(s, lessons.Step) and isinstance(s.judge, lessons.Judge) for s in lesson.steps)


@pytest.mark.parametrize(
    "old, new, says, at",
    [
        ('metric = "blank_accuracy"', 'metric = "blank_acc"', "step 1, judge: metric must be one of", "judge = "),
        ("[steps.question]", "[steps.questoin]", "step 1, questoin: unknown field", "[steps.questoin]"),
        (
            "rates = [0.05, 0.15]",
            "rates = [0.05, 1.5]",
            "step 1, params: this step cannot be planned: Mask rate",
            "params = ",
        ),
        ('experiment = "rates"', 'experiment = "rate"', "step 1, experiment: must be one of", "experiment = "),
        ("Two {size} BERTs", "Two {sise} BERTs", "step 1, intro: unknown placeholder ['sise']", "[steps.intro]"),
        ('preset = { size = "mini"', 'preset = { size = "huge"', "preset: size must be one of", "preset = "),
    ],
)
def test_a_mistake_in_a_lesson_file_is_reported_with_its_line_and_field(old, new, says, at):
    text = _broken(old, new)
    with pytest.raises(lessons.LessonFileError, match="my-lesson.toml, line ") as e:
        lessons.load_lesson(text, "my-lesson.toml")
    assert says in str(e.value)
    line = int(str(e.value).split("line ")[1].split(":")[0])
    assert text.splitlines()[line - 1].startswith(at)


@pytest.mark.parametrize(
    "old, new, says",
    [
        ('"electra", "t5"] }', '"electra", "bart"] }', "step 1, params: objectives must be a list of"),
        ('objectives = ["mlm", "ar", "t5"]', 'objectives = ["mlm", "gpt"]', "step 2, params: objectives must be"),
        ('objectives = ["mlm", "ar", "electra", "t5"]', 'objectives = ["mlm"]', "step 1, params: this step cannot"),
    ],
)
def test_a_group_step_s_objectives_are_checked_when_the_file_loads(old, new, says):
    with pytest.raises(lessons.LessonFileError, match=re.escape(says)):
        lessons.load_lesson(_broken(old, new, "05-objectives.toml"), "05-objectives.toml")


def test_a_toml_syntax_error_names_its_line():
    with pytest.raises(lessons.LessonFileError, match=r"not valid TOML: .*line 2"):
        lessons.load_lesson('id = "x"\ntitle = 3 3\nsummary = 1', "x.toml")


def test_a_teacher_s_lesson_file_is_kept_in_the_runs_folder_and_offered_beside_the_built_in_ones(tmp_path):
    text = _broken('id = "why-15"', 'id = "why-20"').replace("5% and 15%", "5% and 20%")
    lesson = lessons.save_lesson_file(text.encode(), "why-20.toml", tmp_path)
    assert (tmp_path / "lessons" / "why-20.toml").is_file() and lesson.id == "why-20"
    found, problems = lessons.available(tmp_path)
    assert list(found)[: len(LESSONS)] == list(LESSONS) and found["why-20"] == lesson and not problems
    replaced = _broken('en = "Why 15%?"', 'en = "Why fifteen?"')
    lessons.save_lesson_file(replaced.encode(), "mine.toml", tmp_path)  # a built-in id replaces that lesson
    assert lessons.available(tmp_path)[0]["why-15"].title["en"] == "Why fifteen?"
    (tmp_path / "lessons" / "broken.toml").write_text('id = "b"\n', encoding="utf-8")  # dropped in by hand
    found, problems = lessons.available(tmp_path)
    assert "b" not in found and len(problems) == 1 and "broken.toml" in problems[0]


def test_a_lesson_upload_is_capped_and_must_be_utf8_toml(tmp_path):
    with pytest.raises(lessons.LessonFileError, match="too big"):
        lessons.save_lesson_file(b"#" * (lessons.LESSON_MAX_BYTES + 1), "big.toml", tmp_path)
    with pytest.raises(lessons.LessonFileError, match="ends in .toml"):
        lessons.save_lesson_file(b'id = "x"', "x.json", tmp_path)
    with pytest.raises(lessons.LessonFileError, match="UTF-8"):
        lessons.save_lesson_file("id = 'é'".encode("latin-1"), "x.toml", tmp_path)
    assert not (tmp_path / "lessons").exists()
