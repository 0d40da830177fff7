"""Temporary: the names of the old ui.py, for the pages still in app_pages/ (moved to lab/pages/ after the
i14-app merge). New code imports the lab modules themselves."""

from lab.launch import *  # noqa: F403
from lab.live import *  # noqa: F403
from lab.measures import *  # noqa: F403
from lab.ownership import *  # noqa: F403
from lab.resources import *  # noqa: F403
from lab.sidebar import *  # noqa: F403
from lab.url_state import *  # noqa: F403
from lab.widgets import *  # noqa: F403
