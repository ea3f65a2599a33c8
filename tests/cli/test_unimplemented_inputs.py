"""An input envctl does not implement is never dropped: the preview stops with exit 2 naming the type, the resource
and the property, before anything is created — for every kind of type, in `up` as in `preview`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envctl.engine.state import StateStore
from envctl.ledger.db import connect

from engine_support import aws, write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

# Each line sets one input pulumi-aws accepts and envctl refuses (the local cloud cannot emulate it).
PROGRAM = """
import pulumi_aws as aws

aws.sqs.Queue("fine")
aws.s3.Bucket("payer", request_payer="Requester")
aws.kms.Key("store", custom_key_store_id="cks-1234567890abcdef0")
aws.dynamodb.Table("encrypted", hash_key="id", attributes=[{"name": "id", "type": "S"}],
                   billing_mode="PAY_PER_REQUEST", server_side_encryption={"enabled": True})
aws.secretsmanager.SecretVersion("write-only", secret_id="x", secret_string_wo="hunter2-wo")
"""
REFUSED = [
    ("aws:s3/bucket:Bucket", "payer", "requestPayer"),
    ("aws:kms/key:Key", "store", "customKeyStoreId"),
    ("aws:dynamodb/table:Table", "encrypted", "serverSideEncryption"),
    ("aws:secretsmanager/secretVersion:SecretVersion", "write-only", "secretStringWo"),
]


@pytest.mark.parametrize("command", [["preview", "test"], ["up", "test", "--yes"]])
def test_an_unimplemented_input_stops_the_preview_naming_it_and_nothing_is_created(
        tmp_path: Path, moto_endpoint: str, command: list[str]) -> None:
    root = write_program(tmp_path / "project", PROGRAM, name="refusing")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVCTL_")}
    env["ENVCTL_CLOUD_ENDPOINT"] = moto_endpoint
    queues_before = aws(moto_endpoint, "sqs").list_queues(QueueNamePrefix="fine").get("QueueUrls", [])
    result = run_envctl("-C", str(root), *command, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for type_, name, prop in REFUSED:
        assert f"{type_} '{name}': {prop}: '{prop}' is not supported by envctl's local engine" in result.stderr
    assert "hunter2-wo" not in result.stdout + result.stderr
    # Nothing was created, not even the queue nothing is wrong with.
    assert aws(moto_endpoint, "sqs").list_queues(QueueNamePrefix="fine").get("QueueUrls", []) == queues_before
    database = root / ".envctl" / "ledger.db"
    assert not database.exists() or not StateStore(connect(f"sqlite:///{database}"), "test", None).has_resources()
