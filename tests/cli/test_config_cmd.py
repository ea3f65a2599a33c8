"""`envctl config set|get|list`: the stack file in Pulumi's format, secrets encrypted, comments kept."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from envctl.cli import config_cmd
from envctl.errors import BadInput
from envctl.project import load_project, load_stack_config
from envctl.secrets import crypter_from_salt

from envctl_command import run_envctl

PASSPHRASE = "correct horse battery staple"
PROJECT_FILE = """\
name: demo
runtime: python
stackConfigDir: stacks
config:
  port:
    type: integer
    default: 80
  verbose:
    type: boolean
    default: false
  apiKey:
    type: string
    secret: true
    default: none
"""
EXISTING_STACK = """\
# Development stack: keep this comment.
config:
  # the region comes first
  aws:region: us-east-1  # trailing comment
  demo:config:greeting: hello   # legacy key spelling
  demo:answer: "yes"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_FILE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    return tmp_path


@pytest.fixture
def envctl() -> typer.Typer:
    app = typer.Typer()
    config_cmd.register(app)
    return app


def run(app: typer.Typer, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, ["config", *args], input=input)
    if result.exception is not None:
        raise result.exception
    return result.output


def run_bad(app: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(app, ["config", *args])
    assert isinstance(result.exception, BadInput), result.output
    return str(result.exception)


def stack_document(project: Path, env: str = "dev") -> dict:
    return yaml.safe_load((project / "stacks" / f"Pulumi.{env}.yaml").read_text())


def test_set_creates_the_stack_file_with_namespaced_keys(project: Path, envctl: typer.Typer) -> None:
    run(envctl, "set", "dev", "greeting", "hello world")
    run(envctl, "set", "dev", "aws:region", "eu-west-1")
    run(envctl, "set", "dev", "aws:config:profile", "ops")  # legacy form is normalised, as Pulumi does
    assert stack_document(project) == {
        "config": {"demo:greeting": "hello world", "aws:region": "eu-west-1", "aws:profile": "ops"}
    }
    assert run(envctl, "get", "dev", "greeting") == "hello world\n"
    assert run(envctl, "get", "dev", "demo:greeting") == "hello world\n"


def test_values_are_strings_unless_the_project_declares_a_type(project: Path, envctl: typer.Typer) -> None:
    run(envctl, "set", "dev", "port", "8080")
    run(envctl, "set", "dev", "verbose", "true")
    run(envctl, "set", "dev", "build", "0123")
    run(envctl, "set", "dev", "answer", "yes")  # YAML 1.1 would read a plain `yes` as true
    assert stack_document(project)["config"] == {
        "demo:port": 8080, "demo:verbose": True, "demo:build": "0123", "demo:answer": "yes",
    }
    stack = load_stack_config(load_project(project), "dev")
    assert stack.values["demo:port"] == 8080 and stack.values["demo:answer"] == "yes"
    assert "declared `type: integer`" in run_bad(envctl, "set", "dev", "port", "eighty")


def test_secret_is_encrypted_with_a_new_salt_and_never_shown(project: Path, envctl: typer.Typer) -> None:
    output = run(envctl, "set", "dev", "dbPassword", "hunter2-p@ss", "--secret")
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "hunter2-p@ss" not in text and "hunter2-p@ss" not in output
    assert text.startswith("encryptionsalt: v1:")
    document = yaml.safe_load(text)
    ciphertext = document["config"]["demo:dbPassword"]["secure"]
    assert ciphertext.startswith("v1:")
    assert crypter_from_salt(PASSPHRASE, document["encryptionsalt"]).decrypt(ciphertext) == "hunter2-p@ss"

    assert run(envctl, "get", "dev", "dbPassword") == "[secret]\n"
    assert run(envctl, "get", "dev", "dbPassword", "--show-secrets") == "hunter2-p@ss\n"
    assert json.loads(run(envctl, "get", "dev", "dbPassword", "--json")) == {"key": "demo:dbPassword", "secret": True}
    listed = json.loads(run(envctl, "list", "dev", "--json"))
    assert listed["demo:dbPassword"] == {"secret": True}
    assert listed["demo:port"] == {"secret": False, "value": 80}  # project defaults are listed too
    assert "hunter2" not in run(envctl, "list", "dev")

    run(envctl, "set", "dev", "apiKey", "k-123", "--secret")  # the second secret reuses the salt
    assert stack_document(project)["encryptionsalt"] == document["encryptionsalt"]


def test_set_keeps_comments_order_and_existing_spelling(project: Path, envctl: typer.Typer) -> None:
    (project / "stacks").mkdir()
    (project / "stacks" / "Pulumi.dev.yaml").write_text(EXISTING_STACK)
    run(envctl, "set", "dev", "greeting", "bonjour")
    run(envctl, "set", "dev", "token", "t0k", "--secret")
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text()
    for comment in ("# Development stack: keep this comment.", "# the region comes first",
                    "# trailing comment", "# legacy key spelling"):
        assert comment in text
    document = yaml.safe_load(text)
    assert list(document) == ["encryptionsalt", "config"]
    assert list(document["config"]) == ["aws:region", "demo:config:greeting", "demo:answer", "demo:token"]
    assert document["config"]["demo:config:greeting"] == "bonjour"
    assert document["config"]["demo:answer"] == "yes"


def test_path_sets_values_inside_maps_and_lists(project: Path, envctl: typer.Typer) -> None:
    run(envctl, "set", "dev", "data.ports[0]", "80", "--path")
    run(envctl, "set", "dev", "data.ports[1]", "443", "--path")
    run(envctl, "set", "dev", "data.active", "true", "--path")
    run(envctl, "set", "dev", 'data["dotted.key"]', "0123", "--path")
    run(envctl, "set", "dev", "data.token", "s3cret", "--secret", "--path")
    run(envctl, "set", "dev", "aws:assumeRole.roleArn", "arn:aws:iam::1:role/x", "--path")
    config = stack_document(project)["config"]
    token = config["demo:data"].pop("token")
    assert config["demo:data"] == {"ports": [80, 443], "active": True, "dotted.key": "0123"}
    assert token["secure"].startswith("v1:")
    assert config["aws:assumeRole"] == {"roleArn": "arn:aws:iam::1:role/x"}
    shown = json.loads(run(envctl, "get", "dev", "data", "--show-secrets", "--json"))
    assert shown["secret"] is True and shown["value"]["token"] == "s3cret"
    assert "past the end of a list of 2" in run_bad(envctl, "set", "dev", "data.ports[5]", "1", "--path")
    assert "not a map" in run_bad(envctl, "set", "dev", "data.ports.x", "1", "--path")
    assert "reserved for secret values" in run_bad(envctl, "set", "dev", "other.secure", "x", "--path")


def test_value_can_come_from_stdin(project: Path, envctl: typer.Typer) -> None:
    run(envctl, "set", "dev", "cert", "--secret", input="-----BEGIN-----\nabc\n")
    assert run(envctl, "get", "dev", "cert", "--show-secrets") == "-----BEGIN-----\nabc\n"


def test_user_errors_are_bad_input(project: Path, envctl: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "declared secret in Pulumi.yaml: add --secret" in run_bad(envctl, "set", "dev", "apiKey", "k")
    assert "invalid config key" in run_bad(envctl, "set", "dev", "a:b:c", "x")
    assert "invalid environment name" in run_bad(envctl, "set", "dev env", "a", "x")
    assert "unknown environment 'dev': no Pulumi.dev.yaml" in run_bad(envctl, "get", "dev", "missing")
    run(envctl, "set", "dev", "tier", "small")
    assert "not set for environment dev" in run_bad(envctl, "get", "dev", "missing")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    assert "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in run_bad(
        envctl, "set", "dev", "pw", "x", "--secret")


def test_unwritable_location_is_bad_input_naming_the_path(project: Path, envctl: typer.Typer) -> None:
    (project / "Pulumi.yaml").write_text(PROJECT_FILE.replace("stackConfigDir: stacks", "stackConfigDir: blocked/x"))
    (project / "blocked").write_text("a file where a directory should be")
    message = run_bad(envctl, "set", "dev", "a", "b")
    assert f"cannot write {project / 'blocked' / 'x' / 'Pulumi.dev.yaml'}" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_is_bad_input_naming_the_path(project: Path, envctl: typer.Typer) -> None:
    (project / "stacks").mkdir(mode=0o555)
    message = run_bad(envctl, "set", "dev", "a", "b")
    assert f"cannot write {project / 'stacks' / 'Pulumi.dev.yaml'}" in message


@pytest.mark.e2e
def test_envctl_command_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_FILE)
    stack_file = tmp_path / "stacks" / "Pulumi.dev.yaml"
    stack_file.parent.mkdir()
    stack_file.write_text(EXISTING_STACK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASSPHRASE")}

    def envctl(*args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess[str]:
        return run_envctl("-C", str(tmp_path), "config", *args, env={**env, "PULUMI_CONFIG_PASSPHRASE": passphrase},
                          timeout=120)

    plain = envctl("set", "dev", "team", "platform")
    secret = envctl("set", "dev", "dbPassword", "Zq9-hunter2", "--secret")
    assert plain.returncode == 0 and secret.returncode == 0, plain.stderr + secret.stderr
    text = stack_file.read_text()
    document = yaml.safe_load(text)
    assert document["encryptionsalt"].startswith("v1:")
    assert document["config"]["demo:team"] == "platform"
    assert document["config"]["demo:dbPassword"]["secure"].startswith("v1:")
    assert "# the region comes first" in text and "# Development stack: keep this comment." in text
    assert "Zq9-hunter2" not in text + plain.stdout + plain.stderr + secret.stdout + secret.stderr

    shown = envctl("get", "dev", "dbPassword", "--show-secrets")
    assert (shown.returncode, shown.stdout) == (0, "Zq9-hunter2\n")
    wrong = envctl("get", "dev", "dbPassword", "--show-secrets", passphrase="not it")
    assert wrong.returncode == 2
    assert "incorrect passphrase for stack dev" in wrong.stderr
    assert "Traceback" not in wrong.stderr and "Zq9-hunter2" not in wrong.stdout + wrong.stderr
