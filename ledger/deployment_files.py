"""Which files of a project affect what it deploys: the program and what it reads, Pulumi.yaml, the stack files,
the dependency lock files. Documentation, tests, virtual environments, editor and OS litter do not, so a stray
notes file leaves a snapshot clean (and `rebuild --strict` willing)."""

from __future__ import annotations

from pathlib import PurePosixPath

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
