"""Corpus & tokens page (AppTest): built-in worlds, pasted text (good and bad), tokenizer choice."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
GOOD_TEXT = "\n".join(f"Line {i}: the students wrote a sentence about tokens and masking." for i in range(12))


def open_corpus_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/corpus.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_tokens(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_defaults_show_world_en_stats_probes_and_tokens(runs_dir):
    at = open_corpus_page()
    shown = metrics(at)
    assert shown["Documents"] != "0" and int(shown["Distinct words"]) > 100
    assert int(shown["Vocabulary size"].replace(",", "")) > 5
    assert at.selectbox(key="corpus_builtin").value == "world-en"
    assert at.radio(key="corpus_tokenizer").value == "wordpiece"
    assert list(at.dataframe[1].value.columns) == ["question", "answer", "needs the words on the right"]
    assert "<span" in shown_tokens(at)
    assert not at.error


def test_switching_to_world_zh_updates_the_shared_settings_and_counts_characters(runs_dir):
    at = open_corpus_page()
    at.selectbox(key="corpus_builtin").select("world-zh").run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["corpus"] == "world-zh"
    assert "Distinct characters" in metrics(at)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in shown_tokens(at))


def test_pasting_one_word_shows_the_too_short_message_and_changes_nothing(runs_dir):
    at = open_corpus_page()
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area[0].input("hello").run()
    assert not at.exception, at.exception
    assert any("too short" in e.value for e in at.error)
    assert at.session_state["config"]["corpus"] == "world-en"
    assert not list(runs_dir.rglob("*.jsonl"))


def test_pasting_enough_text_saves_it_under_the_runs_folder_for_training(runs_dir):
    at = open_corpus_page()
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area[0].input(GOOD_TEXT).run()
    assert not at.exception, at.exception
    cfg = at.session_state["config"]
    path = Path(cfg["corpus"])
    assert path.parent == runs_dir.resolve() / "uploads" and path.is_file() and cfg["text_column"] == "text"
    assert metrics(at)["Documents"] == "12" and at.success


def test_choosing_the_char_tokenizer_is_stored_and_glues_word_pieces(runs_dir):
    at = open_corpus_page()
    at.radio(key="corpus_tokenizer").set_value("char").run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["tokenizer"] == "char"
    assert float(metrics(at)["Tokens per word (samples)"]) > 2
    assert "continues the word" in shown_tokens(at)
