"""Everything an operation on one environment needs, resolved from the project, its config and options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from envctl.cli import context
from envctl.cloud.local_cloud import LocalCloud, aws_target
from envctl.engine.deployment import LocalDeployment
from envctl.engine.monitor import StepEvent
from envctl.engine.providers import CloudTarget
from envctl.engine.state import Crypter, StateStore
from envctl.errors import BadInput
from envctl.ledger.db import connect
from envctl.project import Project, StackConfig, load_project, load_stack_config
from envctl.secrets import decrypt_config, fingerprint, fingerprint_key, local_crypter, stack_crypter

ENGINES = ("local", "pulumi")
CLOUDS = ("local", "aws")


@dataclass
class Environment:
    """One environment (stack) of a project, ready to operate on."""

    name: str
    project: Project
    stack_config: StackConfig
    config: dict[str, Any]  # plaintext values: only ever handed to the program and the providers
    secret_keys: list[str]
    engine_name: str
    cloud_name: str
    crypter: Crypter
    database: Engine

    def fingerprint(self, value: Any) -> str:
        """Keyed fingerprint of a secret: says whether it changed without storing it."""
        return fingerprint(fingerprint_key(self.crypter), value)  # type: ignore[arg-type]

    def cloud_target(self) -> CloudTarget:
        if self.cloud_name == "local":
            return LocalCloud(self.project.root).target()
        return aws_target()

    def deployment(self, on_event: Any = None) -> LocalDeployment:
        if self.engine_name != "local":
            raise BadInput("engine `pulumi` needs the Pulumi CLI, which is not installed here; "
                           "use --engine local (the default)")
        return LocalDeployment(
            self.project, self.name, self.config, self.secret_keys, self.database, self.cloud_target(),
            self.crypter, on_event or (lambda _e: None),
        )


def open_environment(name: str, engine: str | None = None, cloud: str | None = None,
                     must_exist: bool = False, root: Path | None = None) -> Environment:
    """Load the project (the command's, or the one in `root`), the stack's config (decrypted), the database
    and the engine/cloud choice."""
    root = root or context.project_root()
    project = load_project(root)
    database = connect(context.database_url(root))
    stack_file = project.stack_file(name)
    if not stack_file.exists() and (must_exist or project.known_stacks()) and not _has_state(database, name):
        known = ", ".join(project.known_stacks()) or "none"
        raise BadInput(
            f"unknown environment {name!r}: no {_relative(stack_file, root)} and no state; "
            f"known environments: {known}. Create the stack file (e.g. `envctl config set {name} aws:region "
            "us-east-1`) to start a new one."
        )
    stack_config = load_stack_config(project, name)
    crypter = stack_crypter(stack_config, create=False) or local_crypter(root)
    config = decrypt_config(stack_config.values, crypter)
    engine_name = _choice("engine", engine or str(config.get("envctl:engine") or "local"), ENGINES)
    cloud_name = _choice("cloud", cloud or str(config.get("envctl:cloud") or "local"), CLOUDS)
    return Environment(name, project, stack_config, config, stack_config.secret_keys(), engine_name, cloud_name,
                       crypter, database)


def _has_state(database: Engine, stack: str) -> bool:
    return StateStore(database, stack, None).has_resources()


def _choice(what: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise BadInput(f"unknown {what} {value!r}: choose one of {', '.join(allowed)}")
    return value


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def describe_event(event: StepEvent) -> str:
    """One line for a finished or failed step."""
    name = event.urn.split("::")[-1] if event.urn else event.type
    symbol = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "read": ">"}.get(event.op, " ")
    if event.status == "failed":
        return f"[red]✗ {event.op} {event.type} {name}: {event.detail}[/]"
    return f"{symbol} {event.op:<8} {event.type} [bold]{name}[/] ({event.seconds:.2f}s)"
