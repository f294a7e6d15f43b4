"""Sphinx configuration of the course website (`make book`; see tools/build_book.py).

The site is built from the committed notebooks without executing them (their outputs are the
ones CI checks), and it works without network: no CDN at build or view time (MathJax is served
from the build folder by _ext/offline_mathjax.py; Jupyter widget JavaScript is not loaded).
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
from course_utils.config import REPO_BRANCH, REPO_URL  # noqa: E402  (the one place the URL is named)

project = "bigmodel-course · 大模型时代的AI"
author = "bigmodel-course authors"
copyright = "bigmodel-course authors; code MIT, prose and data CC BY 4.0"

extensions = ["myst_nb", "offline_mathjax"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks are rendered as committed: never executed here.
nb_execution_mode = "off"
# Progress-bar widgets would pull their JavaScript from a CDN; their text form is shown instead.
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]

html_theme = "sphinx_book_theme"
html_title = "bigmodel-course"
html_theme_options = {
    "repository_url": REPO_URL,
    "repository_branch": REPO_BRANCH,
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_toc_level": 2,
}
html_last_updated_fmt = None
# A fixed colour mode: on a fresh browser profile the theme's "auto" mode logs a console error.
html_context = {"default_mode": "light"}
