"""Corpus & tokens page (AppTest): built-in worlds, pasted text (good and bad), tokenizer choice."""

import html
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
GOOD_TEXT = "\n".join(f"Line {i}: the students wrote a sentence about tokens and masking." for i in range(12))


def open_corpus_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("lab/pages/corpus.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_tokens(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def token_boxes(at: AppTest) -> list[str]:
    """The text of each token box of the page's token rows, as a reader sees it ("|" for a line break)."""
    rows = [h.proto.body for h in at.get("html") if "border-bottom:1px solid" in h.proto.body]
    boxes = re.findall(
        r'<span style="display:inline-block.*?</span>(?=<span style="display|<br>|</div>)|<br>', "".join(rows)
    )
    return ["|" if b == "<br>" else html.unescape(re.sub(r"<[^>]+>", "", b)) for b in boxes]


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


# A small play: speeches (paragraphs) separated by blank lines, each a speaker's name and two lines of verse.
SPEAKERS = ("ROMEO", "JULIET", "NURSE", "MERCUTIO")
VERSE = (
    "But soft, what light through yonder window breaks?",
    "It is the east, and Juliet is the sun.",
    "O Romeo, Romeo, wherefore art thou Romeo?",
    "Deny thy father and refuse thy name.",
    "A plague on both your houses!",
    "Good night, good night! Parting is such sweet sorrow.",
)
PLAY = "\n\n".join(f"{SPEAKERS[i % 4]}:\n{VERSE[i % 6]}\n{VERSE[(3 * i + 1) % 6]}" for i in range(240))


def paste(at: AppTest, text: str) -> AppTest:
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area(key="corpus_paste").input(text).run()
    assert not at.exception, at.exception
    return at


def test_pasting_a_play_splits_it_into_paragraphs_switches_to_bpe_and_pads_little(runs_dir):
    at = open_corpus_page()
    at.session_state["config"] = {**at.session_state["config"], "objective": "ar"}  # as set in the Masking lab
    paste(at, PLAY)
    assert any("240 paragraphs" in m.value and "blank lines" in m.value for m in at.markdown)
    assert at.session_state["config"]["tokenizer"] == "bpe" and at.radio(key="corpus_tokenizer").value == "bpe"
    assert any("keeps the text exactly" in c.value for c in at.caption)
    padding = float(metrics(at)["Padding in training"].rstrip("%")) / 100
    assert padding < 0.01  # one stream cut into rows: only the last row is padded
    # a built-in world again: its own default tokenizer comes back
    at.radio(key="corpus_source").set_value("builtin").run()
    assert at.session_state["config"]["corpus"] == "world-en" and at.session_state["config"]["tokenizer"] == "wordpiece"
    assert any("documents**, one sentence each" in m.value for m in at.markdown)


def test_a_tokenizer_the_student_chose_is_kept_when_they_paste_their_text(runs_dir):
    at = open_corpus_page()
    at.radio(key="corpus_tokenizer").set_value("char").run()
    paste(at, PLAY)
    assert at.session_state["config"]["tokenizer"] == "char"


def test_text_without_blank_lines_is_split_into_lines(runs_dir):
    at = paste(open_corpus_page(), GOOD_TEXT)
    assert any("12 lines" in m.value for m in at.markdown)


def test_tokens_show_spaces_and_newlines_as_marks_and_no_word_piece_hashes(runs_dir):
    at = paste(open_corpus_page(), PLAY)
    at.text_area(key=f"corpus_sentence-{at.session_state['config']['corpus']}").input("JULIET:\nO Romeo, Romeo").run()
    boxes = token_boxes(at)
    assert "↵" in boxes and "␣Romeo" in boxes and not any("##" in b or " " in b for b in boxes), boxes
    assert "".join(boxes).replace("|", "").replace("␣", " ").replace("↵", "\n") == "JULIET:\nO Romeo, Romeo"
    assert boxes.index("↵") + 1 == boxes.index("|")  # the boxes keep the text's lines
    at.radio(key="corpus_tokenizer").set_value("wordpiece").run()
    boxes = token_boxes(at)
    assert "JULIET" in "".join(boxes) and not any("##" in b or "↵" in b for b in boxes), boxes


def test_the_lower_case_toggle_changes_the_tokens_shown(runs_dir):
    at = paste(open_corpus_page(), PLAY)
    assert at.toggle(key="corpus_lowercase").value is False
    before = "".join(token_boxes(at))
    assert before.startswith("ROMEO:↵") and "But" in before
    at.toggle(key="corpus_lowercase").set_value(True).run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["lowercase"] is True
    assert "".join(token_boxes(at)) == before.lower()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="corpus_source").set_value("upload").run()
    at.file_uploader(key="corpus_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def test_a_binary_or_unknown_file_is_refused_in_the_page_not_in_a_hover(runs_dir):
    png, nul = b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"\x00\x01\x02" * 50
    for name, data, why in (("photo.png", png, ".txt, .csv, .jsonl"), ("notes.txt", nul, "looks binary")):
        at = upload(open_corpus_page(), name, data)
        assert any(why in e.value for e in at.error), name  # where the upload is, not in a hover on the file chip
        assert any("Nothing has changed" in c.value for c in at.caption)
        assert at.session_state["config"]["corpus"] == "world-en" and not at.success


def test_the_too_short_message_says_what_is_missing(runs_dir):
    at = upload(open_corpus_page(), "two.txt", b"first line\nsecond line\n")  # 2 lines: characters are missing
    message = " ".join(e.value for e in at.error)
    assert "200" in message and "2 non-empty lines" not in message
    at = upload(open_corpus_page(), "one.txt", ("word " * 80).encode())  # long enough, on one line
    assert any("single piece" in e.value for e in at.error)
    at.session_state["lang"] = "zh"
    zh = upload(at, "two.txt", b"first line\nsecond line\n")
    assert any("约 200 个字符" in e.value and "非空" not in e.value for e in zh.error)
