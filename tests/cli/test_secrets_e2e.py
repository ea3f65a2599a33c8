"""Secrets end to end: a secret set with `config set --secret` and a secret output never appear in plaintext
in the ledger database, the state, or the command output; a changed secret shows as changed in the diff."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from envctl.engine.properties import reveal
from envctl.engine.state import StateStore
from envctl.ledger.db import connect
from envctl.project import load_project, load_stack_config
from envctl.secrets import stack_crypter

from engine_support import write_program
from envctl_command import run_envctl

PROGRAM = """
import pulumi
import pulumi_aws as aws

password = pulumi.Config().require_secret("dbPassword")
aws.ssm.Parameter("db-password", type="SecureString", value=password)
user = aws.iam.User("ci")
key = aws.iam.AccessKey("ci-key", user=user.name)
pulumi.export("password", password)
pulumi.export("keySecret", key.secret)
"""
FIRST, SECOND = "hunter2-first-Q7x", "hunter2-second-Z9k"


def test_secret_config_and_secret_outputs_stay_encrypted(tmp_path: Path, moto_endpoint: str) -> None:
    root = write_program(tmp_path / "project", PROGRAM, name="secretive")
    env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": "correct horse", "ENVCTL_CLOUD_ENDPOINT": moto_endpoint}

    def envctl(*args: str) -> subprocess.CompletedProcess[str]:
        result = run_envctl("-C", str(root), *args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    outputs = [envctl("config", "set", "test", "aws:region", "us-east-1"),
               envctl("config", "set", "test", "dbPassword", FIRST, "--secret")]
    first = envctl("up", "test", "--yes", "--json")
    assert json.loads(first.stdout)["outputs"] == {"password": "[secret]", "keySecret": "[secret]"}
    outputs += [first, envctl("config", "set", "test", "dbPassword", SECOND, "--secret"),
                envctl("up", "test", "--yes")]

    diff = json.loads(envctl("diff", "test~1", "test", "--json").stdout)
    outputs.append(diff_text := json.dumps(diff))
    changed_config = json.dumps(diff["config"])
    assert "secretive:dbPassword" in changed_config
    assert FIRST not in diff_text and SECOND not in diff_text
    outputs += [envctl("show", "test", "--json"), envctl("history", "test")]

    stack = load_stack_config(load_project(root), "test")
    os.environ["PULUMI_CONFIG_PASSPHRASE"] = "correct horse"
    try:
        crypter = stack_crypter(stack, create=False)
    finally:
        del os.environ["PULUMI_CONFIG_PASSPHRASE"]
    state = StateStore(connect(f"sqlite:///{root / '.envctl' / 'ledger.db'}"), "test", crypter)
    key_secret = reveal(next(r for r in state.load() if r.type == "aws:iam/accessKey:AccessKey").outputs["secret"])
    assert key_secret and isinstance(key_secret, str)

    raw = b"".join(p.read_bytes() for p in (root / ".envctl").glob("ledger.db*"))
    printed = "".join(o if isinstance(o, str) else o.stdout + o.stderr for o in outputs)
    for plaintext in (FIRST, SECOND, key_secret):
        assert plaintext.encode() not in raw, f"{plaintext} found in the database"
        assert plaintext not in printed, f"{plaintext} printed"
    assert FIRST not in (root / "Pulumi.test.yaml").read_text()
    envctl("destroy", "test", "--yes")


@pytest.fixture(autouse=True)
def _no_ambient_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
