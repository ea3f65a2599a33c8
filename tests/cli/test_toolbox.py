"""The Pulumi user's toolbox, end to end through the `envctl` command: `output`, `ls`, `rm`, `state
delete|unprotect|rename` (each recorded in the ledger) and `config rm|cp`."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from envctl.engine.state import StateStore
from envctl.ledger.db import connect
from envctl.ledger.db.state_tables import state_resources

from engine_support import assert_clean_failure, aws, destroy, envctl, write_program
from envctl_command import run_envctl

pytestmark = pytest.mark.e2e

PASSPHRASE = "toolbox-passphrase"
PROGRAM = """
import pulumi, pulumi_aws as aws
config = pulumi.Config()
jobs = aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(protect=config.get_bool("protect") or False))
aws.ssm.Parameter("jobs-url", type="String", value=jobs.url)
pulumi.export("jobs", jobs.url)
pulumi.export("note", "see [docs] and [bold]x")
pulumi.export("limits", {"ports": [80, 443], "on": True})
pulumi.export("token", pulumi.Output.secret(config.require_secret("token")))
"""


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    root = write_program(tmp_path / "project", PROGRAM, "config:\n  aws:region: us-east-1\n")
    assert envctl(root, "config", "set", "test", "token", "hunter2-token", "--secret").returncode == 0
    yield root
    for stack in ("test", "staging"):
        if StateStore(connect(f"sqlite:///{root / '.envctl' / 'ledger.db'}"), stack, None).has_resources():
            destroy(root, stack, moto_endpoint)


def ok(project: Path, *args: str) -> str:
    result = envctl(project, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def without_passphrase(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASSPHRASE")}
    return run_envctl("-C", str(project), *args, env=env)


def history(project: Path, env: str = "test") -> list[dict[str, Any]]:
    return json.loads(ok(project, "history", env, "--json"))


def state_names(project: Path, env: str = "test") -> list[str]:
    """The logical names of the environment's cloud resources in its state (URNs are stored in the clear)."""
    database = connect(f"sqlite:///{project / '.envctl' / 'ledger.db'}")
    with database.connect() as conn:
        urns = conn.execute(select(state_resources.c.urn).where(state_resources.c.stack == env)).scalars().all()
    return sorted(urn.split("::")[-1] for urn in urns if "::pulumi:" not in urn)


def test_output_prints_values_literally_and_secrets_only_when_asked(project: Path) -> None:
    ok(project, "up", "test", "--yes")
    table = ok(project, "output", "test")
    assert "see [docs] and [bold]x" in table
    assert '{"on": true, "ports": [80, 443]}' in table
    assert "[secret]" in table and "hunter2-token" not in table
    assert ok(project, "output", "test", "note") == "see [docs] and [bold]x\n"
    document = json.loads(ok(project, "output", "test", "--json"))
    assert document["limits"] == {"ports": [80, 443], "on": True} and document["token"] == "[secret]"
    assert document["jobs"].startswith("http")
    assert json.loads(ok(project, "output", "test", "token", "--json", "--show-secrets")) == "hunter2-token"
    # Without the passphrase the outputs still print, the secret sealed; showing it needs the key.
    sealed = without_passphrase(project, "output", "test", "--json")
    assert sealed.returncode == 0 and json.loads(sealed.stdout)["token"] == "[secret]", sealed.stderr
    assert_clean_failure(without_passphrase(project, "output", "test", "--show-secrets"), 2,
                         "PULUMI_CONFIG_PASSPHRASE")
    assert_clean_failure(envctl(project, "output", "test", "nosuch"), 2, "no output named 'nosuch'", "jobs, limits")


