"""The app's words in English and Simplified Chinese: one text catalogue, `t(key, **fmt)`, the language switch.

UI only: the core (`selfsup_core`) stays English (its error messages, the CLI); the pages show its typed
errors in the current language through `error_text`, and its charts through `figure`.

The language lives in `st.session_state["lang"]` ("en" | "zh", default "en"), seeded from the URL's
`?lang=` so that a shared link opens in the sender's language, and written back to the URL on every run
(page navigation clears the query string).

How a page adds its strings (phase 2 follows this):
1. Add a section to `TEXT` whose keys start with the page's name ("masking.title", "masking.rate", …);
   each maps to {"en": ..., "zh": ...}. Placeholders ({n}, {rate:.0%}) must be identical in both.
   Keep [MASK], model names (BERT, GPT), identifiers and formulas literal; LaTeX stays in the page.
   Chinese: classroom Simplified Chinese with the standard ML terms (掩码语言模型, 自回归, 损失, 词元,
   微调, 预训练, 留出集); quote page names as on the sidebar (“训练”页面).
2. In the page, `from i18n import t` and replace every literal shown to the user with `t("masking.x", ...)`.
   Widgets get a `key=` (Streamlit then identifies a widget by its key alone, so switching language keeps
   its value) and language-neutral options with a translated `format_func`:
   `st.radio(t("masking.strategy"), STRATEGIES, format_func=i18n.labels("strategy."), key="mk_strategy")`.
   Wrap plotly figures from `selfsup_core.charts` in `i18n.figure(fig)` to translate their axis titles.
3. Add one line for the page to `PAGES` in tests/test_i18n.py: the test opens it in Chinese and fails on
   any English label left over.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

LANGS = {"en": "English", "zh": "中文"}
DEFAULT = "en"
SWITCH_LABEL = "🌐 Language · 语言"  # both languages on purpose: findable by someone who reads only one

# key -> {"en": text, "zh": text}; grouped by the page (or module) that shows it.
TEXT: dict[str, dict[str, str]] = {
    # -- navigation (app.py) ------------------------------------------------------------------------
    "nav.home": {"en": "Start here", "zh": "从这里开始"},
    "nav.corpus": {"en": "Corpus & tokens", "zh": "语料与词元"},
    "nav.masking": {"en": "Masking lab", "zh": "掩码实验室"},
    "nav.train": {"en": "Train", "zh": "训练"},
    "nav.probe": {"en": "Probe", "zh": "探测模型"},
    "nav.compare": {"en": "MLM vs AR", "zh": "MLM 与 AR 对比"},
    "nav.sweep": {"en": "Masking sweeps & augmentation", "zh": "掩码扫描与数据增强"},
    "nav.finetune": {"en": "Fine-tune", "zh": "微调"},
    # -- shared pieces (ui.py) ----------------------------------------------------------------------
    "fate.untouched": {"en": "untouched", "zh": "未改动"},
    "fate.masked": {"en": "masked → [MASK]", "zh": "遮盖 → [MASK]"},
    "fate.random": {"en": "replaced by a random token", "zh": "换成随机词元"},
    "fate.kept": {"en": "kept, but must be predicted", "zh": "保持原样，但仍要预测"},
    "fate.noised": {"en": "noise", "zh": "噪声"},
    "fate.shuffled": {"en": "shuffled", "zh": "打乱顺序"},
    "fate.deleted": {"en": "deleted", "zh": "已删除"},
    "token.must_predict": {"en": " · the model must predict: {original}", "zh": " · 模型要预测出：{original}"},
    "token.continues": {"en": " · continues the word before it", "zh": " · 接在前一个词片后面"},
    "status.completed": {"en": "completed", "zh": "已完成"},
    "status.stopped": {"en": "stopped", "zh": "已停止"},
    "status.failed": {"en": "failed", "zh": "失败"},
    "status.running": {"en": "running", "zh": "训练中"},
    "status.queued": {"en": "queued", "zh": "排队中"},
    "status.queued_at": {"en": "queued #{n}", "zh": "排队第 {n} 位"},
    "status.interrupted": {"en": "interrupted", "zh": "已中断"},
    "status.unknown": {"en": "unknown", "zh": "未知"},
    "sidebar.settings": {
        "en": "**Corpus:** `{corpus}`  \n**Tokenizer:** {tokenizer} · **Objective:** {objective}",
        "zh": "**语料：** `{corpus}`  \n**分词器：** {tokenizer} · **训练目标：** {objective}",
    },
    "sidebar.active": {"en": "**Active runs:** {n}{yours}", "zh": "**进行中的训练：** {n}{yours}"},
    "sidebar.none": {"en": "none", "zh": "无"},
    "sidebar.yours": {"en": " ({n} yours)", "zh": "（你的 {n} 个）"},
    "sidebar.stop": {"en": "Stop", "zh": "停止"},
    "sidebar.stop_help": {
        "en": "Stop this run (the model so far is kept)",
        "zh": "停止这次训练（保留到目前为止的模型）",
    },
    "sidebar.stopping": {"en": "Stopping {run_id}", "zh": "正在停止 {run_id}"},
    "sidebar.nickname": {"en": "Your nickname", "zh": "你的昵称"},
    "sidebar.nickname_help": {
        "en": "Shown with the runs you launch, so the class can compare results.",
        "zh": "会显示在你启动的训练旁边，方便全班比较结果。",
    },
    "sidebar.runs_folder": {"en": "Runs folder: {path}", "zh": "训练记录文件夹：{path}"},
    "teacher.leave": {"en": "Leave teacher mode", "zh": "退出教师模式"},
    "teacher.title": {"en": "Teacher", "zh": "教师"},
    "teacher.password": {"en": "Teacher password", "zh": "教师密码"},
    "teacher.unlock": {"en": "Unlock", "zh": "解锁"},
    "teacher.wrong": {"en": "Wrong password.", "zh": "密码错误。"},
    "runs.col.run": {"en": "run", "zh": "训练"},
    "runs.col.status": {"en": "status", "zh": "状态"},
    "runs.col.progress": {"en": "progress", "zh": "进度"},
    "runs.col.step": {"en": "step", "zh": "步数"},
    "runs.col.accuracy": {"en": "held-out accuracy", "zh": "留出集准确率"},
    # -- errors: a core exception type -> a message (ui.error adds the core's own English text) -------
    "error.sorry": {
        "en": "Sorry, something went wrong on our side. The details are in the server log.",
        "zh": "抱歉，程序出了点问题，详细信息已记录在服务器日志里。",
    },
    "error.detail": {"en": "{message}\n\n({detail})", "zh": "{message}\n\n（原文：{detail}）"},
    "error.CorpusError": {"en": "This text cannot be used.", "zh": "这份文本无法使用。"},
    "error.EmptyCorpusError": {
        "en": "The file is empty. Upload a file that contains text.",
        "zh": "文件是空的，请上传含有文字的文件。",
    },
    "error.NotTextError": {
        "en": "This file is not UTF-8 text; save it as UTF-8 and upload again.",
        "zh": "这个文件不是 UTF-8 编码的文本：请另存为 UTF-8 后重新上传。",
    },
    "error.CorpusTooLargeError": {
        "en": "This file is too large. Upload a smaller part of it (for example the first lines).",
        "zh": "文件太大了，请只上传其中一部分（例如前面若干行）。",
    },
    "error.ColumnNotFoundError": {
        "en": "No text column was found. Pick a column that holds text.",
        "zh": "没有找到存放文本的列，请选择一列包含文字的列。",
    },
    "error.CorpusFormatError": {
        "en": "The file is not well formed: check its header line and that every row is complete.",
        "zh": "文件格式有误：请检查表头，以及每一行是否完整。",
    },
    "error.CorpusTooShortError": {
        "en": "This text is too short to form one training sequence. Add more text: at least 2 non-empty "
        "lines and about 200 characters.",
        "zh": "文本太短，连一个训练序列都凑不够。请再多加一些：至少 2 行非空文本、约 200 个字符。",
    },
    "error.ProbeError": {"en": "The model cannot answer this.", "zh": "模型没法回答这个问题。"},
    "error.RunNotFoundError": {"en": "There is no such run.", "zh": "找不到这次训练。"},
    "error.PermissionError": {
        "en": "This run belongs to someone else: only they or the teacher can change it.",
        "zh": "这次训练属于别的同学：只有本人或老师可以更改它。",
    },
    "error.CapacityError": {
        "en": "The server is full right now; try again when a run has finished.",
        "zh": "服务器现在太忙了，等有训练结束后再试一次。",
    },
    # -- chart words (selfsup_core.charts labels its axes and legends in English; see `figure`) -------
    "chart.step": {"en": "step", "zh": "步数"},
    "chart.seconds": {"en": "seconds", "zh": "秒"},
    "chart.cross_entropy": {"en": "cross-entropy (nats)", "zh": "交叉熵（nats）"},
    "chart.accuracy": {"en": "accuracy", "zh": "准确率"},
    "chart.training_step": {"en": "training step", "zh": "训练步数"},
    "chart.probability": {"en": "probability", "zh": "概率"},
    "chart.share": {"en": "share of tokens", "zh": "词元占比"},
    "chart.setting": {"en": "setting", "zh": "设置值"},
    "chart.realised": {"en": "realised on a batch", "zh": "一个批次中的实际比例"},
    "chart.true_class": {"en": "true class", "zh": "真实类别"},
    "chart.predicted_class": {"en": "predicted class", "zh": "预测类别"},
    "chart.suffix.train": {"en": " · train", "zh": " · 训练集"},
    "chart.suffix.heldout": {"en": " · held-out", "zh": " · 留出集"},
    # -- home page ----------------------------------------------------------------------------------
    "home.title": {
        "en": "selfsup-lab: teach a language model with no labels",
        "zh": "selfsup-lab：不用标注，教会语言模型",
    },
    "home.intro": {
        "en": "A language model can learn from raw text alone by **making its own exercises**: hide part of a "
        "sentence and learn to predict it. The text is both the question and the answer — that is "
        "*self-supervision*. Two ways of hiding text gave us BERT and GPT:",
        "zh": "语言模型只靠原始文本就能学习，因为它会**给自己出练习题**：把句子的一部分藏起来，再学着把它猜出来。"
        "文本既是题目，也是答案——这就是*自监督*。两种不同的“藏法”，分别造就了 BERT 和 GPT：",
    },
    "home.mlm": {"en": "Masked LM (BERT)", "zh": "掩码语言模型（BERT）"},
    "home.mlm_what": {
        "en": "Hide ~15% of the tokens (the set *M*); predict each from **both sides**.",
        "zh": "遮住约 15% 的词元（组成集合 *M*），根据**左右两侧**的上下文逐个猜出来。",
    },
    "home.mlm_formula": {
        "en": "In words: for each hidden position {i} in {M}, the model sees the sentence with those tokens hidden "
        "({rest}) and gives the true token {xi} a probability; the loss adds up minus the log of these. Sure and "
        "right: a loss near 0.",
        "zh": "用文字说：对 {M} 中每个被遮住的位置 {i}，模型看着遮盖后的句子（{rest}），给正确词元 {xi} 一个概率；"
        "损失就是这些概率取对数、加负号后的总和。猜得又准又有把握，损失就接近 0。",
    },
    "home.ar": {"en": "Autoregressive LM (GPT)", "zh": "自回归语言模型（GPT）"},
    "home.ar_what": {
        "en": "Predict **every** next token from the tokens **before** it only.",
        "zh": "只根据**前面**的词元，预测**每一个**下一个词元。",
    },
    "home.ar_formula": {
        "en": "In words: at every position {t}, the model sees only the tokens before it ({before}) and gives the "
        "true token {xt} a probability; the loss adds up minus the log of these over the whole text.",
        "zh": "用文字说：在每个位置 {t}，模型只看前面的词元（{before}），给正确词元 {xt} 一个概率；"
        "损失就是整段文本上这些概率取对数、加负号后的总和。",
    },
    "home.demo": {"en": "Quick demo: 30 seconds of masked-LM training", "zh": "快速演示：训练掩码语言模型 30 秒"},
    "home.demo_what": {
        "en": "We train a mini BERT on the built-in English corpus, then ask it to fill the blank in **{text}**",
        "zh": "我们在内置的中文语料上训练一个迷你 BERT，然后让它填出这句话里的空：**{text}**",
    },
    "home.run_demo": {"en": "▶ Run the quick demo", "zh": "▶ 运行快速演示"},
    "home.queued": {"en": "queued (position {n})", "zh": "排队中（第 {n} 位）"},
    "home.training": {"en": "training… {seconds:.0f} s", "zh": "训练中…… {seconds:.0f} 秒"},
    "home.failed": {"en": "The demo failed.", "zh": "演示失败了。"},
    "home.done": {
        "en": "Done: {steps} steps in {seconds:.0f} s. Held-out masked-token accuracy: {accuracy:.0%}.",
        "zh": "完成：共 {steps} 步，用时 {seconds:.0f} 秒。留出集上被遮盖词元的准确率：{accuracy:.0%}。",
    },
    "home.bars_title": {"en": "{text}  (answer: {answer})", "zh": "{text}（答案：{answer}）"},
    "home.right": {"en": "✅ right", "zh": "✅ 答对了"},
    "home.not_yet": {
        "en": "❌ not yet — train longer on the Train page",
        "zh": "❌ 还没答对——到“训练”页面多训练一会儿",
    },
    "home.top_guess": {
        "en": "Top guess: **{word}** — {verdict}. Try your own sentences on the Probe page.",
        "zh": "模型的首选答案：**{word}**，{verdict}。到“探测模型”页面试试你自己的句子吧。",
    },
    "home.answer_rank": {
        "en": "The right answer, **{answer}**, is its guess number {rank} of {n} tokens, with probability {prob:.1%}.",
        "zh": "正确答案 **{answer}** 排在它 {n} 个词元里的第 {rank} 位，概率为 {prob:.1%}。",
    },
    "home.open_probe": {"en": "Open the Probe page", "zh": "打开“探测模型”页面"},
    "home.steps": {"en": "The lab, step by step", "zh": "实验步骤"},
    "home.step1": {
        "en": "1 · Corpus & tokens: what text, cut into which pieces",
        "zh": "1 · 语料与词元：用什么文本，切成哪些片段",
    },
    "home.step2": {"en": "2 · Masking lab: how the exercises are made", "zh": "2 · 掩码实验室：练习题是怎么出的"},
    "home.step3": {"en": "3 · Train: watch the loss fall, live", "zh": "3 · 训练：实时看着损失下降"},
    "home.step4": {
        "en": "4 · Probe: ask the model to fill blanks and continue text",
        "zh": "4 · 探测模型：让模型填空、续写文本",
    },
    # -- corpus page --------------------------------------------------------------------------------
    "corpus.title": {"en": "Corpus & tokens", "zh": "语料与词元"},
    "corpus.caption": {
        "en": "A self-supervised model learns only from raw text: choose that text, then see the tokens it is cut into.",
        "zh": "自监督模型只从原始文本中学习：先选好文本，再看看它被切成了哪些词元。",
    },
    "corpus.source": {"en": "Where does the text come from?", "zh": "文本从哪里来？"},
    "corpus.source.builtin": {"en": "Built-in world", "zh": "内置世界"},
    "corpus.source.upload": {"en": "Upload a file", "zh": "上传文件"},
    "corpus.source.paste": {"en": "Paste text", "zh": "粘贴文本"},
    "corpus.builtin": {"en": "Built-in world", "zh": "内置世界"},
    "corpus.about.world-en": {
        "en": "A small made-up English world: capitals, fruits, animal sounds, kinds, days, counting and short "
        "stories (about 1 MB).",
        "zh": "一个虚构的小世界（英文）：首都、水果、动物叫声、类别、星期、数数和小故事（约 1 MB）。",
    },
    "corpus.about.world-zh": {
        "en": "A small made-up world in Simplified Chinese: capitals, fruits, animal sounds, measure words, days of "
        "the week, counting and short stories (about 1 MB).",
        "zh": "一个虚构的小世界（简体中文）：首都、水果、动物叫声、量词、星期、数数和小故事（约 1 MB）。",
    },
    "corpus.upload": {
        "en": "A .txt file (its paragraphs, split at blank lines; without blank lines, its lines), or a .csv or "
        ".jsonl file",
        "zh": "一个 .txt 文件（按空行分成段落；没有空行就按行分），或 .csv、.jsonl 文件",
    },
    "corpus.paste": {
        "en": "Your text: paragraphs separated by blank lines, or one document per line (at least 2 and about 200 "
        "characters)",
        "zh": "你的文本：段落之间空一行，或者每行一篇文档（至少 2 篇，约 200 个字符）",
    },
    "corpus.bpe_default": {
        "en": "Your own text gets the BPE tokenizer: it keeps the text exactly, with its capitals, spaces and line "
        "breaks, so the model learns to write them too. You can pick another one under Tokens.",
        "zh": "你自己的文本默认使用 BPE 分词器：它原样保留文本，包括大小写、空格和换行，模型也就能学会写出它们。"
        "你也可以在下面的“词元”部分换一个分词器。",
    },
    "corpus.split.sentence": {"en": "**{n} documents**, one sentence each.", "zh": "**{n} 篇文档**，每篇一句话。"},
    "corpus.split.paragraph": {
        "en": "Split into **{n} paragraphs** at the blank lines; each keeps its own line breaks, which the model "
        "learns as part of the text.",
        "zh": "按空行分成了 **{n} 个段落**；每段保留自己的换行，模型把换行也当作文本的一部分来学习。",
    },
    "corpus.split.line": {
        "en": "Split into **{n} lines**: the text has no blank lines between paragraphs, so each line is a document.",
        "zh": "按行分成了 **{n} 行**：文本里段落之间没有空行，所以每一行就是一篇文档。",
    },
    "corpus.split.row": {
        "en": "**{n} documents**, one per row of the table.",
        "zh": "**{n} 篇文档**，表格的每行一篇。",
    },
    "corpus.column": {"en": "Column holding the text", "zh": "存放文本的列"},
    "corpus.column_auto": {"en": "(automatic: the longest text)", "zh": "（自动：选文本最长的一列）"},
    "corpus.ready": {
        "en": "Your text is ready: the Masking lab and Train pages now use it.",
        "zh": "你的文本已准备好：“掩码实验室”和“训练”页面现在都会用它。",
    },
    "corpus.using": {"en": "Now using: {name}", "zh": "当前使用：{name}"},
    "corpus.using_yours": {"en": "Now using: your text ({name})", "zh": "当前使用：你的文本（{name}）"},
    "corpus.uploaded": {"en": "uploaded", "zh": "已上传"},
    "corpus.saved_as": {"en": "Saved for training as {path}", "zh": "已保存供训练使用：{path}"},
    "corpus.documents": {"en": "Documents", "zh": "文档数"},
    "corpus.characters": {"en": "Characters", "zh": "字符数"},
    "corpus.size": {"en": "Size", "zh": "大小"},
    "corpus.words": {"en": "Words", "zh": "词数"},
    "corpus.distinct_words": {"en": "Distinct words", "zh": "不同的词"},
    "corpus.chars_no_space": {"en": "Characters w/o spaces", "zh": "字符数（不含空格）"},
    "corpus.distinct_chars": {"en": "Distinct characters", "zh": "不同的字"},
    "corpus.samples": {"en": "**A few documents**", "zh": "**几篇示例文档**"},
    "corpus.col.text": {"en": "text", "zh": "文本"},
    "corpus.probes": {
        "en": "**Questions with known answers**, asked of the trained models on the Probe page",
        "zh": "**已知答案的问题**：训练好的模型会在“探测模型”页面接受这些提问",
    },
    "corpus.col.question": {"en": "question", "zh": "问题"},
    "corpus.col.answer": {"en": "answer", "zh": "答案"},
    "corpus.col.needs_right": {"en": "needs the words on the right", "zh": "需要右侧的词"},
    "corpus.tokens": {"en": "Tokens: the units the model reads and predicts", "zh": "词元：模型读入和预测的基本单位"},
    "corpus.tokenizer": {"en": "Tokenizer", "zh": "分词器"},
    "corpus.kind.char": {"en": "Characters", "zh": "按字符"},
    "corpus.kind.bpe": {"en": "BPE", "zh": "BPE 字节对"},
    "corpus.kind.word": {"en": "Words", "zh": "按词"},
    "corpus.kind.wordpiece": {"en": "WordPiece", "zh": "WordPiece 词片"},
    "corpus.explain.char": {
        "en": "Characters: every character is a token, and the text is kept exactly (capitals, spaces, line breaks). "
        "Tiny vocabulary, long sequences.",
        "zh": "按字符：每个字（或字母）就是一个词元，文本原样保留（大小写、空格、换行）。词表很小，序列很长。",
    },
    "corpus.explain.bpe": {
        "en": "BPE (GPT-2's byte-level): frequent words whole, rare ones in pieces, and the text is kept exactly; "
        "a word carries the space before it (␣).",
        "zh": "BPE（GPT-2 的字节级 BPE）：常见的词保持完整，少见的词拆成几片，文本原样保留；每个词带着它前面的空格（␣）。",
    },
    "corpus.explain.word": {
        "en": "Words: every distinct word is a token. It splits at spaces and punctuation, so line breaks and spacing "
        "are lost; short sequences, but unseen words become [UNK].",
        "zh": "按词：每个不同的词就是一个词元。它在空格和标点处切开，所以换行和空格会丢失；序列短，但没见过的词会变成 [UNK]。",
    },
    "corpus.explain.wordpiece": {
        "en": "WordPiece (BERT): frequent words whole, rare ones in pieces glued to their start. It splits at spaces "
        "and punctuation, so line breaks and spacing are lost.",
        "zh": "WordPiece（BERT 所用）：常见的词保持完整，少见的词拆成几个词片，紧贴在词的开头后面。它在空格和标点处切开，"
        "所以换行和空格会丢失。",
    },
    "corpus.try_unseen": {
        "en": "{explanation} Type a word the corpus never uses to see what happens to it.",
        "zh": "{explanation}输入一个语料里从没出现过的词，看看它会被切成什么。",
    },
    "corpus.sentence": {"en": "Try a sentence", "zh": "试一个句子"},
    "corpus.vocab": {"en": "Vocabulary size", "zh": "词表大小"},
    "corpus.vocab_help": {
        "en": "Distinct tokens, including [PAD] [UNK] [CLS] [SEP] [MASK]",
        "zh": "不同词元的个数，包括 [PAD] [UNK] [CLS] [SEP] [MASK]",
    },
    "corpus.tokens_for": {"en": "Tokens for its {n} words", "zh": "这 {n} 个词切成的词元数"},
    "corpus.per_word": {"en": "Tokens per word (samples)", "zh": "每词词元数（示例）"},
    "corpus.lowercase": {"en": "Lower-case the text", "zh": "把文本转成小写"},
    "corpus.lowercase_help": {
        "en": "Turn capitals into small letters before tokenizing: a smaller vocabulary, but the model can no longer "
        "tell 'Rose' from 'rose', nor write a capital. The built-in worlds are lower-case already.",
        "zh": "分词前把大写字母都变成小写：词表更小，但模型再也分不清“Rose”和“rose”，也写不出大写字母。内置世界本来就是小写。",
    },
    "corpus.padding": {"en": "Padding in training", "zh": "训练中的填充占比"},
    "corpus.padding_help": {
        "en": "Share of the training rows ({seq_len} tokens each) that is [PAD], where the model learns nothing. AR "
        "lays the documents end to end, one [SEP] between them, so only the last row is padded; MLM keeps each "
        "document whole in a row and fills the rows best-fit, which leaves a few percent. Measured on the first "
        "few thousand documents, for the objective set in the Masking lab.",
        "zh": "训练行（每行 {seq_len} 个词元）中 [PAD] 填充所占的比例，模型在这些位置上什么也学不到。AR 把文档首尾相接、"
        "中间隔一个 [SEP]，所以只有最后一行需要填充；MLM 让每篇文档完整地留在一行里，并尽量把每行填满，"
        "会剩下百分之几的填充。按前几千篇文档、以“掩码实验室”里选的训练目标测得。",
    },
    # -- probe page ---------------------------------------------------------------------------------
    "probe.title": {"en": "Probe a model", "zh": "探测模型"},
    "probe.caption": {
        "en": "Ask a trained model to fill in a blank or guess the next word, see where it looks, and watch it learn.",
        "zh": "让训练好的模型填空或猜下一个词，看看它把注意力放在哪里，再回放它是怎样一步步学会的。",
    },
    "probe.asking": {
        "en": "Asking the same question of every saved checkpoint…",
        "zh": "正在向每个保存的检查点提出同一个问题……",
    },
    "probe.none": {
        "en": "No trained model yet: train one first (a nano model takes a few seconds).",
        "zh": "还没有训练好的模型：先去训练一个吧（nano 模型只要几秒钟）。",
    },
    "probe.train_one": {"en": "Train a model", "zh": "训练一个模型"},
    "probe.model": {"en": "Trained model", "zh": "训练好的模型"},
    "probe.example_ar": {
        "en": "A prompt from the corpus's world (the true next word after →)",
        "zh": "语料世界里的一个开头（→ 后面是正确的下一个词）",
    },
    "probe.example": {
        "en": "A question from the corpus's world (true answer after →)",
        "zh": "语料世界里的一道题（→ 后面是正确答案）",
    },
    "probe.mlm_what": {
        "en": "**MLM**: the model sees the words on both sides of each blank and guesses what is hidden.",
        "zh": "**MLM（掩码语言模型）**：模型能看到每个空左右两侧的词，猜出被遮住的是什么。",
    },
    "probe.sentence": {"en": "Sentence", "zh": "句子"},
    "probe.hide": {
        "en": "Click words to hide them (or type [MASK] in the sentence)",
        "zh": "点击词语把它遮住（也可以直接在句子里输入 [MASK]）",
    },
    "probe.ar_what": {
        "en": "**AR**: the model reads left to right and guesses the next word from the words before it only.",
        "zh": "**AR（自回归）**：模型从左往右读，只根据前面的词猜下一个词。",
    },
    "probe.prompt": {"en": "Prompt", "zh": "开头文本（提示词）"},
    "probe.tab.guesses": {"en": "Guesses", "zh": "模型的猜测"},
    "probe.tab.attention": {"en": "Attention", "zh": "注意力"},
    "probe.tab.timeline": {"en": "Learning timeline", "zh": "学习过程回放"},
    "probe.blank": {"en": "Blank {n}", "zh": "第 {n} 个空"},
    "probe.next_word": {"en": "Next token", "zh": "下一个词元"},
    "probe.prompt_end": {
        "en": "▍ marks where your prompt ends: everything after it was written by the model.",
        "zh": "▍ 标出你的开头文本在哪里结束：它后面的内容都是模型写的。",
    },
    "probe.ended": {
        "en": "The model ended the text here (it wrote the end-of-text token).",
        "zh": "模型在这里结束了文本（它写出了表示文本结束的词元）。",
    },
    "probe.write": {"en": "Let it write", "zh": "让它接着写"},
    "probe.greedy": {"en": "Greedy", "zh": "贪心解码"},
    "probe.greedy_help": {"en": "Always take the most likely word", "zh": "每一步都选最可能的词"},
    "probe.temperature": {"en": "Temperature", "zh": "温度"},
    "probe.top_k": {"en": "Top-k (0 = all words)", "zh": "Top-k（0 表示所有词）"},
    "probe.length": {"en": "New tokens", "zh": "新生成的词元数"},
    "probe.resample": {"en": "Sample again", "zh": "重新采样"},
    "probe.layer": {"en": "Layer", "zh": "层"},
    "probe.head": {"en": "Head", "zh": "注意力头"},
    "probe.attention_help": {
        "en": "Row: the token that is looking; column: the token it looks at. Each row adds up to 1.",
        "zh": "行：发出注意力的词元；列：被关注的词元。每一行加起来都等于 1。",
    },
    "probe.first_blank": {"en": "the first blank", "zh": "第一个空"},
    "probe.the_next_word": {"en": "the next word", "zh": "下一个词"},
    "probe.timeline_help": {
        "en": "The same question ({what}) asked of the model saved at each checkpoint during training.",
        "zh": "用同一个问题（{what}）去问训练过程中每个检查点保存下来的模型。",
    },
    "probe.true_answer": {"en": "{answer} (true answer)", "zh": "{answer}（正确答案）"},
    "probe.col.step": {"en": "step", "zh": "步数"},
    "probe.col.top": {"en": "top guess", "zh": "首选答案"},
    "probe.col.probability": {"en": "probability", "zh": "概率"},
    # -- masking lab page ---------------------------------------------------------------------------
    "masking.title": {"en": "Masking lab", "zh": "掩码实验室"},
    "masking.caption": {
        "en": "Self-supervised learning makes its own exercises: hide or spoil part of each sentence, ask for the "
        "original.",
        "zh": "自监督学习自己出练习题：把每个句子遮住或弄乱一部分，再让模型说出原文。",
    },
    "masking.objective": {"en": "Objective", "zh": "训练目标"},
    "masking.objective.mlm": {"en": "MLM (BERT): fill in the blanks", "zh": "MLM（BERT）：完形填空"},
    "masking.objective.ar": {"en": "AR (GPT): predict the next token", "zh": "AR（GPT）：预测下一个词元"},
    "masking.rate": {"en": "Tokens to predict", "zh": "要预测的词元比例"},
    "masking.rate_help": {
        "en": "BERT: 15%. Fewer: little to learn per sentence; more: too little context left.",
        "zh": "BERT 用 15%。太少：每个句子能学的东西少；太多：剩下的上下文不够用。",
    },
    "masking.sees": {"en": "What the model sees at those tokens:", "zh": "在这些位置上，模型看到的是："},
    "masking.random_token": {"en": "a random token", "zh": "一个随机词元"},
    "masking.keep": {
        "en": "the token itself (still predicted): **{keep:.0%}**. Why not all [MASK]? Real text has no [MASK], so "
        "the model must learn to doubt every token it sees.",
        "zh": "词元本身（仍然要预测）：**{keep:.0%}**。为什么不全换成 [MASK]？真实文本里没有 [MASK]，所以模型要学会"
        "怀疑它看到的每一个词元。",
    },
    "masking.strategy": {"en": "What is hidden together", "zh": "哪些词元一起遮住"},
    "masking.strategy.token": {
        "en": "each token is chosen on its own, so half a word can be hidden (BERT).",
        "zh": "每个词元单独抽选，所以一个词可能只被遮住一半（BERT）。",
    },
    "masking.strategy.whole-word": {
        "en": "all pieces of a word are hidden together, so the visible half cannot give it away.",
        "zh": "一个词的所有词片一起遮住，这样露出的另一半就不会泄露答案。",
    },
    "masking.strategy.span": {
        "en": "runs of whole words are hidden, so the model must rebuild whole phrases (SpanBERT).",
        "zh": "遮住连续的几个整词，模型必须还原整个短语（SpanBERT）。",
    },
    "masking.strategy_explain": {"en": "**{name}**: {explain}", "zh": "**{name}**：{explain}"},
    "masking.span_mean": {"en": "Mean span (words)", "zh": "平均片段长度（词）"},
    "masking.span_max": {"en": "Longest span (words)", "zh": "最长片段长度（词）"},
    "masking.ar_info": {
        "en": "AR hides nothing: GPT predicts every next token from the words on its left only, so the answer is "
        "never in view and no masking is needed.",
        "zh": "AR 什么也不遮：GPT 只根据左边的词预测每一个下一个词元，答案从来不在视野里，所以不需要掩码。",
    },
    "masking.augments": {
        "en": "Augmentations: extra corruption for robustness ({n} on)",
        "zh": "数据增强：额外加入干扰，让模型更稳健（已开启 {n} 项）",
    },
    "masking.shuffle_window": {"en": "Shuffle window (tokens)", "zh": "打乱窗口（词元数）"},
    "masking.over_100": {
        "en": "[MASK] {mask:.0%} + random {random:.0%} is more than 100%: lower one of them. The preview shows your "
        "last valid settings.",
        "zh": "[MASK] {mask:.0%} + 随机 {random:.0%} 超过了 100%：请调低其中一个。预览显示的是你上一次有效的设置。",
    },
    "masking.resample": {"en": "🎲 Resample", "zh": "🎲 重新抽样"},
    "masking.resample_help": {
        "en": "Draw new random choices with the same settings (the seed, also the training run's)",
        "zh": "用同样的设置重新随机抽选（改变的是随机种子，训练时也用它）",
    },
    "masking.your_text": {"en": "your text", "zh": "你的文本"},
    "masking.seen": {
        "en": "Seed **{seed}** · {source} · tokenizer: {tokenizer} · hover a token to see its original",
        "zh": "随机种子 **{seed}** · {source} · 分词器：{tokenizer} · 鼠标悬停在词元上可看到原文",
    },
    "masking.chart_title": {
        "en": "Share of tokens: setting vs one real batch",
        "zh": "词元占比：设置值与一个真实批次的对比",
    },
    "masking.bar.predicted": {"en": "predicted", "zh": "要预测"},
    "masking.bar.masked": {"en": "to [MASK]", "zh": "换成 [MASK]"},
    "masking.bar.random": {"en": "to random", "zh": "换成随机词元"},
    "masking.bar.kept": {"en": "kept", "zh": "保持原样"},
    "masking.bar.noised": {"en": "noised", "zh": "噪声"},
    "masking.bar.deleted": {"en": "deleted", "zh": "删除"},
    "masking.bar.shuffled": {"en": "shuffled", "zh": "打乱"},
    "masking.ar_no_chart": {
        "en": "AR predicts every token from the ones before it; turn on an augmentation to chart its rate.",
        "zh": "AR 根据前面的词元预测每一个词元；开启一项数据增强，就能画出它的比例。",
    },
    # -- train page ---------------------------------------------------------------------------------
    "train.title": {"en": "Train a model", "zh": "训练模型"},
    "train.caption": {
        "en": "Train a tiny language model from scratch on your corpus and watch its loss fall as it learns.",
        "zh": "在你的语料上从零开始训练一个小型语言模型，看着它的损失随学习不断下降。",
    },
    "train.objective": {"en": "Objective", "zh": "训练目标"},
    "train.objective.mlm": {"en": "MLM (BERT-style)", "zh": "MLM（BERT 式）"},
    "train.objective.ar": {"en": "AR (GPT-style)", "zh": "AR（GPT 式）"},
    "train.predicts.mlm": {
        "en": "Hide some words; predict them from the words on both sides.",
        "zh": "遮住一些词，根据两边的词把它们预测出来。",
    },
    "train.predicts.ar": {
        "en": "Predict every next word from the words before it only.",
        "zh": "只根据前面的词预测每一个下一个词。",
    },
    "train.size": {"en": "Model size", "zh": "模型大小"},
    "train.by_time": {"en": "Time budget instead of steps", "zh": "改用时间预算"},
    "train.seconds": {"en": "Seconds", "zh": "秒数"},
    "train.steps": {"en": "Steps", "zh": "步数"},
    "train.lr": {"en": "Learning rate", "zh": "学习率"},
    "train.batch": {"en": "Batch size", "zh": "批大小"},
    "train.seed": {"en": "Seed", "zh": "随机种子"},
    "train.seed_help": {
        "en": "Same seed, same settings, same machine: the same run, curve for curve.",
        "zh": "同样的种子、同样的设置、同一台机器：得到一模一样的训练，曲线完全相同。",
    },
    "train.parameters": {"en": "Parameters", "zh": "参数量"},
    "train.vocab": {"en": "vocabulary: {n} tokens", "zh": "词表：{n} 个词元"},
    "train.estimate": {"en": "Estimated training time", "zh": "预计训练时间"},
    "train.per_step": {"en": "{ms:.0f} ms per step here, now", "zh": "在这台机器上、此刻每步约 {ms:.0f} 毫秒"},
    "train.timing": {"en": "Timing a few training steps…", "zh": "正在试跑几步，测量速度……"},
    "train.launch": {"en": "Launch", "zh": "开始训练"},
    "train.reproduce": {"en": "Reproduce a run from its config.json", "zh": "用 config.json 重现一次训练"},
    "train.reproduce_upload": {
        "en": "A run's config.json (download it from the run below)",
        "zh": "一次训练的 config.json（可在下方的训练里下载）",
    },
    "train.reproduce_launch": {"en": "Launch this exact configuration", "zh": "按这份配置原样开始训练"},
    "train.masking.mlm": {"en": "{rate:.0%} {strategy} masking", "zh": "{rate:.0%} {strategy}掩码"},
    "train.masking.ar": {"en": "no masking (AR)", "zh": "不使用掩码（AR）"},
    "train.augment.on": {"en": "augmentation on", "zh": "数据增强：开"},
    "train.augment.off": {"en": "augmentation off", "zh": "数据增强：关"},
    "train.summary": {
        "en": "Corpus **{corpus}** · tokenizer **{tokenizer}** · {masking} · {augment}",
        "zh": "语料 **{corpus}** · 分词器 **{tokenizer}** · {masking} · {augment}",
    },
    "train.corpus_link": {"en": "Corpus", "zh": "语料"},
    "train.masking_link": {"en": "Masking", "zh": "掩码"},
    "train.private": {
        "en": "This run belongs to another student, and this server keeps runs private.",
        "zh": "这次训练属于另一位同学，而这台服务器不公开别人的训练。",
    },
    "train.this_run": {
        "en": "This run: {objective}, {size}, on {corpus}",
        "zh": "本次训练：{objective}，{size}，语料 {corpus}",
    },
    "train.run_id": {"en": "Run {run_id}", "zh": "训练编号 {run_id}"},
    "train.queued": {
        "en": "Queued at position {n}: it starts when a training slot is free.",
        "zh": "排在队列第 {n} 位：有空闲的训练位置时就会开始。",
    },
    "train.running": {"en": "Running · step {step} · {left} left", "zh": "训练中 · 第 {step} 步 · 还剩 {left}"},
    "train.failed": {"en": "Failed: {error}", "zh": "训练失败：{error}"},
    "train.unknown_error": {"en": "unknown error", "zh": "未知错误"},
    "train.completed": {"en": "Completed {steps} steps in {time}.", "zh": "已完成 {steps} 步，用时 {time}。"},
    "train.stopped": {
        "en": "Stopped at step {step}; the model so far is saved.",
        "zh": "在第 {step} 步停止；到目前为止的模型已保存。",
    },
    "train.interrupted": {
        "en": "Status: {status}, but no training process here has it: it was interrupted.",
        "zh": "状态：{status}，但这里没有进程在训练它：训练被中断了。",
    },
    "train.val_loss": {"en": "Held-out loss", "zh": "留出集损失"},
    "train.val_accuracy": {"en": "Held-out accuracy", "zh": "留出集准确率"},
    "train.tokens_per_s": {"en": "Tokens / s", "zh": "每秒词元数"},
    "train.time_left": {"en": "Time left", "zh": "剩余时间"},
    "train.time": {"en": "Time", "zh": "用时"},
    "train.seconds_short": {"en": "{n:.0f} s", "zh": "{n:.0f} 秒"},
    "train.minutes_short": {"en": "{n:.1f} min", "zh": "{n:.1f} 分钟"},
    "train.download_config": {"en": "Download config.json", "zh": "下载 config.json"},
    "train.download_config_help": {
        "en": "Everything needed to run it again: upload it under *Reproduce a run*.",
        "zh": "重新运行所需的全部设置：在“用 config.json 重现一次训练”里上传它。",
    },
    "train.stop": {"en": "Stop", "zh": "停止"},
    "train.stop_help": {"en": "Stop now; the model so far is saved.", "zh": "立即停止；到目前为止的模型会保存下来。"},
    "train.probe_link": {"en": "Probe this model", "zh": "探测这个模型"},
    "train.export": {"en": "Export", "zh": "导出"},
    "train.export_help": {
        "en": "Files are made when you click, which takes a few seconds for the report's PNG charts.",
        "zh": "点击后才生成文件；报告里的 PNG 图表需要几秒钟。",
    },
    "train.export_report": {"en": "Run report (zip)", "zh": "训练报告（zip）"},
    "train.export_report_help": {
        "en": "An HTML page with interactive curves, PNG charts, the metrics as CSV and the config.",
        "zh": "包含可交互曲线的 HTML 网页、PNG 图表、CSV 格式的指标和配置文件。",
    },
    "train.export_csv": {"en": "Metrics (CSV)", "zh": "训练指标（CSV）"},
    "train.export_csv_help": {
        "en": "One row per logged step: loss, accuracy, speed.",
        "zh": "每个记录的步数一行：损失、准确率、速度。",
    },
    "train.export_model": {"en": "Model folder (zip)", "zh": "模型文件夹（zip）"},
    "train.export_model_help": {
        "en": 'Unzip it and load it with transformers: `pipeline("fill-mask", model=folder)` (BERT) or '
        '`pipeline("text-generation", model=folder)` (GPT).',
        "zh": '解压后可用 transformers 加载：`pipeline("fill-mask", model=folder)`（BERT）或 '
        '`pipeline("text-generation", model=folder)`（GPT）。',
    },
    "train.past": {"en": "Past runs", "zh": "过去的训练"},
    "train.no_runs": {"en": "No runs yet: launch one above.", "zh": "还没有训练：在上面开始一次吧。"},
    "train.tick": {
        "en": "Tick runs in the table to compare their curves (and to stop or delete your own).",
        "zh": "在表格中勾选训练，可以比较它们的曲线（也可以停止或删除你自己的训练）。",
    },
    "train.others": {
        "en": "{n} of the ticked runs belong to other students: look, don't touch.",
        "zh": "勾选的训练中有 {n} 个属于其他同学：只能看，不能改。",
    },
    "train.stop_ticked": {"en": "Stop {n} ticked", "zh": "停止勾选的 {n} 个"},
    "train.delete_ticked": {"en": "Delete {n} ticked", "zh": "删除勾选的 {n} 个"},
    "train.delete_warning": {
        "en": "Deletes these runs for good: model, curves and checkpoints.",
        "zh": "将永久删除这些训练：模型、曲线和检查点。",
    },
    "train.delete_confirm": {"en": "Delete for good", "zh": "永久删除"},
    "train.x_axis": {"en": "x axis", "zh": "横轴"},
    "train.x.step": {"en": "steps", "zh": "步数"},
    "train.x.elapsed_s": {"en": "seconds", "zh": "秒"},
    "train.show": {"en": "Show", "zh": "显示"},
    "train.metric.loss": {"en": "loss", "zh": "损失"},
    "train.metric.accuracy": {"en": "accuracy", "zh": "准确率"},
    "train.col.yours": {"en": "yours", "zh": "你的"},
    "train.col.yours_help": {
        "en": "Runs you launched: tick them to stop or delete them.",
        "zh": "你启动的训练：勾选后可以停止或删除。",
    },
    "train.col.by": {"en": "student", "zh": "同学"},
    "train.col.by_help": {"en": "The nickname the run was launched under.", "zh": "启动这次训练时用的昵称。"},
    "train.col.status": {"en": "status", "zh": "状态"},
    "train.col.objective": {"en": "objective", "zh": "训练目标"},
    "train.col.size": {"en": "size", "zh": "大小"},
    "train.col.steps": {"en": "steps", "zh": "步数"},
    "train.col.val_loss": {"en": "held-out loss", "zh": "留出集损失"},
    "train.col.val_accuracy": {"en": "held-out accuracy", "zh": "留出集准确率"},
    "train.col.tokens_per_s": {"en": "tokens/s", "zh": "词元/秒"},
    "train.col.corpus": {"en": "corpus", "zh": "语料"},
    "train.col.tokenizer": {"en": "tokenizer", "zh": "分词器"},
    "train.col.mask_rate": {"en": "mask rate", "zh": "掩码率"},
    "train.col.masking": {"en": "masking", "zh": "掩码策略"},
    "train.col.seed": {"en": "seed", "zh": "种子"},
    "train.col.error": {"en": "error", "zh": "错误"},
    "train.col.run": {"en": "run", "zh": "训练编号"},
    # -- links and waiting messages (ui.py) ---------------------------------------------------------
    "url.share": {"en": "Share link", "zh": "分享链接"},
    "url.share_help": {
        "en": "Opens this page with these settings (seed included). Copy it with the button at its right.",
        "zh": "打开这个页面时会带上这些设置（包括随机种子）。用右侧的按钮复制它。",
    },
    "url.not_used": {"en": "A setting in the link was not used.", "zh": "链接里有一个设置没有被采用。"},
    "url.unknown_corpus": {
        "en": "This run trained on a text this server does not have: upload that text on the Corpus page first, then "
        "set up the run there and on this page.",
        "zh": "这次训练用的文本不在这台服务器上：请先在“语料与词元”页面上传那份文本，再在那里和本页设置好训练。",
    },
    "url.switched_back": {
        "en": "Switched back to the built-in corpus {corpus}.",
        "zh": "已切换回内置语料 {corpus}。",
    },
    "spin.corpus": {"en": "Loading corpus…", "zh": "正在加载语料……"},
    "spin.tokenizer": {"en": "Training the tokenizer on the corpus…", "zh": "正在用语料训练分词器……"},
    "spin.model": {"en": "Loading the model…", "zh": "正在加载模型……"},
    "spin.upload": {"en": "Checking your text…", "zh": "正在检查你的文本……"},
    "spin.padding": {"en": "Packing the text into training rows…", "zh": "正在把文本装进训练行……"},
    "spin.realised": {"en": "Measuring on a real batch…", "zh": "正在用一个真实批次测量……"},
    "spin.task": {"en": "Loading the task…", "zh": "正在加载任务……"},
    "spin.task_upload": {"en": "Checking your labelled file…", "zh": "正在检查你的标注文件……"},
    "spin.classifier": {"en": "Loading the classifier…", "zh": "正在加载分类器……"},
    "spin.scoreboard": {"en": "Asking the corpus's questions…", "zh": "正在向模型提问语料自带的问题……"},
    "spin.comparable": {
        "en": "Asking the model about the held-out blanks…",
        "zh": "正在让模型回答留出集里的空……",
    },
    "spin.robustness": {
        "en": "Corrupting the held-out text and measuring again…",
        "zh": "正在给留出文本加入干扰，再测一遍……",
    },
    # -- sweep page ---------------------------------------------------------------------------------
    "spin.facts": {"en": "Asking the model the world's facts…", "zh": "正在向模型提问这个世界的事实……"},
    # -- verdicts (ui.verdict): what a comparison supports ---------------------------------------------
    "verdict.too_early": {
        "en": "**Too early to conclude**: {names} still guessing (hardly above always saying the most common "
        "token, or few of the world's facts known); train longer.",
        "zh": "**现在下结论还太早**：{names}还在瞎猜（几乎不比总是回答最常见的词元好，或者几乎不知道这个世界的事实）；"
        "请训练更久一些。",
    },
    "verdict.both": {"en": "both models are", "zh": "两个模型都"},
    "verdict.all": {"en": "all {n} settings are", "zh": "全部 {n} 种设置都"},
    "verdict.and": {"en": " and ", "zh": "和"},
    "verdict.within": {
        "en": "**No real difference**: {best} and {runner_up} are {gap:.1%} apart on the same blanks, within the "
        "spread between seeds or the luck of the blanks (±{noise:.1%}).",
        "zh": "**没有真正的差别**：{best}和{runner_up}在相同空位上相差 {gap:.1%}，在不同随机种子的波动范围"
        "或空位本身的偶然性（±{noise:.1%}）之内。",
    },
    "verdict.wins": {
        "en": "**{best} is ahead**: {gap:.1%} above {runner_up} on the same blanks, more than the spread between "
        "seeds and the luck of the blanks (±{noise:.1%}).",
        "zh": "**{best}领先**：在相同空位上比{runner_up}高 {gap:.1%}，超出了不同随机种子的波动范围和空位本身的"
        "偶然性（±{noise:.1%}）。",
    },
    "verdict.one_seed": {
        "en": "One run per setting: how much another seed would change the result is unknown.",
        "zh": "每种设置只训练了一次：换一个随机种子结果会变多少，目前还不知道。",
    },
    "sweep.title": {"en": "Masking sweeps & augmentation", "zh": "掩码扫描与数据增强"},
    "sweep.caption": {
        "en": "Several runs identical but for one setting, trained one after the other: the plots are the evidence.",
        "zh": "几次训练只有一个设置不同，依次训练完成：图表就是证据。",
    },
    "sweep.wettig": {
        "en": "BERT masks 15% of the tokens. Wettig et al. (2023), *Should You Mask 15% in Masked Language Modeling?*, "
        "found that 40% did better than 15% for large models on downstream tasks. Does anything like it show in a "
        "tiny model trained for a few seconds? Launch the sweep and let the plot answer.",
        "zh": "BERT 会遮住 15% 的词元。Wettig 等人（2023）在论文 *Should You Mask 15% in Masked Language Modeling?* "
        "中发现：对大模型来说，遮住 40% 在下游任务上比 15% 更好。一个只训练几秒钟的小模型，也会出现类似的现象吗？"
        "启动扫描，让图表来回答。",
    },
    "sweep.estimate": {
        "en": "{n} runs, {slots} at a time: about **{minutes:.1f} min** at most",
        "zh": "共 {n} 次训练，每次同时进行 {slots} 个：最多约 **{minutes:.1f} 分钟**",
    },
    "sweep.after_queue": {
        "en": ", after the {ahead} runs already in the queue.",
        "zh": "，要排在队列中已有的 {ahead} 次训练之后。",
    },
    "sweep.end": {"en": ".", "zh": "。"},
    "sweep.launch.rates": {"en": "Launch the mask-rate sweep", "zh": "启动掩码率扫描"},
    "sweep.launch.strategies": {"en": "Launch the strategy sweep", "zh": "启动掩码策略扫描"},
    "sweep.launch.ablation": {"en": "Launch without and with it", "zh": "启动对比：不加与加数据增强"},
    "sweep.waiting": {
        "en": "{n} more run(s) wait for a place in the queue (a student may only have a few queued at once); they "
        "start as these finish.",
        "zh": "还有 {n} 次训练在等待进入队列（每位同学同时排队的训练数量有限），前面的训练结束后就会开始。",
    },
    "sweep.curves": {"en": "Training curves of each run", "zh": "每次训练的训练曲线"},
    "sweep.col.setting": {"en": "setting", "zh": "设置"},
    "sweep.col.blank_accuracy": {"en": "same blanks: accuracy", "zh": "相同空位：准确率"},
    "sweep.col.own_accuracy": {"en": "own held-out accuracy", "zh": "自身留出集：准确率"},
    "sweep.col.blank_loss": {"en": "same blanks: loss", "zh": "相同空位：损失"},
    "sweep.col.own_loss": {"en": "own held-out loss", "zh": "自身留出集：损失"},
    "sweep.col.steps": {"en": "steps", "zh": "步数"},
    "sweep.col.seed": {"en": "seed", "zh": "随机种子"},
    "sweep.col.seconds": {"en": "seconds", "zh": "秒数"},
    "sweep.seeds": {"en": "Seeds per setting", "zh": "每种设置的随机种子数"},
    "sweep.seeds_help": {
        "en": "Each setting is trained this many times with different seeds, so the chart can show how much the "
        "result varies by chance.",
        "zh": "每种设置用不同的随机种子训练这么多次，图上就能看出结果因偶然而波动多少。",
    },
    "sweep.spread_help": {
        "en": "Each point is the median over the seeds; the bars run from the lowest to the highest seed. Equal "
        "seconds are not equal steps on a busy server: compare the steps column.",
        "zh": "每个点是各随机种子结果的中位数；竖线从最低的种子画到最高的种子。服务器忙时，同样的秒数不等于同样的步数："
        "请对照“步数”一列。",
    },
    "sweep.strategy_axis": {"en": "masking strategy", "zh": "掩码策略"},
    "sweep.mask_rate_axis": {"en": "mask rate", "zh": "掩码率"},
    "sweep.accuracy_axis": {"en": "accuracy", "zh": "准确率"},
    "sweep.loss_axis": {"en": "loss (nats)", "zh": "损失（nats）"},
    "sweep.masked": {"en": "{rate:.0%} masked", "zh": "遮盖 {rate:.0%}"},
    "sweep.trained_with": {"en": "trained with {kind} {strength:.0%}", "zh": "训练时加{kind} {strength:.0%}"},
    "sweep.trained_without": {"en": "trained without", "zh": "训练时不加增强"},
    "sweep.size": {"en": "Model size", "zh": "模型大小"},
    "sweep.seconds": {"en": "Seconds per run", "zh": "每次训练的秒数"},
    "sweep.steps": {"en": "…or stop after steps", "zh": "……或训练这么多步后停止"},
    "sweep.steps_help": {
        "en": "Each run stops at its time budget or after this many steps, whichever comes first.",
        "zh": "每次训练在用完时间预算或达到这个步数时停止，以先到者为准。",
    },
    "sweep.using": {
        "en": "Corpus **{corpus}** · tokenizer **{tokenizer}** (change them on the Corpus page).",
        "zh": "语料 **{corpus}** · 分词器 **{tokenizer}**（可在“语料与词元”页面修改）。",
    },
    "sweep.tab.rate": {"en": "Mask rate", "zh": "掩码率"},
    "sweep.tab.strategy": {"en": "Masking strategy", "zh": "掩码策略"},
    "sweep.tab.augment": {"en": "Augmentation", "zh": "数据增强"},
    "sweep.rates": {"en": "Mask rates", "zh": "要比较的掩码率"},
    "sweep.same_blanks_help": {
        "en": "*Same blanks*: the same held-out tokens hidden one at a time, for every run of a seed (each seed "
        "holds out its own text): comparable. *Own*: the run's held-out text masked at its own rate: a harder "
        "test at higher rates.",
        "zh": "*相同空位*：同一个随机种子的每次训练都用同一批留出词元来测（每个种子留出的文本不同），一次只遮一个，"
        "结果可以直接比较。"
        "*自身留出集*：按各自的掩码率遮盖各自的留出文本，掩码率越高，测试越难。",
    },
    "sweep.rate": {"en": "Mask rate", "zh": "掩码率"},
    "sweep.strategies_help": {
        "en": "token: any token · whole-word: all pieces of a word together · span: runs of whole words (SpanBERT).",
        "zh": "词元：任意词元都可能被遮 · 整词：一个词的所有词片一起遮 · 片段：遮住连续的几个整词（SpanBERT）。",
    },
    "sweep.objective": {"en": "Objective", "zh": "训练目标"},
    "sweep.augmentation": {"en": "Augmentation", "zh": "数据增强"},
    "sweep.strength": {"en": "Strength while training", "zh": "训练时的强度"},
    "sweep.robustness_help": {
        "en": "Both models are tested on their held-out text corrupted by {kind} at each strength (0 = clean), as "
        "they were trained: the targets stay the clean text.",
        "zh": "两个模型都在自己的留出文本上测试，文本按各个强度加入“{kind}”（0 表示不加），和训练时一样："
        "要预测的目标始终是干净的原文。",
    },
    "sweep.applied": {"en": "{kind} applied to the held-out text", "zh": "对留出文本施加的“{kind}”强度"},
    "sweep.heldout_accuracy": {"en": "held-out accuracy", "zh": "留出集准确率"},
    # -- shared vocabulary: masking strategies, augmentations ----------------------------------------
    "strategy.token": {"en": "token", "zh": "词元"},
    "strategy.whole-word": {"en": "whole-word", "zh": "整词"},
    "strategy.span": {"en": "span", "zh": "片段"},
    "aug.noise": {"en": "noise", "zh": "噪声"},
    "aug.delete": {"en": "delete", "zh": "删除"},
    "aug.shuffle": {"en": "shuffle", "zh": "局部打乱"},
    "aug.permute": {"en": "permute", "zh": "句子重排"},
    "aug.explain.permute": {
        "en": "permute: the sentences of a sequence are put in a random order; the model learns not to rely on "
        "what the previous sentence was.",
        "zh": "句子重排：把一段序列里的句子打乱顺序；模型学会不依赖上一句是什么。",
    },
    "aug.explain.delete": {
        "en": "delete: each token is dropped with probability p and the text closes the gap; the model learns to "
        "cope with missing words.",
        "zh": "删除：每个词元以概率 p 被删掉，前后文本直接接上；模型学会应对缺词的情况。",
    },
    "aug.explain.shuffle": {
        "en": "shuffle: small windows of neighbouring tokens are put in a random order with probability p; the "
        "model must predict the clean order, so it learns that word order is noisy.",
        "zh": "局部打乱：以概率 p 把相邻的几个词元打乱顺序；模型要预测出原来的顺序，于是学会容忍语序上的杂乱。",
    },
    "aug.explain.noise": {
        "en": "noise: each token is swapped for a random word with probability p; the model must predict the clean "
        "text, so it learns to ignore typos.",
        "zh": "噪声：每个词元以概率 p 被换成一个随机的词；模型要预测出干净的原文，于是学会忽略错字。",
    },
    # -- MLM vs AR page -----------------------------------------------------------------------------
    "compare.title": {"en": "MLM vs AR", "zh": "MLM 与 AR 对比"},
    "compare.caption": {
        "en": "Two models that differ in one thing only, the objective: same text, tokenizer, size, time and seed.",
        "zh": "两个模型只有一点不同，就是训练目标：文本、分词器、大小、时间和随机种子都相同。",
    },
    "compare.name.mlm": {"en": "MLM (BERT-style)", "zh": "MLM（BERT 式）"},
    "compare.name.ar": {"en": "AR (GPT-style)", "zh": "AR（GPT 式）"},
    "compare.honest": {
        "en": "**Why not just compare the losses?** They answer different questions: MLM's loss is averaged over the "
        "masked tokens only, each guessed from both sides; AR's over every next token, guessed from the left only. "
        "The fair test is in the tab *Same blanks*: the same held-out tokens, hidden one at a time from both models "
        "trained for the same time.",
        "zh": "**为什么不直接比较损失？** 因为两者回答的是不同的问题：MLM 的损失只在被遮住的词元上取平均，每个都能看到"
        "两侧；AR 的损失在每一个下一个词元上取平均，只能看左边。公平的比较在“相同空位”标签页：训练同样时间的两个模型，"
        "面对同一批留出词元，每次只遮一个。",
    },
    "compare.tab.new": {"en": "Launch a matched pair", "zh": "启动一对对照训练"},
    "compare.tab.old": {"en": "Pick two finished runs", "zh": "选两次已完成的训练"},
    "compare.size": {"en": "Model size", "zh": "模型大小"},
    "compare.seconds": {"en": "Seconds per run", "zh": "每次训练的秒数"},
    "compare.steps": {"en": "…or stop after steps", "zh": "……或训练这么多步后停止"},
    "compare.steps_help": {
        "en": "Each run stops at its time budget or after this many steps, whichever comes first.",
        "zh": "每次训练在用完时间预算或达到这个步数时停止，以先到者为准。",
    },
    "compare.estimate": {
        "en": "Corpus **{corpus}** · tokenizer **{tokenizer}** · masking {rate:.0%} {strategy} · both runs done in "
        "about **{total:.0f} s** at most.",
        "zh": "语料 **{corpus}** · 分词器 **{tokenizer}** · 掩码 {rate:.0%}（{strategy}）· 两次训练最多约 "
        "**{total:.0f} 秒** 完成。",
    },
    "compare.launch": {"en": "Launch MLM + AR", "zh": "启动 MLM + AR"},
    "compare.mlm_run": {"en": "MLM run", "zh": "MLM 训练"},
    "compare.ar_run": {"en": "AR run", "zh": "AR 训练"},
    "compare.pick": {"en": "Compare these two", "zh": "比较这两次训练"},
    "compare.needs_two": {
        "en": "This needs one finished MLM run and one finished AR run.",
        "zh": "需要一次已完成的 MLM 训练和一次已完成的 AR 训练。",
    },
    "compare.start": {
        "en": "Launch a matched pair above (or pick two finished runs) to see them compared.",
        "zh": "在上面启动一对对照训练（或者选两次已完成的训练），就能看到它们的比较。",
    },
    "compare.different_text": {
        "en": "These two runs hold out different text (corpus, tokenizer, seed…): their blanks are not the same.",
        "zh": "这两次训练留出的文本不同（语料、分词器、随机种子……）：它们的空位并不相同。",
    },
    "compare.tab.board": {"en": "Scoreboard", "zh": "计分板"},
    "compare.tab.blanks": {"en": "Same blanks", "zh": "相同空位"},
    "compare.tab.sentence": {"en": "One sentence, both models", "zh": "同一句话，两个模型"},
    "compare.tab.looks": {"en": "Who sees what", "zh": "谁能看到什么"},
    "compare.tab.writes": {"en": "Generation", "zh": "生成"},
    "compare.no_probes": {
        "en": "An uploaded corpus has no ground-truth questions; train on a built-in corpus for the scoreboard.",
        "zh": "上传的语料没有标准答案的问题；要看计分板，请在内置语料上训练。",
    },
    "compare.col.question": {"en": "question", "zh": "题目"},
    "compare.col.answer": {"en": "answer", "zh": "答案"},
    "compare.col.needs_right_context": {"en": "needs right context", "zh": "需要右侧上下文"},
    "compare.col.MLM_says": {"en": "MLM says", "zh": "MLM 的回答"},
    "compare.col.AR_says": {"en": "AR says", "zh": "AR 的回答"},
    "compare.board_help": {
        "en": "The corpus's questions with known answers. MLM fills the blank from both sides (its top token of the "
        "whole vocabulary). AR cannot see right of a middle blank, so it tries each of {n} candidates (every "
        "question's answer plus words of the same kind: all capitals, all weekdays…) and keeps the sentence it "
        "finds most likely.",
        "zh": "语料里已知答案的问题。MLM 根据空的两侧来填（取整个词表里概率最高的词元）。AR 看不到句子中间那个空的右边，"
        "所以它把 {n} 个候选词（每道题的答案，再加上同类的词：所有首都、所有星期……）逐个填进去，留下它认为最可能的句子。",
    },
    "compare.same_candidates": {
        "en": "MLM also picks from the same candidates",
        "zh": "让 MLM 也从同样的候选词里选",
    },
    "compare.series": {"en": "{name}: {right}/{total} right", "zh": "{name}：答对 {right}/{total}"},
    "compare.group.right": {"en": "needs right context ({total})", "zh": "需要右侧上下文（{total}）"},
    "compare.group.left": {"en": "left context suffices ({total})", "zh": "左侧上下文就够（{total}）"},
    "compare.answered": {"en": "questions answered right", "zh": "答对的题目比例"},
    "compare.row.blank_accuracy": {
        "en": "accuracy on the same {n} held-out blanks",
        "zh": "同样 {n} 个留出空上的准确率",
    },
    "compare.row.baseline_accuracy": {
        "en": "always saying the most common token, same blanks",
        "zh": "总是回答最常见的词元时，在相同空位上的准确率",
    },
    "compare.col.model": {"en": "model", "zh": "模型"},
    "compare.col.blank_accuracy": {"en": "same blanks", "zh": "相同空位"},
    "compare.col.baseline": {"en": "guessing baseline", "zh": "瞎猜基线"},
    "compare.col.baseline_help": {
        "en": "The accuracy on the same blanks of always saying the most common token: a model near it is still "
        "guessing.",
        "zh": "在相同空位上总是回答最常见的词元时的准确率：接近它的模型还在瞎猜。",
    },
    "compare.col.facts": {"en": "facts known", "zh": "知道的事实"},
    "compare.col.time": {"en": "time", "zh": "时间"},
    "compare.facts": {"en": "{known}/{asked} ({share:.0%})", "zh": "{known}/{asked}（{share:.0%}）"},
    "compare.row.blank_loss": {"en": "loss on those blanks (nats)", "zh": "这些空上的损失（nats）"},
    "compare.row.elapsed_s": {"en": "training time", "zh": "训练时间"},
    "compare.row.steps": {"en": "steps", "zh": "步数"},
    "compare.row.tokens_seen": {"en": "tokens seen", "zh": "见过的词元数"},
    "compare.row.targets_trained": {"en": "tokens the loss was computed on (≈)", "zh": "计算损失的词元数（约）"},
    "compare.row.train_val_loss": {
        "en": "own held-out loss (not comparable: MLM's is over masked positions only, AR's over every next token)",
        "zh": "各自的留出集损失（不可比：MLM 只算被遮住的位置，AR 算每个下一个词元）",
    },
    "compare.blanks_help": {
        "en": "Held-out tokens the models never trained on, hidden one at a time: MLM sees both sides of the blank, "
        "AR the tokens before it; both pick from the whole vocabulary.",
        "zh": "模型从没训练过的留出词元，每次只遮一个：MLM 能看到空的两侧，AR 只能看到它前面的词元；两者都从整个词表里选。",
    },
    "compare.blank_middle": {"en": "A blank in the middle", "zh": "空在句子中间"},
    "compare.blank_end": {"en": "A blank at the end", "zh": "空在句子末尾"},
    "compare.sentence": {"en": "Sentence", "zh": "句子"},
    "compare.masks_help": {
        "en": "Which tokens each token may look at (row: the token looking; column: the token looked at). This mask "
        "is the one architectural difference between the two models.",
        "zh": "每个词元可以看哪些词元（行：发出注意力的词元；列：被看的词元）。这个掩码是两个模型在结构上唯一的区别。",
    },
    "compare.mask.mlm": {"en": "MLM: bidirectional", "zh": "MLM：双向"},
    "compare.mask.ar": {"en": "AR: causal", "zh": "AR：因果（只看左边）"},
    "compare.layer": {"en": "Layer", "zh": "层"},
    "compare.head": {"en": "Head", "zh": "注意力头"},
    "compare.where": {
        "en": "Where the trained models really look, in this layer and head (each row adds up to 1).",
        "zh": "训练好的模型在这一层、这个注意力头上实际看向哪里（每一行加起来都等于 1）。",
    },
    "compare.prompt": {"en": "Prompt", "zh": "开头文本（提示词）"},
    "compare.new_tokens": {"en": "New tokens", "zh": "新生成的词元数"},
    "compare.ar_writes": {
        "en": "**{name}** generates: the next token, again and again (greedy), as it was trained to.",
        "zh": "**{name}** 生成文本：一次又一次地预测下一个词元（贪心解码），正是它训练时学的事。",
    },
    "compare.mlm_writes": {
        "en": "**{name}**, iterative mask-filling: {n} [MASK]s appended, then filled one at a time, left to right. "
        "BERT was never trained to write; this is a stunt, not generation.",
        "zh": "**{name}**，逐个填空：在后面接上 {n} 个 [MASK]，再从左到右一个一个填。BERT 从没学过写作；"
        "这只是个把戏，不是真正的生成。",
    },
    "compare.step_by_step": {"en": "Step by step", "zh": "逐步展开"},
    "compare.answer.fill": {
        "en": "fill-mask: reads the words on both sides of the blank (whole vocabulary)",
        "zh": "填空：读空两侧的词（整个词表）",
    },
    "compare.answer.candidates": {
        "en": "tries each of {n} candidates in the blank and scores the whole sentence (share of probability among "
        "the candidates)",
        "zh": "把 {n} 个候选词逐个填进空里，给整句话打分（在候选词之间分配的概率）",
    },
    "compare.answer.next": {
        "en": "next word after the left context (whole vocabulary)",
        "zh": "根据左侧上下文预测下一个词（整个词表）",
    },
    # -- fine-tune page -----------------------------------------------------------------------------
    "finetune.title": {"en": "Fine-tune on a labelled task", "zh": "在标注任务上微调"},
    "finetune.caption": {
        "en": "What does self-supervised pretraining buy? Teach a model to classify sentences with only a few "
        "labelled examples, and compare with the same model trained from random weights.",
        "zh": "自监督预训练到底带来了什么？只用少量标注样本教模型给句子分类，再和从随机权重开始训练的同一个模型比一比。",
    },
    "finetune.start": {"en": "Start from", "zh": "从哪个模型开始"},
    "finetune.scratch_start": {
        "en": "nothing: random weights (from scratch)",
        "zh": "什么都不用：随机权重（从零开始）",
    },
    "finetune.task": {"en": "Task", "zh": "任务"},
    "finetune.source.built-in": {"en": "built-in", "zh": "内置任务"},
    "finetune.source.upload": {"en": "upload", "zh": "上传文件"},
    "finetune.builtin": {"en": "Built-in task", "zh": "内置任务"},
    "finetune.upload": {
        "en": "Labelled file (.csv with a header, or .jsonl): a text and a label column, optionally a split column "
        "(train / validation / test)",
        "zh": "标注文件（带表头的 .csv，或 .jsonl）：一列文本、一列标签，可以再加一列划分（train / validation / test）",
    },
    "finetune.linked_file": {
        "en": "Using the labelled file of the link (uploaded to this server before).",
        "zh": "正在使用链接里的标注文件（之前已上传到这台服务器）。",
    },
    "finetune.method": {"en": "Method", "zh": "方法"},
    "finetune.method.linear-probe": {"en": "linear-probe", "zh": "线性探测"},
    "finetune.method.full": {"en": "full", "zh": "全量微调"},
    "finetune.method.lora": {"en": "lora", "zh": "LoRA 低秩适配"},
    "finetune.method.ia3": {"en": "ia3", "zh": "IA³ 通道缩放"},
    "finetune.method.scratch": {"en": "scratch", "zh": "从零开始"},
    "finetune.explain.linear-probe": {
        "en": "Only a linear classifier on the frozen network's features learns (GPT-2: with its last LayerNorm, as "
        "its classifier has no bias). Shows what the pretrained features already know about the task.",
        "zh": "网络冻结不动，只训练它特征之上的一个线性分类器（GPT-2 还连同最后一个 LayerNorm，因为它的分类器没有偏置）。"
        "看的是预训练特征本身对这个任务已经知道多少。",
    },
    "finetune.explain.full": {
        "en": "Every weight learns, starting from the pretrained ones. The most flexible, and the most to store: a "
        "full copy of the model per task.",
        "zh": "从预训练的权重出发，所有权重都参与学习。最灵活，存储也最多：每个任务都要一整份模型。",
    },
    "finetune.explain.lora": {
        "en": "The pretrained weights stay frozen; small low-rank matrices added to the attention layers learn (plus "
        "the head). A few % of the parameters, a small file per task.",
        "zh": "预训练权重保持冻结；在注意力层上加入的小型低秩矩阵参与学习（再加上分类头）。只占百分之几的参数，每个任务一个小文件。",
    },
    "finetune.explain.ia3": {
        "en": "The pretrained weights stay frozen; one scale per channel of the attention keys, values and "
        "feed-forward output learns (IA³, plus the head). The fewest trainable parameters.",
        "zh": "预训练权重保持冻结；注意力的键、值和前馈层输出的每个通道各学一个缩放系数（IA³，再加上分类头）。可训练参数最少。",
    },
    "finetune.explain.scratch": {
        "en": "The same architecture with random weights; every weight learns from the labels alone. The baseline: "
        "what you get without pretraining.",
        "zh": "结构相同，但权重是随机的；所有权重只从标签中学习。这是基线：不做预训练时能得到的结果。",
    },
    "finetune.budget": {"en": "Labelled training examples", "zh": "标注训练样本数"},
    "finetune.budget_help": {
        "en": "A class-balanced sample of the training split.",
        "zh": "从训练集中按类别均衡抽取的样本。",
    },
    "finetune.budget.all": {"en": "all", "zh": "全部"},
    "finetune.settings": {"en": "Settings", "zh": "设置"},
    "finetune.steps": {"en": "Steps", "zh": "步数"},
    "finetune.lr": {"en": "Learning rate", "zh": "学习率"},
    "finetune.seed": {"en": "Seed", "zh": "随机种子"},
    "finetune.rank": {"en": "LoRA rank", "zh": "LoRA 秩"},
    "finetune.arch": {"en": "Architecture from scratch", "zh": "从零开始时的结构"},
    "finetune.arch.mlm": {"en": "BERT (encoder)", "zh": "BERT（编码器）"},
    "finetune.arch.ar": {"en": "GPT-2 (decoder)", "zh": "GPT-2（解码器）"},
    "finetune.col.label": {"en": "label", "zh": "标签"},
    "finetune.world": {
        "en": "This run was pretrained on {corpus}; the task uses the words of {world}.",
        "zh": "这次训练是在 {corpus} 上预训练的；这个任务用的是 {world} 里的词。",
    },
    "finetune.launch": {"en": "Fine-tune", "zh": "开始微调"},
    "finetune.queued": {"en": "Queued…", "zh": "排队中……"},
    "finetune.step": {"en": "Step {step} of {steps}", "zh": "第 {step} 步（共 {steps} 步）"},
    "finetune.failed": {"en": "Failed: {error}", "zh": "失败：{error}"},
    "finetune.done": {
        "en": "{status}: test accuracy {accuracy:.1%}, macro-F1 {f1:.3f}.",
        "zh": "{status}：测试集准确率 {accuracy:.1%}，宏平均 F1 {f1:.3f}。",
    },
    "finetune.chance": {"en": "chance", "zh": "随机猜测"},
    "finetune.results": {"en": "Results", "zh": "结果"},
    "finetune.no_runs": {"en": "No fine-tuning runs yet: launch one above.", "zh": "还没有微调过：在上面启动一次吧。"},
    "finetune.col.method": {"en": "method", "zh": "方法"},
    "finetune.col.pretrained": {"en": "pretrained", "zh": "预训练模型"},
    "finetune.col.task": {"en": "task", "zh": "任务"},
    "finetune.col.labels_used": {"en": "labels used", "zh": "所用标注数"},
    "finetune.col.test_accuracy": {"en": "test accuracy %", "zh": "测试准确率 %"},
    "finetune.col.macro_F1": {"en": "macro-F1", "zh": "宏平均 F1"},
    "finetune.col.trainable": {"en": "trainable %", "zh": "可训练参数 %"},
    "finetune.col.trainable_params": {"en": "trainable params", "zh": "可训练参数量"},
    "finetune.col.train_time_s": {"en": "train time (s)", "zh": "训练时间（秒）"},
    "finetune.col.peak_memory_MB": {"en": "peak memory (MB)", "zh": "内存峰值（MB）"},
    "finetune.col.state_memory_MB": {"en": "state memory (MB)", "zh": "状态内存（MB）"},
    "finetune.col.status": {"en": "status", "zh": "状态"},
    "finetune.col.run": {"en": "run", "zh": "训练编号"},
    "finetune.col.error": {"en": "error", "zh": "错误"},
    "finetune.table_help": {
        "en": "Train time: the training loop only. Peak memory: what the run added to its process at its peak (CPU: "
        "resident memory; GPU: allocated). State memory: weights + gradients + AdamW state of the trainable weights.",
        "zh": "训练时间：只算训练循环。峰值内存：这次训练在进程里额外占用的最高内存（CPU：常驻内存；GPU：已分配显存）。"
        "状态内存：可训练权重的权重 + 梯度 + AdamW 状态。",
    },
    "finetune.confusion": {"en": "Confusion matrix", "zh": "混淆矩阵"},
    "finetune.confusion_help": {"en": "Run {run}, on the test split.", "zh": "训练 {run}，在测试集上。"},
    "finetune.try": {"en": "Try it", "zh": "试一试"},
    "finetune.sentence": {"en": "A sentence", "zh": "一个句子"},
    # -- lessons page (the lessons' own texts are course data: selfsup_core/lessons.py) ---------------
    "nav.lessons": {"en": "Lessons", "zh": "课程"},
    "lessons.title": {"en": "Lessons", "zh": "课程"},
    "lessons.caption": {
        "en": "Guided experiments: predict what will happen, run it, then see why.",
        "zh": "引导式实验：先预测会发生什么，再运行，最后看看为什么。",
    },
    "lessons.home_link": {
        "en": "Guided lessons: predict, run, see why (masking, 15%, MLM vs AR, pretraining)",
        "zh": "引导式课程：预测、运行、看看为什么（遮盖、15%、MLM 与 AR、预训练）",
    },
    "lessons.pick": {"en": "Lesson", "zh": "课程"},
    "lessons.step": {"en": "Step {n} of {total}: {title}", "zh": "第 {n} 步（共 {total} 步）：{title}"},
    "lessons.control.size": {"en": "Model size", "zh": "模型大小"},
    "lessons.control.seconds": {"en": "Seconds per run", "zh": "每次训练的秒数"},
    "lessons.control.seed": {"en": "Seed", "zh": "随机种子"},
    "lessons.control.corpus": {"en": "Corpus", "zh": "语料"},
    "lessons.state.open": {"en": "open", "zh": "开放"},
    "lessons.state.locked": {"en": "locked", "zh": "锁定"},
    "lessons.state.hidden": {"en": "hidden", "zh": "隐藏"},
    "lessons.metric.val_accuracy": {"en": "held-out accuracy", "zh": "留出集准确率"},
    "lessons.metric.val_loss": {"en": "held-out loss (nats)", "zh": "留出集损失（nats）"},
    "lessons.metric.blank_accuracy": {
        "en": "accuracy on the same held-out blanks",
        "zh": "同一批留出集空位上的准确率",
    },
    "lessons.metric.test_accuracy": {"en": "test accuracy", "zh": "测试集准确率"},
    "lessons.locked": {"en": "Locked by the teacher", "zh": "已被老师锁定"},
    "lessons.commit": {"en": "Lock in my prediction", "zh": "确定我的预测"},
    "lessons.predict_first": {
        "en": "Commit to a prediction first: the Run button unlocks after it.",
        "zh": "先确定你的预测，之后“运行”按钮才会解锁。",
    },
    "lessons.run": {"en": "Run", "zh": "运行"},
    "lessons.reveal": {"en": "Measure", "zh": "测量"},
    "lessons.plan": {
        "en": "{n} run(s) of {seconds} s each: all done in about {total:.0f} s.",
        "zh": "共 {n} 次训练，每次 {seconds} 秒：全部完成约需 {total:.0f} 秒。",
    },
    "lessons.plan_finetune": {"en": "{n} short fine-tuning run(s).", "zh": "共 {n} 次简短的微调。"},
    "lessons.plan_reuse": {
        "en": "No new training: the runs of step {n} are measured again.",
        "zh": "不再训练：重新测量第 {n} 步的训练结果。",
    },
    "lessons.needs_earlier": {
        "en": "Run step {n} first: this step uses the models it trains.",
        "zh": "请先运行第 {n} 步：这一步要用到它训练出的模型。",
    },
    "lessons.you_said": {"en": "You predicted", "zh": "你的预测"},
    "lessons.happened": {"en": "What happened", "zh": "实际结果"},
    "lessons.no_prediction": {"en": "(no prediction recorded)", "zh": "（没有记录预测）"},
    "lessons.right": {"en": "Your prediction was right.", "zh": "你的预测是对的。"},
    "lessons.wrong": {
        "en": "Not this time: that is what experiments are for.",
        "zh": "这次没猜中：这正是做实验的意义。",
    },
    "lessons.no_verdict": {
        "en": "No verdict: a run did not finish with a result.",
        "zh": "无法判断：有一次训练没有得出结果。",
    },
    "lessons.debrief": {"en": "Why?", "zh": "为什么？"},
    "lessons.back": {"en": "Previous step", "zh": "上一步"},
    "lessons.next": {"en": "Next step", "zh": "下一步"},
    "lessons.done": {
        "en": "Lesson complete! Pick another lesson, or compare with the class on the Class results page.",
        "zh": "这一课完成了！选择另一课，或者去“班级结果”页面和全班比一比。",
    },
    "lessons.teacher": {"en": "Teacher: controls of this lesson", "zh": "老师：这一课的控件"},
    "lessons.teacher_help": {
        "en": "Locked: students see the preset value, greyed out. Hidden: not shown, and the preset value is used. "
        "Applies at once to every student on this server.",
        "zh": "锁定：学生看到灰色的预设值，不能修改。隐藏：不显示，并使用预设值。对这台服务器上的所有学生立即生效。",
    },
    # -- class results page -------------------------------------------------------------------------
    "nav.class_results": {"en": "Class results", "zh": "班级结果"},
    "class.title": {"en": "Class results", "zh": "班级结果"},
    "class.caption": {
        "en": "Everyone's finished training runs on this server: which settings gave the best held-out results?",
        "zh": "这台服务器上全班已完成的训练：哪些设置得到了最好的留出集结果？",
    },
    "class.x": {"en": "Setting", "zh": "设置"},
    "class.y": {"en": "Result", "zh": "结果"},
    "class.setting.mask_rate": {"en": "mask rate", "zh": "掩码率"},
    "class.setting.strategy": {"en": "masking strategy", "zh": "掩码策略"},
    "class.setting.augmentation": {"en": "augmentation", "zh": "数据增强"},
    "class.setting.size": {"en": "model size", "zh": "模型大小"},
    "class.setting.seconds": {"en": "training time (s)", "zh": "训练时间（秒）"},
    "class.setting.corpus": {"en": "corpus", "zh": "语料"},
    "class.result.val_accuracy": {"en": "held-out accuracy", "zh": "留出集准确率"},
    "class.result.val_loss": {"en": "held-out loss (nats)", "zh": "留出集损失（nats）"},
    "class.names": {"en": "Show nicknames", "zh": "显示昵称"},
    "class.empty": {
        "en": "No finished runs yet. Train a model (or follow a lesson) and it appears here.",
        "zh": "还没有完成的训练。训练一个模型（或者跟着一课做实验），结果就会出现在这里。",
    },
    "class.since": {
        "en": "Showing runs finished since the teacher's reset at {time}.",
        "zh": "显示老师在 {time} 重置之后完成的训练。",
    },
    "class.count": {"en": "{runs} runs by {students} students", "zh": "{students} 位同学的 {runs} 次训练"},
    "class.left_out": {
        "en": "{n} runs are left out: the setting does not apply to them (e.g. AR has no mask rate).",
        "zh": "有 {n} 次训练没有画出：这个设置对它们不适用（例如 AR 没有掩码率）。",
    },
    "class.caveat": {
        "en": "MLM and AR are scored on different exercises (see the MLM vs AR page): compare within a colour.",
        "zh": "MLM 和 AR 是在不同的练习上打分的（见“MLM 与 AR 对比”页面）：请在同一种颜色之内比较。",
    },
    "class.anonymous": {"en": "anonymous", "zh": "匿名"},
    "class.none": {"en": "none", "zh": "无"},
    "class.reset": {"en": "Reset class results", "zh": "重置班级结果"},
    "class.reset_help": {
        "en": "Start a fresh board: only runs finished from now on are shown. No run is deleted.",
        "zh": "重新开始：只显示从现在起完成的训练。不会删除任何训练。",
    },
    "class.reset_done": {"en": "Class results reset.", "zh": "班级结果已重置。"},
    "class.col.nickname": {"en": "student", "zh": "同学"},
    "class.col.objective": {"en": "objective", "zh": "训练目标"},
    "class.col.run": {"en": "run", "zh": "训练"},
    "class.budget_pick": {"en": "Compare runs of", "zh": "比较这类训练"},
    "class.budget_help": {
        "en": "A setting is only compared fairly with runs of the same model size and duration.",
        "zh": "只有模型大小和训练时长都相同的训练，才能公平地比较某个设置。",
    },
    "class.budget": {"en": "{size} · {duration} ({n} runs)", "zh": "{size} · {duration}（{n} 次训练）"},
    "class.seconds": {"en": "{s:.0f} s", "zh": "{s:.0f} 秒"},
    "class.steps": {"en": "{n} steps", "zh": "{n} 步"},
    "class.all_budgets": {"en": "every size and duration ({n} runs)", "zh": "所有大小和时长（{n} 次训练）"},
    "class.mixed": {
        "en": "These runs differ in model size or duration ({n} kinds): a point may be higher because it trained "
        "longer or bigger, not because of its setting. Pick one kind above.",
        "zh": "这些训练的模型大小或时长不同（{n} 类）：一个点更高，可能是因为训练得更久或模型更大，而不是因为它的设置。"
        "请在上面选一类。",
    },
}


def placeholders(text: str) -> set[tuple[str, str]]:
    """The {name:spec} fields of a catalogue text, to check that both languages take the same arguments."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def text(key: str, language: str, **fmt: Any) -> str:
    """The catalogue text of `key` in `language`, formatted with `fmt` (a missing key is a bug: KeyError)."""
    s = TEXT[key][language]
    return s.format(**fmt) if fmt else s


