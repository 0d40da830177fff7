import codecs
import json
import re
from pathlib import Path

import pytest

from selfsup_core import corpus as C
from selfsup_core import uploads
from selfsup_core.tokenization import CJK, MASK_TOKEN, build_tokenizer

SENTENCE_END = re.compile(r"(?<=[.?!。？！])\s*")


def _units(docs):
    """Every document and every sentence inside one: the places a probe sentence may stand."""
    units = set(docs)
    for doc in docs:
        units.update(s for s in SENTENCE_END.split(doc) if s)
    return units


def _next_unit(text, language):
    """The first word (en) or character (zh) of `text`."""
    text = text.lstrip()
    return text[:1] if language == "zh" else text.split(" ", 1)[0]


@pytest.fixture(scope="module", params=C.builtin_names())
def world(request):
    corpus = C.load_builtin(request.param)
    return corpus, _units(corpus.documents)


def _text_lines(n=20):
    return "\n".join(f"line {i}: the cat sat on the mat and looked at the birds." for i in range(n))


# ----- built-in worlds -----------------------------------------------------------------------


def test_builtin_names_are_world_en_and_world_zh():
    assert C.builtin_names() == ["world-en", "world-zh"]


@pytest.mark.parametrize("name", C.builtin_names())
def test_same_seed_gives_identical_text_and_other_seed_keeps_facts(name):
    a, b, other = C.load_builtin(name, 0), C.load_builtin(name, 0), C.load_builtin(name, 1)
    assert a.documents == b.documents
    assert a.documents != other.documents
    assert a.probes == other.probes
    assert _units(a.documents) >= {p.filled() for p in a.probes}
    assert _units(other.documents) >= {p.filled() for p in other.probes}


def test_mutating_a_loaded_corpus_does_not_change_the_next_load():
    c = C.load_builtin("world-en")
    c.documents.clear()
    assert C.load_builtin("world-en").documents


def test_builtin_corpus_size_is_between_half_and_three_megabytes(world):
    corpus, _ = world
    size = corpus.stats()["bytes"]
    assert 0.5e6 <= size <= 3e6


def test_builtin_vocabulary_is_limited_but_real(world):
    corpus, _ = world
    distinct = corpus.stats()["distinct_words"]
    assert 200 <= distinct <= 1000  # en: word types; zh: characters


def test_builtin_language_is_detected_back_from_its_text(world):
    corpus, _ = world
    assert C.detect_language(corpus.documents[:500]) == corpus.language


def test_documents_are_short_lower_case_lines_of_at_most_three_sentences(world):
    corpus, _ = world
    for doc in set(corpus.documents):
        assert "\n" not in doc and doc == doc.lower() == doc.strip()
        sentences = [s for s in SENTENCE_END.split(doc) if s]
        assert 1 <= len(sentences) <= 3
        if corpus.language == "en":
            assert len([w for w in doc.split() if w.isalpha()]) >= 4
            assert all(len([w for w in s.split() if w.isalpha()]) <= 15 for s in sentences)
        else:
            assert all(len(s) <= 40 for s in sentences)


def test_every_probe_has_one_mask_and_a_one_word_or_one_character_answer(world):
    corpus, _ = world
    assert 12 <= len(corpus.probes) <= 20
    for p in corpus.probes:
        assert p.text.count(MASK_TOKEN) == 1
        assert p.answer == p.answer.lower()
        if corpus.language == "zh":
            assert len(p.answer) == 1 and CJK.match(p.answer)
        else:
            assert re.fullmatch(r"[a-z]+", p.answer)


def test_filled_probe_appears_in_corpus_and_no_other_answer_fits(world):
    corpus, units = world
    one = "(.)" if corpus.language == "zh" else r"(\S+)"
    for p in corpus.probes:
        left, right = p.text.split(MASK_TOKEN)
        pattern = re.compile(re.escape(left) + one + re.escape(right))
        fits = {m.group(1) for u in units if (m := pattern.fullmatch(u))}
        assert fits == {p.answer}, p.text


def test_needs_right_context_flag_matches_what_the_left_context_allows(world):
    corpus, units = world
    for p in corpus.probes:
        left = p.text.split(MASK_TOKEN)[0]
        nexts = {_next_unit(u[len(left) :], corpus.language) for u in units if u.startswith(left) and u != left}
        if p.needs_right_context:
            assert len(nexts) > 1, f"left context alone decides {p.text!r}"
        else:
            assert nexts == {p.answer}, f"left context does not decide {p.text!r}: {nexts}"


