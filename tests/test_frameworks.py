import os
import subprocess
import sys

import pytest

from course_utils.frameworks import quiet_tensorflow


def test_quiet_import_returns_tensorflow_and_hides_cpp_log():
    code = "from course_utils import quiet_tensorflow; tf = quiet_tensorflow(); print(tf.__name__)"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "tensorflow"
    assert "I0000" not in out.stderr and "oneDNN" not in out.stderr, out.stderr


def test_already_imported_is_returned():
    import tensorflow as tf
    assert quiet_tensorflow() is tf


@pytest.mark.parametrize("bad", [-1, 4, "3", True])
def test_bad_log_level(bad):
    with pytest.raises(ValueError, match="min_log_level must be"):
        quiet_tensorflow(bad)
