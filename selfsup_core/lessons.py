"""Guided lessons: short sequences of predict-then-run experiments, in English and Simplified Chinese.

Each step of a lesson is an experiment from `experiments` (one run, a matched MLM/AR pair, a mask-rate or
strategy sweep, or fine-tuning with and without pretraining) at a preset, short configuration; before
running it the student commits to one answer of a multiple-choice question, then `outcome` reads the
answer the runs give, and a debrief explains it. Why predict first: a guess written down before the
evidence arrives is what makes a surprise noticeable (the "predict-observe-explain" cycle).

The lessons themselves are data: one TOML file per lesson in assets/lessons/ (the comment at the top of
each says what its fields mean), loaded into `Lesson` / `Step` by `load_lesson`, which names the line and
field of any mistake. A teacher copies a file, edits it and loads it in teacher mode (`save_lesson_file`
keeps it in <runs>/lessons/, where `available` finds it). Every text of a lesson is a {"en": ..., "zh": ...}
mapping (`Text`), read with `tr`; the page's own words (labels, buttons) are in the app's catalogue
(assets/i18n/, "lessons.*"). Nothing here imports streamlit. A lesson's few controls (model size, seconds
per run, seed, corpus) start at the lesson's preset; a teacher may lock or hide them (stored by
`classroom`), and `effective_values` then ignores what a student chose. Chinese lessons run on the world-zh
corpus unless the corpus is changed.
"""

from __future__ import annotations

import bisect
import os
import re
import secrets
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import experiments, uploads
from .config import OBJECTIVES, MaskingConfig, TrainConfig
from .corpus import ASSETS_DIR
from .runs import runs_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the same parser, as a package (requirements.txt)
    import tomli as tomllib

Text = dict[str, str]  # {"en": ..., "zh": ...}
LANGS = ("en", "zh")
CORPUS_OF_LANG = {"en": "world-en", "zh": "world-zh"}
TASK_OF_CORPUS = {"world-en": "topic-en", "world-zh": "topic-zh"}  # where pretraining helps most (bench/RESULTS.md)
SIZES = ("nano", "mini")  # lessons stay short: seconds per run, not minutes
SECONDS = (5, 60)  # allowed seconds per run
MAX_STEPS = 20_000  # runs are bounded by their time budget; this only has to be out of reach
TIE = "tie"  # the choice key of "about the same"


class LessonError(ValueError):
    """A lesson step cannot be planned yet; the message says what to do first."""


def tr(text: Text, lang: str, **fmt: Any) -> str:
    """`text` in `lang` (English when that language is missing), formatted with `fmt`."""
    s = text.get(lang) or text["en"]
    return s.format(**fmt) if fmt else s


def placeholders(s: str) -> set[str]:
    """The {name} fields of a text, to check that both languages take the same values."""
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


@dataclass(frozen=True)
class Judge:
    """How the runs answer the question.

    rule "bucket": one run; the answer is the choice whose range holds its `metric` (choices in order,
        `bounds` the upper ends of every range but the last).
    rule "best": the answer is the choice of the run with the best `metric` (choices in the order of the
        runs; the choice "tie" wins when the best two are less than `tie` apart).
    """

    metric: str  # a key of METRICS
    rule: str = "best"
    bounds: tuple[float, ...] = ()
    lower_is_better: bool = False
    tie: float = 0.0


@dataclass(frozen=True)
class Step:
    """One predict-then-run experiment.

    experiment: single (params["changes"] on the base config) | pair (matched MLM + AR) | group (a matched
    group of params["objectives"]) | rates (params["rates"]) | strategies (params["strategies"]) | finetune
    (pretrained on the run of step params["from_step"] vs from scratch; with params["each"], every run of that
    step fine-tuned, no scratch) | reuse (no new run: the runs of step params["from_step"] measured again, only
    those of params["objectives"] when given). Texts may use the placeholders {seconds} and {size}.
    """

    title: Text
    intro: Text
    experiment: str
    question: Text
    choices: dict[str, Text]  # key -> answer, in order
    judge: Judge
    debrief: Text
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Text
    summary: Text
    preset: dict[str, Any]  # the controls' starting values: size, seconds, seed (the corpus follows the language)
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Planned:
    """A run a step launches: its job kind ("train" | "finetune") and config."""

    kind: str
    config: Any


