"""No plaintext secret anywhere: a config secret used as a tag value, a SecureString, and in a resource name that
fails validation never appears — neither in plaintext nor base64 — in the ledger database, the state, the local
cloud's recording, the environment or command line of the long-lived cloud process, or any command's output."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from engine_support import write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

SECRET = "Zebra-Quartz-71-pass"
PASSPHRASE = "staple horse 42"
PROGRAM = """
import pulumi
import pulumi_aws as aws

password = pulumi.Config().require_secret("dbPassword")
queue = aws.sqs.Queue("jobs", tags={"owner": password, "team": "data"})
aws.ssm.Parameter("db-password", type="SecureString", value=password)
pulumi.export("queueTags", queue.tags_all)
"""
# A name derived from the secret that SQS would reject: check refuses it, naming it without its value.
BAD_NAME = PROGRAM + 'aws.sqs.Queue("bad", name=password.apply(lambda p: f"no spaces {p}"))\n'


def test_a_secret_reaches_no_file_process_or_output_in_plaintext(tmp_path: Path) -> None:
    root = write_program(tmp_path / "project", PROGRAM, name="nowhere")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVCTL_", "PULUMI_CONFIG_PASSPHRASE"))}
    env["PULUMI_CONFIG_PASSPHRASE"] = PASSPHRASE
    outputs: list[str] = []

    def envctl(*args: str, code: int = 0) -> str:
        result = run_envctl("-C", str(root), *args, env=env)
        assert result.returncode == code, result.stdout + result.stderr
        outputs.append(result.stdout + result.stderr)
        return result.stdout

    try:
        envctl("config", "set", "test", "aws:region", "us-east-1")
        envctl("config", "set", "test", "dbPassword", SECRET, "--secret")
        up = json.loads(envctl("up", "test", "--yes", "--json"))
        assert up["outputs"]["queueTags"] == "[secret]"  # tagsAll holds the secret: secret too
        status = json.loads(envctl("cloud", "status", "--json"))
        process = [Path(f"/proc/{status['pid']}/{part}").read_bytes() for part in ("environ", "cmdline")]

        (root / "__main__.py").write_text(BAD_NAME)
        envctl("up", "test", "--yes", code=2)
        assert "no spaces" not in outputs[-1] and "[secret]" in outputs[-1] and "name" in outputs[-1]
        for args in (("show", "test", "--json"), ("history", "test", "--json"), ("show", "test@1", "--json"),
                     ("export", "test", "--format", "pulumi"), ("drift", "test", "--json")):
            envctl(*args)
    finally:
        (root / "__main__.py").write_text(PROGRAM)
        envctl("destroy", "test", "--yes")
        envctl("cloud", "stop")

    files = b"".join(path.read_bytes() for path in (root / ".envctl").rglob("*") if path.is_file())
    forms = [SECRET, base64.b64encode(SECRET.encode()).decode(), PASSPHRASE]
    for form in forms:
        assert form.encode() not in files, f"{form!r} in a file under .envctl"
        assert not any(form.encode() in part for part in process), f"{form!r} in the cloud process"
        assert not any(form in output for output in outputs), f"{form!r} printed"
