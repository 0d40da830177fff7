"""Settings in the URL: the codec (config.to_params / from_params), and a round trip on each page (AppTest):
a link's settings show in the widgets, a widget's change shows in the link, a bad value is named and ignored."""

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from selfsup_core import runs
from selfsup_core.config import TrainConfig, flat, from_params, replace_flat, to_params
from selfsup_core.train import train

APP = str(Path(__file__).resolve().parents[1] / "app.py")
NAMES = tuple(flat(TrainConfig()))


def open_page(page: str, params: dict[str, str]) -> AppTest:
    """The page as a link opens it: a fresh session whose URL holds `params`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def url(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def link(at: AppTest) -> tuple[str, dict[str, str]]:
    """The "Share link" box's page path and query parameters."""
    shown = urlsplit(next(c.value for c in at.code if c.value.startswith(("/", "http"))))
    return shown.path, dict(parse_qsl(shown.query))


# -- the codec --------------------------------------------------------------------------------------
def test_defaults_make_an_empty_link_and_changes_round_trip_by_their_flat_names():
    base = TrainConfig()
    assert to_params(base, base, NAMES) == {}
    cfg = replace_flat(base, {"objective": "ar", "seed": 4, "rate": 0.3, "strategy": "span", "time_budget_s": 60.0})
    params = to_params(cfg, base, NAMES)
    assert params == {"objective": "ar", "seed": "4", "rate": "0.3", "strategy": "span", "time_budget_s": "60.0"}
    assert from_params(params, base, NAMES) == (cfg, [])


def test_bad_values_are_named_and_keep_the_base_value_while_good_ones_apply():
    params = {"seed": "four", "rate": "2", "lr": "nan", "steps": "900", "noise": "0.2", "vocab_size": "7"}
    base = TrainConfig(seed=1, lr=1e-3, steps=200, masking={"rate": 0.25})
    cfg, problems = from_params(params, base, ("seed", "rate", "lr", "steps", "noise"), {"steps": (1, 500)})
    assert (cfg.seed, cfg.masking.rate, cfg.lr, cfg.steps) == (1, 0.25, 1e-3, 200)  # the base's values
    assert cfg.augment.noise == 0.2 and cfg.vocab_size is None  # a good value applies; an unlisted name is ignored
    assert len(problems) == 4 and all("was not used" in p for p in problems)
    assert any("seed='four'" in p and "whole number" in p for p in problems)
    assert any("steps='900'" in p and "between 1 and 500" in p for p in problems)


def test_a_yes_no_setting_round_trips_as_true_or_false():
    cfg = TrainConfig(lowercase=True)
    assert to_params(cfg, TrainConfig(), NAMES) == {"lowercase": "true"}
    assert from_params({"lowercase": "true"}, TrainConfig(), NAMES) == (cfg, [])
    kept, problems = from_params({"lowercase": "False"}, cfg, NAMES)
    assert kept.lowercase is False and not problems
    kept, problems = from_params({"lowercase": "yes please"}, TrainConfig(), NAMES)
    assert kept.lowercase is False and "true or false" in problems[0]


def test_values_that_clash_keep_the_ones_that_fit_together():
    cfg, problems = from_params({"mask_replace_prob": "0.5", "random_replace_prob": "0.6"}, TrainConfig(), NAMES)
    assert (cfg.masking.mask_replace_prob, cfg.masking.random_replace_prob) == (0.5, 0.1)
    assert len(problems) == 1 and "random_replace_prob" in problems[0]


# -- the pages --------------------------------------------------------------------------------------
def test_masking_lab_link_round_trip(runs_dir):
    at = open_page(
        "lab/pages/masking.py", {"rate": "0.4", "strategy": "span", "span_max": "12", "noise": "0.2", "seed": "7"}
    )
    assert at.slider(key="lab_rate").value == 0.4 and at.radio(key="lab_strategy").value == "span"
    assert at.slider(key="lab_span_max").value == 12 and at.slider(key="lab_noise").value == 0.2
    assert any("Seed **7**" in c.value for c in at.caption) and not at.warning
    at.slider(key="lab_rate").set_value(0.3).run()
    next(b for b in at.button if "Resample" in b.label).click().run()
    assert url(at) == {"rate": "0.3", "strategy": "span", "span_max": "12", "noise": "0.2", "seed": "8"}
    assert link(at) == ("/masking", url(at))


