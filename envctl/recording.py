"""Turns an operation's result into a ledger snapshot: who, where, sources, manifest, config, resources."""

from __future__ import annotations

import getpass
import os
import socket
from datetime import UTC, datetime
from typing import Any

from envctl import __version__
from envctl.engine.deployment import DeploymentResult
from envctl.environment import Environment
from envctl.ledger.manifest import capture_manifest
from envctl.ledger.model import SnapshotInput
from envctl.ledger.recorder import record
from envctl.ledger.sources import capture_sources

# CI systems and the variable that names their run.
_CI_RUN_VARIABLES = ("GITHUB_RUN_ID", "CI_PIPELINE_ID", "BUILD_ID", "CIRCLE_WORKFLOW_ID", "BUILDKITE_BUILD_ID")


def record_operation(environment: Environment, result: DeploymentResult, started: datetime, finished: datetime,
                     source_ref: str | None = None, status: str | None = None) -> str:
    """Record one snapshot of `result`; returns its reference, e.g. `dev@3`."""
    project = environment.project
    snapshot = SnapshotInput(
        env=environment.name,
        project=project.name,
        operation=result.operation,
        status=status or result.status,
        started=started,
        finished=finished,
        actor=_actor(),
        host=socket.gethostname(),
        ci_run_id=next((os.environ[v] for v in _CI_RUN_VARIABLES if os.environ.get(v)), None),
        engine=environment.engine_name,
        cloud=environment.cloud_name,
        envctl_version=__version__,
        sources=capture_sources(project.root, {
            "Pulumi.yaml": project.file,
            "stack": environment.stack_config.file,
            "program": project.main,
        }),
        manifest=capture_manifest(environment.manifest_items(), project.root),
        config=environment.config,
        secret_keys=environment.secret_keys,
        resources=[_resource(r.to_v3()) for r in result.resources],
        outputs=result.outputs,
        changes=result.changes,
        error=result.error,
        source_ref=source_ref,
    )
    return record(environment.database, snapshot, environment.fingerprint).ref


def record_interrupted(environment: Environment, operation: str, started: datetime, holder: str) -> str:
    """Record a run whose process died mid-way, with the state it left, as `interrupted`."""
    store = environment.store()
    result = DeploymentResult(
        operation=operation if operation in ("up", "destroy", "rebuild", "refresh") else "up",
        stack=environment.name, steps=[], records=[], resources=store.load(), outputs=store.stack_outputs(),
        error=f"interrupted: {holder} ended without finishing", error_kind="interrupted",
    )
    return record_operation(environment, result, started, datetime.now(UTC), status="interrupted")


def _resource(v3: dict[str, Any]) -> dict[str, Any]:
    keys = ("urn", "type", "id", "provider", "parent", "custom", "inputs", "outputs", "dependencies", "protect",
            "external", "delete")
    return {k: v3.get(k) for k in keys if k in v3}


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"
