"""Read-only commands that need no secret value run without the passphrase on a stack that holds secrets: drift
compares everything but the secrets (and says which it could not), export keeps the secrets sealed as stored;
what needs a secret still asks for the passphrase."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from envctl.secrets import crypter_from_salt

from engine_support import assert_clean_failure, aws, write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

SECRET = "Walrus-Ember-93"
PASSPHRASE = "plinth mouse 7"
PROGRAM = """
import pulumi, pulumi_aws as aws
token = aws.ssm.Parameter("token", type="SecureString", value=pulumi.Config().require_secret("token"))
jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=30)
pulumi.export("jobs", jobs.url)
pulumi.export("token", token.value)
"""


def test_drift_and_export_need_no_passphrase_while_up_still_does(tmp_path: Path, moto_endpoint: str) -> None:
    root = write_program(tmp_path / "project", PROGRAM, name="sealed")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ENVCTL_", "PULUMI_CONFIG_PASSPHRASE"))}
    base["ENVCTL_CLOUD_ENDPOINT"] = moto_endpoint
    with_passphrase = {**base, "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}

    def envctl(*args: str, env: dict[str, str] = base) -> subprocess.CompletedProcess[str]:
        return run_envctl("-C", str(root), *args, env=env)

    assert envctl("config", "set", "test", "aws:region", "us-east-1", env=with_passphrase).returncode == 0
    assert envctl("config", "set", "test", "token", SECRET, "--secret", env=with_passphrase).returncode == 0
    up = envctl("up", "test", "--yes", "--json", env=with_passphrase)
    assert up.returncode == 0, up.stderr
    try:
        aws(moto_endpoint, "sqs").set_queue_attributes(QueueUrl=json.loads(up.stdout)["outputs"]["jobs"],
                                                       Attributes={"VisibilityTimeout": "45"})
        drift = envctl("drift", "test")
        assert drift.returncode == 1, drift.stderr  # the queue drifted, and that is seen without the passphrase
        assert "visibilityTimeoutSeconds: 30 → 45" in drift.stdout
        assert "1 secret property not compared without the passphrase" in drift.stdout and "token.value" in drift.stdout
        document = json.loads(envctl("drift", "test", "--json").stdout)
        assert document["not_compared"] == ["token.value"]

        export = envctl("export", "test", "--format", "pulumi")
        assert export.returncode == 0, export.stderr
        assert SECRET not in export.stdout
        deployment = json.loads(export.stdout)["deployment"]
        crypter = crypter_from_salt(PASSPHRASE, deployment["secrets_providers"]["state"]["salt"])
        token = next(r for r in deployment["resources"] if r["urn"].endswith("::token"))
        assert json.loads(crypter.decrypt(token["outputs"]["value"]["ciphertext"])) == SECRET

        assert_clean_failure(envctl("up", "test", "--yes"), 2, "PULUMI_CONFIG_PASSPHRASE")
    finally:
        assert envctl("destroy", "test", "--yes", env=with_passphrase).returncode == 0
