"""English / 中文 UI: the text catalogue is complete, converted pages show no English in Chinese mode, the
language comes from the URL and the sidebar switch, and switching keeps the page's settings."""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from lab import i18n
from selfsup_core import experiments, finetune, lessons, runs
from selfsup_core.augment import EXPLANATIONS
from selfsup_core.config import TrainConfig
from selfsup_core.corpus import builtin_names, load_builtin
from selfsup_core.finetune import METHODS
from selfsup_core.train import train

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# Pages converted to the catalogue: each is opened in Chinese and checked for English left over.
# Phase 2: add one line per converted page.
PAGES = [
    "lab/pages/home.py",
    "lab/pages/corpus.py",
    "lab/pages/probe.py",
    "lab/pages/inside.py",
    "lab/pages/sweep.py",
    "lab/pages/masking.py",
    "lab/pages/train.py",
    "lab/pages/compare.py",
    "lab/pages/finetune.py",
    "lab/pages/lessons.py",
    "lab/pages/class_results.py",
]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


# -- the catalogue ----------------------------------------------------------------------------------
def test_every_key_has_non_empty_english_and_chinese_with_the_same_placeholders():
    for key, entry in i18n.TEXT.items():
        assert set(entry) == set(i18n.LANGS), key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert i18n.placeholders(entry["en"]) == i18n.placeholders(entry["zh"]), key
        assert CJK.search(entry["zh"]), f"{key}: the Chinese text has no Chinese in it"


def test_every_lesson_text_has_english_and_chinese_with_the_same_placeholders():
    """The lessons' own texts are course data in selfsup_core.lessons, held to the catalogue's standard."""
    texts = lessons.texts()
    assert len(texts) > 60
    for entry in texts:
        assert set(entry) == set(i18n.LANGS), entry
        assert entry["en"].strip() and entry["zh"].strip(), entry
        assert i18n.placeholders(entry["en"]) == i18n.placeholders(entry["zh"]), entry
        assert CJK.search(entry["zh"]), f"{entry['en']}: the Chinese text has no Chinese in it"


def test_every_key_the_app_asks_for_exists():
    """A literal t("…") key in the app that is missing from the catalogue would crash only when drawn."""
    sources = [ROOT / "app.py", *sorted((ROOT / "lab").rglob("*.py"))]
    used = {k for p in sources for k in re.findall(r"\bt\(\s*\"([a-z_.\-]+)\"", p.read_text())}
    assert used and not used - set(i18n.TEXT)


def test_every_column_of_a_table_built_in_the_core_has_its_label_in_both_languages(monkeypatch):
    """The core's tables are keyed by identifiers and hold raw values; `lab.tables` labels, scales and rounds
    them (a column without a catalogue label fails with KeyError)."""
    from lab import charts as lab_charts
    from lab import tables
    from selfsup_core import charts

    run = SimpleNamespace(
        id="r1",
        status="completed",
        config={"method": "lora", "task": "sentiment-en"},
        summary={"test_accuracy": 0.81234, "macro_f1": 0.77777, "train_s": 3.14159},
    )
    row = {"text": "a [MASK] .", "answer": "b", "needs_right_context": True, "correct": False, "prediction": "c"}
    results = finetune.results_table([run])[0]
    assert results["test_accuracy"] == 0.81234 and "test accuracy %" not in results  # data, not presentation
    board = experiments.scoreboard_table({"MLM": [row], "AR": [row]})
    assert board[0]["answers"]["AR"] == {"prediction": "c", "correct": False}
    metrics = dict(
        blanks=7,
        blank_accuracy=0.5,
        baseline_accuracy=0.1,
        blank_loss=1.0,
        elapsed_s=3,
        steps=10,
        tokens_seen=99,
        targets_trained=9,
        train_val_loss=2.0,
    )
    for language in i18n.LANGS:
        monkeypatch.setattr(i18n, "lang", lambda language=language: language)
        shown = tables.finetune_results([results])
        assert len(shown.columns) == len(results) and all(c.strip() for c in shown.columns)
        assert shown.iloc[0][i18n.text("finetune.col.test_accuracy", language)] == 81.2  # percent, rounded
        scoreboard = tables.scoreboard(board)
        assert scoreboard.iloc[0][i18n.text("compare.col.AR_says", language)] == "✗ c"
        comparison = tables.comparison({"MLM": metrics})
        assert comparison.index[0] == i18n.text("compare.row.blank_accuracy", language, n=7)
        assert list(comparison["MLM"])[:1] == ["50.0%"]
        assert set(tables.run_columns()) == set(tables.RUN_COLUMNS) == set(runs.table([])[:1] or tables.RUN_COLUMNS)
        words = lab_charts.words()
        assert set(words) == set(charts.WORDS) and all(w.strip() for w in words.values())
        if language == "zh":
            assert not set(shown.columns) & set(results), shown.columns  # translated, not passed through
            assert (
                lab_charts.loss_curves([("x", [{"step": 1, "train_loss": 2.0}])]).layout.xaxis.title.text
                == words["step"]
            )