# -- the controls a teacher may lock or hide (their labels are the page's: i18n "lessons.control.*") ---
CONTROLS = ("size", "seconds", "seed", "corpus")
STATES = ("open", "locked", "hidden")
# what a Judge may read from a run: its summary's figures, the same-blanks accuracy and the share of facts known
METRICS = ("val_accuracy", "val_loss", "blank_accuracy", "facts_share", "test_accuracy", "signal_tokens_per_s")
RATES = ("signal_tokens_per_s",)  # how fast a run gets its signal, not what it learned: no too-early verdict

SAME: Text = {"en": "About the same (less than {points} points apart)", "zh": "差不多（相差不到 {points} 个百分点）"}
RUN_LABELS: dict[str, Text] = {
    "mlm": {"en": "MLM (BERT-style)", "zh": "MLM（BERT 式）"},
    "ar": {"en": "AR (GPT-style)", "zh": "AR（GPT 式）"},
    "electra": {"en": "ELECTRA (replaced words)", "zh": "ELECTRA（找替换词）"},
    "t5": {"en": "T5 (missing spans)", "zh": "T5（补缺失片段）"},
    "from": {"en": "{name}, fine-tuned", "zh": "{name}，再微调"},
    "rate": {"en": "{rate} masked", "zh": "遮 {rate}"},
    "token": {"en": "single characters (token masking)", "zh": "遮单个字（词元掩码）"},
    "span": {"en": "runs of whole words (span masking)", "zh": "遮一串字（片段掩码）"},
    "whole-word": {"en": "whole words", "zh": "整词"},
    "full": {"en": "pretrained, then fine-tuned", "zh": "先预训练再微调"},
    "scratch": {"en": "from scratch (random weights)", "zh": "从零开始（随机权重）"},
}


# -- pure logic --------------------------------------------------------------------------------------
def preset_values(lesson: Lesson, lang: str) -> dict[str, Any]:
    """The lesson's starting values of every control; the corpus follows the language."""
    return {"corpus": CORPUS_OF_LANG.get(lang, CORPUS_OF_LANG["en"]), **lesson.preset}


def effective_values(lesson: Lesson, lang: str, chosen: dict[str, Any], states: dict[str, str]) -> dict[str, Any]:
    """The values a step runs with: the preset, overridden by what the student `chosen` for controls whose
    teacher `states` say "open" (the default). Locked or hidden controls always keep the preset."""
    values = preset_values(lesson, lang)
    values.update({k: v for k, v in chosen.items() if k in CONTROLS and states.get(k, "open") == "open"})
    return values


def check_values(values: dict[str, Any]) -> None:
    """Raise ValueError when a value is outside what lessons allow (keeps every run short)."""
    if values["size"] not in SIZES:
        raise ValueError(f"Lessons use the sizes {SIZES}; got {values['size']!r}.")
    if not SECONDS[0] <= values["seconds"] <= SECONDS[1]:
        raise ValueError(f"Lessons run {SECONDS[0]} to {SECONDS[1]} s per run; got {values['seconds']}.")
    if values["corpus"] not in TASK_OF_CORPUS:
        raise ValueError(f"Lessons use the built-in corpora {tuple(TASK_OF_CORPUS)}; got {values['corpus']!r}.")


def base_config(values: dict[str, Any]) -> TrainConfig:
    """A short MLM run with the lesson's values; no checkpoints (lessons never replay them)."""
    check_values(values)
    return TrainConfig(
        objective="mlm",
        corpus=values["corpus"],
        size=values["size"],
        steps=MAX_STEPS,
        time_budget_s=float(values["seconds"]),
        seed=int(values["seed"]),
        checkpoints=0,
    )


