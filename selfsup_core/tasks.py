"""Labelled downstream tasks: the built-in sentiment and topic sets, and the student's own labelled files.

Built-in tasks (`sentiment-en`, `topic-en`, `sentiment-zh`, `topic-zh`) are generated here from the
same made-up worlds as the built-in corpora: their words and sentence frames are the "tasks" key of each
world file (assets/world_<lang>.json), and they use **only words (en) or
characters (zh) that occur in those corpora**. So any tokenizer trained on the matching world covers
every task sentence (no [UNK]), and what pretraining learned about those words can carry over.

- sentiment (positive / negative / neutral): small opinions about the world's fruit, weather and
  outings. Pleasant words (sweet, warm, cool, "wants to go") are positive, unpleasant ones (sour,
  cold, hot, "not to the ...") negative; plain facts (colours, who went where) are neutral. The same
  sentence frames appear in every class and negation flips the label ("it is not sweet"), so neither
  the frame nor a single word gives the answer away.
- topic (animals / food / places / work): the same frames ("tom can see the ...") hold a word from
  one of four groups of the world (animals, fruit and bread, places, jobs and their tools), plus some
  frames typical of a topic. With a few labels, a model that has never seen "owl" cannot tell it is
  an animal; one pretrained on the world has seen owls hoot like the other animals.

Splits are fixed (600 / 120 / 300 sentences, classes balanced in each split, no sentence in two
splits) and do not depend on any seed: every run is scored on the same test sentences.

Uploads (.csv with a header, or .jsonl) need a text and a label column; a `split` column
(train / validation / test) is used when present, otherwise the rows are split 70/10/20 per class,
deterministically. Problems raise `TaskError`s (a `CorpusError`) whose messages say what to fix.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import _world, builtin_names, detect_language
from .uploads import DEFAULT_MAX_BYTES, CorpusError, decode_text, parse_records, read_upload, save_content, text_columns

SPLITS = ("train", "validation", "test")
SPLIT_SIZES = {"train": 600, "validation": 120, "test": 300}  # divisible by 3 and by 4 classes
UPLOAD_FRACTIONS = {"train": 0.7, "validation": 0.1, "test": 0.2}  # for uploads without a split column
MIN_PER_SPLIT = 8  # an upload needs at least this many rows in each split ...
MIN_TOTAL = 3 * MIN_PER_SPLIT  # ... and so at least this many rows in all
TEXT_COLUMNS = ("text", "sentence", "review", "content")  # tried in order when no column is named
LABEL_COLUMNS = ("label", "labels", "class", "category", "sentiment", "topic")
SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
    "testing": "test",
}


class TaskError(CorpusError):
    """A labelled set cannot be used; the message says why and what to do."""


class LabelColumnError(TaskError):
    """The text or label column is missing."""


class OneClassError(TaskError):
    """Every example has the same label: there is nothing to tell apart."""


class TooFewExamplesError(TaskError):
    """Too few examples overall or in one split."""


class UnseenLabelError(TaskError):
    """The validation or test split has labels that never occur in the training split."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


@dataclass
class Task:
    """A classification task: label names and fixed train / validation / test examples."""

    name: str  # "sentiment-en", or the uploaded file's name
    language: str  # "en" | "zh" | "other"
    labels: list[str]  # class names, in the order of the classifier's outputs
    train: list[Example]
    validation: list[Example]
    test: list[Example]
    description: str = ""  # one line for the UI
    world: str | None = None  # the built-in corpus whose words the task uses (None for uploads)

    def split(self, name: str) -> list[Example]:
        return {"train": self.train, "validation": self.validation, "test": self.test}[name]

    def counts(self) -> dict[str, dict[str, int]]:
        """Examples per split and label, for the UI: {split: {label: n}}."""
        return {s: {lab: sum(e.label == lab for e in self.split(s)) for lab in self.labels} for s in SPLITS}


# ----- built-in tasks ------------------------------------------------------------------------------
# The words and sentence frames are data: the "tasks" key of each world file (assets/world_<lang>.json). Each
# class lists templates; {slot}s are filled from the value lists of its "slots" (a key of several names, such
# as "a fruit colour", fills those slots from one row, so article, fruit and colour stay consistent). A topic
# task stores its own frames per class and the word slots its class puts into the world's shared frames.
_SECTION_KEYS = ("about", "slots", "shared_frames")  # the rest of a world's "tasks" are task kinds


