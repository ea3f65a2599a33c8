"""The suite runs on any machine: no test, benchmark, CI script or other file of the repository names an absolute
path of one machine (a venv, a home directory, a checkout). Paths are found from `__file__`, `sys.executable`,
`tmp_path` and the like. Only docs/ may show a user's own paths."""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Not scanned: docs (they may describe a user's own paths) and what is made locally rather than committed.
SKIPPED = {".git", ".venv", ".envctl", "docs", "__pycache__", ".pytest_cache", ".ruff_cache", "build"}
# First segments of absolute paths that only exist on some machines: homes, checkouts, installed tools.
MACHINE_ROOTS = {"home", "root", "Users", "work", "opt", "usr", "var", "srv", "private", "Volumes", "nix", "snap",
                 "workspace", "builds", "github", "runner"}
# Absolute paths (and what lies below them) that mean the same everywhere: interpreters, the places AWS Lambda's
# runtime itself defines (a function's code, its layers), and the web root an instance's Apache serves, which name
# no machine of ours.
PORTABLE = ("/usr/bin/env", "/usr/bin/python3", "/bin/sh", "/bin/bash", "/var/task", "/var/runtime", "/opt/python",
            "/opt/nodejs", "/opt/extensions", "/opt/bin", "/opt/lib", "/var/www/html")
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~${}-])/([A-Za-z0-9_.+-]+)(?:/[A-Za-z0-9_.+-]*)*")


def machine_paths(text: str, forbidden_prefixes: tuple[str, ...]) -> list[str]:
    """Absolute paths in `text` that tie it to one machine."""
    found = []
    for match in ABSOLUTE_PATH.finditer(text):
        path = match.group(0)
        if any(path == portable or path.startswith(portable + "/") for portable in PORTABLE):
            continue
        if match.group(1) in MACHINE_ROOTS or path.startswith(forbidden_prefixes):
            found.append(path)
    return found


def scanned_files() -> list[Path]:
    return [path for path in sorted(REPO.rglob("*"))
            if path.is_file() and not SKIPPED & set(path.relative_to(REPO).parts)
            and not path.parent.name.endswith(".egg-info") and path.suffix != ".pyc"]


def test_no_file_of_the_repository_names_a_path_of_one_machine() -> None:
    # The clone and the interpreter's environment are this machine's too: a literal copy of either is refused.
    forbidden = tuple(sorted({str(REPO), sys.prefix, sys.base_prefix}))
    offenders = [f"{path.relative_to(REPO)}: {found}"
                 for path in scanned_files()
                 for found in machine_paths(path.read_text(errors="replace"), forbidden)]
    assert offenders == []


def test_the_scan_finds_what_it_is_for() -> None:
    forbidden = (str(REPO),)
    venv_script, home = "/" + "work/venv/bin/envctl", "/" + "home/ci/envctl"  # split, so this file passes its scan
    assert machine_paths(f'ENVCTL = "{venv_script}"', forbidden) == [venv_script]
    assert machine_paths(f"cd {home} && make", forbidden) == [home]
    assert machine_paths(f"open('{REPO}/stacks')", forbidden) == [f"{REPO}/stacks"]
    # Paths inside the cloud, in URLs, in ARNs and shebangs are no machine's.
    assert machine_paths('#!/usr/bin/env bash\npath="/svc/" url="http://127.0.0.1/x" '
                         'arn="arn:aws:s3:::b/home/x" dev="/dev/xvda" tmp="/tmp/hello"', forbidden) == []
    near_misses = ["/" + "var/www2/x", "/" + "opt/pythonx"]  # beside a portable path, not below it
    assert machine_paths(f"echo hi > /var/www/html/index.html; ls {' '.join(near_misses)}", forbidden) == near_misses
