"""A teacher's own text, end to end: a multi-paragraph .txt upload trains, writes across lines, and its
saved run works with `transformers.pipeline` called with its defaults."""

import pytest
from transformers import pipeline

from selfsup_core import probe
from selfsup_core.config import TrainConfig, default_tokenizer
from selfsup_core.corpus import load_corpus
from selfsup_core.runs import create_run
from selfsup_core.train import train

VERSES = [
    ("Roses are red,", "Violets are blue."),
    ("Sugar is sweet,", "And so are you."),
    ("The sky is grey,", "The sea is green."),
    ("The night is long,", "The stars are keen."),
]
POEM = "".join(f"{a}\n{b}\n\n" for _ in range(60) for a, b in VERSES)


@pytest.fixture(scope="module")
def poem_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "poem.txt"
    path.write_text(POEM, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ar_run(poem_file, tmp_path_factory):
    """(run dir, summary) of a nano GPT trained on the poem with its default tokenizer (bpe)."""
    run_dir = create_run({}, tmp_path_factory.mktemp("runs"))
    cfg = TrainConfig(
        objective="ar",
        corpus=str(poem_file),
        tokenizer=default_tokenizer(str(poem_file)),
        size="nano",
        steps=250,
        lr=3e-3,
        checkpoints=0,
        eval_every=250,
        device="cpu",
    )
    return run_dir, train(cfg, run_dir).summary


def test_an_upload_is_split_into_paragraphs_with_their_line_breaks(poem_file):
    corpus = load_corpus(str(poem_file))
    assert corpus.unit == "paragraph" and len(corpus.documents) == 240
    assert corpus.documents[0] == "Roses are red,\nViolets are blue."
    assert default_tokenizer(str(poem_file)) == "bpe" and default_tokenizer("world-en") == "wordpiece"


def test_a_gpt_writes_across_a_line_break_in_its_own_case(ar_run):
    run_dir, summary = ar_run
    assert summary["status"] == "completed"
    model, tok, _ = probe.load_model(run_dir / "model")
    out = probe.generate(model, tok, "Roses are red,", max_new_tokens=12, greedy=True)
    assert out.text.startswith("\nViolets are blue.")  # the next line, cased, punctuation as written
    assert out.ended  # the paragraph is a document: the model ends the text after it


def test_the_saved_gpt_continues_a_prompt_in_the_pipeline_called_with_its_defaults(ar_run):
    run_dir, _ = ar_run
    model, tok, _ = probe.load_model(run_dir / "model")
    ours = probe.generate(model, tok, "Sugar is sweet,", max_new_tokens=10, greedy=True)
    generated = pipeline("text-generation", model=str(run_dir / "model"))(
        "Sugar is sweet,", do_sample=False, max_new_tokens=10
    )
    assert generated[0]["generated_text"] == "Sugar is sweet," + ours.text  # exactly the Probe page's text


def test_tokens_per_second_counts_real_tokens(ar_run):
    _, summary = ar_run
    assert summary["tokens_seen"] <= summary["steps"] * 32 * 64  # never more than the rows hold
    assert summary["tokens_seen"] > 0.99 * summary["steps"] * 32 * 64  # ... and no padding to speak of


@pytest.mark.parametrize("kind", ["char", "bpe"])
def test_a_bert_on_an_upload_fills_a_blank_in_the_pipeline_called_with_its_defaults(poem_file, tmp_path, kind):
    run_dir = create_run({}, tmp_path)
    cfg = TrainConfig(
        objective="mlm",
        corpus=str(poem_file),
        tokenizer=kind,
        size="nano",
        steps=30,
        checkpoints=0,
        eval_every=30,
        device="cpu",
    )
    train(cfg, run_dir)
    model, tok, _ = probe.load_model(run_dir / "model")
    text = "Roses are [MASK],"
    ours = probe.fill_mask(model, tok, text, top_k=1)[0].candidates[0]
    theirs = pipeline("fill-mask", model=str(run_dir / "model"))(text)[0]
    assert tok.decode([theirs["token"]]) == ours.token  # the MLM export keeps [CLS] ... [SEP] for fill-mask
