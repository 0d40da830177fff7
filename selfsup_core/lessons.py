"""Guided lessons: short sequences of predict-then-run experiments, in English and Simplified Chinese.

Each step of a lesson is an experiment from `experiments` (one run, a matched MLM/AR pair, a mask-rate or
strategy sweep, or fine-tuning with and without pretraining) at a preset, short configuration; before
running it the student commits to one answer of a multiple-choice question, then `outcome` reads the
answer the runs give, and a debrief explains it. Why predict first: a guess written down before the
evidence arrives is what makes a surprise noticeable (the "predict-observe-explain" cycle).

Everything here is data and pure logic (no streamlit): the lessons are course data, every text of them a
{"en": ..., "zh": ...} mapping (`Text`), read with `tr`; the page's own words (labels, buttons) are in the
app's catalogue (`i18n.TEXT`, "lessons.*"). A lesson's few controls (model size, seconds per run, seed,
corpus) start at the lesson's preset; a teacher may lock or hide them (stored by `classroom`), and
`effective_values` then ignores what a student chose. Chinese lessons run on the world-zh corpus unless the corpus is changed.
"""

from __future__ import annotations

import bisect
import string
from dataclasses import dataclass, field
from typing import Any

from . import experiments
from .config import LESSON_BUDGET, TrainConfig

Text = dict[str, str]  # {"en": ..., "zh": ...}
LANGS = ("en", "zh")
CORPUS_OF_LANG = {"en": "world-en", "zh": "world-zh"}
TASK_OF_CORPUS = {"world-en": "topic-en", "world-zh": "topic-zh"}  # where pretraining helps most (bench/RESULTS.md)
SIZES = ("nano", "mini")  # lessons stay short: seconds per run, not minutes
SECONDS = (5, 60)  # allowed seconds per run
# Lessons that compare runs start at the budget where both have learned enough to compare (config.LESSON_BUDGET)
COMPARING = {"size": LESSON_BUDGET.size, "seconds": int(LESSON_BUDGET.seconds), "seed": 0}
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

    experiment: single (params["changes"] on the base config) | pair (matched MLM + AR) | rates
    (params["rates"]) | strategies (params["strategies"]) | finetune (pretrained on the run of step
    params["from_step"] vs from scratch) | reuse (no new run: the runs of step params["from_step"]
    measured again). Texts may use the placeholders {seconds} and {size}.
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
METRICS = ("val_accuracy", "val_loss", "blank_accuracy", "test_accuracy")  # what a Judge may read from a run

SAME: Text = {"en": "About the same (less than {points} points apart)", "zh": "差不多（相差不到 {points} 个百分点）"}
RUN_LABELS: dict[str, Text] = {
    "mlm": {"en": "MLM (BERT-style)", "zh": "MLM（BERT 式）"},
    "ar": {"en": "AR (GPT-style)", "zh": "AR（GPT 式）"},
    "rate": {"en": "{rate} masked", "zh": "遮 {rate}"},
    "token": {"en": "single characters (token masking)", "zh": "遮单个字（词元掩码）"},
    "span": {"en": "runs of whole words (span masking)", "zh": "遮一串字（片段掩码）"},
    "whole-word": {"en": "whole words", "zh": "整词"},
    "full": {"en": "pretrained, then fine-tuned", "zh": "先预训练再微调"},
    "scratch": {"en": "from scratch (random weights)", "zh": "从零开始（随机权重）"},
}

# -- shared question and debrief texts ----------------------------------------------------------------
_HOW_OFTEN: Text = {
    "en": "After {seconds} s of training, how often will its first guess be right on held-out blanks?",
    "zh": "训练 {seconds} 秒之后，它在留出集的空上第一次就猜对的比例大约是多少？",
}
_BUCKETS: dict[str, Text] = {
    "low": {"en": "Under 10%: it is still guessing", "zh": "低于 10%：它基本还在瞎猜"},
    "mid": {"en": "Between 10% and 40%", "zh": "10% 到 40% 之间"},
    "high": {"en": "Over 40%", "zh": "高于 40%"},
}
_BUCKET_JUDGE = Judge("val_accuracy", rule="bucket", bounds=(0.10, 0.40))
_OBJECTIVES = {"mlm": RUN_LABELS["mlm"], "ar": RUN_LABELS["ar"]}


def _rate_choices(rates: tuple[float, ...]) -> dict[str, Text]:
    label = RUN_LABELS["rate"]
    return {f"r{round(r * 100)}": {lang: tr(label, lang, rate=f"{r:.0%}") for lang in LANGS} for r in rates}


