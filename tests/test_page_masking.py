"""Masking lab page (AppTest): controls write the shared settings; the preview follows them."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_masking_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("lab/pages/masking.py").run()
    assert not at.exception, at.exception
    return at


def preview_html(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_defaults_show_masked_tokens_a_legend_and_the_rates_chart(runs_dir):
    at = open_masking_page()
    html = preview_html(at)
    assert "[MASK]" in html and "kept, but must be predicted" in html
    assert at.get("plotly_chart")
    assert any("Seed **0**" in c.value for c in at.caption)
    assert not at.error


def test_mask_rate_slider_updates_the_shared_config(runs_dir):
    at = open_masking_page()
    at.slider(key="lab_rate").set_value(0.4).run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["masking"]["rate"] == 0.4


def test_span_strategy_shows_span_controls_and_is_stored(runs_dir):
    at = open_masking_page()
    at.radio(key="lab_strategy").set_value("span").run()
    assert not at.exception, at.exception
    at.slider(key="lab_span_mean").set_value(2.0).run()
    masking = at.session_state["config"]["masking"]
    assert masking["strategy"] == "span" and masking["span_mean"] == 2.0
    assert "[MASK]" in preview_html(at)


def test_ar_objective_preview_has_no_mask(runs_dir):
    at = open_masking_page()
    at.radio(key="lab_objective").set_value("ar").run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["objective"] == "ar"
    assert "[MASK]" not in preview_html(at)
    assert any("AR hides nothing" in i.value for i in at.info)


def test_resample_changes_the_seed(runs_dir):
    at = open_masking_page()
    next(b for b in at.button if "Resample" in b.label).click().run()
    assert any("Seed **1**" in c.value for c in at.caption)


def test_replacement_shares_over_100_percent_show_an_error_and_keep_the_last_valid_settings(runs_dir):
    at = open_masking_page()
    at.slider(key="lab_random_replace_prob").set_value(0.5).run()
    assert not at.exception, at.exception
    assert any("more than 100%" in e.value for e in at.error)
    assert at.session_state["config"]["masking"]["random_replace_prob"] == 0.1


def test_augmentation_is_stored_and_charted(runs_dir):
    at = open_masking_page()
    at.slider(key="lab_noise").set_value(0.3).run()
    assert not at.exception, at.exception
    assert at.session_state["config"]["augment"]["noise"] == 0.3
    assert "noise" in preview_html(at)


def test_electra_preview_marks_random_replacements_and_says_they_are_random(runs_dir):
    at = open_masking_page()
    at.radio(key="lab_objective").set_value("electra").run()
    assert not at.exception, at.exception
    html = preview_html(at)
    assert "[MASK]" not in html and "dashed" in html  # replaced words, the random token's colours
    assert html.count("text-decoration:underline") > 20  # every token a target for the discriminator
    assert any("random" in c.value and "generator" in c.value for c in at.caption)
    assert at.slider(key="lab_rate")  # the generator's share of tokens is MLM's rate


def test_t5_preview_shows_sentinels_and_what_the_decoder_writes_in_both_languages(runs_dir):
    at = open_masking_page()
    at.radio(key="lab_objective").set_value("t5").run()
    assert not at.exception, at.exception
    html = preview_html(at)
    assert "&lt;extra_id_0&gt;" in html and "[SEP]" in html  # a sentinel in the input, the end in the targets
    assert any("The decoder writes" in c.value for c in at.caption)
    assert html.count("[SEP]") == 5  # one target row per sentence, ending the text
    assert any("15%" in i.value and "<extra_id_k>" in i.value for i in at.info)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert any("解码器要写出" in c.value for c in at.caption)
