"""Labelled tasks: built-in sets (deterministic, balanced, covered by their world's vocabulary), uploads
(validated with errors a student understands), and class-balanced label budgets."""

import json
from collections import Counter

import pytest

from selfsup_core import tasks
from selfsup_core.corpus import NotTextError, load_builtin
from selfsup_core.tasks import (
    SPLIT_SIZES,
    SPLITS,
    Example,
    LabelColumnError,
    OneClassError,
    TaskError,
    TooFewExamplesError,
    UnseenLabelError,
    load_builtin_task,
    load_task_file,
    sample_budget,
)


@pytest.mark.parametrize("name", tasks.builtin_task_names())
def test_builtin_task_is_deterministic_balanced_and_splits_do_not_overlap(name):
    task = load_builtin_task(name)
    assert task.train == load_builtin_task(name).train and task.test == load_builtin_task(name).test
    for split in SPLITS:
        examples = task.split(split)
        assert len(examples) == SPLIT_SIZES[split]
        assert set(Counter(e.label for e in examples).values()) == {SPLIT_SIZES[split] // len(task.labels)}
    texts = [e.text for s in SPLITS for e in task.split(s)]
    assert len(set(texts)) == len(texts)  # no sentence in two splits (or twice in one)


@pytest.mark.parametrize("name", tasks.builtin_task_names())
def test_builtin_task_uses_only_words_of_its_world_so_its_tokenizers_cover_it(name):
    task = load_builtin_task(name)
    documents = load_builtin(task.world).documents
    if task.language == "zh":  # zh tokenizers treat every character as a word
        known = {ch for doc in documents for ch in doc}
        used = {ch for s in SPLITS for e in task.split(s) for ch in e.text}
    else:
        known = {w for doc in documents for w in doc.split()}
        used = {w for s in SPLITS for e in task.split(s) for w in e.text.split()}
    assert used - known == set()


@pytest.mark.parametrize("name, word", [("sentiment-en", "not"), ("sentiment-zh", "不")])
def test_sentiment_negation_appears_in_positive_and_negative_sentences(name, word):
    task = load_builtin_task(name)
    labels = {e.label for e in task.train if word in e.text.split() or (word in e.text and task.language == "zh")}
    assert {"positive", "negative"} <= labels


def test_topic_frames_are_shared_so_the_frame_alone_does_not_give_the_label():
    task = load_builtin_task("topic-en")
    frame = "{name} can see the"
    hits = {e.label for e in task.train if " can see the " in e.text and len(e.text.split()) == 6}
    assert hits == set(task.labels), frame


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def csv_rows(n_per_class=10, labels=("pos", "neg")):
    return "text,label\n" + "".join(f"sentence {i} of {lab},{lab}\n" for lab in labels for i in range(n_per_class))


def test_upload_without_split_column_is_split_deterministically_per_class(tmp_path):
    path = write(tmp_path, "mine.csv", csv_rows(15))
    task = load_task_file(path)
    assert task.labels == ["neg", "pos"] and task.world is None
    assert (len(task.train), len(task.validation), len(task.test)) == (14, 8, 8)
    for split in SPLITS:
        assert {e.label for e in task.split(split)} == {"neg", "pos"}
    assert load_task_file(path).test == task.test


def test_upload_split_column_is_used_as_given(tmp_path):
    lines = [{"text": f"t{i}", "label": i % 2, "split": ["train", "dev", "test"][i % 3]} for i in range(60)]
    path = write(tmp_path, "mine.jsonl", "".join(json.dumps(r) + "\n" for r in lines))
    task = load_task_file(path)
    assert task.labels == ["0", "1"]  # numbers become label names
    assert [len(task.split(s)) for s in SPLITS] == [20, 20, 20]
    assert task.validation[0] == Example("t1", "1")


def test_missing_label_column_lists_the_columns_there_are(tmp_path):
    path = write(tmp_path, "mine.csv", "sentence,rating_value\na,1\n")
    with pytest.raises(LabelColumnError, match="label column.*'rating_value'"):
        load_task_file(path)
    with pytest.raises(LabelColumnError, match="no label column 'stars'.*'sentence', 'rating_value'"):
        load_task_file(path, label_column="stars")


def test_one_class_only_is_refused(tmp_path):
    with pytest.raises(OneClassError, match="at least two classes"):
        load_task_file(write(tmp_path, "one.csv", csv_rows(30, labels=("pos",))))


def test_too_few_examples_overall_and_per_split(tmp_path):
    with pytest.raises(TooFewExamplesError, match="at least 24"):
        load_task_file(write(tmp_path, "few.csv", csv_rows(5)))
    rows = [{"text": f"t{i}", "label": i % 2, "split": "test" if i < 4 else "train"} for i in range(40)]
    with pytest.raises(TooFewExamplesError, match="validation split has 0"):
        load_task_file(write(tmp_path, "few.jsonl", "".join(json.dumps(r) + "\n" for r in rows)))


def test_labels_in_test_that_training_never_shows_are_refused(tmp_path):
    rows = [
        {"text": f"t{i}", "label": "a" if i % 2 else "b", "split": ["train", "validation", "test"][i % 3]}
        for i in range(60)
    ] + [{"text": "odd", "label": "c", "split": "test"}]
    with pytest.raises(UnseenLabelError, match="'c'.*never occur in the training"):
        load_task_file(write(tmp_path, "new.jsonl", "".join(json.dumps(r) + "\n" for r in rows)))


def test_reading_errors_come_from_the_corpus_helpers(tmp_path):
    with pytest.raises(NotTextError):
        load_task_file(b"text,label\n\xff\xfe\xfa,x\n", "bad.csv")
    with pytest.raises(TaskError, match=".csv"):
        load_task_file(b"just some text lines\n" * 30, "notes.txt")


def test_saved_upload_loads_back_with_the_same_splits(tmp_path):
    task = load_task_file(write(tmp_path, "mine.csv", csv_rows(15)))
    path = tasks.save_task(task, tmp_path / "root")
    again = tasks.load_task(str(path))
    assert [again.split(s) for s in SPLITS] == [task.split(s) for s in SPLITS]
    assert tasks.save_task(task, tmp_path / "root") == path  # named by content


def test_label_budget_sample_is_class_balanced_seeded_and_all_when_none():
    train = load_builtin_task("topic-en").train
    sample = sample_budget(train, 32, seed=0)
    assert len(sample) == 32 and set(Counter(e.label for e in sample).values()) == {8}
    assert sample == sample_budget(train, 32, seed=0) and sample != sample_budget(train, 32, seed=1)
    odd = Counter(e.label for e in sample_budget(train, 10, seed=3)).values()
    assert sorted(odd) == [2, 2, 3, 3]
    assert sample_budget(train, None) == train


def test_the_built_in_tasks_words_and_frames_are_the_world_files_data():
    """The vocabulary lives in assets/world_<lang>.json ("tasks"), not in Python: each task kind there is a task."""
    from selfsup_core.corpus import _world

    for name, spec in tasks.BUILTIN_TASKS.items():
        kind, language = name.rsplit("-", 1)
        data = _world(spec["world"])["tasks"]
        assert _world(spec["world"])["language"] == language and kind in data
        assert set(spec["classes"]) == set(data[kind].get("classes") or data[kind]["frames"])
        assert spec["slots"]["name"] == data["slots"]["name"]