def _same(points: int) -> Text:
    return {lang: tr(SAME, lang, points=points) for lang in LANGS}


LESSONS: dict[str, Lesson] = {
    lesson.id: lesson
    for lesson in (
        Lesson(
            id="masking",
            title={"en": "What does masking teach?", "zh": "遮盖能教会模型什么？"},
            summary={
                "en": "Hide words and let the model guess them: what does it learn from that exercise, and does it "
                "matter what you hide?",
                "zh": "把词遮住，让模型去猜：它从这个练习里学到了什么？遮住什么，有区别吗？",
            },
            preset=COMPARING,
            steps=(
                Step(
                    title={"en": "Blanks it has never seen", "zh": "从没见过的空"},
                    intro={
                        "en": "A {size} BERT reads the corpus with 15% of its tokens hidden and learns to guess them. "
                        "Nobody labels anything: the text is both the question and the answer. After training, "
                        "tokens are hidden in **held-out** sentences it never trained on, and we count how often its "
                        "first guess is right.",
                        "zh": "一个 {size} 大小的 BERT 读语料时，有 15% 的词元被遮住，它要学会把它们猜出来。没有人做任何标注："
                        "文本本身既是题目也是答案。训练结束后，我们在它从没训练过的**留出集**句子里遮住词元，"
                        "统计它第一次就猜对的比例。",
                    },
                    experiment="single",
                    question=_HOW_OFTEN,
                    choices=_BUCKETS,
                    judge=_BUCKET_JUDGE,
                    debrief={
                        "en": "Guessing at random among a few hundred tokens is right well under 1% of the time: "
                        "everything above that was learned from the text alone. To fill blanks the model has to "
                        "pick up which words go together in this world (who lives where, what colour a lemon is). "
                        "That is self-supervision: the data makes its own exercises.",
                        "zh": "在几百个词元里随机乱猜，正确率远低于 1%：比这高出的部分，都是模型只从文本里学到的。"
                        "为了把空填对，它必须学会这个世界里哪些词会一起出现（谁住在哪里、柠檬是什么颜色）。"
                        "这就是自监督：数据自己给自己出题。",
                    },
                ),
                Step(
                    title={"en": "Hide a letter, or hide whole words?", "zh": "遮一个字，还是遮一串字？"},
                    intro={
                        "en": "Now every token is a single character. Two models, identical but for **what** is "
                        "hidden: *token* masking hides single characters; *span* masking hides runs of whole "
                        "words. Either way 15% of the characters are hidden, and each model is tested on its own "
                        "kind of blank.",
                        "zh": "现在每个词元就是一个字。两个模型只有一点不同：**遮住什么**。*词元*掩码每次遮住单个的字；"
                        "*片段*掩码遮住连续的一串字。两者都遮住 15% 的字，每个模型都用它自己那种空来测试。",
                    },
                    experiment="strategies",
                    params={"strategies": ("token", "span"), "changes": {"tokenizer": "char"}},
                    question={
                        "en": "Which model will fill its own kind of blank right more often?",
                        "zh": "哪个模型填自己那种空的正确率更高？",
                    },
                    choices={"token": RUN_LABELS["token"], "span": RUN_LABELS["span"], TIE: _same(5)},
                    judge=Judge("val_accuracy", tie=0.05),
                    debrief={
                        "en": 'A single hidden letter inside a word is usually easy ("eleph_nt" gives itself away), '
                        "so token masking scores high while teaching mostly spelling. A hidden run of words can only "
                        "be rebuilt from the meaning of the rest of the sentence: a harder exercise, a lower score, "
                        "and more to learn. That is why BERT's authors later switched to whole-word masking and "
                        "SpanBERT to spans: what you hide decides what the model must learn.",
                        "zh": "被遮住的如果只是词语中间的一个字，往往很好猜（“图书_”几乎自己就说出了答案），"
                        "所以词元掩码的分数高，学到的却多半只是词语怎么写。遮住一串字，就只能靠句子其余部分的意思来还原："
                        "题更难，分数更低，要学的东西更多。这也是 BERT 的作者后来改用整词掩码、SpanBERT 改用片段掩码的原因："
                        "遮住什么，决定了模型必须学会什么。",
                    },
                ),
            ),
        ),
        Lesson(
            id="why-15",
            title={"en": "Why 15%?", "zh": "为什么是 15%？"},
            summary={
                "en": "BERT hides 15% of the tokens. Fewer blanks, or more: which learns most in the same time?",
                "zh": "BERT 遮住 15% 的词元。遮得更少还是更多，在同样的时间里学到的最多？",
            },
            preset=COMPARING,
            steps=(
                Step(
                    title={"en": "Fewer blanks", "zh": "更少的空"},
                    intro={
                        "en": "Two {size} BERTs, identical but for the mask rate: 5% and 15%. To compare them fairly, "
                        "both are then asked about the **same** held-out blanks, one token hidden at a time (their "
                        "own held-out scores are not comparable: more blanks make a harder test).",
                        "zh": "两个 {size} 大小的 BERT，只有掩码率不同：5% 和 15%。为了公平比较，训练后让它们回答**同一批**"
                        "留出集的空，每次只遮一个词元（它们各自的留出集分数不能直接比：空越多，测试越难）。",
                    },
                    experiment="rates",
                    params={"rates": (0.05, 0.15)},
                    question={
                        "en": "Which will answer the same held-out blanks better?",
                        "zh": "哪个模型在同一批留出集的空上答得更好？",
                    },
                    choices={**_rate_choices((0.05, 0.15)), TIE: _same(3)},
                    judge=Judge("blank_accuracy", tie=0.03),
                    debrief={
                        "en": "A sequence gives the model as many exercises as it has blanks: at 5% a sequence of 64 "
                        "tokens holds about 3, at 15% about 10. In the same seconds the 15% model practises about "
                        "three times as often, while still seeing 85% of the context. Too few blanks waste the "
                        "reading.",
                        "zh": "一段序列里有几个空，模型就能做几道练习：64 个词元的序列，遮 5% 大约只有 3 道题，遮 15% 大约有 "
                        "10 道。同样的几秒钟里，15% 的模型练习的次数约是前者的三倍，同时仍能看到 85% 的上下文。"
                        "空太少，读过的文本就浪费了。",
                    },
                ),
                Step(
                    title={"en": "More blanks", "zh": "更多的空"},
                    intro={
                        "en": "Now 15%, 40% and 80%. More blanks mean more exercises per sequence, but less context "
                        "left to solve them with. Again all three answer the same held-out blanks.",
                        "zh": "现在比较 15%、40% 和 80%。空越多，每段序列的练习越多，但用来解题的上下文也越少。"
                        "三个模型同样回答同一批留出集的空。",
                    },
                    experiment="rates",
                    params={"rates": (0.15, 0.4, 0.8)},
                    question={
                        "en": "Which will answer the same held-out blanks best?",
                        "zh": "哪个模型在同一批留出集的空上答得最好？",
                    },
                    choices=_rate_choices((0.15, 0.4, 0.8)),
                    judge=Judge("blank_accuracy"),
                    debrief={
                        "en": "It is a trade-off: more blanks, more practice; but with 80% hidden almost nothing is left "
                        "to guess from, and the model learns little more than which words are frequent. 15% was "
                        "BERT's compromise; Wettig et al. (2023) found 40% better for large models. Tiny models "
                        "trained for seconds can land either way: compare with your classmates on the Class results "
                        "page.",
                        "zh": "这是一种权衡：空越多，练习越多；但遮住 80% 之后几乎没剩下可以依靠的线索，模型学到的差不多只有哪些词常见。"
                        "15% 是 BERT 的折中选择；Wettig 等人（2023）发现，对大模型来说 40% 更好。只训练几秒钟的小模型，"
                        "两种结果都可能出现：去“班级结果”页面和同学们比一比。",
                    },
                ),
            ),
        ),
        Lesson(
            id="mlm-vs-ar",
            title={"en": "MLM vs AR", "zh": "MLM 与 AR"},
            summary={
                "en": "Fill in blanks (BERT) or predict the next word (GPT): which learns more, and how would you even "
                "tell?",
                "zh": "填空（BERT）还是预测下一个词（GPT）：哪个学到的更多？又该怎样判断？",
            },
            preset=COMPARING,
            steps=(
                Step(
                    title={"en": "Compare the losses?", "zh": "比较损失？"},
                    intro={
                        "en": "Two {size} models, identical but for the objective: MLM guesses hidden tokens from both "
                        "sides; AR guesses every next token from the left only. Same text, size, time and seed.",
                        "zh": "两个 {size} 大小的模型，只有训练目标不同：MLM 根据两侧的词猜被遮住的词元；AR 只根据左边的词猜每一个"
                        "下一个词元。文本、大小、时间和随机种子都相同。",
                    },
                    experiment="pair",
                    question={
                        "en": "Which will end with the lower held-out loss?",
                        "zh": "训练结束时，哪个模型的留出集损失更低？",
                    },
                    choices=dict(_OBJECTIVES),
                    judge=Judge("val_loss", lower_is_better=True),
                    debrief={
                        "en": "Careful: the two losses score different exercises. MLM's is averaged over the hidden "
                        "tokens only, each guessed with both sides in view; AR's over every next token, guessed from "
                        "the left only, including the first word of a sentence, which nobody can guess. A lower "
                        "number here does not mean a better model. The next step makes the comparison fair.",
                        "zh": "注意：这两个损失给不同的练习打分。MLM 的损失只在被遮住的词元上取平均，每个都能看到两侧；AR 的损失在"
                        "每一个下一个词元上取平均，只能看左边，连句子的第一个词（谁也猜不到）也算在内。这里的数字更低，"
                        "并不代表模型更好。下一步会做一个公平的比较。",
                    },
                ),
                Step(
                    title={"en": "The same blanks", "zh": "同一批空"},
                    intro={
                        "en": "No new training: both models are asked about the same held-out tokens, hidden one at a "
                        "time. MLM sees both sides of each blank; AR only the tokens before it.",
                        "zh": "这一步不再训练：让两个模型回答同一批留出集的词元，每次只遮一个。MLM 能看到每个空的两侧，"
                        "AR 只能看到它前面的词元。",
                    },
                    experiment="reuse",
                    params={"from_step": 0},
                    question={
                        "en": "Which will fill the same blanks right more often?",
                        "zh": "在同一批空上，哪个模型填对的次数更多？",
                    },
                    choices=dict(_OBJECTIVES),
                    judge=Judge("blank_accuracy"),
                    debrief={
                        "en": "A blank in the middle of a sentence is much easier with the words on its right in view, "
                        "and MLM reads both halves: that is what bidirectional attention buys for understanding "
                        "text. AR pays for it with something MLM cannot do at all: write, one next word after "
                        "another (try the Generation tab of the MLM vs AR page).",
                        "zh": "句子中间的空，如果能看到右边的词就容易得多，而 MLM 能同时读两半句子：这就是双向注意力在理解文本上的"
                        "优势。AR 付出这个代价，换来的是 MLM 根本做不到的事：一个词接一个词地写出文本（可以去“MLM 与 AR 对比”"
                        "页面的“生成”标签页试试）。",
                    },
                ),
            ),
        ),
        Lesson(
            id="pretraining",
            title={"en": "What pretraining buys", "zh": "预训练带来了什么"},
            summary={
                "en": "Pretrain on raw text, then learn a labelled task from only 32 examples: does the pretraining help?",
                "zh": "先在没有标注的文本上预训练，再只用 32 个标注样本学习一个任务：预训练有帮助吗？",
            },
            preset={"size": "mini", "seconds": 40, "seed": 0},
            steps=(
                Step(
                    title={"en": "Pretrain on raw text", "zh": "在原始文本上预训练"},
                    intro={
                        "en": "First a {size} GPT reads the corpus for {seconds} s, predicting every next token. It "
                        "never sees a label.",
                        "zh": "先让一个 {size} 大小的 GPT 用 {seconds} 秒读语料，预测每一个下一个词元。它从没见过任何标签。",
                    },
                    experiment="single",
                    params={"changes": {"objective": "ar"}},
                    question={
                        "en": "After {seconds} s of training, how often will it guess the next token of held-out text "
                        "right?",
                        "zh": "训练 {seconds} 秒之后，它在留出集文本上猜对下一个词元的比例大约是多少？",
                    },
                    choices={
                        "low": {"en": "Under 20%", "zh": "低于 20%"},
                        "mid": {"en": "Between 20% and 60%", "zh": "20% 到 60% 之间"},
                        "high": {"en": "Over 60%", "zh": "高于 60%"},
                    },
                    judge=Judge("val_accuracy", rule="bucket", bounds=(0.2, 0.6)),
                    debrief={
                        "en": "Whatever its score, the model now holds what predicting the next word taught it about "
                        "this world: which words behave alike (animals with animals, jobs with jobs) and which go "
                        "together. No label was needed. The next step asks whether that helps with a task that does "
                        "have labels.",
                        "zh": "不管分数高低，模型现在已经掌握了“预测下一个词”教给它的东西：这个世界里哪些词用法相似（动物和动物、"
                        "职业和职业）、哪些词常在一起。整个过程不需要任何标签。下一步来看，这些知识对一个有标签的任务有没有帮助。",
                    },
                ),
                Step(
                    title={"en": "Only 32 labels", "zh": "只有 32 个标签"},
                    intro={
                        "en": "A topic task: is a sentence about animals, food, places or work? Two classifiers learn it "
                        "from the same 32 labelled sentences (8 per topic): one starts from the model pretrained in "
                        "step 1 (full fine-tuning), the other from random weights (the same architecture). Many words "
                        "of the test sentences never appear in those 32.",
                        "zh": "一个主题分类任务：这句话说的是动物、食物、地方还是工作？两个分类器用同样的 32 个标注句子（每个主题 8 句）"
                        "来学：一个从第 1 步预训练好的模型出发（全量微调），另一个从随机权重出发（结构相同）。测试句子里的很多词，"
                        "在这 32 句里从没出现过。",
                    },
                    experiment="finetune",
                    # the same base as step 1, so that the model from scratch has the pretrained model's architecture
                    params={"from_step": 0, "budget": 32, "steps": 100, "changes": {"objective": "ar"}},
                    question={
                        "en": "Which will classify the test sentences better?",
                        "zh": "哪个分类器在测试句子上分得更准？",
                    },
                    choices={"full": RUN_LABELS["full"], "scratch": RUN_LABELS["scratch"], TIE: _same(5)},
                    judge=Judge("test_accuracy", tie=0.05),
                    debrief={
                        "en": "32 sentences cannot show every animal or every job. The model from scratch knows only "
                        "the words it saw labelled and guesses at the rest; the pretrained one places an unseen word "
                        "by what pretraining taught it (the word turns up where other animals do). That is what "
                        "self-supervised pretraining buys: every label goes further, provided the pretraining got "
                        "far enough (on a busy server step 1 may have managed only a few steps: check its table). "
                        "With hundreds of labels the scratch model catches up: try it on the Fine-tune page, which "
                        "also compares other methods (linear probe, LoRA).",
                        "zh": "32 个句子不可能涵盖每一种动物、每一种职业。从零开始的模型只认识它在标注数据里见过的词，其余的只能瞎猜；"
                        "预训练过的模型却能凭预训练学到的东西安置一个没见过的词（这个词出现的位置和其他动物一样）。这就是自监督"
                        "预训练带来的：只要预训练做得足够多，每个标签都能发挥更大的作用（服务器很忙时，第 1 步可能只训练了很少几步："
                        "看看它表格里的步数）。标签多到几百个时，从零开始的模型也能追上来：可以在“微调”页面试试，那里还能比较其他"
                        "方法（线性探测、LoRA）。",
                    },
                ),
            ),
        ),
    )
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
    return TrainConfig(objective="mlm", corpus=values["corpus"], size=values["size"], steps=MAX_STEPS,
                       time_budget_s=float(values["seconds"]), seed=int(values["seed"]), checkpoints=0)  # fmt: skip


def plan(step: Step, values: dict[str, Any], earlier: dict[int, list[str]] | None = None) -> list[Planned]:
    """The runs `step` launches with `values` ([] for a "reuse" step).

    earlier: the completed run ids of the lesson's earlier steps, by step index (a "finetune" step starts
    from the first run of step params["from_step"]; raises LessonError when there is none yet).
    """
    base = base_config(values).replace(**step.params.get("changes", {}))
    if step.experiment == "single":
        return [Planned("train", base)]
    if step.experiment == "pair":
        return [Planned("train", c) for c in experiments.matched_pair(base)]
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
        common = dict(task=TASK_OF_CORPUS[values["corpus"]], label_budget=step.params["budget"],
                      steps=step.params["steps"], seed=int(values["seed"]))  # fmt: skip
        same_shape = dict(tokenizer_run=source[0], scratch_objective=base.objective, scratch_size=base.size)
        return [
            Planned("finetune", FinetuneConfig(pretrained=source[0], method="full", **common)),
            Planned("finetune", FinetuneConfig(method="scratch", **same_shape, **common)),
        ]
    raise ValueError(f"Unknown experiment {step.experiment!r}.")


def run_label(config: dict[str, Any], lang: str) -> str:
    """A short name for a lesson's run, from its config: what differs between the runs of a step."""
    if "method" in config:  # a fine-tuning run
        return tr(RUN_LABELS["full" if config["method"] != "scratch" else "scratch"], lang)
    masking = config.get("masking") or {}
    if config.get("objective") == "ar":
        return tr(RUN_LABELS["ar"], lang)
    rate = f"{masking.get('rate', 0.15):.0%}"
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
