"""Server caps on a run's configuration: a hand-edited config.json cannot ask for more than the widgets allow."""

import pytest

from selfsup_core.config import TrainConfig
from selfsup_core.settings import Settings

BASE = dict(objective="mlm", corpus="world-en", size="nano", steps=10)


def test_the_page_defaults_and_the_largest_allowed_preset_pass():
    Settings(max_size="small").check_run(TrainConfig(**BASE))
    Settings(max_size="small").check_run(TrainConfig(**{**BASE, "size": "small"}))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"size": "mini", "hidden": 1024}, "hidden up to 128"),
        ({"size": "mini", "layers": 48}, "layers up to 2"),
        ({"size": "mini", "heads": 64, "hidden": 128}, "heads up to 4"),
        ({"batch_size": 1024, "seq_len": 512}, "tokens per step"),
        ({"vocab_size": 500_000}, "vocabulary up to"),
        ({"checkpoints": 500}, "checkpoints per run"),
        ({"size": "gigantic"}, "Unknown size"),
    ],
)
def test_shape_and_scale_beyond_the_servers_largest_model_are_refused(override, message):
    with pytest.raises(ValueError, match=message):
        Settings(max_size="mini").check_run(TrainConfig(**{**BASE, **override}))
