"""The console script sets the envctl process's garbage collector; importing envctl as a library leaves the
importing process's own alone."""

from __future__ import annotations

import subprocess
import sys


def _thresholds(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()


def test_importing_the_cli_keeps_the_importers_collector() -> None:
    assert _thresholds("import gc, envctl.cli.app, envctl.cli.entry; print(gc.get_threshold())") == "(700, 10, 10)"


def test_the_entry_point_sets_the_collector_before_the_app_runs() -> None:
    code = ("import gc, sys\nimport envctl.cli.app as app\napp.main = lambda: print(gc.get_threshold())\n"
            "from envctl.cli.entry import main\nmain()")
    assert _thresholds(code) == "(50000, 20, 1000000)"
