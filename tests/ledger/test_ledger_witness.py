"""The witness: a checkpoint of every env's head appended after each recording, to a file or to S3 (a real moto
server, with Object Lock as in real AWS); a witness that cannot be written never costs the snapshot. And the
engine's state against the last snapshot, from a real `envctl up`."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from sqlalchemy import delete, update

from envctl.ledger import Ledger
from envctl.ledger.checkpoint import parse_checkpoints
from envctl.ledger.db import default_url
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.evidence import gather_evidence
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SigningKey
from envctl.ledger.witness import CLOUD_ENDPOINT_ENV, WITNESS_ENV, FileWitness, S3Witness

from engine_support import deployment, envctl, write_program
from ledger_fixtures import fingerprint, snapshot_input

pytest_plugins = ["ledger_fixtures"]


def test_each_recording_appends_a_signed_checkpoint_of_every_head(ledger_url: str, tmp_path: Path,
                                                                 signing_key: SigningKey) -> None:
    witness = FileWitness(tmp_path / "witness.jsonl")
    ledger = Ledger.open(ledger_url, Sealing(signing_key, witness))
    assert ledger.record(snapshot_input(), fingerprint).witnessed is True
    ledger.record(snapshot_input("prod"), fingerprint)
    ledger.record(snapshot_input(), fingerprint)

    checkpoints = parse_checkpoints(witness.path.read_text(), "witness")
    assert [{env: head.seq for env, head in c.heads.items()} for c in checkpoints] == [
        {"dev": 1}, {"dev": 1, "prod": 1}, {"dev": 2, "prod": 1}]
    assert all(c.valid and not c.verified and c.signature.signer == signing_key.public_key for c in checkpoints)
    assert checkpoints[-1].heads["dev"].hash == ledger.history("dev")[0].hash
    report = ledger.verify(gather_evidence(tmp_path, [], witness))
    assert report.ok and report.checkpoints == 3


def test_a_witness_that_cannot_be_written_keeps_the_snapshot_and_warns(sqlite_url: str, tmp_path: Path,
                                                                       signing_key: SigningKey,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "witness").mkdir()  # a directory where the file should be
    ledger = Ledger.open(sqlite_url, Sealing(signing_key, FileWitness(tmp_path / "witness")))
    with caplog.at_level(logging.WARNING):
        recorded = ledger.record(snapshot_input(), fingerprint)
    assert (recorded.ref, recorded.signed, recorded.witnessed) == ("dev@1", True, False)
    assert [s.ref for s in ledger.history("dev")] == ["dev@1"]
    assert "dev@1 is recorded, but no checkpoint reached the witness (cannot append to the witness" in caplog.text
    assert "run `envctl ledger checkpoint` once it is reachable" in caplog.text


# ---- S3 ---------------------------------------------------------------------------------------------


@pytest.fixture
def locked_bucket(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A bucket with Object Lock in compliance mode, as a witness should have in real AWS."""
    monkeypatch.setenv(CLOUD_ENDPOINT_ENV, moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    name = f"witness-{tmp_path.name[-20:].lower().replace('_', '-')}-{os.getpid()}"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
    return name


def test_an_s3_witness_keeps_each_checkpoint_as_a_locked_object(ledger_url: str, tmp_path: Path,
                                                                signing_key: SigningKey, locked_bucket: str,
                                                                moto_endpoint: str) -> None:
    witness = S3Witness(locked_bucket, "ledger/checkpoints")
    ledger = Ledger.open(ledger_url, Sealing(signing_key, witness))
    for _ in range(3):
        assert ledger.record(snapshot_input(), fingerprint).witnessed is True

    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    objects = s3.list_object_versions(Bucket=locked_bucket)["Versions"]
    assert len(objects) == 3 and all(o["Key"].startswith("ledger/checkpoints/") for o in objects)
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):  # nobody can take one back
        s3.delete_object(Bucket=locked_bucket, Key=objects[0]["Key"], VersionId=objects[0]["VersionId"])
    assert ledger.verify(gather_evidence(tmp_path, [], witness)).ok

    dev_2 = ledger.history("dev")[1].hash
    with ledger.engine.begin() as conn:
        conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.seq == 3))
        conn.execute(update(ledger_heads).values(seq=2, hash=dev_2))
    problem = ledger.verify(gather_evidence(tmp_path, [], witness)).problems[0]
    assert (problem.ref, problem.kind) == ("dev@3", "truncated")
    assert f"witness s3://{locked_bucket}/ledger/checkpoints line 3" in problem.detail


