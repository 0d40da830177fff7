"""Issue #16, "instant and clear on a projector": readable captions, no Deploy button, dashes for missing values,
no server paths shown to students (AppTest)."""

import re
import subprocess
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from lab import tables
from lab.i18n import tomllib  # tomli on Python 3.10
from selfsup_core import runs
from selfsup_core.config import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_page(page: str, teacher: bool = False, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["teacher"] = teacher
    at.session_state["lang"] = lang
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_streamlit_hides_the_deploy_button_and_its_config_is_not_ignored():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/config.toml"], cwd=ROOT, check=False)
    assert ignored.returncode == 1  # not ignored: a checkout gets it


def test_captions_are_drawn_dark_and_at_least_18_px_on_every_page(runs_dir):
    at = open_page("lab/pages/home.py")
    styles = [h.proto.body for h in at.get("html") if "stCaptionContainer" in h.proto.body]
    assert len(styles) == 1  # once, in the shared frame
    rule = re.search(r'\[data-testid="stCaptionContainer"\][^{]*\{([^}]*)\}', styles[0]).group(1)
    assert int(re.search(r"font-size:(\d+)px", rule).group(1)) >= 18
    colour = re.search(r"color:#([0-9a-f]{6})", rule).group(1)
    assert max(int(colour[i : i + 2], 16) for i in (0, 2, 4)) < 0x60  # dark grey, not Streamlit's light one
    assert "opacity:1" in rule  # Streamlit also fades the caption's box to 60%


def test_students_see_the_runs_folder_s_name_and_the_teacher_its_path(runs_dir):
    student = open_page("lab/pages/home.py")
    shown = [c.value for c in student.sidebar.caption if c.value.startswith("Runs folder")]
    assert shown == ["Runs folder: runs"] and str(runs_dir) not in " ".join(c.value for c in student.caption)
    teacher = open_page("lab/pages/home.py", teacher=True)
    assert any(c.value == f"Runs folder: {runs_dir}" for c in teacher.sidebar.caption)


def test_an_uploaded_corpus_is_named_by_its_file_name_not_its_server_path(runs_dir):
    text = "\n".join(f"Line {i}: the students wrote a sentence about tokens and masking." for i in range(12))
    at = open_page("lab/pages/corpus.py")
    at.radio(key="corpus_source").set_value("paste").run()
    at.text_area[0].input(text).run()
    saved = Path(at.session_state["config"]["corpus"])
    everything = " ".join(e.value for e in [*at.caption, *at.markdown, *at.sidebar.markdown])
    assert saved.name in everything and str(saved.parent) not in everything


def test_a_missing_value_is_a_dash_in_every_table_column_kind():
    frame = pd.DataFrame({"rate": [0.25, None], "n": [3, 4], "loss": [float("nan"), 1.23456], "who": ["Mei", None]})
    columns = {"rate": st.column_config.NumberColumn("rate", format="percent", help="h"), "loss": "loss"}
    shown, config = tables.dashed(frame, columns)
    assert shown.to_dict("list") == {"rate": ["25.0%", "—"], "n": [3, 4], "loss": ["—", "1.23456"], "who": ["Mei", "—"]}
    assert config["rate"]["type_config"]["type"] == "text" and config["rate"]["help"] == "h"
    assert tables.dashed(frame.fillna(0))[0].equals(frame.fillna(0))  # nothing missing: as it was


def test_the_runs_table_shows_dashes_not_none_in_both_languages(runs_dir):
    path = runs.create_run(TrainConfig(objective="ar").to_dict(), runs_dir)
    runs.update_summary(path, status="failed", error=None)  # no figures, no mask rate (AR)
    for lang in ("en", "zh"):
        at = open_page("lab/pages/train.py", lang=lang)
        table = at.dataframe[0].value
        cells = {str(v) for v in table.to_numpy().ravel()}
        assert "—" in cells and not cells & {"None", "nan", "<NA>", "NaN"}, cells


def test_labels_wrap_instead_of_ending_in_an_ellipsis_in_the_shared_frame(runs_dir):
    at = open_page("lab/pages/home.py")
    style = next(h.proto.body for h in at.get("html") if "stMetricLabel" in h.proto.body)
    assert "white-space:normal" in style and "text-overflow:clip" in style


def test_switching_to_chinese_on_world_en_offers_world_zh_and_the_button_switches(runs_dir):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    assert any("world-en" in i.value for i in at.sidebar.info)  # asked, not switched silently
    assert at.session_state["config"]["corpus"] == "world-en"
    at.sidebar.button(key="world_switch").click().run()
    assert at.session_state["config"]["corpus"] == "world-zh"
    english = open_page("lab/pages/home.py")
    assert not english.sidebar.get("button") or all(b.key != "world_switch" for b in english.sidebar.button)


EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


def test_icons_need_no_emoji_font_they_are_streamlit_s_own_material_symbols():
    sources = [ROOT / "app.py", *sorted((ROOT / "lab").rglob("*.py"))]
    icons = [m for p in sources for m in re.findall(r'\b(?:page_)?icon="([^"]*)"', p.read_text(encoding="utf-8"))]
    assert icons and all(re.fullmatch(r":material/[a-z_]+:", i) for i in icons), [
        i for i in icons if "material" not in i
    ]
    for language in ("en", "zh"):
        text = (ROOT / "assets" / "i18n" / f"{language}.toml").read_text(encoding="utf-8")
        assert not EMOJI.findall(text), language


def test_a_file_of_the_wrong_type_is_refused_in_the_page_in_chinese(runs_dir):
    at = open_page("lab/pages/train.py", lang="zh")
    at.file_uploader(key="train_reproduce").set_value(("notes.txt", b"hello", "text/plain")).run()
    assert not at.exception, at.exception
    assert any("notes.txt" in e.value and "请上传 .json 文件" in e.value for e in at.error)
