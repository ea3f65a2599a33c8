"""Crash safety: a create whose outcome a crash left unknown is found and adopted on the next run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine_support import REPO, aws, deployment, destroy, up, write_program

PROGRAM = """
import pulumi, pulumi_aws as aws
queue = aws.sqs.Queue("jobs")
vpc = aws.ec2.Vpc("net", cidr_block="10.60.0.0/16")
bucket = aws.s3.Bucket("files", force_destroy=True)
pulumi.export("queue", queue.url)
"""


# Runs `up` in a child process that dies (os._exit, like kill -9) right after the victim's cloud call,
# before its checkpoint.
CRASHING_UP = """
import os, sys
sys.path.insert(0, {tests!r})
from engine_support import up
from envctl.engine.state import StateStore

original = StateStore.settle

def settle(self, pending_id, **kwargs):
    put = kwargs.get("put")
    if pending_id is not None and put is not None and put.type == {victim!r}:
        os._exit(137)
    original(self, pending_id, **kwargs)

StateStore.settle = settle
up(__import__("pathlib").Path({project!r}), "test", {endpoint!r})
"""


@pytest.mark.parametrize("victim", ["aws:sqs/queue:Queue", "aws:ec2/vpc:Vpc", "aws:s3/bucket:Bucket"])
def test_a_create_interrupted_before_its_checkpoint_is_adopted(tmp_path: Path, moto_endpoint: str,
                                                                victim: str) -> None:
    project_name = "crash-" + victim.split(":")[-1].lower()
    project = write_program(tmp_path, PROGRAM, name=project_name)
    script = CRASHING_UP.format(tests=str(REPO / "tests"), victim=victim, project=str(project),
                                endpoint=moto_endpoint)
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert crashed.returncode == 137, crashed.stderr

    engine = deployment(project, "test", moto_endpoint)
    store = engine.store
    # The creates in flight in parallel when the process died are all pending, the victim among them.
    assert victim in [p.resource.type for p in store.pending()]
    notes = engine.settle_pending()
    assert any(victim in note and "adopted" in note for note in notes), notes
    assert store.pending() == []
    adopted = next(r for r in store.load() if r.type == victim)
    assert adopted.id and adopted.outputs

    result = up(project, "test", moto_endpoint)
    assert result.succeeded, result.error
    assert result.changes["replace"] == 0 and result.changes["delete"] == 0
    assert destroy(project, "test", moto_endpoint).succeeded
    assert _tagged(moto_endpoint, f"urn:pulumi:test::{project_name}::") == []


def _tagged(endpoint: str, urn_prefix: str) -> list[str]:
    """ARNs in the cloud carrying envctl's URN tag of this project: none must outlive destroy."""
    pages = aws(endpoint, "resourcegroupstaggingapi").get_paginator("get_resources").paginate(
        TagFilters=[{"Key": "envctl:env", "Values": ["test"]}])
    return [r["ResourceARN"] for page in pages for r in page["ResourceTagMappingList"]
            if any(t["Key"] == "envctl:urn" and t["Value"].startswith(urn_prefix) for t in r["Tags"])]


def test_the_crash_drill_converges_after_kills() -> None:
    """bench/crash_drill.py with a small count: kill -9 of up and destroy, then converge and verify."""
    drill = subprocess.run([sys.executable, str(REPO / "bench" / "crash_drill.py"), "--trials", "2",
                            "--max-delay", "5"], capture_output=True, text=True, timeout=600)
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "0 broken" in drill.stdout
