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

import string
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
        "en": "A .txt (one document per line), .csv or .jsonl file",
        "zh": "一个 .txt 文件（每行一篇文档），或 .csv、.jsonl 文件",
    },
    "corpus.paste": {
        "en": "Your text, one document per line (at least 2 lines and about 200 characters)",
        "zh": "你的文本，每行一篇文档（至少 2 行，约 200 个字符）",
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
    "corpus.kind.word": {"en": "Words", "zh": "按词"},
    "corpus.kind.wordpiece": {"en": "WordPiece", "zh": "WordPiece 词片"},
    "corpus.explain.char": {
        "en": "Characters: every letter is a token. Tiny vocabulary, long sequences.",
        "zh": "按字符：每个字（或字母）就是一个词元。词表很小，序列很长。",
    },
    "corpus.explain.word": {
        "en": "Words: every distinct word is a token. Short sequences, but unseen words become [UNK].",
        "zh": "按词：每个不同的词就是一个词元。序列短，但没见过的词会变成 [UNK]。",
    },
    "corpus.explain.wordpiece": {
        "en": "WordPiece (BERT): frequent words whole, rare ones in pieces; ## marks a piece that continues a word.",
        "zh": "WordPiece（BERT 所用）：常见的词保持完整，少见的词拆成几个词片；## 表示这个词片接在前一片后面。",
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
    "corpus.per_word": {"en": "Tokens per word (samples)", "zh": "平均每词的词元数（示例文档）"},
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
    "probe.next_word": {"en": "Next word", "zh": "下一个词"},
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
    # -- sweep page ---------------------------------------------------------------------------------
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
        "en": "*Same blanks*: the same held-out tokens hidden one at a time, for every run: comparable. *Own*: "
        "the run's held-out text masked at its own rate: a harder test at higher rates.",
        "zh": "*相同空位*：每次训练都用同一批留出词元来测，一次只遮一个，结果可以直接比较。"
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
