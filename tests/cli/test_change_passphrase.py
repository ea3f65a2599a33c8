"""Passphrase rotation, as Pulumi's `stack change-secrets-provider`: `envctl config change-passphrase ENV` re-encrypts
the stack file and the state, after which up, export and destroy work under the new passphrase only. A state whose
secrets the stack's key does not open says exactly that and how to recover; `secure:` holding anything but a
ciphertext string is bad input, never plaintext config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine_support import write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

PROGRAM = """
import pulumi
import pulumi_aws as aws

password = pulumi.Config().require_secret("dbPassword")
aws.ssm.Parameter("db", type="SecureString", value=password)
user = aws.iam.User("rotating")
key = aws.iam.AccessKey("rotating-key", user=user.name)
pulumi.export("keySecret", key.secret)
"""
OLD, NEW = "old passphrase 1", "new passphrase 2"


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str) -> Path:
    return write_program(tmp_path / "project", PROGRAM, name="rotating")


def envctl(root: Path, endpoint: str, passphrase: str, *args: str, code: int = 0) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVCTL_", "PULUMI_CONFIG_PASSPHRASE"))}
    env.update({"ENVCTL_CLOUD_ENDPOINT": endpoint, "PULUMI_CONFIG_PASSPHRASE": passphrase})
    result = run_envctl("-C", str(root), *args, env=env)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_a_new_passphrase_re_encrypts_the_stack_file_and_the_state(project: Path, moto_endpoint: str,
                                                                    tmp_path: Path) -> None:
    envctl(project, moto_endpoint, OLD, "config", "set", "test", "dbPassword", "s3cret-Value-9", "--secret")
    envctl(project, moto_endpoint, OLD, "up", "test", "--yes")
    salt_before = (project / "Pulumi.test.yaml").read_text()
    new_file = tmp_path / "new-passphrase"
    new_file.write_text(NEW + "\n")
    said = envctl(project, moto_endpoint, OLD, "config", "change-passphrase", "test", "--new-passphrase-file",
                  str(new_file))
    assert "re-encrypted 1 secret(s)" in said
    assert (project / "Pulumi.test.yaml").read_text() != salt_before

    assert "incorrect passphrase" in envctl(project, moto_endpoint, OLD, "up", "test", "--yes", code=2)
    assert "No changes" in envctl(project, moto_endpoint, NEW, "preview", "test")
    envctl(project, moto_endpoint, NEW, "up", "test", "--yes")
    envctl(project, moto_endpoint, NEW, "export", "test", "--format", "pulumi")
    shown = envctl(project, moto_endpoint, NEW, "config", "get", "test", "dbPassword", "--show-secrets")
    assert shown.strip() == "s3cret-Value-9"
    envctl(project, moto_endpoint, NEW, "destroy", "test", "--yes")


def test_a_state_under_another_key_says_how_to_recover(project: Path, moto_endpoint: str) -> None:
    envctl(project, moto_endpoint, OLD, "config", "set", "test", "dbPassword", "first-Value-1", "--secret")
    envctl(project, moto_endpoint, OLD, "up", "test", "--yes")
    stack = project / "Pulumi.test.yaml"
    original = stack.read_text()
    stack.write_text("config: {}\n")  # the salt dropped by hand, and the secret set again under a new passphrase
    envctl(project, moto_endpoint, NEW, "config", "set", "test", "dbPassword", "second-Value-2", "--secret")
    said = envctl(project, moto_endpoint, NEW, "up", "test", "--yes", code=2)
    assert "the state of test holds a secret the stack's key does not open" in said
    assert "envctl config change-passphrase test" in said
    stack.write_text(original)
    envctl(project, moto_endpoint, OLD, "destroy", "test", "--yes")


def test_secure_with_anything_but_a_ciphertext_string_is_bad_input(project: Path, moto_endpoint: str) -> None:
    (project / "Pulumi.test.yaml").write_text("config:\n  rotating:dbPassword:\n    secure: [1, 2]\n")
    said = envctl(project, moto_endpoint, OLD, "preview", "test", code=2)
    assert "rotating:dbPassword: `secure:` must hold the ciphertext string" in said