def test_ls_lists_each_environment_and_rm_refuses_while_resources_remain(project: Path, moto_endpoint: str) -> None:
    ok(project, "up", "test", "--yes")
    ok(project, "config", "cp", "test", "staging")
    listed = {item["name"]: item for item in json.loads(ok(project, "ls", "--json"))}
    assert listed["test"]["snapshot"] == "test@1" and listed["test"]["status"] == "succeeded"
    assert listed["test"]["resources"] == 2 and listed["test"]["cloud"] == "local"
    assert listed["staging"] == {"name": "staging", "stack_file": True, "resources": 0, "cloud": "local",
                                 "snapshot": None, "operation": None, "status": None, "finished": None}
    text = ok(project, "ls")
    assert text.splitlines()[0].split() == ["NAME", "LAST", "SNAPSHOT", "STATUS", "FINISHED", "RESOURCES", "CLOUD"]

    assert_clean_failure(envctl(project, "rm", "test", "--yes"), 2, "test still has 2 resource(s)", "envctl destroy")
    assert (project / "Pulumi.test.yaml").exists()
    ok(project, "destroy", "test", "--yes")
    assert ok(project, "rm", "test", "--yes").startswith("removed environment test")
    assert not (project / "Pulumi.test.yaml").exists()
    assert [s["operation"] for s in history(project)] == ["rm", "destroy", "up"]  # the history stays
    assert json.loads(ok(project, "ledger", "verify", "--json"))["ok"] is True

    ok(project, "up", "staging", "--yes")
    queue = json.loads(ok(project, "output", "staging", "--json"))["jobs"]
    ok(project, "rm", "staging", "--yes", "--force", "--preserve-config")
    assert (project / "Pulumi.staging.yaml").exists()
    sqs = aws(moto_endpoint, "sqs")
    assert sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]  # left in the cloud
    listed = {item["name"]: item for item in json.loads(ok(project, "ls", "--json"))}
    assert (listed["staging"]["operation"], listed["staging"]["resources"]) == ("rm", 0)
    sqs.delete_queue(QueueUrl=queue)


def test_state_edits_are_recorded_and_keep_the_state_and_ledger_in_step(project: Path, moto_endpoint: str) -> None:
    ok(project, "config", "set", "test", "protect", "true")
    ok(project, "up", "test", "--yes")
    assert_clean_failure(envctl(project, "state", "delete", "test", "jobs", "--yes"), 2,
                         "jobs cannot leave the state", "jobs-url depend on it")
    assert_clean_failure(envctl(project, "state", "delete", "test", "nosuch", "--yes"), 2, "nosuch names no resource")

    assert "recorded test@2" in ok(project, "state", "rename", "test", "jobs-url", "queue-url", "--yes")
    assert state_names(project) == ["jobs", "queue-url"]
    assert "recorded test@3" in ok(project, "state", "unprotect", "test", "jobs")
    assert "nothing to record" in ok(project, "state", "unprotect", "test", "jobs")
    assert "recorded test@4" in ok(project, "state", "delete", "test", "queue-url", "--yes")
    assert state_names(project) == ["jobs"]
    assert [s["operation"] for s in history(project)] == ["state-delete", "state-unprotect", "state-rename", "up"]
    assert json.loads(ok(project, "ledger", "verify", "--json"))["ok"] is True

    # The program still names jobs-url: the next up makes a new parameter and leaves the forgotten one alone.
    ok(project, "config", "set", "test", "protect", "false")
    steps = json.loads(ok(project, "preview", "test", "--json"))["planned"]
    planned = {step["urn"].split("::")[-1]: step["op"] for step in steps if step["op"] != "same"}
    assert planned == {"jobs-url": "create"}, planned
    ssm = aws(moto_endpoint, "ssm")
    forgotten = [p["Name"] for p in ssm.describe_parameters()["Parameters"] if p["Name"].startswith("jobs-url")]
    for name in forgotten:
        ssm.delete_parameter(Name=name)


