"""Times of `envctl up dev` on the reference environment, as a user sees them (the real command):

- from nothing, local cloud not yet running (it is started on demand);
- from nothing, local cloud running;
- a no-change `up`.

    python bench/up_bench.py [--runs 5]

Prints the median and spread of each, and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from support import ENVCTL, copy_reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="envctl-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "ENVCTL_CLOUD_ENDPOINT"}
    cold, warm, same = [], [], []
    try:
        for run in range(args.runs):
            project = copy_reference(workdir / f"cold-{run}")
            cold.append(_timed(project, env, "up", "dev", "--yes"))
            _run(project, env, "destroy", "dev", "--yes")
            warm.append(_timed(project, env, "up", "dev", "--yes"))
            same.append(_timed(project, env, "up", "dev", "--yes"))
            _run(project, env, "destroy", "dev", "--yes")
            _run(project, env, "cloud", "stop")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for label, times in (("up from nothing, cloud not running", cold), ("up from nothing, cloud running", warm),
                         ("no-change up", same)):
        print(f"{label:<38} median {statistics.median(times):5.2f}s  min {min(times):5.2f}s  "
              f"max {max(times):5.2f}s  ({len(times)} runs)")


def _timed(project: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    _run(project, env, *args)
    return time.perf_counter() - started


def _run(project: Path, env: dict[str, str], *args: str) -> None:
    result = subprocess.run([*ENVCTL, "-C", str(project), *args], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"envctl {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    main()
