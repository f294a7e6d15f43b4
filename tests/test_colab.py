"""The Colab rehearsal (tools/colab_rehearsal.py): every notebook's set-up cell takes its Colab branch in a kernel
that does not have course_utils installed, clones this repository's committed HEAD from a local path, and imports
course_utils from that clone. `make test-colab` runs whole notebooks the same way."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab_rehearsal  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def test_every_set_up_cell_runs_the_colab_way(tmp_path):
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("the rehearsal clones the repository's committed HEAD: run it inside a git clone")
    env = colab_rehearsal.fake_colab_env(tmp_path)
    colab_rehearsal.rehearse_setup_cells(NOTEBOOKS, env)
    clone = Path(env[colab_rehearsal.COLAB_DIR_ENV])
    assert (clone / "course_utils" / "__init__.py").is_file(), "the set-up block must clone the course"


def test_the_rehearsal_fails_when_course_utils_cannot_come_from_the_clone(tmp_path):
    """Without the set-up block's sys.path line the kernel must not find course_utils (the install is hidden)."""
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nimport google.colab\nimport course_utils")])
    path = tmp_path / "no_setup.ipynb"
    nbformat.write(nb, path)
    env = colab_rehearsal.fake_colab_env(tmp_path)
    with pytest.raises(Exception, match="ModuleNotFoundError"):
        colab_rehearsal.rehearse(path, env)
