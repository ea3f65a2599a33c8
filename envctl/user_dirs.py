"""envctl's folders in a user's XDG base directories (config, cache)."""

from __future__ import annotations

import os
from pathlib import Path


def user_directory(variable: str, fallback: str) -> Path:
    """`$<variable>/envctl` when the variable is an absolute path (as XDG asks), else `~/<fallback>/envctl`."""
    base = os.environ.get(variable, "")
    return (Path(base) if os.path.isabs(base) else Path.home() / fallback) / "envctl"
