"""Labelled downstream tasks: the built-in sentiment and topic sets, and the student's own labelled files.

Built-in tasks (`sentiment-en`, `topic-en`, `sentiment-zh`, `topic-zh`) are generated here from the
same made-up worlds as the built-in corpora (assets/world_<lang>.json), and use **only words (en) or
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

from .corpus import detect_language
from .uploads import DEFAULT_MAX_BYTES, CorpusError, decode_text, parse_records, read_upload, save_content, text_columns

SPLITS = ("train", "validation", "test")
SPLIT_SIZES = {"train": 600, "validation": 120, "test": 300}  # divisible by 3 and by 4 classes
UPLOAD_FRACTIONS = {"train": 0.7, "validation": 0.1, "test": 0.2}  # for uploads without a split column
MIN_PER_SPLIT = 8  # an upload needs at least this many rows in each split ...
MIN_TOTAL = 3 * MIN_PER_SPLIT  # ... and so at least this many rows in all
TEXT_COLUMNS = ("text", "sentence", "review", "content")  # tried in order when no column is named
LABEL_COLUMNS = ("label", "labels", "class", "category", "sentiment", "topic")
SPLIT_ALIASES = {"train": "train", "training": "train", "validation": "validation", "valid": "validation",
                 "val": "validation", "dev": "validation", "test": "test", "testing": "test"}  # fmt: skip


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
# Each class lists templates; {slot}s are filled from the value lists in SLOTS (a tuple of names fills
# several slots from one row, so "a" / "fruit" / "colour" stay consistent).

_EN_FRUITS = [("an", "apple", "red"), ("a", "cherry", "red"), ("a", "banana", "yellow"), ("a", "lemon", "yellow"),
              ("a", "pear", "green"), ("a", "lime", "green"), ("a", "grape", "purple"), ("a", "plum", "purple")]  # fmt: skip
_EN = {
    "eater": ["the girl", "the boy", "my sister", "the old man"],
    ("a", "fruit", "colour"): _EN_FRUITS,
    "fruit": [f for _, f, _ in _EN_FRUITS],
    "name": "tom ana ben mia sam eva leo zoe max ida kai nora".split(),
    "friend": "jack emma oscar ruby felix clara".split(),
    "place": "river market forest library beach garden school bakery farm park".split(),
    "season": "spring summer autumn winter".split(),
    "day": "monday tuesday wednesday thursday friday saturday sunday".split(),
    "good_weather": ["warm", "cool"],  # pleasant
    "bad_weather": ["cold", "hot"],  # unpleasant
    ("country", "capital"): [
        ("norland", "velmar"),
        ("ostria", "kelbo"),
        ("sundar", "miravel"),
        ("pellow", "dorn"),
        ("quessa", "tamber"),
        ("rivonia", "lusk"),
        ("zallor", "fennick"),
        ("bekka", "solin"),
    ],
    "animal": "dog cat cow duck goat lion owl frog horse bee robin sparrow eagle salmon trout carp".split(),
    ("animals", "sound"): [
        ("dogs", "bark"),
        ("cats", "meow"),
        ("cows", "moo"),
        ("ducks", "quack"),
        ("goats", "bleat"),
        ("lions", "roar"),
        ("owls", "hoot"),
        ("frogs", "croak"),
        ("horses", "neigh"),
        ("bees", "buzz"),
    ],
    "food": "apple cherry banana lemon pear lime grape plum cake bread".split(),
    "job": "painter builder farmer writer fisher cook teacher woodcutter".split(),
    "tool": "brush hammer tractor pen net pot map axe".split(),
}
_EN_SHARED = ["{name} can see the {x} .", "on {day} , {name} and {friend} see the {x} .",
              "the {x} is what {name} needs most .", "one morning {name} walks to the {x} .",
              "in {season} , {name} can see the {x} ."]  # fmt: skip

_ZH_FRUITS = [("个", "苹果", "红"), ("颗", "樱桃", "红"), ("根", "香蕉", "黄"), ("个", "柠檬", "黄"),
              ("个", "西瓜", "绿"), ("个", "猕猴桃", "绿"), ("串", "葡萄", "紫"), ("个", "李子", "紫")]  # fmt: skip
_ZH = {
    "eater": ["小女孩", "小男孩", "我的姐姐", "那位老人"],
    ("cl", "fruit", "colour"): _ZH_FRUITS,
    "fruit": [f for _, f, _ in _ZH_FRUITS],
    "name": "小明 小红 小刚 小丽 阿强 阿美 大伟 小芳 小军 小雪 小龙 小燕".split(),
    "friend": "小华 小波 丽丽 东东 佳佳 乐乐".split(),
    "place": "河边 市场 森林 图书馆 海边 花园 学校 面包店 农场 公园".split(),
    "season": "春天 夏天 秋天 冬天".split(),
    "day": "一 二 三 四 五 六 日".split(),
    "good_weather": ["温暖", "凉爽"],
    "bad_weather": ["寒冷", "炎热"],
    ("country", "capital"): [
        ("诺兰", "维马"),
        ("奥斯", "凯波"),
        ("松达", "米拉"),
        ("佩罗", "多恩"),
        ("奎沙", "坦博"),
        ("里沃", "卢克"),
        ("泽洛", "欧皮"),
        ("贝卡", "索林"),
    ],
    "animal": "狗 猫 牛 鸭子 羊 青蛙 公鸡 蜜蜂 猫头鹰 小鸟 麻雀 燕子 老鹰 鲤鱼 鲨鱼 金鱼 马 猪".split(),
    "food": "苹果 樱桃 香蕉 柠檬 西瓜 猕猴桃 葡萄 李子 面包 蛋糕 蘑菇".split(),
    "job": "画家 木匠 农民 作家 渔夫 厨师 老师 樵夫 医生 园丁".split(),
    "tool": "画笔 锤子 拖拉机 钢笔 渔网 菜刀 粉笔 斧头 听诊器 剪刀".split(),
}
_ZH_SHARED = ["{name}看见了{x}。", "星期{day}，{name}和{friend}看见了{x}。", "{name}想看看{x}。",
              "一天早上，{name}看见了{x}。", "{season}，{name}看见了{x}。"]  # fmt: skip


def _topic(shared: list[str], specific: dict[str, list[str]], word: dict[str, list[str]]) -> dict[str, list[str]]:
    """Topic templates: the shared frames with the class's word slot(s), then the class's own frames."""
    return {label: [t.replace("{x}", "{" + w + "}") for w in word[label] for t in shared] + specific[label]
            for label in specific}  # fmt: skip


BUILTIN_TASKS: dict[str, dict] = {
    "sentiment-en": dict(
        language="en",
        world="world-en",
        slots=_EN,
        description="Is the speaker pleased? positive / negative / neutral opinions about fruit, weather and "
        'outings in the world-en world, with negation ("it is not sweet").',
        classes={
            "positive": [
                "{eater} ate {a} {fruit} and it is sweet .",
                "the {fruit} {name} ate is sweet .",
                "{eater} ate {a} {fruit} and it is not sour .",
                "on {day} it is {good_weather} at the {place} .",
                "in {season} the {place} is {good_weather} .",
                "{name} wants to go to the {place} .",
                "it is not {bad_weather} at the {place} on {day} .",
            ],
            "negative": [
                "{eater} ate {a} {fruit} and it is sour .",
                "the {fruit} {name} ate is sour .",
                "{eater} ate {a} {fruit} and it is not sweet .",
                "on {day} it is {bad_weather} at the {place} .",
                "in {season} the {place} is {bad_weather} .",
                "{name} wants to go home , not to the {place} .",
                "it is not {good_weather} at the {place} on {day} .",
            ],
            "neutral": [
                "{eater} ate {a} {fruit} after lunch .",
                "the {fruit} {name} ate is {colour} .",
                "{eater} ate {a} {fruit} and it is {colour} .",
                "on {day} {name} goes to the {place} .",
                "in {season} {name} goes to the {place} .",
                "{name} goes to the {place} .",
                "the capital of {country} is {capital} .",
            ],
        },
    ),
    "topic-en": dict(
        language="en",
        world="world-en",
        slots=_EN,
        description="What is the sentence about? animals / food / places / work, words from the world-en world "
        'in shared frames ("tom can see the owl .").',
        classes=_topic(
            _EN_SHARED,
            {
                "animals": ["at night , the {animals} {sound} loudly .", "the {animals} {sound} all day long ."],
                "food": ["{name} ate the {food} after lunch .", "{eater} wants the {food} ."],
                "places": ["{name} goes to the {place} .", "on {day} , {name} goes to the {place} ."],
                "work": ["{name} uses the {tool} every day .", "the {job} works all day ."],
            },
            {"animals": ["animal"], "food": ["food"], "places": ["place"], "work": ["job", "tool"]},
        ),
    ),
    "sentiment-zh": dict(
        language="zh",
        world="world-zh",
        slots=_ZH,
        description='说话的人满意吗？正面 / 负面 / 中性：world-zh 世界里关于水果、天气和出行的小评价，带否定（"不甜"）。',
        classes={
            "positive": [
                "{eater}吃了一{cl}{fruit}，很甜。",
                "{name}吃的{fruit}很甜。",
                "{eater}吃了一{cl}{fruit}，不酸。",
                "星期{day}，{place}很{good_weather}。",
                "{season}的{place}很{good_weather}。",
                "{name}想去{place}。",
                "星期{day}，{place}不{bad_weather}。",
            ],
            "negative": [
                "{eater}吃了一{cl}{fruit}，很酸。",
                "{name}吃的{fruit}很酸。",
                "{eater}吃了一{cl}{fruit}，不甜。",
                "星期{day}，{place}很{bad_weather}。",
                "{season}的{place}很{bad_weather}。",
                "{name}不想去{place}。",
                "星期{day}，{place}不{good_weather}。",
            ],
            "neutral": [
                "{eater}午饭后吃了一{cl}{fruit}。",
                "{name}吃的{fruit}是{colour}色的。",
                "{eater}吃了一{cl}{fruit}，是{colour}色的。",
                "星期{day}，{name}去{place}。",
                "{season}，{name}去{place}。",
                "{name}去{place}。",
                "{country}的首都是{capital}。",
            ],
        },
    ),
    "topic-zh": dict(
        language="zh",
        world="world-zh",
        slots=_ZH,
        description='这句话在说什么？动物 / 食物 / 地方 / 工作，world-zh 世界里的词放在相同的句式里（"小明看见了猫头鹰。"）。',
        classes=_topic(
            _ZH_SHARED,
            {
                "animals": ["晚上，{animal}一直叫个不停。", "一只{animal}在院子里叫。"],
                "food": ["{name}午饭后吃了{food}。", "{eater}想要{food}。"],
                "places": ["{name}去{place}。", "星期{day}，{name}去{place}。"],
                "work": ["{name}每天都用{tool}工作。", "{job}每天都工作。"],
            },
            {"animals": ["animal"], "food": ["food"], "places": ["place"], "work": ["job", "tool"]},
        ),
    ),
}
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
    return Task(name, spec["language"], list(labels), *(list(parts[s]) for s in SPLITS), spec["description"],
                spec["world"])  # fmt: skip


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
    return Task(name, detect_language([e.text for e in examples]), labels, parts["train"], parts["validation"],
                parts["test"], f"Your file {name}: {len(examples):,} labelled rows ({text_col!r} → {label_col!r}), "
                f"{len(labels)} classes.")  # fmt: skip


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
    lines = [json.dumps({"text": e.text, "label": e.label, "split": s}, ensure_ascii=False)
             for s in SPLITS for e in task.split(s)]  # fmt: skip
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
