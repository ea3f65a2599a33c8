"""The local engine's state: one row per resource, checkpointed after every step.

Resources are kept in Pulumi's ResourceV3 form. At rest a secret is stored as Pulumi stores it in a
checkpoint, `{sig: secret, ciphertext: ...}`; in memory it is `{sig: secret, value: ...}`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from envctl.engine.properties import SECRET_SIG, SIG
from envctl.errors import BadInput, EnvctlError
from envctl.ledger.db.state_tables import state_pending, state_resources, state_stacks


class Crypter(Protocol):
    sealed: bool  # no key: secrets are read as their ciphertext, and none can be made

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str: ...


@dataclass(frozen=True)
class ResourceState:
    """One resource as the engine knows it (Pulumi's ResourceV3 fields that envctl uses). A value: a step that
    changes a resource makes a new one (`dataclasses.replace`)."""

    urn: str
    type: str
    custom: bool
    id: str | None = None
    parent: str | None = None
    provider: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    external: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    delete: bool = False  # replaced create-before-delete, awaiting deletion
    created: str | None = None
    modified: str | None = None

    @property
    def name(self) -> str:
        """The logical name: everything after the URN's third delimiter."""
        return self.urn.split("::", 3)[3]

    @property
    def provider_urn(self) -> str | None:
        return self.provider.rpartition("::")[0] if self.provider else None

    def recorded(self) -> dict[str, Any]:
        """What the state records of the resource, but for when it last changed: two equal ones need no write."""
        document = self.to_v3()
        document.pop("modified", None)
        return document

    def to_v3(self) -> dict[str, Any]:
        """Pulumi's ResourceV3 JSON form (omitting empty optional fields, as Pulumi does)."""
        doc: dict[str, Any] = {"urn": self.urn, "custom": self.custom, "type": self.type}
        optional = {
            "id": self.id,
            "delete": self.delete,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "parent": self.parent,
            "protect": self.protect,
            "external": self.external,
            "dependencies": self.dependencies,
            "provider": self.provider,
            "propertyDependencies": self.property_dependencies,
            "additionalSecretOutputs": self.additional_secret_outputs,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "ignoreChanges": self.ignore_changes,
            "replaceOnChanges": self.replace_on_changes,
            "created": self.created,
            "modified": self.modified,
        }
        doc.update({k: v for k, v in optional.items() if v not in (None, False, [], {}, "")})
        if self.custom:
            doc.setdefault("inputs", {})
            doc.setdefault("outputs", {})
        return doc

    @classmethod
    def from_v3(cls, doc: dict[str, Any]) -> ResourceState:
        return cls(
            urn=doc["urn"],
            type=doc["type"],
            custom=bool(doc.get("custom")),
            id=doc.get("id"),
            parent=doc.get("parent"),
            provider=doc.get("provider"),
            inputs=doc.get("inputs") or {},
            outputs=doc.get("outputs") or {},
            dependencies=list(doc.get("dependencies") or []),
            property_dependencies=dict(doc.get("propertyDependencies") or {}),
            protect=bool(doc.get("protect")),
            retain_on_delete=bool(doc.get("retainOnDelete")),
            delete_before_replace=bool(doc.get("deleteBeforeReplace")),
            external=bool(doc.get("external")),
            ignore_changes=list(doc.get("ignoreChanges") or []),
            replace_on_changes=list(doc.get("replaceOnChanges") or []),
            additional_secret_outputs=list(doc.get("additionalSecretOutputs") or []),
            delete=bool(doc.get("delete")),
            created=doc.get("created"),
            modified=doc.get("modified"),
        )


class StateWriteFailed(Exception):
    """The state's database did not take a checkpoint; the message is the database's reason."""


@dataclass(frozen=True)
class PendingOperation:
    id: int
    urn: str
    operation: str
    started: datetime
    resource: ResourceState


class StateStore:
    """A stack's resources in the database; each checkpoint is one short transaction."""

    def __init__(self, engine: Engine, stack: str, crypter: Crypter | None) -> None:
        self._engine = engine
        self._stack = stack
        self._crypter = crypter
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, bool], int] = {}  # (urn, doomed) -> row id
        self._next_position = 0

    # ---- reading ---------------------------------------------------------------------------

    def load(self) -> list[ResourceState]:
        """Every resource of the stack in registration order (replaced ones awaiting deletion included)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(state_resources.c.id, state_resources.c.body, state_resources.c.position)
                .where(state_resources.c.stack == self._stack)
                .order_by(state_resources.c.position, state_resources.c.id)
            ).all()
        resources = []
        for row_id, body, position in rows:
            resource = ResourceState.from_v3(self._decode(json.loads(body)))
            self._rows[(resource.urn, resource.delete)] = row_id
            self._next_position = max(self._next_position, position + 1)
            resources.append(resource)
        return resources

    def has_resources(self) -> bool:
        """Whether the stack has any state (readable without the secrets key)."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(state_resources.c.id).where(state_resources.c.stack == self._stack).limit(1)
            ).first() is not None

    def pending(self) -> list[PendingOperation]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(state_pending).where(state_pending.c.stack == self._stack).order_by(state_pending.c.id)
            ).all()
        return [
            PendingOperation(r.id, r.urn, r.operation, r.started,
                             ResourceState.from_v3(self._decode(json.loads(r.body))))
            for r in rows
        ]

    def stack_outputs(self) -> dict[str, Any]:
        with self._engine.connect() as conn:
            body = conn.execute(
                select(state_stacks.c.outputs).where(state_stacks.c.stack == self._stack)
            ).scalar_one_or_none()
        return self._decode(json.loads(body)) if body else {}

    # ---- writing ---------------------------------------------------------------------------

    def begin(self, operation: str, resource: ResourceState) -> int:
        """Record an operation before its cloud call starts; returns the pending id to settle."""
        with self._lock, self._writing() as conn:
            result = conn.execute(
                insert(state_pending).values(
                    stack=self._stack, urn=resource.urn, operation=operation, started=_now(),
                    body=self._encode_json(resource.to_v3()),
                )
            )
            return int(result.inserted_primary_key[0])

    def settle(self, pending_id: int | None, *, put: ResourceState | None = None,
               remove: ResourceState | None = None) -> None:
        """Checkpoint one step's outcome and clear its pending record, in one transaction."""
        with self._lock, self._writing() as conn:
            if remove is not None:
                row_id = self._rows.pop((remove.urn, remove.delete), None)
                if row_id is not None:
                    conn.execute(delete(state_resources).where(state_resources.c.id == row_id))
            if put is not None:
                self._write(conn, put)
            if pending_id is not None:
                conn.execute(delete(state_pending).where(state_pending.c.id == pending_id))

    def doom(self, resource: ResourceState) -> ResourceState:
        """Mark a replaced resource as awaiting deletion, freeing its URN for the replacement."""
        with self._lock, self._writing() as conn:
            row_id = self._rows.pop((resource.urn, False))
            doomed = ResourceState.from_v3({**resource.to_v3(), "delete": True})
            conn.execute(
                update(state_resources).where(state_resources.c.id == row_id)
                .values(doomed=True, body=self._encode_json(doomed.to_v3()), modified=_now())
            )
            self._rows[(resource.urn, True)] = row_id
            return doomed

    def set_stack_outputs(self, project: str, outputs: dict[str, Any]) -> None:
        body = self._encode_json(outputs)
        with self._lock, self._writing() as conn:
            changed = conn.execute(
                update(state_stacks).where(state_stacks.c.stack == self._stack)
                .values(outputs=body, project=project, updated=_now())
            ).rowcount
            if not changed:
                conn.execute(insert(state_stacks).values(stack=self._stack, project=project, outputs=body,
                                                         updated=_now()))

    def rewrite(self, resources: list[ResourceState]) -> None:
        """Replace the stack's resources with `resources`, in that order, in one transaction (the state commands'
        edits: delete, unprotect, rename, import)."""
        with self._lock, self._writing() as conn:
            conn.execute(delete(state_resources).where(state_resources.c.stack == self._stack))
            self._rows.clear()
            self._next_position = 0
            for resource in resources:
                self._write(conn, resource)

    def forget(self) -> None:
        """Remove the stack from the state: its resources, pending operations and outputs (`envctl rm`)."""
        with self._lock, self._writing() as conn:
            for table in (state_resources, state_pending, state_stacks):
                conn.execute(delete(table).where(table.c.stack == self._stack))
        self._rows.clear()

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """One checkpoint's transaction; a database that cannot take it (full, locked, gone) is a StateWriteFailed."""
        try:
            with self._engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            cause = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise StateWriteFailed(cause) from exc

    def _write(self, conn: Any, resource: ResourceState) -> None:
        key = (resource.urn, resource.delete)
        body = self._encode_json(resource.to_v3())
        row_id = self._rows.get(key)
        if row_id is not None:
            conn.execute(update(state_resources).where(state_resources.c.id == row_id)
                         .values(body=body, modified=_now()))
            return
        result = conn.execute(
            insert(state_resources).values(
                stack=self._stack, urn=resource.urn, doomed=resource.delete, position=self._next_position,
                body=body, modified=_now(),
            )
        )
        self._next_position += 1
        self._rows[key] = int(result.inserted_primary_key[0])

    # ---- secrets at rest -------------------------------------------------------------------

    def _encode_json(self, value: Any) -> str:
        return _encoded(value, self._crypter)

    def _opened(self, ciphertext: str) -> str:
        assert self._crypter is not None
        try:
            return self._crypter.decrypt(ciphertext)
        except EnvctlError:
            raise BadInput(
                f"the state of {self._stack} holds a secret the stack's key does not open: it was encrypted under an "
                "earlier passphrase or encryptionsalt. Put the earlier encryptionsalt back in the stack file (git has "
                f"it) with its passphrase, then `envctl config change-passphrase {self._stack}` re-encrypts the stack "
                "file and the state under a new one") from None

    def reencrypt(self, crypter: Crypter) -> int:
        """Every secret of the stack's state (resources, pending operations, outputs) under `crypter` instead, in one
        transaction; the number of rows rewritten."""
        rewritten = 0
        with self._lock, self._writing() as conn:
            for table in (state_resources, state_pending):
                rows = conn.execute(select(table.c.id, table.c.body).where(table.c.stack == self._stack)).all()
                for row_id, body in rows:
                    conn.execute(update(table).where(table.c.id == row_id)
                                 .values(body=_encoded(self._decode(json.loads(body)), crypter)))
                    rewritten += 1
            outputs = conn.execute(select(state_stacks.c.outputs).where(state_stacks.c.stack == self._stack)).scalar()
            if outputs:
                conn.execute(update(state_stacks).where(state_stacks.c.stack == self._stack)
                             .values(outputs=_encoded(self._decode(json.loads(outputs)), crypter)))
                rewritten += 1
        self._crypter = crypter
        return rewritten

    def _decode(self, value: Any) -> Any:
        if isinstance(value, dict):
            if value.get(SIG) == SECRET_SIG and "ciphertext" in value:
                if self._crypter is None:
                    raise RuntimeError("the state holds secrets but no crypter is configured")
                if self._crypter.sealed:
                    return value  # read without the key: stays sealed, never guessed at
                return {SIG: SECRET_SIG, "value": json.loads(self._opened(value["ciphertext"]))}
            return {k: self._decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._decode(v) for v in value]
        return value


