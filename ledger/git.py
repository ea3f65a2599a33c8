"""Running git read-only; no git binary or no repository is an answer (None), not an error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_TIMEOUT_SECONDS = 30


def run_git(repo_dir: Path, *args: str) -> bytes | None:
    """git's stdout for `args` run in `repo_dir`, or None when git is missing or the command fails."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        completed = subprocess.run(
            [git, "-C", str(repo_dir), *args], capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout if completed.returncode == 0 else None


def commits_between(repo_dir: Path, old: str | None, new: str | None) -> list[dict[str, str]] | None:
    """The commits reachable from `new` but not `old` (`git log old..new`), newest first; None if unknown here."""
    if not old or not new:
        return None
    out = run_git(repo_dir, "log", "--format=%H%x1f%s", f"{old}..{new}", "--")
    if out is None:
        return None
    lines = out.decode("utf-8", errors="replace").splitlines()
    return [dict(zip(("commit", "subject"), line.split("\x1f", 1), strict=True)) for line in lines if line]
