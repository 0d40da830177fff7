"""Bad input (issue #6): each gets a clear message and changes nothing else.

Uploads go through the same two calls as the app (`load_user`, then `save_upload` only if it passed),
so "nothing else" means: nothing is written under the runs folder. Settings are refused when the config
is built, so the session's current settings stay as they were. Probe text: see test_probe.py.
"""

import codecs
import gzip
import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from selfsup_core import corpus as C
from selfsup_core import uploads
from selfsup_core.config import TrainConfig
from selfsup_core.train import train


def _zip_bomb(name: str = "inner.txt", mb: int = 20) -> bytes:
    """A zip of `mb` MB of zeros (a few kB compressed): a small zip bomb."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, b"\0" * (mb * 2**20))
    return buffer.getvalue()


LINES = "".join(f"line {i}: the cat sat on the mat and looked at the birds.\n" for i in range(20))

# name -> (bytes, file name, error type, what the message must say)
BAD_UPLOADS = {
    "empty": (b"", "a.txt", C.EmptyCorpusError, "The file is empty"),
    "whitespace only": (b" \n\t\r\n ", "a.txt", C.EmptyCorpusError, "only whitespace"),
    "binary (a PNG)": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)), "a.txt", C.NotTextError, "binary"),
    "non-UTF-8 (Latin-1)": (
        ("café au lait\n" * 30).encode("latin-1"),
        "a.txt",
        C.NotTextError,
        "not UTF-8 text; save it as UTF-8",
    ),
    "UTF-16 without a BOM": (LINES.encode("utf-16-le"), "a.txt", C.NotTextError, "UTF-16 text; save it as UTF-8"),
    "UTF-16 BOM, odd length": (codecs.BOM_UTF16_LE + b"a\0b", "a.txt", C.NotTextError, "not UTF-8 text"),
    "zip bomb renamed .txt": (_zip_bomb(), "novel.txt", C.NotTextError, "binary"),
    "gzip renamed .txt": (gzip.compress(b"a" * 2**20), "novel.txt", C.NotTextError, "binary|not UTF-8"),
    "unsupported type": (LINES.encode(), "novel.pdf", C.CorpusError, r"supported file types are \.txt, \.csv"),
    "csv with no text column": (
        "a,b\n" + "".join(f"{i},{i / 3:.2f}\n" for i in range(100)),
        "t.csv",
        C.ColumnNotFoundError,
        "No column holds text",
    ),
    "csv with a header only": (b"text,label\n", "t.csv", C.EmptyCorpusError, "no rows"),
    "csv with a broken quote": (b'text\n"an unclosed "quote" here\n' * 20, "t.csv", C.CorpusFormatError, "quotes"),
    "jsonl with a broken line": (
        '{"text": "fine line of text here"}\n' * 10 + '{"text": "broken\n',
        "t.jsonl",
        C.CorpusFormatError,
        "Line 11 of the JSONL file is not valid JSON",
    ),
    "jsonl nested too deep": ("[" * 100_000 + "\n", "t.jsonl", C.CorpusFormatError, "Line 1 .* nested too deeply"),
    "jsonl with a 5000-digit number": ('{"n": ' + "1" * 5000 + "}\n", "t.jsonl", C.CorpusFormatError, "Line 1 "),
    "jsonl line that is a list": (b'{"text": "x"}\n["a"]\n', "t.jsonl", C.CorpusFormatError, "not a JSON object"),
    "jsonl with a lone surrogate": (
        '{"text": "a fine line of text"}\n' * 10 + '{"text": "half \\ud83d emoji"}\n',
        "t.jsonl",
        C.CorpusFormatError,
        r"Line 11 .*escape \(\\ud800 to \\udfff\)",
    ),
    "shorter than one sequence": (
        b"the cat sat.\nthe dog ran.\n",
        "a.txt",
        C.CorpusTooShortError,
        "too short to form one training sequence",
    ),
    "one word a million times, one line": (
        b"word " * 1_000_000,
        "a.txt",
        C.CorpusTooShortError,
        "single piece .* lines or paragraphs",
    ),
}


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_a_bad_upload_is_refused_with_its_message_and_nothing_is_saved(name, runs_dir):
    data, filename, error, message = BAD_UPLOADS[name]
    data = data.encode() if isinstance(data, str) else data
    with pytest.raises(error, match=message) as caught:
        uploads.save_upload(C.load_user(data, filename))  # as lab.resources.use_upload does
    assert len(str(caught.value)) < 300  # a sentence or two a student reads, not a traceback
    assert list(runs_dir.iterdir()) == []


@pytest.mark.parametrize("bom", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_a_bom_reads_the_same_as_utf8(bom):
    data = LINES.encode(bom) if bom == "utf-16" else codecs.lookup(bom).encode("\ufeff" + LINES)[0]
    assert C.load_user(data, "a.txt").documents == C.load_user(LINES.encode(), "a.txt").documents


def test_a_1_gb_file_is_refused_by_its_size_without_being_read(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.truncate(2**30)  # sparse: 1 GB on paper, nothing on disk

    def fail(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", fail)
    monkeypatch.setattr(Path, "open", fail)
    t = time.perf_counter()
    with pytest.raises(C.CorpusTooLargeError, match=r"This file is 1024\.0 MB; the limit is 20\.0 MB"):
        C.load_user(big)
    assert time.perf_counter() - t < 1.0


def test_a_zip_bomb_is_never_decompressed():
    bomb = _zip_bomb(mb=50)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(C.NotTextError):
            C.load_user(bomb, "bomb.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(bomb)  # a few copies of the upload, never the 50 MB inside


def test_one_word_a_million_times_one_per_line_loads_as_a_million_documents():
    c = C.load_user(b"word\n" * 1_000_000, "a.txt")
    assert len(c.documents) == 1_000_000 and c.stats()["distinct_words"] == 1 and c.language == "en"


def test_a_tiny_corpus_of_one_row_still_trains_and_evaluates(tmp_path):
    """Two short documents (just above the minimum) fill less than one 64-token row: training still
    runs, on that one padded row, and the held-out line is evaluated."""
    path = tmp_path / "tiny.txt"
    path.write_text(
        "the cat sat on the mat and looked at the birds in the old tree today.\n"
        "the dog ran to the park and played with a red ball near the small pond.\n"
        * 2
        + "a bird sang a song at dawn while the sun rose over the quiet hills.\n"
    )
    result = train(
        TrainConfig(
            corpus=str(path),
            size="nano",
            steps=3,
            batch_size=4,
            eval_every=3,
            checkpoints=0,
            tokenizer="char",
            device="cpu",
        )
    )
    assert result.summary["status"] == "completed" and result.summary["steps"] == 3
    assert result.summary["val_loss"] is not None


# ----- settings ---------------------------------------------------------------------------------------

BAD_SETTINGS = [
    ({"masking": {"rate": 0.0}}, "Mask rate must be between 0.01 and 0.9.*At 0 nothing is learned"),
    ({"masking": {"rate": 1.0}}, "Mask rate must be between 0.01 and 0.9.*at 1 nothing is left"),
    ({"steps": 0}, "steps must be at least 1, got 0"),
    ({"batch_size": 0}, "batch_size must be at least 1, got 0"),
    ({"lr": 0.0}, "Learning rate must be in"),
    ({"lr": -1e-3}, "Learning rate must be in"),
    ({"lr": 10.0}, r"Learning rate must be in \(0, 1\], got 10.0; 1e-3 is a good start"),
    ({"lr": float("nan")}, "Learning rate must be in"),
    ({"lr": float("inf")}, "Learning rate must be in"),
    ({"seq_len": 4096}, "seq_len must be between 8 and 1024 tokens, got 4096"),
    ({"seq_len": 2}, "seq_len must be between 8 and 1024"),
    (
        {"tokenizer": "sentencepiece"},
        r"Unknown tokenizer 'sentencepiece'; choose one of \('char', 'bpe', 'wordpiece', 'word'\)",
    ),
    ({"objective": "gan"}, "Unknown objective 'gan'"),
]


@pytest.mark.parametrize("change, message", BAD_SETTINGS, ids=[str(c) for c, _ in BAD_SETTINGS])
def test_a_bad_setting_is_refused_with_its_message_and_the_settings_stay_as_they_were(change, message):
    current = TrainConfig(size="nano")
    before = json.dumps(current.to_dict())
    with pytest.raises(ValueError, match=message):
        current.replace(**change)  # as lab.url_state.update_config does before storing anything
    assert json.dumps(current.to_dict()) == before


def test_an_unknown_model_size_fails_before_any_training_with_the_choices():
    with pytest.raises(ValueError, match=r"Unknown size 'huge'; choose one of \('nano'"):
        train(TrainConfig(size="huge", steps=1, device="cpu"))