def test_config_rm_and_cp_reencrypt_secrets_under_the_destination_key(project: Path) -> None:
    ok(project, "config", "set", "test", "tier", "small")
    ok(project, "config", "set", "test", "data.ports[0]", "80", "--path")
    ok(project, "config", "cp", "test", "staging")
    staging = yaml.safe_load((project / "Pulumi.staging.yaml").read_text())
    source = yaml.safe_load((project / "Pulumi.test.yaml").read_text())
    assert staging["encryptionsalt"] != source["encryptionsalt"]
    assert staging["config"]["testproj:token"]["secure"] != source["config"]["testproj:token"]["secure"]
    assert ok(project, "config", "get", "staging", "token", "--show-secrets") == "hunter2-token\n"
    assert ok(project, "config", "get", "staging", "tier") == "small\n"

    ok(project, "config", "rm", "staging", "data.ports[0]", "--path")
    assert json.loads(ok(project, "config", "get", "staging", "data", "--json"))["value"] == {"ports": []}
    ok(project, "config", "rm", "staging", "tier")
    assert_clean_failure(envctl(project, "config", "get", "staging", "tier"), 2, "not set for environment staging")
    assert_clean_failure(envctl(project, "config", "rm", "staging", "tier"), 2, "not set for environment staging")
    assert_clean_failure(envctl(project, "config", "cp", "nosuch", "staging"), 2, "unknown environment 'nosuch'")
    ok(project, "config", "cp", "test", "prod", "tier")
    assert yaml.safe_load((project / "Pulumi.prod.yaml").read_text()) == {"config": {"testproj:tier": "small"}}


def test_import_adopts_a_bucket_made_outside_and_the_next_up_keeps_it(project: Path, moto_endpoint: str) -> None:
    s3 = aws(moto_endpoint, "s3")
    bucket = f"adopted-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    ok(project, "up", "test", "--yes")

    document = json.loads(ok(project, "import", "test", "aws:s3/bucket:Bucket", "archive", bucket, "--json"))
    assert document["snapshot"] == "test@2" and document["id"] == bucket
    assert document["urn"] == "urn:pulumi:test::testproj::aws:s3/bucket:Bucket::archive"
    assert f'bucket="{bucket}"' in document["code"] and '"team": "data"' in document["code"]
    assert "protect=True" in document["code"]
    assert [s["operation"] for s in history(project)][:2] == ["import", "up"]
    assert_clean_failure(envctl(project, "import", "test", "aws:s3/bucket:Bucket", "again", "no-such-bucket-x1"), 2,
                         "no aws:s3/bucket:Bucket with id no-such-bucket-x1")
    assert_clean_failure(envctl(project, "import", "test", "aws:s3/bucket:Bucket", "archive", bucket), 2,
                         "is in the state already")

    # The declaration import printed, added to the program: the next up changes nothing.
    program = project / "__main__.py"
    program.write_text(program.read_text() + "\n" + document["code"] + "\n")
    steps = json.loads(ok(project, "up", "test", "--yes", "--json"))["planned"]
    assert {step["urn"].split("::")[-1]: step["op"] for step in steps if step["op"] != "same"} == {}
    assert_clean_failure(envctl(project, "destroy", "test", "--yes"), 1, "protected")
    ok(project, "state", "unprotect", "test", "archive")
    ok(project, "destroy", "test", "--yes")
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_shell_completion_completes_commands_and_subcommands(tmp_path: Path) -> None:
    script = run_envctl("--show-completion", "bash", cwd=tmp_path)
    assert script.returncode == 0 and "complete -o default -F _envctl_completion envctl" in script.stdout

    def completions(line: str) -> list[str]:
        words = line.split(" ")
        env = {**os.environ, "_ENVCTL_COMPLETE": "complete_bash", "COMP_WORDS": line,
               "COMP_CWORD": str(len(words) - 1)}
        return run_envctl(cwd=tmp_path, env=env).stdout.split()

    assert completions("envctl st") == ["state"]
    assert completions("envctl state ") == ["delete", "unprotect", "rename"]