def plan(step: Step, values: dict[str, Any], earlier: dict[int, list[str]] | None = None) -> list[Planned]:
    """The runs `step` launches with `values` ([] for a "reuse" step).

    earlier: the completed run ids of the lesson's earlier steps, by step index (a "finetune" step starts
    from the first run of step params["from_step"]; raises LessonError when there is none yet).
    """
    base = base_config(values).replace(**step.params.get("changes", {}))
    if step.experiment == "single":
        return [Planned("train", base)]
    if step.experiment in ("pair", "group"):
        objectives = step.params.get("objectives", experiments.PAIR)
        return [Planned("train", c) for c in experiments.matched_group(base, objectives)]
    if step.experiment == "rates":
        return [Planned("train", c) for c in experiments.mask_rate_sweep(base, step.params["rates"])]
    if step.experiment == "strategies":
        wanted = step.params["strategies"]
        return [Planned("train", c) for c in experiments.strategy_sweep(base) if c.masking.strategy in wanted]
    if step.experiment == "reuse":
        return []
    if step.experiment == "finetune":
        from .finetune import FinetuneConfig

        source = (earlier or {}).get(step.params["from_step"]) or []
        if not source:
            raise LessonError(
                f"Run step {step.params['from_step'] + 1} first: this step starts from the model it trains."
            )
        common = dict(
            task=TASK_OF_CORPUS[values["corpus"]],
            label_budget=step.params["budget"],
            steps=step.params["steps"],
            seed=int(values["seed"]),
        )
        if step.params.get("each"):
            return [Planned("finetune", FinetuneConfig(pretrained=run, method="full", **common)) for run in source]
        same_shape = dict(tokenizer_run=source[0], scratch_objective=base.objective, scratch_size=base.size)
        return [
            Planned("finetune", FinetuneConfig(pretrained=source[0], method="full", **common)),
            Planned("finetune", FinetuneConfig(method="scratch", **same_shape, **common)),
        ]
    raise ValueError(f"Unknown experiment {step.experiment!r}.")


def reused(step: Step, configs: dict[str, dict[str, Any]]) -> list[str]:
    """The runs a "reuse" step measures again, of the earlier step's (run id -> config, in order): all of them, or
    those trained with params["objectives"], in that order."""
    wanted = step.params.get("objectives")
    if wanted is None:
        return list(configs)
    return [i for o in wanted for i, c in configs.items() if c.get("objective") == o]


def run_label(config: dict[str, Any], lang: str, source: dict[str, Any] | None = None) -> str:
    """A short name for a lesson's run, from its config: what differs between the runs of a step. source: the
    config of the run a fine-tuning run started from, to name it by that run (steps that fine-tune each run)."""
    if "method" in config:  # a fine-tuning run
        if source is not None and config["method"] != "scratch":
            return tr(RUN_LABELS["from"], lang, name=run_label(source, lang))
        return tr(RUN_LABELS["full" if config["method"] != "scratch" else "scratch"], lang)
    masking = config.get("masking") or {}
    if config.get("objective") in ("ar", "electra", "t5"):
        return tr(RUN_LABELS[config["objective"]], lang)
    rate = f"{masking.get('rate', MaskingConfig.rate):.0%}"
    strategy = masking.get("strategy", "token")
    if config.get("tokenizer") == "char":
        return tr(RUN_LABELS[strategy], lang)
    return f"{tr(RUN_LABELS['mlm'], lang)} · {tr(RUN_LABELS['rate'], lang, rate=rate)}"


def outcome(step: Step, values: list[float | None]) -> str | None:
    """The choice key the runs' `values` of the judge's metric support (in the runs' order), or None when a
    value is missing (a run failed or was stopped before its evaluation)."""
    if not values or any(v is None for v in values):
        return None
    judge, keys = step.judge, [k for k in step.choices if k != TIE]
    if judge.rule == "bucket":
        return keys[bisect.bisect_right(judge.bounds, values[0])]
    signed = [-v if judge.lower_is_better else v for v in values]
    order = sorted(range(len(signed)), key=signed.__getitem__, reverse=True)
    if TIE in step.choices and len(order) > 1 and signed[order[0]] - signed[order[1]] < judge.tie:
        return TIE
    return keys[order[0]]


