"""Helpers for tests that run programs through the local engine in-process, against the moto server."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from envctl import operations
from envctl.cloud.target import CloudTarget
from envctl.engine.deployment import Deployment, DeploymentResult
from envctl.engine.drift import DriftReport
from envctl.engine.executor import StepEvent
from envctl.environment import Environment, open_environment
from envctl.providers.aws.context import AwsContext

from envctl_command import run_envctl

REPO = Path(__file__).resolve().parent.parent
MUTATING_PREFIXES = ("Create", "Put", "Update", "Delete", "Modify", "Attach", "Detach", "Tag", "Untag",
                     "Associate", "Disassociate", "Authorize", "Revoke", "Set", "Add", "Remove", "Replace",
                     "Enable", "Disable", "Register", "Deregister")


def copy_reference_project(destination: Path) -> Path:
    """A copy of the reference project (Pulumi.yaml, stacks, infra) that a test may edit."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", destination / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", destination / "stacks")
    shutil.copytree(REPO / "infra", destination / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return destination


def write_program(directory: Path, program: str, config: str = "", name: str = "testproj") -> Path:
    """A one-file Pulumi project: Pulumi.yaml, __main__.py and, when given, Pulumi.test.yaml."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (directory / "__main__.py").write_text(program)
    if config:
        (directory / "Pulumi.test.yaml").write_text(config)
    return directory


def environment(project_dir: Path, stack: str, endpoint: str) -> Environment:
    """`stack` of the project in `project_dir`, its database in the project, its cloud the moto server at `endpoint`."""
    target = CloudTarget("local", endpoint, "testing", "testing")
    opened = open_environment(project_dir, f"sqlite:///{project_dir / '.envctl' / 'ledger.db'}", stack)
    opened.target = target
    return opened


def deployment(project_dir: Path, stack: str, endpoint: str) -> Deployment:
    """The local engine for `stack` (preview, drift, refresh and the like)."""
    return environment(project_dir, stack, endpoint).deployment()


class Unattended:
    """The interaction of a run nobody watches: confirmed, nothing shown."""

    def __init__(self) -> None:
        self.events: list[StepEvent] = []
        self.notes: list[str] = []

    def event(self, event: StepEvent) -> None:
        self.events.append(event)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def plan(self, plan: DeploymentResult) -> None:
        pass

    def refreshed(self, report: DriftReport) -> None:
        pass

    def would_refresh(self, report: DriftReport) -> None:
        pass

    def confirm(self, question: str, action: str) -> bool:
        return True


def up(project_dir: Path, stack: str, endpoint: str) -> DeploymentResult:
    """`envctl up STACK --yes` as the library runs it: preview, the confirmed plan applied, recorded."""
    return operations.up(environment(project_dir, stack, endpoint), Unattended(), yes=True).result


def refresh(project_dir: Path, stack: str, endpoint: str) -> DriftReport:
    """`envctl refresh STACK` as the library runs it (recorded); what it took in."""
    report = operations.refresh(environment(project_dir, stack, endpoint), Unattended(), yes=True).refreshed
    assert report is not None
    return report


def destroy(project_dir: Path, stack: str, endpoint: str) -> DeploymentResult:
    """`envctl destroy STACK --yes` as the library runs it."""
    return operations.destroy(environment(project_dir, stack, endpoint), Unattended(), yes=True).result


def aws(endpoint: str, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@contextmanager
def recorded_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of every AWS API operation the engine calls inside the block."""
    calls: list[str] = []
    original = AwsContext.client

    def client(self: AwsContext, service: str):  # type: ignore[no-untyped-def]
        created = original(self, service)
        if not getattr(created, "_envctl_recorded", False):
            created.meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
            created._envctl_recorded = True
        return created

    monkeypatch.setattr(AwsContext, "client", client)
    yield calls


def mutating(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith(MUTATING_PREFIXES)]


def envctl(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_envctl("-C", str(project), *args, env={**os.environ, **(env or {})})


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    """A failure a user can act on: the exit code, the message, and no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, output
