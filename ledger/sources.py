"""What a snapshot was made from: the git state of the project and digests of its files."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any

from envctl.ledger.deployment_files import affects_deployment
from envctl.ledger.git import run_git

# envctl's own files (the ledger database, keys) change with every operation and are never sources.
_OWN_DIR = ".envctl"
_SKIPPED_DIRS = frozenset({"__pycache__", _OWN_DIR, ".git"})


def capture_sources(project_dir: Path, files: dict[str, Path]) -> dict[str, Any]:
    """Git commit, branch, dirty flag, the uncommitted files that affect the deployment and their digest, plus a
    digest per named file/dir.

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
    """The commit and branch, and whether files that affect the deployment differ from the commit (which ones)."""
    status = run_git(project_dir, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--", ".")
    prefix = run_git(project_dir, "rev-parse", "--show-prefix")
    if status is None or prefix is None:
        return {"commit": None, "branch": None, "dirty": None, "dirty_digest": None}
    commit = branch = None
    changed: list[str] = []
    untracked: list[str] = []
    entries = iter(status.decode("utf-8", errors="surrogateescape").split("\0"))
    for entry in entries:
        if entry.startswith("# branch.oid "):
            commit = entry.removeprefix("# branch.oid ")
        elif entry.startswith("# branch.head "):
            branch = entry.removeprefix("# branch.head ")
        elif entry.startswith("? "):
            untracked.append(entry[2:])
        elif entry[:2] in _PATH_FIELD:
            changed.append(entry.split(" ", _PATH_FIELD[entry[:2]])[-1])
            if entry.startswith("2 "):
                changed.append(next(entries))  # a rename's original path follows it
    top = prefix.decode("utf-8", errors="surrogateescape").strip()
    changed, untracked = _deploying(changed, top), _deploying(untracked, top)
    commit = None if commit == "(initial)" else commit
    dirty = bool(changed or untracked)
    return {
        "commit": commit,
        "branch": None if branch == "(detached)" else branch,
        "dirty": dirty,
        "dirty_digest": _dirty_digest(project_dir, commit, changed, untracked) if dirty else None,
        "dirty_files": sorted({*changed, *untracked}),
    }


# porcelain v2: how many space-separated fields come before the path of an ordinary, renamed or unmerged entry.
_PATH_FIELD = {"1 ": 8, "2 ": 9, "u ": 10}


def _deploying(paths: list[str], prefix: str) -> list[str]:
    """The paths (relative to the repository's top) of files under the project that affect its deployment."""
    return [path for path in paths if path.startswith(prefix)
            and affects_deployment(PurePosixPath(path.removeprefix(prefix)))]


def _dirty_digest(project_dir: Path, commit: str | None, changed: list[str], untracked: list[str]) -> str:
    """sha256 over `git diff HEAD` of the changed files and each untracked file's path and content."""
    digest = hashlib.sha256()
    top = (run_git(project_dir, "rev-parse", "--show-toplevel") or b"").decode().strip()
    if commit is not None and changed:
        digest.update(run_git(Path(top), "diff", "HEAD", "--binary", "--", *changed) or b"")
    for relative in sorted(untracked):
        file = Path(top) / relative
        digest.update(relative.encode("utf-8", errors="surrogateescape") + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()


def uncommitted_files(sources: dict[str, Any], most: int = 5) -> str:
    """The uncommitted files a snapshot was made with, for a message: `a.py, b.py (+3 more)`; snapshots recorded
    before envctl listed them say only that there were some."""
    files = sources.get("dirty_files")
    if not files:
        return "files not listed"
    more = f" (+{len(files) - most} more)" if len(files) > most else ""
    return ", ".join(files[:most]) + more
