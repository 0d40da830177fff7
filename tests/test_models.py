import pytest

from selfsup_core.config import TrainConfig
from selfsup_core.models import PRESETS, build_model, count_parameters, estimate, shape_of


def test_mini_preset_is_exactly_the_reference_shape():
    assert PRESETS["mini"] == dict(hidden=128, layers=1, heads=4, ffn=512)
    bert = build_model("mlm", shape_of(TrainConfig(size="mini")), 1000, 64).config
    gpt = build_model("ar", shape_of(TrainConfig(size="mini")), 1000, 64).config
    shape = (bert.hidden_size, bert.num_hidden_layers, bert.num_attention_heads, bert.intermediate_size)
    assert shape == (gpt.n_embd, gpt.n_layer, gpt.n_head, gpt.n_inner) == (128, 1, 4, 512)


@pytest.mark.parametrize("size", list(PRESETS))
def test_mlm_and_ar_of_a_preset_differ_only_by_small_heads(size):
    shape = shape_of(TrainConfig(size=size, device="cpu"))  # "large" is GPU-only for training, not for counting
    bert = count_parameters(build_model("mlm", shape, 1000, 64))
    gpt = count_parameters(build_model("ar", shape, 1000, 64))
    # BERT adds a token-type embedding and the MLM head's transform: O(hidden^2), not a different model
    assert abs(bert - gpt) <= 2 * shape.hidden**2


def test_overrides_change_the_shape_and_bad_ones_are_explained():
    shape = shape_of(TrainConfig(size="nano", hidden=96, layers=3, heads=3))
    assert (shape.hidden, shape.layers, shape.heads, shape.ffn) == (96, 3, 3, 384)
    with pytest.raises(ValueError, match="divisible"):
        shape_of(TrainConfig(hidden=100, heads=3))
    with pytest.raises(ValueError, match="Unknown size"):
        shape_of(TrainConfig(size="huge"))


def test_estimate_reports_parameters_and_a_positive_step_time():
    est = estimate(TrainConfig(size="nano", steps=100, batch_size=8))
    assert est["parameters"] > 10_000 and est["step_s"] > 0 and est["total_s"] == pytest.approx(100 * est["step_s"])
