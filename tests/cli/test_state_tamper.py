"""A row deleted from the state outside envctl is noticed before anything runs: `up` refuses (instead of making a
duplicate and orphaning the original) and `drift` says so; `ledger verify` names it too."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from engine_support import aws, write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

PROGRAM = "import pulumi_aws as aws\naws.sqs.Queue('kept')\naws.sqs.Queue('orphan')\n"


def test_a_deleted_state_row_stops_up_and_drift_before_a_duplicate_is_made(tmp_path: Path, moto_endpoint: str) -> None:
    root = write_program(tmp_path / "project", PROGRAM, name="tampered")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVCTL_")}
    env["ENVCTL_CLOUD_ENDPOINT"] = moto_endpoint
    assert run_envctl("-C", str(root), "up", "test", "--yes", env=env).returncode == 0
    sqs = aws(moto_endpoint, "sqs")
    before = sqs.list_queues(QueueNamePrefix="orphan").get("QueueUrls", [])
    with sqlite3.connect(root / ".envctl" / "ledger.db") as conn:
        conn.execute("delete from state_resources where urn like '%::orphan'")

    up = run_envctl("-C", str(root), "up", "test", "--yes", env=env)
    assert up.returncode == 1, up.stdout + up.stderr
    assert "lacks aws:sqs/queue:Queue orphan" in up.stderr and "outside envctl" in up.stderr
    assert sqs.list_queues(QueueNamePrefix="orphan").get("QueueUrls", []) == before  # no duplicate
    drift = run_envctl("-C", str(root), "drift", "test", env=env)
    assert drift.returncode == 1 and "lacks aws:sqs/queue:Queue orphan" in drift.stderr
    verify = run_envctl("-C", str(root), "ledger", "verify", env=env)
    assert verify.returncode == 1 and "state-differs" in verify.stdout + verify.stderr