def texts() -> list[Text]:
    """Every text of the lessons, for checking that none is missing a language."""
    found: list[Text] = [*RUN_LABELS.values(), SAME]
    for lesson in LESSONS.values():
        found += [lesson.title, lesson.summary]
        for s in lesson.steps:
            found += [s.title, s.intro, s.question, s.debrief, *s.choices.values()]
    return found


# -- lessons as files ---------------------------------------------------------------------------------
# Every lesson is a TOML file (assets/lessons/<nn>-<id>.toml; the comment at the top of each says what its
# fields mean). A teacher copies one, edits it and loads it in teacher mode (or puts it in
# <runs folder>/lessons/): `load_lesson` checks everything a step will need, so a mistake is reported when
# the file is loaded, naming its line and field, not when a student reaches the step.
LESSONS_DIR = ASSETS_DIR / "lessons"
LESSON_FOLDER = "lessons"  # inside the runs folder: the lessons a teacher loaded
LESSON_MAX_BYTES = 256 * 1024  # a lesson file is about 10 kB
EXPERIMENTS = ("single", "pair", "group", "rates", "strategies", "finetune", "reuse")
RULES = ("best", "bucket")
STEP_PLACEHOLDERS = {"seconds", "size", "corpus", "seed"}  # the values intro and question may use
_STEP_TEXTS = ("title", "intro", "question", "debrief")
_LESSON_FIELDS = {"id", "title", "summary", "preset", "steps"}
_STEP_FIELDS = {"experiment", "params", "judge", "choices", *_STEP_TEXTS}
_JUDGE_FIELDS = {"metric", "rule", "bounds", "lower_is_better", "tie"}


class LessonFileError(ValueError):
    """A lesson file is not valid; the message names the file, the line and the field, and what to write."""


class _Checker:
    """Checks one lesson file's parsed data; `fail` raises a LessonFileError that points at the field's line."""

    def __init__(self, source: str, text: str):
        self.source, self.lines = source, text.splitlines()

    def line(self, step: int | None, field_name: str) -> int | None:
        """The line (1-based) where `field_name` is written, in the `step`-th [[steps]] block (None: the top)."""
        start, end = 0, len(self.lines)
        blocks = [i for i, s in enumerate(self.lines) if s.strip() == "[[steps]]"]
        if step is not None and step < len(blocks):
            start = blocks[step]
            end = blocks[step + 1] if step + 1 < len(blocks) else end
        elif step is None and blocks:
            end = blocks[0]
        head = field_name.split(".")[0]
        for i in range(start, end):
            s = self.lines[i].strip()
            if s.startswith((f"{head} ", f"{head}=", f"{head}.", f"[{head}", f"[steps.{head}")):
                return i + 1
        return start + 1 if step is not None else None

    def fail(self, step: int | None, field_name: str, message: str):
        where = f"step {step + 1}, " if step is not None else ""
        line = self.line(step, field_name)
        at = f", line {line}" if line else ""
        raise LessonFileError(f"{self.source}{at}: {where}{field_name}: {message}")

    def fields(self, data: Any, allowed: set[str], step: int | None, name: str, required: set[str]) -> dict:
        if not isinstance(data, dict):
            self.fail(step, name, "must be a table of fields")
        for key in data:
            if key not in allowed:
                self.fail(step, f"{name}.{key}" if name else key, f"unknown field (expected one of {sorted(allowed)})")
        for key in sorted(required - set(data)):
            self.fail(step, f"{name}.{key}" if name else key, "missing")
        return data

    def text(self, value: Any, step: int | None, name: str, allowed: set[str] | None = None) -> Text:
        if not isinstance(value, dict) or not isinstance(value.get("en"), str) or not value["en"].strip():
            self.fail(step, name, 'must be a table of texts with at least en = "..." (and zh = "...")')
        for lang, s in value.items():
            if lang not in LANGS or not isinstance(s, str):
                self.fail(step, name, f"{lang!r}: expected a text for one of {LANGS}")
            names = placeholders(s)
            if names != placeholders(value["en"]):
                self.fail(step, name, f"the {lang} text's {{placeholders}} differ from the en text's")
            if allowed is not None and names - allowed:
                self.fail(step, name, f"unknown placeholder {sorted(names - allowed)} (may use {sorted(allowed)})")
            try:
                s.format(**dict.fromkeys(names, ""))
            except (ValueError, IndexError, KeyError) as e:
                self.fail(step, name, f"a brace that is not a placeholder ({e}); write {{{{ and }}}} for braces")
        return dict(value)