def lang() -> str:
    """The session's language: chosen in the sidebar, else from the URL's ?lang=, else English."""
    if st.session_state.get("lang") not in LANGS:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT
    return st.session_state["lang"]


def t(key: str, **fmt: Any) -> str:
    """The text of `key` in the session's language: `t("probe.blank", n=2)`."""
    return text(key, lang(), **fmt)


def labels(prefix: str):
    """A `format_func` for options whose labels are the catalogue's `prefix + option`:
    `st.radio(t("corpus.tokenizer"), KINDS, format_func=labels("corpus.kind."), key=...)`. The language is
    fixed when it is made, because AppTest formats options again later, outside the session's script run."""
    language = lang()
    return lambda option: text(f"{prefix}{option}", language)


def headers(prefix: str, names: Iterable[str]) -> dict[str, str]:
    """Column names of a table built in the core (English identifiers such as "labels used" or "tokens/s")
    -> their labels in the catalogue, under `prefix` + the name with "/" read as "per" and other runs of
    non-letters as "_": `df.rename(columns=headers("finetune.col", df.columns))`."""
    return {n: t(f"{prefix}.{re.sub(r'[^0-9A-Za-z]+', '_', n.replace('/', ' per ')).strip('_')}") for n in names}


def switch() -> None:
    """The language switch (drawn in the sidebar on every page); keeps ?lang= in the URL so a shared link
    opens in this language. The widget has its own key: widget state is dropped on a page that does not draw
    it, while "lang" must survive until the switch is drawn again."""
    st.session_state["lang_switch"] = lang()
    st.segmented_control(SWITCH_LABEL, list(LANGS), format_func=LANGS.get, required=True, key="lang_switch",
                         on_change=_switched)  # fmt: skip
    if lang() == DEFAULT:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang()


