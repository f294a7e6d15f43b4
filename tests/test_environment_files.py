"""requirements.txt and environment.yml must pin the same versions."""
import re
from pathlib import Path

from course_utils.env_report import parse_requirements

ROOT = Path(__file__).resolve().parent.parent


def _env_yml_pins():
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s*([A-Za-z0-9_.-]+)\s*==?\s*([0-9][^\s#]*)", line)
        if m and m.group(1) != "python":
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_same_versions_in_requirements_and_environment_yml():
    req = {k.lower().replace("_", "-"): v for k, v in parse_requirements(ROOT / "requirements.txt").items()}
    env = _env_yml_pins()
    assert set(req) == set(env), f"only in requirements.txt: {set(req) - set(env)}; only in environment.yml: {set(env) - set(req)}"
    assert req == env


def test_every_requirement_line_is_commented():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "#" in line, f"say what {line.split('==')[0]} is for"
