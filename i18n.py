"""Temporary: the old i18n module's names, for the pages still in app_pages/. The catalogue is
assets/i18n/*.toml, read by lab/i18n.py."""

from lab.i18n import *  # noqa: F403
from lab.i18n import TEXT, labels, lang, t  # noqa: F401
