"""What the benchmarks share: the envctl command and a scratch copy of the reference project."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_BESIDE = Path(sys.executable).parent / "envctl"
# The console script beside this interpreter (its virtualenv may not be on PATH).
ENVCTL = str(_BESIDE) if _BESIDE.exists() else "envctl"


def copy_reference(destination: Path) -> Path:
    """The reference project (Pulumi.yaml, stacks, infra) copied to `destination`."""
    destination.mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", destination)
    shutil.copytree(REPO / "stacks", destination / "stacks")
    shutil.copytree(REPO / "infra", destination / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return destination