def resource_counts(engine: Engine) -> dict[str, int]:
    """Every stack that has state, with the number of its resources (the stack itself, its providers and replaced
    resources awaiting deletion not counted). Needs no key: it reads no resource's body."""
    with engine.connect() as conn:
        stacks = conn.execute(select(state_stacks.c.stack)).scalars().all()
        rows = conn.execute(
            select(state_resources.c.stack, func.count())
            .where(~state_resources.c.doomed, ~state_resources.c.urn.contains("::pulumi:providers:"),
                   ~state_resources.c.urn.contains("::pulumi:pulumi:Stack::"))
            .group_by(state_resources.c.stack)
        ).all()
        anything = conn.execute(select(state_resources.c.stack).distinct()).scalars().all()
    counts = {stack: 0 for stack in (*stacks, *anything)}
    counts.update({stack: count for stack, count in rows})
    return counts


def _encoded(value: Any, crypter: Crypter | None) -> str:
    """Canonical JSON with every secret sealed as Pulumi seals it in a checkpoint."""
    return json.dumps(_sealed(value, crypter), sort_keys=True, separators=(",", ":"))


def _sealed(value: Any, crypter: Crypter | None) -> Any:
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG and "value" in value:
            if crypter is None:
                raise RuntimeError("a secret reached state with no crypter configured")
            plaintext = json.dumps(value["value"], separators=(",", ":"))
            return {SIG: SECRET_SIG, "ciphertext": crypter.encrypt(plaintext)}
        return {k: _sealed(v, crypter) for k, v in value.items()}
    if isinstance(value, list):
        return [_sealed(v, crypter) for v in value]
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return _now().isoformat(timespec="seconds").replace("+00:00", "Z")