def test_train_link_round_trip_carries_the_shared_settings(runs_dir):
    at = open_page(
        "lab/pages/train.py",
        {
            "objective": "ar",
            "size": "nano",
            "steps": "40",
            "seed": "7",
            "lr": "0.001",
            "batch_size": "8",
            "rate": "0.3",
        },
    )
    assert at.radio(key="train_objective").value == "ar" and at.button_group(key="train_size").value == "nano"
    shown = {k: at.number_input(key=k).value for k in ("train_steps", "train_seed", "train_lr", "train_batch")}
    assert shown == {"train_steps": 40, "train_seed": 7, "train_lr": 0.001, "train_batch": 8}
    assert at.session_state["config"]["masking"]["rate"] == 0.3  # set in the Masking lab, carried by the link
    at.number_input(key="train_seed").set_value(9)
    at.toggle(key="train_by_time").set_value(True).run()
    assert url(at) == {
        "objective": "ar",
        "size": "nano",
        "steps": "100000",
        "time_budget_s": "60.0",
        "seed": "9",
        "lr": "0.001",
        "batch_size": "8",
        "rate": "0.3",
    }
    assert link(at) == ("/train", url(at))


def test_a_bad_value_in_a_link_is_named_and_the_default_used(runs_dir):
    at = open_page(
        "lab/pages/train.py",
        {"batch_size": "lots", "size": "huge", "seed": "-1", "corpus": "/etc/passwd", "steps": "50"},
    )
    warnings = " ".join(w.value for w in at.warning)
    for shown in ("batch_size='lots'", "size='huge'", "seed='-1'", "corpus='/etc/passwd'"):
        assert shown in warnings
    assert at.number_input(key="train_batch").value == 32 and at.number_input(key="train_steps").value == 50
    assert at.session_state["config"]["corpus"] == "world-en"
    assert url(at) == {"steps": "50"}  # the link now says what the page uses
    at.run()
    assert not at.warning  # said once


def test_compare_link_round_trip(runs_dir):
    at = open_page("lab/pages/compare.py", {"size": "nano", "time_budget_s": "12.0", "steps": "40", "rate": "0.3"})
    assert at.button_group(key="cmp_size").value == "nano"
    assert (at.number_input(key="cmp_seconds").value, at.number_input(key="cmp_steps").value) == (12, 40)
    config = at.session_state["config"]
    assert config["masking"]["rate"] == 0.3 and config["size"] == "mini"  # the pair's size is not the shared one
    at.number_input(key="cmp_seconds").set_value(20).run()
    assert url(at) == {"size": "nano", "time_budget_s": "20.0", "steps": "40", "rate": "0.3"}


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    cfg = TrainConfig(size="nano", steps=2, batch_size=4, eval_every=2, checkpoints=0, tokenizer="word")
    path = runs.create_run(cfg.to_dict(), root)
    train(cfg, path)
    return root, path.name


def test_finetune_link_round_trip(monkeypatch, pretrained):
    root, run_id = pretrained
    monkeypatch.setenv("SELFSUP_RUNS_DIR", str(root))
    at = open_page(
        "lab/pages/finetune.py",
        {
            "pretrained": run_id,
            "method": "lora",
            "label_budget": "8",
            "steps": "20",
            "lr": "0.01",
            "seed": "3",
            "lora_rank": "4",
        },
    )
    assert at.selectbox(key="ft_pretrained").value == run_id and at.radio(key="ft_method_True").value == "lora"
    assert at.button_group(key="ft_budget").value == "8" and not at.warning
    shown = {k: at.number_input(key=k).value for k in ("ft_steps", "ft_lr_lora", "ft_seed", "ft_rank")}
    assert shown == {"ft_steps": 20, "ft_lr_lora": 0.01, "ft_seed": 3, "ft_rank": 4}
    at.number_input(key="ft_steps").set_value(30).run()
    assert url(at) == {
        "pretrained": run_id,
        "method": "lora",
        "label_budget": "8",
        "steps": "30",
        "lr": "0.01",
        "seed": "3",
        "lora_rank": "4",
    }
    at = open_page("lab/pages/finetune.py", {"pretrained": "no-such-run", "method": "lora", "steps": "20"})
    assert any("pretrained='no-such-run'" in w.value for w in at.warning)
    assert at.selectbox(key="ft_pretrained").value is None and at.number_input(key="ft_steps").value == 20
