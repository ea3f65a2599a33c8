"""What a snapshot was made from: the git state of the project and digests of its files."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from envctl.ledger.git import run_git

# envctl's own files (the ledger database, keys) change with every operation and are never sources.
_OWN_DIR = ".envctl"
_SKIPPED_DIRS = frozenset({"__pycache__", _OWN_DIR, ".git"})


def capture_sources(project_dir: Path, files: dict[str, Path]) -> dict[str, Any]:
    """Git commit, branch, dirty flag and digest of uncommitted changes, plus a digest per named file/dir.

    `commit` is None outside a git repository or without git; `branch` is None on a detached HEAD.
    """
    return {**_git_state(project_dir), "files": {name: path_digest(path) for name, path in sorted(files.items())}}


def path_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, or of a directory's (relative path, file digest) list; None if absent."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if not path.is_dir():
        return None
    listing = hashlib.sha256()
    for file in sorted(_files_under(path)):
        relative = file.relative_to(path).as_posix()
        listing.update(f"{relative}\0{hashlib.sha256(file.read_bytes()).hexdigest()}\n".encode())
    return listing.hexdigest()


def _files_under(directory: Path) -> list[Path]:
    found = []
    for entry in directory.iterdir():
        if entry.is_dir():
            if entry.name not in _SKIPPED_DIRS:
                found.extend(_files_under(entry))
        elif entry.is_file() and entry.suffix != ".pyc":
            found.append(entry)
    return found


def _git_state(project_dir: Path) -> dict[str, Any]:
    pathspec = ("--", ":/", f":(exclude){_OWN_DIR}")
    status = run_git(project_dir, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", *pathspec)
    if status is None:
        return {"commit": None, "branch": None, "dirty": None, "dirty_digest": None}
    commit = branch = None
    changed: list[str] = []
    untracked: list[str] = []
    for entry in status.decode("utf-8", errors="surrogateescape").split("\0"):
        if entry.startswith("# branch.oid "):
            commit = entry.removeprefix("# branch.oid ")
        elif entry.startswith("# branch.head "):
            branch = entry.removeprefix("# branch.head ")
        elif entry.startswith("? "):
            untracked.append(entry[2:])
        elif entry and not entry.startswith("#"):
            changed.append(entry)
    commit = None if commit == "(initial)" else commit
    dirty = bool(changed or untracked)
    return {
        "commit": commit,
        "branch": None if branch == "(detached)" else branch,
        "dirty": dirty,
        "dirty_digest": _dirty_digest(project_dir, commit, untracked) if dirty else None,
    }


def _dirty_digest(project_dir: Path, commit: str | None, untracked: list[str]) -> str:
    """sha256 over `git diff HEAD` and each untracked file's path and content."""
    digest = hashlib.sha256()
    if commit is not None:
        digest.update(run_git(project_dir, "diff", "HEAD", "--binary", "--", ":/", f":(exclude){_OWN_DIR}") or b"")
    top = (run_git(project_dir, "rev-parse", "--show-toplevel") or b"").decode().strip()
    for relative in sorted(untracked):
        file = Path(top) / relative
        digest.update(relative.encode("utf-8", errors="surrogateescape") + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()