def _topic(shared: list[str], specific: dict[str, list[str]], word: dict[str, list[str]]) -> dict[str, list[str]]:
    """Topic templates: the shared frames with the class's word slot(s), then the class's own frames."""
    return {
        label: [t.replace("{x}", "{" + w + "}") for w in word[label] for t in shared] + specific[label]
        for label in specific
    }


def _slots(table: dict[str, list]) -> dict:
    """A world's slot tables as `_fills` takes them: a key of several names is a tuple key, its rows tuples."""
    return {
        (tuple(k.split()) if " " in k else k): [tuple(r) if isinstance(r, list) else r for r in rows]
        for k, rows in table.items()
    }


def _builtin_tasks() -> dict[str, dict]:
    """name ("<kind>-<language>") -> the task's language, world, slots, description and class templates."""
    found = {}
    for world_name in builtin_names():
        world = _world(world_name)  # the parsed world file, read once
        spec, language = world.get("tasks") or {}, world["language"]
        slots = _slots(spec.get("slots", {}))
        for kind, entry in spec.items():
            if kind in _SECTION_KEYS:
                continue
            classes = entry.get("classes") or _topic(spec["shared_frames"], entry["frames"], entry["words"])
            found[f"{kind}-{language}"] = dict(
                language=language, world=world_name, slots=slots, description=entry["description"], classes=classes
            )
    return found


BUILTIN_TASKS: dict[str, dict] = _builtin_tasks()
_FIXED_SEED = 20261128  # the built-in splits never change


def builtin_task_names() -> list[str]:
    return list(BUILTIN_TASKS)


def _fills(template: str, slots: dict) -> list[str]:
    """Every sentence the template can make: one value (or one row of a tuple slot) per slot."""
    names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    keys = []  # the slot table for each name, a tuple key once for all its names
    for name in dict.fromkeys(names):
        key = next((k for k in slots if isinstance(k, tuple) and name in k), name)
        if key not in keys:
            keys.append(key)
    out = []
    for combo in itertools.product(*(slots[k] for k in keys)):
        values = {}
        for key, value in zip(keys, combo, strict=True):
            values.update(zip(key, value, strict=True) if isinstance(key, tuple) else {key: value})
        out.append(template.format(**values))
    return out


def _sample_class(templates: list[str], slots: dict, n: int, rng: random.Random) -> list[str]:
    """`n` distinct sentences, templates taking turns (so each frame is about equally common)."""
    pools = [rng.sample(fills, len(fills)) for fills in (_fills(t, slots) for t in templates)]
    seen: set[str] = set()
    out: list[str] = []
    for round_ in itertools.count():
        live = [p for p in pools if round_ < len(p)]
        if not live or len(out) >= n:
            break
        for pool in rng.sample(live, len(live)):
            if pool[round_] not in seen and len(out) < n:
                seen.add(pool[round_])
                out.append(pool[round_])
    if len(out) < n:
        raise AssertionError(f"templates make only {len(out)} distinct sentences, {n} needed")
    return out


def load_builtin_task(name: str) -> Task:
    """A built-in task; the same sentences and splits every time."""
    if name not in BUILTIN_TASKS:
        raise TaskError(f"There is no built-in task {name!r}. Built-in tasks: {', '.join(BUILTIN_TASKS)}.")
    spec = BUILTIN_TASKS[name]
    labels, parts = _generate_task(name)
    return Task(
        name, spec["language"], list(labels), *(list(parts[s]) for s in SPLITS), spec["description"], spec["world"]
    )