def test_catalogue_copies_of_core_texts_match_the_core():
    """Corpus descriptions, augmentation and fine-tuning method explanations live in the core too: the copies
    must not drift."""
    for name in builtin_names():
        world = load_builtin(name)
        assert i18n.TEXT[f"corpus.about.{name}"][world.language] == world.description
    for kind, explanation in EXPLANATIONS.items():
        assert i18n.TEXT[f"aug.explain.{kind}"]["en"] == explanation
    for method, explanation in METHODS.items():
        assert i18n.TEXT[f"finetune.explain.{method}"]["en"] == explanation


def test_core_errors_are_shown_by_type_in_chinese_with_the_original_as_detail(monkeypatch):
    from selfsup_core.corpus import CorpusError, CorpusTooShortError

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    shown = i18n.error_text(CorpusTooShortError("This text is too short (1 document)."))
    assert shown.startswith(i18n.TEXT["error.CorpusTooShortError"]["zh"]) and "(1 document)" in shown
    assert i18n.error_text(CorpusError("x")).startswith(i18n.TEXT["error.CorpusError"]["zh"])  # base class
    assert i18n.error_text(KeyError("no-such")) == "'no-such'"  # unknown types: the message as it is


# -- pages in Chinese -------------------------------------------------------------------------------
ALLOWED = re.compile(
    r"`[^`]*`"  # code spans: corpus names, paths
    r"|\$[^$]*\$"  # formulas
    r"|\[[A-Z]+\]"  # [MASK] [UNK] …
    r"|\*[\x20-\x7e]+\*"  # an italic all-ASCII span: a paper's title
    r"|https?://\S+"
)
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,:;]+[A-Za-z][A-Za-z'’-]+){2,}")  # three English words in a row
TEXT_FIELDS = {"label", "body", "help", "placeholder"}
NOT_UI = {"html", "code", "arrow_data_frame", "dataframe", "json", "latex", "text", "exception"}  # data, user text


def _strings(message, found: list[str]) -> None:
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            for sub in [value] if hasattr(value, "ListFields") else value:  # one message, or a repeated field
                _strings(sub, found)
        elif field.name in TEXT_FIELDS and isinstance(value, str):
            found.append(value)


def shown_texts(at: AppTest) -> list[str]:
    """Every text a user reads on the page: titles, markdown, captions, alerts, widget labels and help, tab
    and expander labels, radio options, page links, chart titles; not data (tables, token boxes, code)."""
    found: list[str] = []

    def walk(node) -> None:
        kind, proto = getattr(node, "type", ""), getattr(node, "proto", None)
        if kind == "plotly_chart":
            layout = json.loads(proto.spec).get("layout", {})
            found.extend(str(layout.get(k, {}).get("title", {}).get("text") or "") for k in ("xaxis", "yaxis"))
            found.append(str((layout.get("title") or {}).get("text") or ""))
        elif proto is not None and kind not in NOT_UI:
            _strings(proto, found)
            if kind == "radio":
                found.extend(proto.options)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [s for s in found if s.strip()]


def untranslated(at: AppTest) -> list[str]:
    """The shown texts that are still English: an English catalogue text, or three English words in a row
    once code, formulas, [MASK]-like tokens and cited titles are set aside."""
    english = {e["en"] for e in i18n.TEXT.values() if e["en"] != e["zh"] and re.search("[A-Za-z]{2}", e["en"])}
    return [s for s in shown_texts(at) if s in english or ENGLISH_RUN.search(ALLOWED.sub(" ", s))]


def open_page(page: str, lang: str | None = "zh", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"lang": lang, **params}.items():
        if value:
            at.query_params[key] = value
    at.run()
    at.switch_page(page)
    for key, value in params.items():  # switching pages clears the URL's parameters
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    """A runs folder with one finished nano MLM run on the Chinese world (2 checkpoints)."""
    root = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(
        corpus="world-zh", tokenizer="char", size="nano", steps=20, batch_size=8, eval_every=10, checkpoints=2
    )
    path = runs.create_run(cfg.to_dict(), root)
    train(cfg, path)
    return root, path.name


@pytest.fixture
def with_zh_run(monkeypatch, zh_run):
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(zh_run[0]))
    return zh_run[1]


