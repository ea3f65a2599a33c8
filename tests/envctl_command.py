"""The `envctl` command as tests and benchmarks run it, found the same way on every machine: the console script
installed beside this interpreter (its virtual environment need not be on PATH), else `python -m envctl` with
this interpreter. Never a path of one machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def envctl_command() -> list[str]:
    """The argv prefix that runs envctl with the interpreter running the tests."""
    beside = Path(sys.executable).parent / "envctl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    return [sys.executable, "-m", "envctl"]


ENVCTL: list[str] = envctl_command()


def run_envctl(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run envctl with `args` (no terminal on stdin, so it never waits for an answer); output captured as text.
    `env` replaces the environment when given."""
    return subprocess.run([*ENVCTL, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