def _switched() -> None:
    """The switch's callback. Every widget value is set again: the browser knows a radio's or select box's
    choice by its label, and would show nothing selected once the labels change language."""
    st.session_state["lang"] = st.session_state["lang_switch"]
    for key in list(st.session_state):
        try:
            st.session_state[key] = st.session_state[key]
        except StreamlitAPIException:  # buttons, uploads, forms: nothing to keep
            pass


def error_text(e: BaseException) -> str:
    """A core error for the current language: in English its own message; otherwise the catalogue's message
    for its type (the nearest known base class) with the original text as detail."""
    if lang() == "en":
        return str(e)
    key = next((f"error.{c.__name__}" for c in type(e).__mro__ if f"error.{c.__name__}" in TEXT), None)
    return t("error.detail", message=t(key), detail=str(e)) if key else str(e)


def figure(fig: Any) -> Any:
    """A `selfsup_core.charts` figure with its fixed English axis titles and legend suffixes in the current
    language (titles passed in by the page are already translated)."""
    if lang() == "en":
        return fig
    words = {TEXT[k]["en"]: t(k) for k in TEXT if k.startswith("chart.") and not k.startswith("chart.suffix.")}
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        if axis.title.text in words:
            axis.title.text = words[axis.title.text]
    suffixes = [(TEXT[k]["en"], t(k)) for k in ("chart.suffix.train", "chart.suffix.heldout")]
    for trace in fig.data:
        name = trace.name or ""
        if trace.name in words:
            trace.name = words[name]
        for en, here in suffixes:
            if name.endswith(en):
                trace.name = name[: -len(en)] + here
    return fig