def test_the_detector_finds_english_left_on_a_page_in_chinese(with_zh_run):
    """The check below must be able to fail: the same page in English is all 'untranslated'."""
    at = open_page("lab/pages/corpus.py", lang=None)
    left = untranslated(at)
    assert "Corpus & tokens" in left and "Where does the text come from?" in left


@pytest.mark.parametrize("page", PAGES)
def test_page_in_chinese_shows_no_english_label(page, with_zh_run):
    at = open_page(page, run=with_zh_run)
    assert not untranslated(at), untranslated(at)
    assert at.title[0].value in {e["zh"] for e in i18n.TEXT.values()}


# -- the language: URL, switch, state kept ----------------------------------------------------------
def switch_language(at: AppTest, lang: str) -> AppTest:
    """What the sidebar switch's callback does. AppTest (1.67) runs app.py, and so the sidebar, only on the
    first run; the switch itself is clicked in the browser test (tests/e2e/test_language.py)."""
    at.session_state["lang"] = lang
    return at.run()


def test_a_link_with_lang_zh_opens_in_chinese_and_the_url_keeps_it(runs_dir):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == i18n.TEXT["home.title"]["zh"]
    assert at.session_state["lang"] == "zh"
    assert at.query_params["lang"] in ("zh", ["zh"]) and not untranslated(at), untranslated(at)  # sidebar too
    at.switch_page("lab/pages/sweep.py").run()
    assert at.title[0].value == i18n.TEXT["sweep.title"]["zh"]


def test_switching_language_keeps_the_corpus_pages_settings(runs_dir):
    at = open_page("lab/pages/corpus.py", lang=None)
    at.selectbox(key="corpus_builtin").select("world-zh").run()
    at.radio(key="corpus_tokenizer").set_value("char").run()
    at.text_area(key="corpus_sentence-world-zh").input("小猫在院子里叫").run()
    switch_language(at, "zh")
    assert not at.exception, at.exception
    assert at.title[0].value == "语料与词元"
    assert at.session_state["config"]["corpus"] == "world-zh" and at.session_state["config"]["tokenizer"] == "char"
    assert at.radio(key="corpus_tokenizer").value == "char" and at.selectbox(key="corpus_builtin").value == "world-zh"
    assert at.text_area(key="corpus_sentence-world-zh").value == "小猫在院子里叫"
    assert {m.label for m in at.metric} >= {"不同的字", "词表大小"}
    assert any("\u4e00" <= ch <= "\u9fff" for h in at.get("html") for ch in h.proto.body)
    switch_language(at, "en")
    assert at.title[0].value == "Corpus & tokens"
    assert at.radio(key="corpus_tokenizer").value == "char"


def test_switching_language_keeps_the_sweep_settings(runs_dir):
    at = open_page("lab/pages/sweep.py", lang=None)
    at.button_group(key="sw_size").set_value("nano")
    at.number_input(key="sw_steps").set_value(10)
    at.multiselect(key="sw_rates").set_value([0.15, 0.4]).run()
    switch_language(at, "zh")
    assert not at.exception, at.exception
    assert at.button_group(key="sw_size").value == "nano" and at.number_input(key="sw_steps").value == 10
    assert at.multiselect(key="sw_rates").value == [0.15, 0.4]
    assert any(b.label == "启动掩码率扫描" for b in at.button)


def test_a_too_short_paste_is_explained_in_chinese(runs_dir):
    at = open_page("lab/pages/corpus.py")
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area(key="corpus_paste").input("你好").run()
    assert not at.exception, at.exception
    assert any(e.value.startswith("文本太短") for e in at.error)


