"""Environment report: Python, platform, library versions against requirements.txt, devices.

Introduced in chapter 00. ``print(environment_report())`` gives a plain-text table
that learners paste into bug reports; each pinned library is marked OK when the
installed version is the one the course is tested with, FAIL otherwise.
Also runnable as ``python -m course_utils.env_report``.
"""
from __future__ import annotations

import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

from .config import repo_root

_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(path=None) -> dict[str, str]:
    """Read ``name==version`` pins from a requirements file into ``{name: version}``.

    Lines without an exact ``==`` pin (comments, options, ranges) are skipped.
    """
    path = Path(path) if path is not None else repo_root() / "requirements.txt"
    if not path.is_file():
        raise FileNotFoundError(f"requirements file not found: {path}. It is at the root of the course "
                                "repository; pass its path explicitly if you moved it.")
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _REQ_LINE.match(line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def installed_version(dist_name: str) -> str | None:
    """Installed version of a distribution (PyPI name), or None if it is not installed."""
    if not isinstance(dist_name, str) or not dist_name:
        raise TypeError(f"dist_name must be a package name such as 'torch', got {dist_name!r}")
    try:
        return metadata.version(dist_name)
    except metadata.PackageNotFoundError:
        return None


def _same_version(installed: str, pinned: str) -> bool:
    # Local build tags ("2.13.0+cpu") are the same release.
    return installed.split("+")[0] == pinned.split("+")[0]


def package_rows(requirements=None) -> list[dict]:
    """One row per pinned package: name, pinned, installed, status (OK or FAIL).

    ``requirements`` is a requirements file (default: the course's ``requirements.txt``) or a dict
    ``{package name: pinned version}`` such as ``{"numpy": "2.4.6"}``.
    """
    if isinstance(requirements, dict):
        bad = [(k, v) for k, v in requirements.items()
               if not (isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip())]
        if bad:
            raise TypeError(f"requirements as a dict must map package names to pinned version strings, e.g. "
                            f"{{'numpy': '2.4.6'}}; got {bad[0][0]!r}: {bad[0][1]!r}")
        pins = requirements
    elif requirements is None or isinstance(requirements, (str, os.PathLike)):
        pins = parse_requirements(requirements)
    else:
        raise TypeError(f"requirements must be None, a requirements file path or a dict {{name: version}}, "
                        f"got {type(requirements).__name__}")
    rows = []
    for name, pinned in pins.items():
        got = installed_version(name)
        status = "OK" if got is not None and _same_version(got, pinned) else "FAIL"
        rows.append({"package": name, "pinned": pinned, "installed": got or "missing", "status": status})
    return rows


def _table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    line = "  ".join(c.ljust(widths[c]) for c in columns)
    sep = "  ".join("-" * widths[c] for c in columns)
    body = ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join([line, sep, *body])


def environment_report(requirements=None, devices: bool = True) -> str:
    """The whole report as text: system, packages (OK/FAIL against the pins) and devices."""
    from .device import describe_devices

    system = [
        {"item": "Python", "value": platform.python_version()},
        {"item": "Platform", "value": f"{platform.system()} {platform.machine()}"},
        {"item": "Colab", "value": "yes" if "google.colab" in sys.modules else "no"},
    ]
    try:
        pkgs = package_rows(requirements)
    except FileNotFoundError:
        pkgs = []
    parts = ["System", _table(system, ["item", "value"])]
    if pkgs:
        n_bad = sum(r["status"] != "OK" for r in pkgs)
        parts += ["", "Packages (against requirements.txt)", _table(pkgs, ["package", "pinned", "installed", "status"]),
                  f"{len(pkgs) - n_bad} OK, {n_bad} FAIL"]
    else:
        parts += ["", "Packages: requirements.txt not found, versions not compared"]
    if devices:
        parts += ["", "Devices", _table(describe_devices(), ["framework", "device", "name", "threads"])]
    return "\n".join(parts)


def print_versions(*packages: str) -> None:
    """Print Python's and the named packages' versions on one line each (first code cell of every chapter)."""
    if not packages or not all(isinstance(p, str) and p for p in packages):
        raise TypeError("print_versions() needs package names as strings, e.g. print_versions('torch', 'numpy')")
    print(f"Python       {platform.python_version()}")
    for name in packages:
        print(f"{name:<12} {installed_version(name) or 'not installed'}")


if __name__ == "__main__":  # python -m course_utils.env_report
    print(environment_report())