def test_both_kinds_of_probes_are_present_roughly_half_each(world):
    corpus, _ = world
    right = sum(p.needs_right_context for p in corpus.probes)
    assert 0.35 <= right / len(corpus.probes) <= 0.65
    at_end = [p for p in corpus.probes if re.fullmatch(r"\s*[.。]?", p.text.split(MASK_TOKEN)[1])]
    assert len(at_end) >= 2 and not any(p.needs_right_context for p in at_end)


def test_probe_text_encodes_to_exactly_one_mask_token(world):
    corpus, _ = world
    tok = build_tokenizer("char", corpus.documents)
    for p in corpus.probes:
        ids = tok.encode(p.text, add_special_tokens=False)
        assert ids.count(tok.mask_token_id) == 1, p.text


@pytest.mark.parametrize("kind", ["char", "wordpiece"])
def test_chinese_corpus_round_trips_through_the_project_tokenizer(kind):
    docs = C.load_builtin("world-zh").documents
    tok = build_tokenizer(kind, docs)
    for sentence in docs[:50]:
        decoded = tok.decode(tok.encode(sentence, add_special_tokens=False))
        assert tok.unk_token not in decoded
        assert decoded.replace(" ", "") == sentence.lower().replace(" ", "")


def test_unknown_builtin_name_lists_the_builtins():
    with pytest.raises(C.CorpusError, match="world-en, world-zh"):
        C.load_builtin("world-fr")


def test_stats_count_words_for_english_and_characters_for_chinese():
    en = C.Corpus("t", "en", ["the dog barks .", "the cat"])
    assert en.stats() == {
        "documents": 2,
        "characters": 22,
        "bytes": 22,
        "words": 6,
        "distinct_words": 5,
        "mean_document_chars": 11.0,
    }
    zh = C.Corpus("t", "zh", ["狗叫。", "猫 叫"])
    s = zh.stats()
    assert (s["words"], s["distinct_words"], s["bytes"]) == (5, 4, 16)


# ----- user files ----------------------------------------------------------------------------


def test_txt_upload_without_blank_lines_makes_one_document_per_non_empty_line():
    data = ("\n\n  first line of my text, long enough to matter  \r\n" + _text_lines(5) + "\n   \n").encode()
    c = C.load_user(data, "notes.txt")
    assert c.documents[0] == "first line of my text, long enough to matter"
    assert len(c.documents) == 6 and c.name == "notes.txt" and c.probes == [] and c.language == "en"
    assert "notes.txt" in c.description and c.unit == "line"


def test_txt_upload_is_split_into_paragraphs_that_keep_their_line_breaks():
    play = (
        "First Citizen:\r\nBefore we proceed any further, hear me speak.\r\n\r\n"
        "All:\nSpeak, speak.\n \t\n\n"
        "First Citizen:\nYou are all resolved rather to die than to famish?\n\n"
    ) * 2
    c = C.load_user(play.encode(), "play.txt")
    assert c.unit == "paragraph" and "6 paragraphs" in c.description
    assert c.documents[:3] == [
        "First Citizen:\nBefore we proceed any further, hear me speak.",
        "All:\nSpeak, speak.",
        "First Citizen:\nYou are all resolved rather to die than to famish?",
    ]


def test_txt_upload_with_utf8_bom_is_read_without_the_bom():
    c = C.load_user(codecs.BOM_UTF8 + _text_lines().encode(), "a.txt")
    assert c.documents[0].startswith("line 0")


def test_utf16_with_bom_is_decoded():
    c = C.load_user(_text_lines().encode("utf-16"), "a.txt")
    assert c.documents[0].startswith("line 0")


def test_chinese_upload_is_detected_as_zh():
    c = C.load_user(("\n".join(["小猫在院子里玩，小狗在门口睡觉。"] * 20)).encode(), "zh.txt")
    assert c.language == "zh"


def test_path_upload_reads_the_file(tmp_path):
    path = tmp_path / "my.txt"
    path.write_text(_text_lines(), encoding="utf-8")
    assert len(C.load_user(path).documents) == 20
    assert len(C.load_user(str(path)).documents) == 20
    assert len(C.load_corpus(str(path)).documents) == 20


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_file_raises_empty_corpus_error(data):
    with pytest.raises(C.EmptyCorpusError):
        C.load_user(data, "a.txt")


