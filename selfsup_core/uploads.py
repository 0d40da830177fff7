"""Uploaded files: read them (size-capped, decoded, parsed as tables) and save them under the runs folder.

A student's file arrives as bytes from the browser (`st.file_uploader`'s `type=` is checked in the
browser only), so everything is checked here: the extension, the size before anything is decoded,
the text encoding (UTF-8, or UTF-16 with a BOM), and a csv / jsonl file's syntax. The errors are typed
and say what to do; they keep their `Corpus...` names, which the app's messages key on, and corpus.py
(the corpus logic built on this module) re-exports them.

What is saved goes to `<runs root>/uploads/` under a name made from the content only (never from the
student's file name), so it stays inside the runs folder, a worker process can read it by path, and
saving the same content twice writes nothing new. A run's `config.json` uploaded to reproduce the run
is read here too, capped at CONFIG_MAX_BYTES.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import random
from pathlib import Path
from typing import TYPE_CHECKING

from .runs import runs_root

if TYPE_CHECKING:
    from .config import TrainConfig
    from .corpus import Corpus

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # largest accepted upload (the app passes SELFSUP_UPLOAD_MB)
CONFIG_MAX_BYTES = 256 * 1024  # a run's config.json is about 2 kB: anything this big is not one
SUPPORTED_EXTENSIONS = (".txt", ".csv", ".jsonl")
UPLOADS_DIR = "uploads"  # inside the runs root


class CorpusError(ValueError):
    """A corpus cannot be used; the message says why and what to do."""


class EmptyCorpusError(CorpusError):
    """The file is empty or holds only whitespace."""


class NotTextError(CorpusError):
    """The content is binary or not UTF-8 text."""


class CorpusTooLargeError(CorpusError):
    """The file is over the size limit."""


class UnsupportedFileError(CorpusError):
    """The file's type (its name's extension) is none of SUPPORTED_EXTENSIONS."""


class CorpusFormatError(CorpusError):
    """The csv / jsonl file is malformed."""


# ----- reading ---------------------------------------------------------------------------------


def human_size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 / 10 else f"{n:,} bytes"


def extension(filename: str) -> str:
    ext = Path(filename).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFileError(
            f"Cannot read {filename!r}: supported file types are {', '.join(SUPPORTED_EXTENSIONS)} "
            "(plain text, one document per line; a table with a text column; one JSON object per line)."
        )
    return ext


def read_upload(data: bytes | str | os.PathLike, filename: str | None, max_bytes: int) -> tuple[bytes, str, str]:
    """Raw bytes, file name and extension of an upload (bytes) or a path, refusing files over `max_bytes`."""
    if isinstance(data, (bytes, bytearray)):
        name = filename or "upload.txt"  # bytes without a name: plain text
        ext = extension(name)
        if len(data) > max_bytes:
            raise CorpusTooLargeError(_too_large(len(data), max_bytes))
        return bytes(data), name, ext
    path = Path(data)
    name = filename or path.name
    ext = extension(name)
    if not path.is_file():
        raise CorpusError(f"There is no file at {str(path)!r}.")
    size = path.stat().st_size  # checked before reading, so a huge file is never loaded
    if size > max_bytes:
        raise CorpusTooLargeError(_too_large(size, max_bytes))
    return path.read_bytes(), name, ext


def _too_large(size: int, limit: int) -> str:
    return (
        f"This file is {human_size(size)}; the limit is {human_size(limit)}. "
        "Upload a smaller part of it (for example the first lines)."
    )


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a BOM is accepted); UTF-16 with a BOM is decoded too, as Windows editors write it."""
    if not raw.strip():
        what = "holds only whitespace" if raw else "is empty"
        raise EmptyCorpusError(f"The file {what}. Upload a file that contains text.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise NotTextError("This file is not UTF-8 text; save it as UTF-8 and upload again.") from None
    elif b"\x00" in raw:
        fewer, more = sorted((raw[0::2].count(0), raw[1::2].count(0)))  # NULs at even and at odd positions
        if more > 0.9 * (len(raw) // 2) and fewer < 0.1 * (len(raw) // 2):  # every other byte NUL: UTF-16 text
            raise NotTextError("This file looks like UTF-16 text; save it as UTF-8 and upload again.")
        raise NotTextError(
            "This file looks binary (it contains NUL bytes), not text. "
            f"Upload a {', '.join(SUPPORTED_EXTENSIONS)} file saved as UTF-8."
        )
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise NotTextError(
                "This file is not UTF-8 text; save it as UTF-8 and upload again. "
                f"(Byte {e.start} is the first that is not UTF-8.)"
            ) from None
    if "\x00" in text:
        raise NotTextError("This file looks binary (it contains NUL characters), not text.")
    if not text.strip():
        raise EmptyCorpusError("The file holds only whitespace. Upload a file that contains text.")
    return text


def _csv_records(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
        rows = list(reader)
    except csv.Error as e:
        raise CorpusFormatError(
            f"The CSV file is malformed near line {reader.line_num}: {e}. Check its quotes."
        ) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise CorpusFormatError("The CSV file has no header line. Its first line must name the columns.")
    return [dict(zip(header, row, strict=False)) for row in rows]


def _jsonl_records(text: str) -> list[dict]:
    records = []
    # JSON Lines ends lines with "\n" only: splitlines() would also cut at characters such as U+2028,
    # which JSON allows inside a string
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as e:  # also a 5,000-digit number, or [[[[... nested too deep
            reason = e.msg if isinstance(e, json.JSONDecodeError) else "it is nested too deeply or a number is too long"
            raise CorpusFormatError(
                f"Line {number} of the JSONL file is not valid JSON ({reason}). "
                'Each line must be one JSON object, e.g. {"text": "a sentence"}.'
            ) from None
        if not isinstance(record, dict):
            raise CorpusFormatError(
                f'Line {number} of the JSONL file is not a JSON object. Each line must look like {{"text": "a sentence"}}.'
            )
        if "\\ud" in line.lower():  # escaped UTF-16 halves: a lone one, such as "\\ud800", is not a character
            try:
                json.dumps(record, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise CorpusFormatError(
                    f"Line {number} of the JSONL file holds an escape (\\ud800 to \\udfff) that is not a character. "
                    "Remove it and upload again."
                ) from None
        records.append(record)
    return records


def parse_records(text: str, ext: str) -> list[dict]:
    return _csv_records(text) if ext == ".csv" else _jsonl_records(text)


def text_columns(records: list[dict], ext: str) -> list[str]:
    """Column names (csv) or string-valued fields (jsonl), in first-seen order."""
    seen: dict[str, None] = {}
    for record in records:
        for key, value in record.items():
            if ext == ".csv" or isinstance(value, str):
                seen.setdefault(key, None)
    return list(seen)


def read_config(data: bytes) -> TrainConfig:
    """A run's uploaded `config.json` (config.load_config_json), refusing a file over CONFIG_MAX_BYTES unread;
    raises ValueError saying what is wrong."""
    from .config import load_config_json

    if len(data) > CONFIG_MAX_BYTES:
        raise ValueError(
            f"This file is {human_size(len(data))}, too large for a run's config.json (a few kB). "
            "Download the config.json of the run again and upload that."
        )
    return load_config_json(data)


# ----- saving ----------------------------------------------------------------------------------


def save_content(content: bytes, prefix: str = "", root: str | os.PathLike | None = None) -> Path:
    """Write `content` as `<runs root>/uploads/<prefix><sha256 prefix>.jsonl` (atomically) and return the path.

    The name comes from the content only, so the path stays inside the runs root and saving the same
    content twice writes nothing new."""
    folder = runs_root(root) / UPLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}{hashlib.sha256(content).hexdigest()[:16]}.jsonl"
    if not path.is_file() or path.stat().st_size != len(content):
        tmp = folder / f".{path.name}.{os.getpid()}.{random.getrandbits(32):08x}.tmp"
        tmp.write_bytes(content)
        os.replace(tmp, path)  # a reader never sees half a file
    return path


def save_upload(corpus: Corpus, root: str | os.PathLike | None = None) -> Path:
    """Write a student's corpus as `<runs root>/uploads/<sha256 prefix>.jsonl` ({"text": doc} per line); the path.

    Training runs in a worker process that reads the corpus by path, so an upload must live on disk."""
    content = "".join(json.dumps({"text": doc}, ensure_ascii=False) + "\n" for doc in corpus.documents).encode()
    return save_content(content, "", root)
