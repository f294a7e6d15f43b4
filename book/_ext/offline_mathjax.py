"""Serve MathJax 3 from the built site instead of a CDN (chapter pages typeset maths offline).

The MathJax files come from the PyPI package sphinx-mathjax-offline (pinned in requirements.txt).
That package installs them under a folder whose name is not an importable module, so this
extension locates them through the package's metadata and copies them into _static/mathjax.
"""
from importlib import metadata
from pathlib import Path

from sphinx.util.fileutil import copy_asset

DIST = "sphinx-mathjax-offline"


def mathjax_folder() -> Path:
    try:
        dist = metadata.distribution(DIST)
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError(f"the book needs the package {DIST} for offline maths: pip install -r requirements.txt") from exc
    core = next((f for f in dist.files or [] if str(f).endswith("static/mathjax/tex-chtml.js")), None)
    if core is None:
        raise RuntimeError(f"{DIST} is installed but holds no static/mathjax/tex-chtml.js; reinstall it")
    return Path(dist.locate_file(core)).parent


def _copy(app, exc):
    if exc is None:
        copy_asset(str(mathjax_folder()), str(Path(app.outdir) / "_static" / "mathjax"))


def setup(app):
    mathjax_folder()  # fail early, with the fix, if the files are missing
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