def test_binary_content_raises_not_text_error():
    with pytest.raises(C.NotTextError, match="binary"):
        C.load_user(b"\x00\x01binary", "a.txt")


def test_latin1_text_raises_not_text_error_telling_to_save_as_utf8():
    with pytest.raises(C.NotTextError, match="^This file is not UTF-8 text; save it as UTF-8 and upload again"):
        C.load_user(("café au lait\n" * 30).encode("latin-1"), "a.txt")


def test_unknown_extension_names_the_supported_types():
    with pytest.raises(C.CorpusError, match=r"\.txt, \.csv, \.jsonl"):
        C.load_user(b"hello", "doc.pdf")


def test_too_large_upload_raises_with_both_sizes():
    with pytest.raises(C.CorpusTooLargeError, match=r"3\.0 MB; the limit is 2\.0 MB"):
        C.load_user(b"a" * (3 * 2**20), "big.txt", max_bytes=2 * 2**20)


def test_too_large_path_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text(_text_lines(), encoding="utf-8")

    def fail(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", fail)
    with pytest.raises(C.CorpusTooLargeError, match="the limit is 100 bytes"):
        C.load_user(path, max_bytes=100)


def test_one_long_line_is_refused_as_a_single_document():
    with pytest.raises(C.CorpusTooShortError, match="single piece .* Break it into lines or paragraphs"):
        C.load_user(b"just one line of text that is otherwise long enough " * 10, "a.txt")


def test_two_tiny_lines_are_too_short():
    with pytest.raises(C.CorpusTooShortError):
        C.load_user(b"hi\nthere\n", "a.txt")


def test_missing_file_is_a_corpus_error(tmp_path):
    with pytest.raises(C.CorpusError, match="no file"):
        C.load_user(tmp_path / "nope.txt")


def _csv(n=20):
    rows = ["id,label,review"]
    rows += [f'{i},positive,"A fine film, number {i}; I liked the story and the music a lot."' for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def test_csv_auto_picks_the_column_with_the_longest_text():
    c = C.load_user(_csv(), "reviews.csv")
    assert c.documents[0] == "A fine film, number 0; I liked the story and the music a lot."
    assert len(c.documents) == 20 and "'review'" in c.description


def test_csv_explicit_column_is_used():
    c = C.load_user(_csv(40), "reviews.csv", column="label")
    assert c.documents == ["positive"] * 40


def test_csv_missing_column_lists_the_available_columns():
    with pytest.raises(C.ColumnNotFoundError, match="'id', 'label', 'review'"):
        C.load_user(_csv(), "reviews.csv", column="text")


def test_csv_with_only_numbers_has_no_text_column():
    data = ("a,b\n" + "".join(f"{i},{i * 1.5}\n" for i in range(100))).encode()
    with pytest.raises(C.ColumnNotFoundError, match="No column holds text"):
        C.load_user(data, "nums.csv")


def test_malformed_csv_raises_format_error():
    with pytest.raises(C.CorpusFormatError, match="malformed"):
        C.load_user(b'text\n"an unclosed "quote" here\n' * 20, "bad.csv")


def _jsonl():
    lines = [
        json.dumps({"id": i, "title": f"t{i}", "body": f"document {i} has a longer body of text in it."})
        for i in range(20)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_jsonl_auto_picks_the_longest_string_field_and_explicit_pick_works():
    assert C.load_user(_jsonl(), "d.jsonl").documents[0] == "document 0 has a longer body of text in it."
    with pytest.raises(C.CorpusTooShortError):  # 20 titles of 2-3 characters
        C.load_user(_jsonl(), "d.jsonl", column="title")


def test_jsonl_broken_line_reports_its_line_number():
    data = _jsonl().replace(b'{"id": 3,', b'{"id": 3', 1)
    with pytest.raises(C.CorpusFormatError, match="Line 4 "):
        C.load_user(data, "d.jsonl")


def test_jsonl_line_that_is_not_an_object_is_a_format_error():
    with pytest.raises(C.CorpusFormatError, match="Line 2 .*not a JSON object"):
        C.load_user(b'{"text": "x"}\n["a", "list"]\n', "d.jsonl")


def test_jsonl_missing_field_lists_the_string_fields():
    with pytest.raises(C.ColumnNotFoundError, match="'title', 'body'"):
        C.load_user(_jsonl(), "d.jsonl", column="text")


def test_list_columns_gives_csv_header_and_jsonl_string_fields(tmp_path):
    assert C.list_columns(_csv(), "r.csv") == ["id", "label", "review"]
    assert C.list_columns(_jsonl(), "d.jsonl") == ["title", "body"]
    path = tmp_path / "r.csv"
    path.write_bytes(_csv())
    assert C.list_columns(path) == ["id", "label", "review"]
    assert C.list_columns(_text_lines().encode(), "a.txt") == []


def test_load_corpus_accepts_builtin_names_and_rejects_unknown_specs():
    assert C.load_corpus("world-zh").language == "zh"
    with pytest.raises(C.CorpusError, match="neither a built-in corpus"):
        C.load_corpus("no-such-corpus")


# ----- splits --------------------------------------------------------------------------------


def test_split_is_deterministic_disjoint_and_complete():
    docs = [f"document {i}" for i in range(100)]
    train, val = C.split_documents(docs, 0.1, seed=3)
    assert (train, val) == C.split_documents(docs, 0.1, seed=3)
    assert (train, val) != C.split_documents(docs, 0.1, seed=4)
    assert len(val) == 10 and not set(train) & set(val) and sorted(train + val) == sorted(docs)
    assert train == [d for d in docs if d in set(train)]  # original order kept


def test_split_keeps_at_least_one_document_on_each_side():
    train, val = C.split_documents(["a", "b"], 0.01)
    assert sorted(train + val) == ["a", "b"] and len(val) == 1
    train, val = C.split_documents(["a", "b", "c"], 0.49)
    assert len(train) == 2 and len(val) == 1


def test_split_by_line_splits_multi_line_documents_first():
    train, val = C.split_documents(["a\nb\n\nc", "d"], 0.25, by="line")
    assert sorted(train + val) == ["a", "b", "c", "d"] and len(val) == 1


def test_split_of_a_single_document_is_too_short():
    with pytest.raises(C.CorpusTooShortError):
        C.split_documents(["only one"])
    with pytest.raises(ValueError, match="by must be"):
        C.split_documents(["a", "b"], by="word")


# ----- app support: display samples, saved uploads --------------------------------------------


def test_sample_documents_are_distinct_short_and_in_corpus_order():
    c = C.Corpus("t", "en", ["a b", "a b", "x" * 500, "c d", "e f"])
    assert C.sample_documents(c, 3, max_chars=10) == ["a b", "c d", "e f"]


def test_sample_documents_fall_back_to_cut_long_documents():
    c = C.Corpus("t", "en", ["word " * 100, "short one"])
    samples = C.sample_documents(c, 2, max_chars=20)
    assert samples[0] == "short one" and len(samples[1]) <= 20 and samples[1].startswith("word")


def test_save_upload_writes_jsonl_inside_runs_root_that_loads_back(runs_dir):
    c = C.load_user(_text_lines().encode(), "notes.txt")
    path = uploads.save_upload(c)
    assert path.parent == runs_dir.resolve() / "uploads" and path.suffix == ".jsonl"
    assert [json.loads(line) for line in path.read_text("utf-8").splitlines()] == [{"text": d} for d in c.documents]
    assert C.load_corpus(str(path), "text").documents == c.documents


def test_save_upload_is_idempotent_and_named_by_content_not_file_name(runs_dir):
    c = C.load_user(_text_lines().encode(), "../../evil name.txt")
    first = uploads.save_upload(c)
    mtime = first.stat().st_mtime_ns
    again = uploads.save_upload(C.load_user(_text_lines().encode(), "other.txt"))
    assert again == first and again.stat().st_mtime_ns == mtime
    assert "evil" not in first.name and len(list(first.parent.iterdir())) == 1
    assert uploads.save_upload(C.load_user(_text_lines(21).encode(), "x.txt")) != first


def test_save_upload_keeps_chinese_text(runs_dir):
    c = C.load_user(("今天天气很好，我们去公园散步。" * 8 + "\n").encode() * 3, "zh.txt")
    assert C.load_corpus(str(uploads.save_upload(c)), "text").documents == c.documents
