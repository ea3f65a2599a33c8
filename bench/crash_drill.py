"""Crash drill: stop `envctl up` and `envctl destroy` at random moments, by turns with SIGKILL, SIGINT (Ctrl-C) and
SIGTERM, then check that the next `up` converges, that every resource of the environment in the local cloud is
known to the state, and that the ledger's chain verifies. A run stopped by SIGINT or SIGTERM must also be in the
history (recorded, as interrupted or as finished) unless it changed nothing.

    python bench/crash_drill.py --trials 20 [--seed 7] [--max-delay 8]

Prints one line per trial and a summary; exits 1 if any trial breaks an invariant.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from support import ENVCTL, copy_reference

if TYPE_CHECKING:
    from envctl.engine.state import StateStore

ENV = "dev"


SIGNALS = (signal.SIGKILL, signal.SIGINT, signal.SIGTERM)


@dataclass
class Trial:
    number: int
    operation: str
    signal: signal.Signals
    killed_after: float
    killed: bool
    exit_code: int
    # SIGINT and SIGTERM only: the run is in the history, or it changed nothing.
    accounted_for: bool
    converged: bool
    unknown: list[str]
    verified: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return self.accounted_for and self.converged and not self.unknown and self.verified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-delay", type=float, default=8.0, help="latest kill, in seconds after start")
    parser.add_argument("--keep", action="store_true", help="keep the project directory and its local cloud")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    project = Path(tempfile.mkdtemp(prefix="envctl-crash-")) / "project"
    copy_reference(project)
    trials = []
    try:
        for number in range(1, args.trials + 1):
            operation = "up" if number % 2 else "destroy"
            sent = SIGNALS[(number - 1) // 2 % len(SIGNALS)]
            trials.append(_trial(project, number, operation, sent, rng.uniform(0.2, args.max_delay)))
            trial = trials[-1]
            print(f"trial {number:>3} {operation:<7} {trial.signal.name:<7} after {trial.killed_after:4.1f}s "
                  f"({'mid-run' if trial.killed else 'already done'}, exit {trial.exit_code}): "
                  f"{'ok' if trial.ok else 'BROKEN'} accounted_for={trial.accounted_for} "
                  f"converged={trial.converged} verified={trial.verified} unknown={trial.unknown} "
                  f"({trial.seconds:.1f}s)", flush=True)
    finally:
        if not args.keep:
            _envctl(project, "destroy", ENV, "--yes")
            _envctl(project, "cloud", "stop")
            shutil.rmtree(project.parent, ignore_errors=True)
    broken = [t for t in trials if not t.ok]
    mid_run = {sent.name: sum(t.killed for t in trials if t.signal == sent) for sent in SIGNALS}
    print(f"{len(trials)} trials, stopped mid-run: {mid_run}; {len(trials) - len(broken)} ok, {len(broken)} broken")
    sys.exit(1 if broken else 0)


def _trial(project: Path, number: int, operation: str, sent: signal.Signals, delay: float) -> Trial:
    started = time.monotonic()
    before = (_history_length(project), _state_ids(project))
    process = subprocess.Popen([*ENVCTL, "-C", str(project), operation, ENV, "--yes"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, sent)
        process.wait(timeout=300)  # a signalled run finishes its steps in flight and records itself
        killed = True
    recorded = _history_length(project) > before[0]
    accounted_for = sent == signal.SIGKILL or recorded or _state_ids(project) == before[1]
    converge = _envctl(project, "up", ENV, "--yes")
    verify = _envctl(project, "ledger", "verify")
    return Trial(number, operation, sent, delay, killed, process.returncode, accounted_for,
                 converge.returncode == 0, _unknown_to_state(project), verify.returncode == 0,
                 time.monotonic() - started)


def _history_length(project: Path) -> int:
    listed = _envctl(project, "history", ENV, "--json")
    return len(json.loads(listed.stdout)) if listed.returncode == 0 else 0


def _state_ids(project: Path) -> set[str]:
    if not (project / ".envctl" / "ledger.db").exists():
        return set()
    return {str(resource.id) for resource in _state(project).load()}


def _state(project: Path) -> StateStore:
    from envctl.engine.state import StateStore
    from envctl.ledger.db import connect
    from envctl.secrets import local_crypter

    return StateStore(connect(f"sqlite:///{project / '.envctl' / 'ledger.db'}"), ENV, local_crypter(project))


def _unknown_to_state(project: Path) -> list[str]:
    """ARNs of resources tagged as this environment's in the local cloud that the state does not know."""
    status = json.loads(_envctl(project, "cloud", "status", "--json").stdout)
    tagging = boto3.client("resourcegroupstaggingapi", endpoint_url=status["endpoint"], region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    tagged = {r["ResourceARN"] for page in tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": "envctl:env", "Values": [ENV]}]) for r in page["ResourceTagMappingList"]}
    known = set()
    for resource in _state(project).load():
        known.update(str(v) for v in (resource.id, resource.outputs.get("arn")) if v)
    return sorted(arn for arn in tagged if arn not in known and not any(arn.endswith(k) for k in known))


def _envctl(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ENVCTL, "-C", str(project), *args], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
