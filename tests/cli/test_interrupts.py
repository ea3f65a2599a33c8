"""Every run is recorded: Ctrl-C (SIGINT) or SIGTERM during `up` stops at a safe point (no new step starts, the
steps in flight finish and are checkpointed), the run is recorded as interrupted with what it changed, the lock is
released and envctl exits 130 saying so; a program that exits or interrupts itself is a recorded failure."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from engine_support import write_program
from envctl_command import ENVCTL, run_envctl

pytestmark = pytest.mark.e2e

# Twenty queues; once they exist the program keeps running (only in the real run, not in its preview), and only
# then registers one more.
SLOW = """
import time
import pulumi
import pulumi_aws as aws


def wait(_):
    if not pulumi.runtime.is_dry_run():
        %s
    return "done"


queues = [aws.sqs.Queue(f"q{i}") for i in range(20)]
aws.sqs.Queue("after", name_prefix=pulumi.Output.all(*[q.url for q in queues]).apply(wait))
"""


def _env(moto_endpoint: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ENVCTL_")},
            "ENVCTL_CLOUD_ENDPOINT": moto_endpoint}


def _state_rows(root: Path) -> int:
    database = root / ".envctl" / "ledger.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        try:
            return conn.execute("select count(*) from state_resources where urn like '%Queue::q%'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def _interrupted_up(root: Path, moto_endpoint: str, signals: list[int]) -> subprocess.CompletedProcess[str]:
    """`envctl up` sent `signals` once the twenty queues are in the state."""
    process = subprocess.Popen([*ENVCTL, "-C", str(root), "up", "test", "--yes"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=_env(moto_endpoint), stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _state_rows(root) < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    for number in signals:
        process.send_signal(number)
        time.sleep(0.1)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _history(root: Path, moto_endpoint: str) -> list[dict]:
    listed = run_envctl("-C", str(root), "history", "test", "--json", env=_env(moto_endpoint))
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


@pytest.mark.parametrize(("wait", "signals"), [
    ("time.sleep(60)", [signal.SIGINT]),
    ("time.sleep(60)", [signal.SIGTERM]),
    ("time.sleep(60)", [signal.SIGINT, signal.SIGINT]),  # a second Ctrl-C still records
    ("while True:\n            pass", [signal.SIGINT]),  # a program busy in a loop of its own
], ids=["sigint", "sigterm", "twice", "busy-loop"])
def test_an_interrupted_up_is_recorded_with_what_it_made_and_the_next_up_goes_on(
        tmp_path: Path, moto_endpoint: str, wait: str, signals: list[int]) -> None:
    root = write_program(tmp_path / "project", SLOW % wait)
    result = _interrupted_up(root, moto_endpoint, signals)
    output = result.stdout + result.stderr
    assert result.returncode == 130, output
    assert "Traceback" not in output
    assert "interrupted by SIG" in result.stderr and "recorded snapshot test@1" in result.stdout
    [snapshot] = _history(root, moto_endpoint)
    assert snapshot["status"] == "interrupted"
    shown = json.loads(run_envctl("-C", str(root), "show", "test@1", "--json", env=_env(moto_endpoint)).stdout)
    assert len([r for r in shown["resources"] if r["type"] == "aws:sqs/queue:Queue"]) == 20

    (root / "__main__.py").write_text(SLOW % "pass")
    again = run_envctl("-C", str(root), "up", "test", "--yes", "--json", env=_env(moto_endpoint))
    assert again.returncode == 0, again.stderr  # no lock left, nothing pending
    assert json.loads(again.stdout)["changes"]["create"] == 1  # only `after`: the twenty queues were kept
    assert run_envctl("-C", str(root), "destroy", "test", "--yes", env=_env(moto_endpoint)).returncode == 0


@pytest.mark.parametrize(("line", "code", "status", "message"), [
    ("import sys; sys.exit(3)", 1, "failed", "the program called sys.exit(3)"),
    ("import sys; sys.exit(0)", 1, "failed", "the program called sys.exit(0)"),
    ("raise KeyboardInterrupt", 130, "interrupted", "interrupted by KeyboardInterrupt"),
], ids=["exit-3", "exit-0", "keyboard-interrupt"])
def test_a_program_that_exits_or_interrupts_itself_is_a_recorded_failure(
        tmp_path: Path, moto_endpoint: str, line: str, code: int, status: str, message: str) -> None:
    root = write_program(tmp_path / "project", f"import pulumi_aws as aws\naws.sqs.Queue('q')\n{line}\n")
    result = run_envctl("-C", str(root), "up", "test", "--yes", env=_env(moto_endpoint))
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    [snapshot] = _history(root, moto_endpoint)
    assert snapshot["status"] == status
