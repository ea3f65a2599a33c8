"""The project exactly as it was at a snapshot's commit, in a scratch checkout beside the working tree."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from envctl.errors import BadInput, OperationFailed
from envctl.ledger.git import run_git
from envctl.project import PROJECT_FILE_NAMES

# Where a project keeps its database, local secrets key and local cloud's address (never committed).
_OWN_DIR = ".envctl"


@contextmanager
def materialize(project_dir: Path, commit: str) -> Iterator[Path]:
    """The project in `project_dir` as committed at `commit`, checked out in a temporary clone.

    The working tree and the repository are only read (`clone --shared` borrows their objects). The
    checkout's `.envctl` links to the project's own, so an environment opened there uses the project's
    database, secrets key and local cloud.
    """
    top = _git_text(project_dir, "rev-parse", "--show-toplevel")
    if top is None:
        raise BadInput(f"{project_dir} is not in a git repository, so no earlier commit can be checked out")
    relative = project_dir.resolve().relative_to(Path(top).resolve())
    if _git_text(project_dir, "cat-file", "-e", f"{commit}^{{commit}}") is None:
        raise BadInput(f"commit {commit[:12]} is not in the repository at {top}: fetch it (e.g. `git fetch --all`)")
    with tempfile.TemporaryDirectory(prefix="envctl-rebuild-") as scratch:
        checkout = Path(scratch) / "checkout"
        if run_git(Path(scratch), "clone", "--quiet", "--shared", "--no-checkout", top, str(checkout)) is None \
                or run_git(checkout, "checkout", "--quiet", "--detach", commit) is None:
            raise OperationFailed(f"git could not check out commit {commit[:12]} into {checkout}")
        materialized = checkout / relative
        if not any((materialized / name).is_file() for name in PROJECT_FILE_NAMES):
            where = "the repository root" if relative == Path() else relative.as_posix()
            raise BadInput(f"commit {commit[:12]} has no Pulumi project in {where}")
        own_dir = project_dir / _OWN_DIR
        own_dir.mkdir(parents=True, exist_ok=True)
        os.symlink(own_dir.resolve(), materialized / _OWN_DIR, target_is_directory=True)
        yield materialized


def _git_text(directory: Path, *args: str) -> str | None:
    out = run_git(directory, *args)
    return None if out is None else out.decode().strip()
