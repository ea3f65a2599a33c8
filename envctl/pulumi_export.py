"""An environment's current state as a Pulumi deployment (schema v3), for `pulumi stack import`.

Only the current state can be exported this way: snapshots keep secrets as fingerprints, which cannot be
turned back into the values Pulumi needs. Secrets are encrypted with Pulumi's passphrase provider: under the
stack's `encryptionsalt` when it has one; otherwise (envctl kept them under the project's local key) under a
new salt for PULUMI_CONFIG_PASSPHRASE, which the document carries and the caller shows the user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from typing import Any

from sqlalchemy import Engine

from envctl import __version__
from envctl.engine.lock import holder
from envctl.engine.properties import SECRET_SIG, SIG, is_sealed, is_secret, reveal
from envctl.engine.state import PendingOperation, ResourceState, StateStore
from envctl.errors import BadInput
from envctl.ledger import StoredSnapshot
from envctl.ledger.canonical import sha256_hex
from envctl.project import Project, load_stack_config
from envctl.secrets import (
    PASSPHRASE_ENV,
    PASSPHRASE_FILE_ENV,
    Crypter,
    local_crypter,
    new_encryption_salt,
    passphrase_from_env,
    stack_crypter,
)

DEPLOYMENT_VERSION = 3
# Pulumi's published resources.json has `additionalProperties: false`: these are the ResourceV3 keys it
# accepts. envctl also keeps timestamps and options the program sends again on every run; they stay out.
SCHEMA_RESOURCE_KEYS = frozenset({
    "urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "external", "dependencies",
    "initErrors", "provider", "propertyDependencies", "pendingReplacement", "additionalSecretOutputs", "aliases",
    "customTimeouts", "importID", "snippetID",
})  # fmt: skip
_PENDING_TYPES = {"create": "creating", "update": "updating", "delete": "deleting", "read": "reading"}


@dataclass(frozen=True)
class PulumiExport:
    document: dict[str, Any]
    new_salt: str | None  # the salt made for this export when the stack file has none: the user may add it


def export_current_state(database: Engine, project: Project, snapshot: StoredSnapshot, latest_seq: int) -> PulumiExport:
    """The state of `snapshot`'s env as a deployment; `snapshot` must be the env's latest (`latest_seq`)."""
    summary = snapshot.summary
    env = summary.env
    if summary.seq != latest_seq:
        raise BadInput(f"{summary.ref} is not the latest snapshot of {env} ({env}@{latest_seq}): only the current "
                       f"state can be exported in Pulumi's format, because snapshots keep secrets only as "
                       f"fingerprints; export {env}, or use --format cyclonedx|provenance for {summary.ref}")
    running = holder(database, env)
    if running is not None:
        raise BadInput(f"{env} is locked by {running.describe()}, so its state may be half-changed: export after "
                       f"that finishes, or if its process is gone, run `envctl up {env}` first")
    stack_config = load_stack_config(project, env)
    # A passphrase stack's secrets are already in Pulumi's form in the state: without the passphrase they are
    # exported as stored, still sealed.
    state_crypter = stack_crypter(stack_config, create=False, sealed_ok=True) or local_crypter(project.root)
    store = StateStore(database, env, state_crypter)
    crypter = _export_crypter(state_crypter)
    document = deployment_document(store.load(), store.pending(), crypter, summary.finished)
    return PulumiExport(document, crypter.encryption_salt if crypter and crypter.salt_is_new else None)


def deployment_document(resources: list[ResourceState], pending: list[PendingOperation], crypter: Crypter | None,
                        time: datetime) -> dict[str, Any]:
    """`{"version": 3, "deployment": ...}` as `pulumi stack export` writes it; secrets encrypted by `crypter`."""
    version = f"v{metadata.version('pulumi')}+envctl.{__version__}"
    deployment: dict[str, Any] = {
        "manifest": {"time": time.isoformat().replace("+00:00", "Z"), "magic": sha256_hex(version),
                     "version": version},
        "resources": [_resource(resource, crypter) for resource in prerequisites_first(resources)],
        "pending_operations": [
            {"resource": _resource(operation.resource, crypter), "type": _PENDING_TYPES[operation.operation]}
            for operation in pending
        ],
        "metadata": {},
    }
    if crypter is not None:
        deployment["secrets_providers"] = {"type": "passphrase", "state": {"salt": crypter.encryption_salt}}
    return {"version": DEPLOYMENT_VERSION, "deployment": deployment}


def prerequisites_first(resources: list[ResourceState]) -> list[ResourceState]:
    """Registration order, except that a resource's parent, provider and dependencies come before it, as
    Pulumi requires. State rows keep the position of their first registration, so a resource that gained a
    dependency on a newer one in a later run would otherwise come first."""
    by_urn: dict[str, ResourceState] = {}
    for resource in resources:
        by_urn.setdefault(resource.urn, resource)
    placed: set[int] = set()
    ordered: list[ResourceState] = []

    def place(resource: ResourceState) -> None:
        if id(resource) in placed:
            return
        placed.add(id(resource))  # before its prerequisites: a cycle cannot recurse forever
        for urn in _prerequisites(resource):
            if urn in by_urn:
                place(by_urn[urn])
        ordered.append(resource)

    for resource in resources:
        place(resource)
    return ordered


def _prerequisites(resource: ResourceState) -> list[str]:
    urns = [resource.parent] if resource.parent else []
    if resource.provider:
        urns.append(resource.provider.rpartition("::")[0])  # a reference is `<provider urn>::<provider id>`
    urns += resource.dependencies
    for dependencies in resource.property_dependencies.values():
        urns += dependencies
    return urns


def _export_crypter(state_crypter: Crypter) -> Crypter | None:
    """The stack's passphrase crypter, or one under a new salt when the stack has none; None without a passphrase."""
    if state_crypter.encryption_salt is not None:
        return state_crypter
    passphrase = passphrase_from_env()
    return new_encryption_salt(passphrase)[1] if passphrase is not None else None


def _resource(resource: ResourceState, crypter: Crypter | None) -> dict[str, Any]:
    v3 = resource.to_v3()
    return {key: _encrypt_secrets(value, crypter, resource.urn) for key, value in v3.items()
            if key in SCHEMA_RESOURCE_KEYS}


def _encrypt_secrets(value: Any, crypter: Crypter | None, urn: str) -> Any:
    """`value` with every secret in Pulumi's checkpoint form: the ciphertext of the value's JSON text."""
    if is_sealed(value):
        return value
    if is_secret(value):
        if crypter is None:
            raise BadInput(f"{urn} holds secrets: set {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV} so that the export "
                           "can encrypt them with Pulumi's passphrase secrets provider")
        plaintext = json.dumps(reveal(value["value"]), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        return {SIG: SECRET_SIG, "ciphertext": crypter.encrypt(plaintext)}
    if isinstance(value, dict):
        return {key: _encrypt_secrets(item, crypter, urn) for key, item in value.items()}
    if isinstance(value, list):
        return [_encrypt_secrets(item, crypter, urn) for item in value]
    return value
