"""The environments of a project as a whole: which exist and what each holds (`envctl ls`), and removing one
(`envctl rm`, Pulumi's `stack rm`): its state and stack file go, its history stays in the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from envctl.engine import lock
from envctl.engine.deployment import DeploymentResult
from envctl.engine.state import resource_counts
from envctl.environment import Environment
from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.project import Project, load_stack_config
from envctl.recording import record_operation


@dataclass(frozen=True)
class Listing:
    """One environment as `envctl ls` shows it."""

    name: str
    stack_file: bool
    resources: int  # in the state now
    cloud: str
    snapshot: str | None  # the newest snapshot, e.g. dev@4
    operation: str | None
    status: str | None
    finished: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "stack_file": self.stack_file, "resources": self.resources, "cloud": self.cloud,
                "snapshot": self.snapshot, "operation": self.operation, "status": self.status,
                "finished": self.finished.isoformat() if self.finished else None}


def list_environments(project: Project, database: Engine) -> list[Listing]:
    """Every environment that has a stack file, state or snapshots, by name."""
    stack_files = set(project.known_stacks())
    counts = resource_counts(database)
    latest = Ledger(database).latest()
    listings = []
    for name in sorted(stack_files | counts.keys() | latest.keys()):
        summary, recorded_cloud = latest.get(name, (None, None))
        listings.append(Listing(
            name=name, stack_file=name in stack_files, resources=counts.get(name, 0),
            cloud=recorded_cloud or _configured_cloud(project, name),
            snapshot=summary.ref if summary else None, operation=summary.operation if summary else None,
            status=summary.status if summary else None, finished=summary.finished if summary else None))
    return listings


def _configured_cloud(project: Project, name: str) -> str:
    if not project.stack_file(name).exists():
        return "local"
    return str(load_stack_config(project, name).values.get("envctl:cloud") or "local")


@dataclass(frozen=True)
class Removed:
    """What `rm` did: the resources it forgot (left in the cloud, with --force), the snapshot that records it."""

    forgotten: int
    snapshot: str | None
    stack_file_removed: bool


def remove_environment(environment: Environment, *, force: bool = False, preserve_config: bool = False) -> Removed:
    """Remove the environment: refused while its state holds resources (destroy them first), unless `force`,
    which forgets them where they are. The removal is recorded when the environment has a history."""
    name = environment.name
    started = datetime.now(UTC)
    with lock.environment_lock(environment.database, name, "rm"):
        store = environment.store()
        count = resource_counts(environment.database).get(name, 0)
        if count and not force:
            raise BadInput(f"{name} still has {count} resource(s) in its state: `envctl destroy {name}` deletes "
                           "them first; --force removes the environment anyway and leaves them in the cloud, "
                           "known to no state")
        snapshot = None
        if name in Ledger(environment.database).envs():
            result = DeploymentResult(operation="rm", stack=name, steps=[], records=[], resources=[], outputs={},
                                      error=f"removed with {count} resource(s) left in the cloud" if count else None)
            snapshot = record_operation(environment, result, started, datetime.now(UTC),
                                        status="succeeded")
        store.forget()
    stack_file = environment.stack_config.file
    removed = not preserve_config and stack_file.exists()
    if removed:
        stack_file.unlink()
    return Removed(count, snapshot, removed)
