"""The app's words: the catalogue loader, `t(key, **fmt)`, and the language switch.

The words themselves are data, one TOML file per language in assets/i18n/ (`en.toml`, `zh.toml`): a
[section] per page or module, `key = "text"` inside it; the text named "nav.home" is `home` under [nav].
TOML because it is the one format of these that Python reads without a dependency (tomllib, 3.11+; the
`tomli` backport on 3.10, same API), takes comments and any Unicode as written, and is a plain file a
translator can edit side by side with the English one. (gettext .po would need Babel and a compile step, and
keys its entries by the English sentence, which changes whenever the English is reworded.)

UI only: the core (`selfsup_core`) stays English (its error messages, the CLI) and returns data: tables keyed
by identifiers, charts that take their words (`lab.charts`). Labels, rounding and language are the app's
(`lab.tables`, `lab.charts`); the pages show the core's typed errors in the current language through `error_text`.

The language lives in `st.session_state["lang"]` ("en" | "zh", default "en"), seeded from the URL's
`?lang=` so that a shared link opens in the sender's language, and written back to the URL on every run
(page navigation clears the query string).

How a page adds its strings:
1. Add the text to every file of assets/i18n/ under the page's section ([masking] rate = "..."); the
   placeholders ({n}, {rate:.0%}) must be identical in every language. Keep [MASK], model names (BERT,
   GPT), identifiers and formulas literal; LaTeX stays in the page. Chinese: classroom Simplified Chinese
   with the standard ML terms (掩码语言模型, 自回归, 损失, 词元, 微调, 预训练, 留出集); quote page names as on
   the sidebar (“训练”页面).
2. In the page, `from lab.i18n import t` and replace every literal shown to the user with
   `t("masking.title")`, `t("probe.blank", n=2)`. Widgets get a `key=` (Streamlit then identifies a widget by its key alone, so
   switching language keeps its value) and language-neutral options with a translated `format_func`:
   `st.radio(t("masking.strategy"), STRATEGIES, format_func=i18n.labels("strategy."), key="mk_strategy")`.
3. Add one line for the page to `PAGES` in tests/test_i18n.py: the test opens it in Chinese and fails on
   any English label left over.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the same parser, as a package (requirements.txt)
    import tomli as tomllib

LANGS = {"en": "English", "zh": "中文"}
DEFAULT = "en"
SWITCH_LABEL = (
    ":material/language: Language · 语言"  # both languages on purpose: findable by someone who reads only one
)
CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "assets" / "i18n"


class CatalogueError(ValueError):
    """A catalogue file is not valid; the message names the file and the entry."""


def load_catalogue(folder: Path = CATALOGUE_DIR) -> dict[str, dict[str, str]]:
    """Every language file of `folder` -> {key: {lang: text}}; raises `CatalogueError` saying which file and
    key is wrong (a TOML syntax error names its line), when a language lacks a key another one has, or when
    the placeholders of a text differ between languages."""
    by_lang: dict[str, dict[str, str]] = {}
    for language in LANGS:
        path = folder / f"{language}.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise CatalogueError(f"{path}: {e}") from None
        flat: dict[str, str] = {}
        for section, table in data.items():
            if not isinstance(table, dict):
                raise CatalogueError(f"{path}: {section!r} must be a [section] of texts, not a value")
            for key, value in table.items():
                if not isinstance(value, str):
                    raise CatalogueError(f"{path}: [{section}] {key} must be a text in quotes")
                flat[f"{section}.{key}"] = value
        by_lang[language] = flat
    keys = list(by_lang[DEFAULT])
    for language, flat in by_lang.items():
        missing = [k for k in keys if k not in flat] + [k for k in flat if k not in by_lang[DEFAULT]]
        if missing:
            raise CatalogueError(f"{folder / (language + '.toml')}: not in every language: {', '.join(missing[:5])}")
    catalogue = {k: {language: by_lang[language][k] for language in LANGS} for k in keys}
    for k, entry in catalogue.items():
        if len({frozenset(placeholders(s)) for s in entry.values()}) > 1:
            raise CatalogueError(f"{folder}: the placeholders of {k} differ between languages: {entry}")
    return catalogue


def placeholders(text: str) -> set[tuple[str, str]]:
    """The {name:spec} fields of a catalogue text, to check that both languages take the same arguments."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def text(key: str, language: str, **fmt: Any) -> str:
    """The catalogue text of `key` in `language`, formatted with `fmt` (a missing key is a bug: KeyError)."""
    s = TEXT[key][language]
    return s.format(**fmt) if fmt else s


def lang() -> str:
    """The session's language: chosen in the sidebar, else from the URL's ?lang=, else English."""
    if st.session_state.get("lang") not in LANGS:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT
    return st.session_state["lang"]


def t(key: str, **fmt: Any) -> str:
    """The text of `key` in the session's language: `t("probe.blank", n=2)`."""
    return text(key, lang(), **fmt)


def counted(key: str, n: int) -> str:
    """The catalogue key for a text about `n` things: `key + "_one"` when n is 1 and the catalogue has it (English
    "1 run", "1 student"), else `key` ("16 runs"; Chinese needs no singular, its `_one` texts read as the others):
    `t(counted("class.left_out", n), n=n)`."""
    return f"{key}_one" if n == 1 and f"{key}_one" in TEXT else key


def labels(prefix: str):
    """A `format_func` for options whose labels are the catalogue's `prefix + option`:
    `st.radio(t("corpus.tokenizer"), KINDS, format_func=labels("corpus.kind."), key=...)`. The language is
    fixed when it is made, because AppTest formats options again later, outside the session's script run."""
    language = lang()
    return lambda option: text(f"{prefix}{option}", language)


def size_name(size: str, language: str | None = None) -> str:
    """A model preset's name in `language` (default: the session's): "迷你" for mini; an unknown preset as it is."""
    key = f"size.{size}"
    return text(key, language or lang()) if key in TEXT else size


def switch() -> None:
    """The language switch (drawn in the sidebar on every page); keeps ?lang= in the URL so a shared link
    opens in this language. The widget has its own key: widget state is dropped on a page that does not draw
    it, while "lang" must survive until the switch is drawn again."""
    st.session_state["lang_switch"] = lang()
    st.segmented_control(
        SWITCH_LABEL, list(LANGS), format_func=LANGS.get, required=True, key="lang_switch", on_change=_switched
    )
    if lang() == DEFAULT:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang()


def _switched() -> None:
    """The switch's callback. Every widget value is set again: the browser knows a radio's or select box's
    choice by its label, and would show nothing selected once the labels change language."""
    st.session_state["lang"] = st.session_state["lang_switch"]
    for key in list(st.session_state):
        try:
            st.session_state[key] = st.session_state[key]
        except StreamlitAPIException:  # buttons, uploads, forms: nothing to keep
            pass


def error_text(e: BaseException) -> str:
    """A core error for the current language: in English its own message; otherwise the catalogue's message
    for its type (the nearest known base class) with the original text as detail."""
    if lang() == "en":
        return str(e)
    key = next((f"error.{c.__name__}" for c in type(e).__mro__ if f"error.{c.__name__}" in TEXT), None)
    return t("error.detail", message=t(key), detail=str(e)) if key else str(e)


TEXT: dict[str, dict[str, str]] = load_catalogue()  # key -> {"en": text, "zh": text}