@functools.cache
def _generate_task(name: str) -> tuple[tuple[str, ...], dict[str, tuple[Example, ...]]]:
    """(labels, {split: examples}) of a built-in task, generated once per process."""
    spec = BUILTIN_TASKS[name]
    labels = list(spec["classes"])
    rng = random.Random(f"{_FIXED_SEED}-{name}")
    per_class = {s: SPLIT_SIZES[s] // len(labels) for s in SPLITS}
    parts: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for label in labels:
        sentences = _sample_class(spec["classes"][label], spec["slots"], sum(per_class.values()), rng)
        start = 0
        for s in SPLITS:
            parts[s] += [Example(t, label) for t in sentences[start : start + per_class[s]]]
            start += per_class[s]
    for s in SPLITS:
        rng.shuffle(parts[s])
    return tuple(labels), {s: tuple(parts[s]) for s in SPLITS}


# ----- uploads -------------------------------------------------------------------------------------


def _find_column(columns: list[str], wanted: str | None, candidates: Sequence[str], what: str, taken: str = "") -> str:
    """`wanted` if the file has it, else the first of `candidates` present (any case), never the `taken` one."""
    listing = ", ".join(repr(c) for c in columns) or "none"
    if wanted is not None:
        if wanted not in columns:
            raise LabelColumnError(f"There is no {what} column {wanted!r}. Columns in this file: {listing}.")
        return wanted
    lower = {c.lower(): c for c in columns if c != taken}
    found = next((lower[c] for c in candidates if c in lower), None)
    if found is None:
        raise LabelColumnError(
            f"Cannot find the {what} column: name it {' or '.join(repr(c) for c in candidates[:2])}, or pick one. "
            f"Columns in this file: {listing}."
        )
    return found


def _value(v: object) -> str:
    """A cell as text: strings stripped, numbers (jsonl labels like 0 / 1) written out, None as ""."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def split_examples(examples: Sequence[Example], seed: int = 0) -> dict[str, list[Example]]:
    """Split deterministically, per class, 70/10/20 (train / validation / test).

    Small files still get MIN_PER_SPLIT validation and test examples when they can (taken evenly
    from the classes), and every class with 3 or more examples is in every split.
    """
    parts: dict[str, list[Example]] = {s: [] for s in SPLITS}
    by_label: dict[str, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    rng = random.Random(seed)
    floor = -(-MIN_PER_SPLIT // max(len(by_label), 1))  # per class, so that each split reaches MIN_PER_SPLIT
    for label in sorted(by_label):
        items = rng.sample(by_label[label], len(by_label[label]))
        n_val = n_test = 0
        if len(items) >= 3:
            n_val = max(1, round(len(items) * UPLOAD_FRACTIONS["validation"]))
            n_test = max(1, round(len(items) * UPLOAD_FRACTIONS["test"]))
            n_val = min(max(n_val, floor), (len(items) - 1) // 2)
            n_test = min(max(n_test, floor), (len(items) - 1) // 2)
        parts["validation"] += items[:n_val]
        parts["test"] += items[n_val : n_val + n_test]
        parts["train"] += items[n_val + n_test :]
    order = {id(e): i for i, e in enumerate(examples)}
    for s in SPLITS:  # keep the file's order within each split
        parts[s].sort(key=lambda e: order[id(e)])
    return parts


def check_task(parts: dict[str, list[Example]]) -> list[str]:
    """Raise the TaskError that says what is wrong with these splits; return the labels (training order)."""
    total = sum(len(p) for p in parts.values())
    if total < MIN_TOTAL:
        raise TooFewExamplesError(
            f"This file has {total} labelled example(s); at least {MIN_TOTAL} are needed to train and to test. "
            "Add more rows."
        )
    labels = sorted({e.label for p in parts.values() for e in p})
    if len(labels) < 2:
        raise OneClassError(
            f"Every example has the label {labels[0]!r}: a classifier needs at least two classes to tell apart. "
            "Add examples of another class."
        )
    for s in SPLITS:
        if len(parts[s]) < MIN_PER_SPLIT:
            raise TooFewExamplesError(
                f"The {s} split has {len(parts[s])} example(s); each split needs at least {MIN_PER_SPLIT}. "
                "Add rows to it (or drop the split column and let the app split the file)."
            )
    seen = {e.label for e in parts["train"]}
    for s in ("validation", "test"):
        unseen = sorted({e.label for e in parts[s]} - seen)
        if unseen:
            raise UnseenLabelError(
                f"The {s} split has label(s) {', '.join(repr(u) for u in unseen)} that never occur in the training "
                "split, so the model cannot learn them. Add training examples with those labels."
            )
    return sorted(seen)


def load_task_file(
    data: bytes | str | os.PathLike,
    filename: str | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Task:
    """A task from an uploaded .csv / .jsonl (bytes; `filename` gives the type) or a path.

    Columns: text (`text_column`, else one named text / sentence / ...), label (`label_column`, else
    label / class / ...), and optionally `split` (train / validation / test). Rows with an empty text or
    label are skipped.
    """
    raw, name, ext = read_upload(data, filename, max_bytes)
    if ext not in (".csv", ".jsonl"):
        raise TaskError(
            "A labelled set must be a .csv file (with a header) or a .jsonl file, with text and label columns."
        )
    records = parse_records(decode_text(raw), ext)
    if not records:
        raise TooFewExamplesError("The file has no rows of data. Add rows below the header.")
    columns = text_columns(records, ".csv") if ext == ".csv" else list(dict.fromkeys(k for r in records for k in r))
    text_col = _find_column(columns, text_column, TEXT_COLUMNS, "text")
    label_col = _find_column(columns, label_column, LABEL_COLUMNS, "label", taken=text_col)
    if label_col == text_col:
        raise LabelColumnError(f"The text and the label cannot both be the column {text_col!r}; pick another one.")
    split_col = next((c for c in columns if c.lower() == "split" and c not in (text_col, label_col)), None)
    examples, splits = [], []
    for r in records:
        text, label = _value(r.get(text_col)), _value(r.get(label_col))
        if text and label:
            examples.append(Example(text, label))
            splits.append(_value(r.get(split_col)).lower() if split_col else "")
    if split_col:
        bad = sorted({s for s in splits if s not in SPLIT_ALIASES})
        if bad:
            raise TaskError(
                f"The split column has value(s) {', '.join(repr(b) for b in bad[:5])}; use train, validation or test."
            )
        parts = {s: [e for e, sp in zip(examples, splits, strict=True) if SPLIT_ALIASES[sp] == s] for s in SPLITS}
    else:
        parts = split_examples(examples)
    labels = check_task(parts)
    return Task(
        name,
        detect_language([e.text for e in examples]),
        labels,
        parts["train"],
        parts["validation"],
        parts["test"],
        f"Your file {name}: {len(examples):,} labelled rows ({text_col!r} → {label_col!r}), {len(labels)} classes.",
    )


def load_task(spec: str, text_column: str | None = None, label_column: str | None = None) -> Task:
    """A built-in task by name, or a labelled file by path."""
    if spec in BUILTIN_TASKS:
        return load_builtin_task(spec)
    if not Path(spec).is_file():
        raise TaskError(f"{spec!r} is neither a built-in task ({', '.join(BUILTIN_TASKS)}) nor an existing file.")
    return load_task_file(spec, text_column=text_column, label_column=label_column)


def save_task(task: Task, root: str | os.PathLike | None = None) -> Path:
    """Write an uploaded task as `<runs root>/uploads/task-<sha256 prefix>.jsonl` (text, label, split per line).

    Fine-tuning runs in a worker process that reads the task by path. The name comes from the content
    only, so it stays inside the runs root and saving the same set twice writes nothing new.
    """
    lines = [
        json.dumps({"text": e.text, "label": e.label, "split": s}, ensure_ascii=False)
        for s in SPLITS
        for e in task.split(s)
    ]
    return save_content(("\n".join(lines) + "\n").encode(), "task-", root)


# ----- label budgets -------------------------------------------------------------------------------


def sample_budget(examples: Sequence[Example], budget: int | None, seed: int = 0) -> list[Example]:
    """`budget` examples, classes as balanced as the budget allows (None or more than there are: all).

    Each class gets budget // n_classes examples; the remainder goes to randomly chosen classes, one
    each (a class with too few examples gives its share to the others). Seeded, in a shuffled order.
    """
    if budget is None or budget >= len(examples):
        return list(examples)
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    pools = {lab: rng.sample(items, len(items)) for lab, items in sorted(by_label.items())}
    take = Counter({lab: 0 for lab in pools})
    order = rng.sample(list(pools), len(pools))
    left = budget
    while left:
        for lab in order:
            if left and take[lab] < len(pools[lab]):
                take[lab] += 1
                left -= 1
    # the round-robin above gives the first classes of `order` the remainder: a random choice per seed
    out = [e for lab in pools for e in pools[lab][: take[lab]]]
    rng.shuffle(out)
    return out
