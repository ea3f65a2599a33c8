"""The composition root of one environment: the project, its stack config (decrypted), the database, the secrets,
and the engine and cloud it runs with, put together for the operations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from envctl.cloud.target import CloudTarget
from envctl.engine.deployment import Deployment, Program
from envctl.engine.executor import EventSink
from envctl.engine.interrupts import Interrupt
from envctl.engine.parallelism import DEFAULT_PARALLEL
from envctl.engine.properties import secret
from envctl.engine.secret_values import SecretValues
from envctl.engine.state import Crypter, StateStore
from envctl.engine.targets import Targets
from envctl.errors import BadInput
from envctl.ledger.db import connect
from envctl.names import check_env_name
from envctl.project import Project, Secure, StackConfig, load_project, load_stack_config, program_config_text
from envctl.secrets import (
    PASSPHRASE_ENV,
    PASSPHRASE_FILE_ENV,
    decrypt_config,
    fingerprint,
    fingerprint_key,
    local_crypter,
    stack_crypter,
)

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
    # A cloud to use instead of the one `cloud_name` names, e.g. a moto server that is already running.
    target: CloudTarget | None = None

    def fingerprint(self, value: Any) -> str:
        """Keyed fingerprint of a secret: says whether it changed without storing it."""
        return fingerprint(fingerprint_key(self.crypter), value)  # type: ignore[arg-type]

    def cloud_target(self) -> CloudTarget:
        from envctl.cloud.local_cloud import LocalCloud, aws_target

        if self.target is not None:
            return self.target
        if self.cloud_name == "local":
            return LocalCloud(self.project.root).target()
        return aws_target()

    def store(self, stack: str | None = None) -> StateStore:
        return StateStore(self.database, stack or self.name, self.crypter)

    def secret_values(self) -> SecretValues:
        """The plaintexts of the environment's secret config, so that none reaches a message (a sealed one has no
        plaintext here to reach one)."""
        return SecretValues(self.config[key] for key in self.secret_keys
                            if key in self.config and not isinstance(self.config[key], Secure))

    def deployment(self, events: EventSink | None = None, parallel: int = DEFAULT_PARALLEL,
                   interrupt: Interrupt | None = None, targets: Targets | None = None) -> Deployment:
        """The engine for this environment."""
        if self.engine_name != "local":
            raise BadInput("engine `pulumi` needs the Pulumi CLI, which is not installed here; "
                           "use --engine local (the default)")
        from envctl.providers.packages import provider_packages

        packages = provider_packages(self.cloud_target(), self.name)
        program = Program(self.project.name, self.project.main, self.project.root, self.project.virtualenv)
        # Sealed values exist only where no program runs (drift): they are no program's config.
        program_config = {k: program_config_text(v) for k, v in self.config.items() if not isinstance(v, Secure)}
        return Deployment(
            program, self.name, program_config, self.secret_keys,
            self.store(), packages, {name: self._package_config(name) for name in packages},
            secrets=self.secret_values(), stack_outputs_of=self._stack_outputs_of,
            events=events or (lambda _e: None), parallel=parallel, interrupt=interrupt, targets=targets,
        )

    def manifest_items(self) -> dict[str, Any]:
        """What the ledger's manifest records of this environment besides the process's own toolchain: the engine,
        the cloud and, when Pulumi.yaml names a virtualenv, the packages the program imports from it."""
        items: dict[str, Any] = {"engine": self.engine_name, "cloud": self.cloud_name}
        if self.project.virtualenv is not None:
            from envctl.engine.virtualenv import installed_packages

            items["program_packages"] = installed_packages(self.project.virtualenv)
        return items

    def _package_config(self, package: str) -> dict[str, Any]:
        """The config of a package's namespace, as its default provider's inputs (strings; secrets wrapped)."""
        prefix = package + ":"
        sealed = [key for key, value in self.config.items() if key.startswith(prefix) and isinstance(value, Secure)]
        if sealed:
            raise BadInput(f"the {package} provider needs the secret {sealed[0]}: set {PASSPHRASE_ENV} or "
                           f"{PASSPHRASE_FILE_ENV}")
        return {key.removeprefix(prefix): secret(program_config_text(value)) if key in self.secret_keys
                else program_config_text(value) for key, value in self.config.items() if key.startswith(prefix)}

    def _stack_outputs_of(self, stack: str) -> dict[str, Any] | None:
        """Another stack's outputs, for a StackReference; None when it has no state."""
        store = self.store(stack)
        return store.stack_outputs() if store.has_resources() else None


def open_environment(root: Path, database_url: str, name: str, engine: str | None = None, cloud: str | None = None,
                     must_exist: bool = False, sealed_ok: bool = False) -> Environment:
    """Load the project in `root`, the stack's config (decrypted), the database and the engine and cloud choice.
    With `sealed_ok` (commands that run no program and show no secret: drift), a passphrase stack opens without
    its passphrase, its secrets sealed."""
    check_env_name(name)
    project = load_project(root)
    database = connect(database_url)
    stack_file = project.stack_file(name)
    if not stack_file.exists() and (must_exist or project.known_stacks()) and not _has_state(database, name):
        known = ", ".join(project.known_stacks()) or "none"
        raise BadInput(
            f"unknown environment {name!r}: no {_relative(stack_file, root)} and no state; "
            f"known environments: {known}. Create the stack file (e.g. `envctl config set {name} aws:region "
            "us-east-1`) to start a new one."
        )
    stack_config = load_stack_config(project, name)
    crypter = stack_crypter(stack_config, create=False, sealed_ok=sealed_ok) or local_crypter(root)
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