def test_probe_page_fills_a_chinese_blank_on_a_world_zh_run(with_zh_run):
    at = open_page("lab/pages/probe.py", run=with_zh_run)
    question = load_builtin("world-zh").probes[at.selectbox(key="probe_example").value]
    assert "[MASK]" in at.code[0].value and CJK.search(at.code[0].value)
    assert at.code[0].value == question.text  # the blank starts on the question's own character
    # the figures' decoded text, not their raw JSON (which escapes non-ASCII as \uXXXX unless orjson is installed)
    layouts = [json.dumps(json.loads(c.proto.spec)["layout"], ensure_ascii=False) for c in at.get("plotly_chart")]
    assert any("第 1 个空" in layout for layout in layouts) and not at.error
    at.session_state["probe_tab"] = i18n.text("probe.tab.timeline", "zh")  # only the open tab is drawn
    at.run()
    layouts = [json.dumps(json.loads(c.proto.spec)["layout"], ensure_ascii=False) for c in at.get("plotly_chart")]
    assert any("训练步数" in layout for layout in layouts)  # the timeline's axis, translated


PLAY = "\n\n".join(
    f"{who}:\nBut soft, what light through yonder window breaks? It is the east.\nGood night."
    for who in ("ROMEO", "JULIET", "NURSE") * 8
)


def test_the_corpus_page_on_a_pasted_play_is_all_chinese(runs_dir):
    at = open_page("lab/pages/corpus.py")
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area(key="corpus_paste").input(PLAY).run()
    assert not at.exception, at.exception
    assert not untranslated(at), untranslated(at)
    assert any("按空行分成了 **24 个段落**" in m.value for m in at.markdown)
    assert any(c.value.startswith("你自己的文本默认使用 BPE 分词器") for c in at.caption)
    assert {m.label for m in at.metric} >= {"训练中的填充占比", "词表大小"}
    assert at.toggle(key="corpus_lowercase").label == "把文本转成小写"


@pytest.fixture(scope="module")
def ar_play_run(tmp_path_factory):
    """A runs folder with one nano AR run (char tokens, a few steps) on a short play."""
    root, text = tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("text") / "play.txt"
    text.write_text(PLAY, encoding="utf-8")
    cfg = TrainConfig(
        objective="ar",
        corpus=str(text),
        tokenizer="char",
        size="nano",
        steps=10,
        batch_size=8,
        eval_every=10,
        checkpoints=0,
        device="cpu",
    )
    path = runs.create_run(cfg.to_dict(), root)
    train(cfg, path)
    return root, path.name


def test_the_probe_page_on_an_ar_run_is_all_chinese(monkeypatch, ar_play_run):
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(ar_play_run[0]))
    at = open_page("lab/pages/probe.py", run=ar_play_run[1])
    assert not untranslated(at), untranslated(at)
    assert "▍" in at.code[0].value and any(c.value.startswith("▍ 标出你的开头文本") for c in at.caption)
    titles = [json.loads(c.proto.spec)["layout"].get("title", {}).get("text") for c in at.get("plotly_chart")]
    assert "下一个词元" in titles


def test_a_broken_catalogue_file_is_reported_with_its_file_and_key(tmp_path):
    """The words are data (assets/i18n/<lang>.toml); the loader says which file and entry is wrong."""
    for lang, body in {"en": '[nav]\nhome = "Start {n}"\nonly = "x"\n', "zh": '[nav]\nhome = "开始 {m}"\n'}.items():
        (tmp_path / f"{lang}.toml").write_text(body, encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=r"zh\.toml: not in every language: nav\.only"):
        i18n.load_catalogue(tmp_path)
    (tmp_path / "zh.toml").write_text('[nav]\nhome = "开始 {m}"\nonly = "x"\n', encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=r"placeholders of nav\.home differ"):
        i18n.load_catalogue(tmp_path)
    (tmp_path / "zh.toml").write_text('[nav]\nhome = "开始 {n}\n', encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=r"zh\.toml: .*line 2"):
        i18n.load_catalogue(tmp_path)
    assert set(i18n.load_catalogue()) == set(i18n.TEXT)  # the shipped files load