def test_a_missing_bucket_is_a_warning_when_recording(sqlite_url: str, signing_key: SigningKey, locked_bucket: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    ledger = Ledger.open(sqlite_url, Sealing(signing_key, S3Witness(locked_bucket + "-gone", "checkpoints")))
    with caplog.at_level(logging.WARNING):
        assert ledger.record(snapshot_input(), fingerprint).witnessed is False
    assert "-gone/checkpoints cannot be written: NoSuchBucket" in caplog.text


# ---- the real command, end to end -------------------------------------------------------------------

PROGRAM = """
import pulumi, pulumi_aws as aws
jobs = aws.sqs.Queue("jobs")
mail = aws.sqs.Queue("mail", delay_seconds=5)
pulumi.export("jobs", jobs.url)
"""


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(CLOUD_ENDPOINT_ENV, moto_endpoint)
    root = write_program(tmp_path / "project", PROGRAM)
    yield root
    deployment(root, "test", moto_endpoint).destroy()


@pytest.mark.e2e
def test_up_appends_to_the_witness_and_verify_compares_the_state_with_the_last_snapshot(project: Path,
                                                                                       tmp_path: Path) -> None:
    witness = tmp_path / "witness.jsonl"
    up = envctl(project, "up", "test", "--yes", env={WITNESS_ENV: str(witness)})
    assert up.returncode == 0, up.stdout + up.stderr
    assert [c.heads["test"].seq for c in parse_checkpoints(witness.read_text(), "witness")] == [1]
    ledger = Ledger.open(default_url(project))
    assert ledger.compare_state("test").ok  # what the engine may ask before `up` or `drift`

    intact = envctl(project, "ledger", "verify", env={WITNESS_ENV: str(witness)})
    assert intact.returncode == 0 and "checked against 1 checkpoints" in intact.stdout, intact.stdout
    database = sqlite3.connect(project / ".envctl" / "ledger.db")
    with database:
        database.execute("DELETE FROM state_resources WHERE urn LIKE '%::mail'")
    database.close()

    comparison = ledger.compare_state("test")
    assert [key.describe() for key in comparison.missing] == [
        f"aws:sqs/queue:Queue mail ({comparison.missing[0].id})"] and comparison.snapshot == "test@1"
    broken = envctl(project, "ledger", "verify", env={WITNESS_ENV: str(witness)})
    assert broken.returncode == 1
    assert "test@1 state-differs: the state of test lacks aws:sqs/queue:Queue mail" in broken.stdout


@pytest.mark.e2e
def test_up_with_an_unwritable_witness_succeeds_records_and_says_so(project: Path, tmp_path: Path) -> None:
    (tmp_path / "witness").mkdir()
    up = envctl(project, "up", "test", "--yes", env={WITNESS_ENV: str(tmp_path / "witness")})
    assert up.returncode == 0, up.stdout + up.stderr
    assert "recorded snapshot test@1" in up.stdout
    assert "test@1 is recorded, but no checkpoint reached the witness" in up.stderr
    assert "Traceback" not in up.stderr
    assert envctl(project, "history", "test").returncode == 0


@pytest.mark.e2e
def test_up_with_an_unknown_witness_scheme_records_then_exits_2(project: Path) -> None:
    up = envctl(project, "up", "test", "--yes", env={WITNESS_ENV: "https://example.com/log"})
    assert up.returncode == 2
    assert "test@1 was recorded, but it is not witnessed: ENVCTL_WITNESS=https://example.com/log" in up.stderr
    assert "Traceback" not in up.stderr
    assert envctl(project, "ledger", "verify").returncode == 0  # signed all the same


@pytest.mark.e2e
def test_verify_against_a_witness_that_cannot_be_read_is_exit_1(sqlite_url: str, tmp_path: Path,
                                                                locked_bucket: str) -> None:
    Ledger.open(sqlite_url).record(snapshot_input(), fingerprint)
    result = envctl(tmp_path, "ledger", "verify", env={"ENVCTL_LEDGER_URL": sqlite_url,
                                                       WITNESS_ENV: f"s3://{locked_bucket}-gone/checkpoints"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"the witness s3://{locked_bucket}-gone/checkpoints cannot be read: NoSuchBucket" in result.stderr
