import importlib
import pkgutil
import subprocess
import sys

import course_utils


def test_import_is_light():
    code = ("import sys, course_utils; "
            "print(sorted(m for m in ('torch', 'tensorflow', 'keras', 'transformers', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", "importing course_utils must not import the deep-learning frameworks"


def test_every_module_is_listed_in_the_package_docstring_and_imports():
    for info in pkgutil.iter_modules(course_utils.__path__):
        assert f"    {info.name} " in course_utils.__doc__, f"add {info.name} to the module index in __init__.py"
        module = importlib.import_module(f"course_utils.{info.name}")
        assert module.__doc__ and "chapter" in module.__doc__.lower(), f"{info.name}: docstring names its chapter"
