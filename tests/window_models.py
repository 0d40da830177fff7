"""Tiny random-init BERT and GPT-2 models of the project's own shape (`models.build_model`) and a WordPiece
tokenizer, for the tests of the window into the model (lens, embedding map, unmasking)."""

import torch

from selfsup_core.models import Shape, build_model
from selfsup_core.tokenization import build_tokenizer, for_objective

SENTENCES = [
    "the capital of norland is velmar .",
    "velmar is the capital of norland .",
    "the lemon is yellow and sour .",
    "the dogs bark all day long .",
    "the cat sat on the mat .",
    "monday comes before tuesday .",
] * 5


def tokenizer(objective: str):
    return for_objective(build_tokenizer("wordpiece", SENTENCES, vocab_size=120), objective)


def model(objective: str, vocab_size: int, layers: int = 3):
    torch.manual_seed(0)
    return build_model(objective, Shape(hidden=32, layers=layers, heads=2, ffn=64), vocab_size, 64).eval()
