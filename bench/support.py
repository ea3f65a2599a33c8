"""What the benchmarks share: the envctl command and a scratch copy of the reference project."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The tests' lookup of the envctl command, shared so that both find it the same way on every machine.
sys.path.insert(0, str(REPO / "tests"))
from envctl_command import ENVCTL  # noqa: E402

__all__ = ["ENVCTL", "REPO", "copy_reference"]


def copy_reference(destination: Path) -> Path:
    """The reference project (Pulumi.yaml, stacks, infra) copied to `destination`."""
    destination.mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", destination)
    shutil.copytree(REPO / "stacks", destination / "stacks")
    shutil.copytree(REPO / "infra", destination / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return destination