def load_lesson(text: str, source: str = "lesson file") -> Lesson:
    """A `Lesson` from the text of a lesson file; raises `LessonFileError` saying which line and field is
    wrong. Every step is planned once with the lesson's preset, so what loads also runs."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LessonFileError(f"{source}: not valid TOML: {e}") from None
    c = _Checker(source, text)
    c.fields(data, _LESSON_FIELDS, None, "", _LESSON_FIELDS)
    if not isinstance(data["id"], str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", data["id"]):
        c.fail(None, "id", "must be 1-40 lower-case letters, digits or dashes, such as my-lesson")
    preset = c.fields(data["preset"], set(CONTROLS) - {"corpus"}, None, "preset", {"size", "seconds", "seed"})
    if preset["size"] not in SIZES:
        c.fail(None, "preset", f"size must be one of {SIZES}")
    if not isinstance(preset["seconds"], int) or not SECONDS[0] <= preset["seconds"] <= SECONDS[1]:
        c.fail(None, "preset", f"seconds must be a whole number from {SECONDS[0]} to {SECONDS[1]}")
    if not isinstance(preset["seed"], int) or preset["seed"] < 0:
        c.fail(None, "preset", "seed must be a whole number, 0 or more")
    if not isinstance(data["steps"], list) or not data["steps"]:
        c.fail(None, "steps", "a lesson needs at least one [[steps]] block")
    steps = tuple(_load_step(c, i, s) for i, s in enumerate(data["steps"]))
    lesson = Lesson(
        id=data["id"],
        title=c.text(data["title"], None, "title"),
        summary=c.text(data["summary"], None, "summary"),
        preset=dict(preset),
        steps=steps,
    )
    for lang in CORPUS_OF_LANG:  # what loads also plans: every step, in both languages' corpora
        values = preset_values(lesson, lang)
        for i, step in enumerate(steps):
            try:
                plan(step, values, {j: ["20260101-000000-mlm-000000"] for j in range(i)})
            except (ValueError, TypeError, KeyError) as e:
                c.fail(i, "params", f"this step cannot be planned: {e}")
    return lesson


def _load_step(c: _Checker, i: int, data: Any) -> Step:
    c.fields(data, _STEP_FIELDS, i, "", {"experiment", "judge", "choices", *_STEP_TEXTS})
    if data["experiment"] not in EXPERIMENTS:
        c.fail(i, "experiment", f"must be one of {EXPERIMENTS}")
    params = data.get("params", {})
    if not isinstance(params, dict):
        c.fail(i, "params", "must be a table, such as params = { rates = [0.15, 0.4] }")
    for name in ("from_step",) if data["experiment"] in ("finetune", "reuse") else ():
        if not isinstance(params.get(name), int) or not 0 <= params[name] < i:
            c.fail(i, "params", f"{name} must name an earlier step (counted from 0: 0 is step 1)")
    need = {
        "rates": ("rates",),
        "strategies": ("strategies",),
        "group": ("objectives",),
        "finetune": ("budget", "steps"),
    }
    for name in need.get(data["experiment"], ()):
        if name not in params:
            c.fail(i, "params", f"a {data['experiment']} step needs params.{name}")
    wanted = params.get("objectives", [])
    if not isinstance(wanted, list) or any(o not in OBJECTIVES for o in wanted):
        c.fail(i, "params", f'objectives must be a list of {OBJECTIVES}, such as objectives = ["mlm", "ar"]')
    judge = c.fields(data["judge"], _JUDGE_FIELDS, i, "judge", {"metric"})
    if judge["metric"] not in METRICS:
        c.fail(i, "judge", f"metric must be one of {METRICS}")
    if judge.get("rule", "best") not in RULES:
        c.fail(i, "judge", f"rule must be one of {RULES}")
    choices = data["choices"]
    if not isinstance(choices, dict) or len(choices) < 2:
        c.fail(i, "choices", "a question needs at least two choices ([steps.choices.<key>] tables)")
    bounds = judge.get("bounds", [])
    if judge.get("rule") == "bucket" and (len(bounds) != len(choices) - 1 or list(bounds) != sorted(bounds)):
        c.fail(i, "judge", "bounds: one upper end, in increasing order, for every choice but the last")
    return Step(
        title=c.text(data["title"], i, "title"),
        intro=c.text(data["intro"], i, "intro", STEP_PLACEHOLDERS),
        experiment=data["experiment"],
        question=c.text(data["question"], i, "question", STEP_PLACEHOLDERS),
        choices={key: c.text(v, i, f"choices.{key}") for key, v in choices.items()},
        judge=Judge(
            judge["metric"],
            rule=judge.get("rule", "best"),
            bounds=tuple(bounds),
            lower_is_better=bool(judge.get("lower_is_better", False)),
            tie=float(judge.get("tie", 0.0)),
        ),
        debrief=c.text(data["debrief"], i, "debrief"),
        params=params,
    )


def load_lesson_file(data: bytes, filename: str) -> Lesson:
    """A lesson uploaded by a teacher (.toml, at most LESSON_MAX_BYTES, UTF-8 or UTF-16 with a BOM, decoded as
    every upload is: `uploads.decode_text`); raises LessonFileError."""
    if not filename.lower().endswith(".toml"):
        raise LessonFileError(f"{filename}: a lesson file ends in .toml (copy one of assets/lessons/).")
    if len(data) > LESSON_MAX_BYTES:  # before decoding anything
        size, limit = uploads.human_size(len(data)), uploads.human_size(LESSON_MAX_BYTES)
        raise LessonFileError(f"{filename}: {size} is too big for a lesson file (at most {limit}).")
    try:
        text = uploads.decode_text(data)
    except uploads.CorpusError as e:  # not text, or empty: the upload's own words
        raise LessonFileError(f"{filename}: {e}") from None
    return load_lesson(text, filename)


def save_lesson_file(data: bytes, filename: str, root: str | os.PathLike | None = None) -> Lesson:
    """Check a teacher's lesson file and keep it as <runs>/lessons/<id>.toml, where `available` finds it for every
    session (a lesson with a built-in id replaces that lesson). Returns the lesson."""
    lesson = load_lesson_file(data, filename)
    folder = runs_root(root) / LESSON_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{lesson.id}.toml.{os.getpid()}.{secrets.token_hex(4)}.tmp"  # two teachers never share one
    tmp.write_bytes(data)
    os.replace(tmp, folder / f"{lesson.id}.toml")  # atomic: a student never reads half a file
    return lesson


def load_folder(folder: Path) -> tuple[dict[str, Lesson], list[str]]:
    """The lessons of a folder's *.toml files, in file-name order, and a message for each file that is not valid."""
    found, problems = {}, []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        try:
            lesson = load_lesson(path.read_text(encoding="utf-8"), str(path))
        except (LessonFileError, OSError, UnicodeDecodeError) as e:
            problems.append(str(e))
            continue
        found[lesson.id] = lesson
    return found, problems


def available(root: str | os.PathLike | None = None) -> tuple[dict[str, Lesson], list[str]]:
    """The built-in lessons, then the ones loaded by a teacher into <runs>/lessons/ (a same id replaces the
    built-in one), and the messages of files there that could not be loaded."""
    loaded, problems = load_folder(runs_root(root) / LESSON_FOLDER)
    return {**LESSONS, **loaded}, problems


LESSONS: dict[str, Lesson] = load_folder(LESSONS_DIR)[0]  # the built-in lessons, in file order
