"""Which files of a project affect what it deploys: the program and what it reads, Pulumi.yaml, the stack files,
the dependency lock files. Documentation, tests, virtual environments, editor and OS litter do not, so a stray
notes file leaves a snapshot clean (and `rebuild --strict` willing)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from envctl.ledger.git import run_git

# Directories whose contents never reach a deployment.
_IGNORED_DIRS = frozenset({
    ".envctl", ".git", "__pycache__", ".venv", "venv", "env", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "node_modules", ".idea", ".vscode", ".github", ".gitlab", "docs", "doc", "tests", "test",
})
_IGNORED_SUFFIXES = frozenset({".md", ".rst", ".adoc", ".pyc", ".pyo", ".swp", ".swo", ".orig", ".rej", ".log"})
# `.envctl` is also a name: a rebuild's checkout links it to the project's own.
_IGNORED_NAMES = frozenset({".envctl", ".DS_Store", "Thumbs.db", ".gitignore", ".gitattributes", ".editorconfig",
                            ".pre-commit-config.yaml", "Makefile", "Dockerfile.dev"})
_IGNORED_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "CHANGELOG", "NOTICE", "AUTHORS", "CONTRIBUTING")


def affects_deployment(relative: PurePosixPath) -> bool:
    """Whether a file at `relative` (to the project directory) can change what the project deploys."""
    if any(part in _IGNORED_DIRS for part in relative.parts[:-1]):
        return False
    name = relative.name
    if name in _IGNORED_NAMES or name.endswith("~") or name.startswith(_IGNORED_PREFIXES):
        return False
    return relative.suffix.lower() not in _IGNORED_SUFFIXES


def deployment_files(project_dir: Path) -> list[Path]:
    """The files under `project_dir` that affect its deployment, sorted; virtual environments (any directory
    holding a `pyvenv.cfg`) are skipped whatever their name."""
    found = []
    for directory, subdirs, files in os.walk(project_dir):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if d not in _IGNORED_DIRS and not (here / d / "pyvenv.cfg").exists())
        for name in files:
            relative = PurePosixPath((here / name).relative_to(project_dir).as_posix())
            if affects_deployment(relative):
                found.append(here / name)
    return sorted(found)


_DEPENDENCY_FILE = re.compile(r"^(requirements.*\.txt|pyproject\.toml|setup\.(py|cfg)|Pipfile(\.lock)?|"
                              r"(poetry|uv|pdm)\.lock|Pulumi\..*ya?ml)$")


def program_files(project_dir: Path) -> list[Path]:
    """The files a program is: its Python sources, Pulumi.yaml and dependency files, and what git tracks under the
    project that affects the deployment (data the program reads). An untracked file that is not Python — a log, a
    saved plan, a redirected output — is not part of it (outside git, every deployment file is)."""
    tracked = _tracked(project_dir)
    return [file for file in deployment_files(project_dir)
            if tracked is None or file in tracked or file.suffix == ".py" or _DEPENDENCY_FILE.match(file.name)]


def _tracked(project_dir: Path) -> set[Path] | None:
    listing = run_git(project_dir, "ls-files", "-z", "--", ".")
    if listing is None:
        return None
    return {project_dir / name for name in listing.decode("utf-8", errors="surrogateescape").split("\0") if name}
