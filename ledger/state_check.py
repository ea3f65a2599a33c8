"""The engine's state against the ledger: does an env's state hold the resources its last snapshot recorded?

The state (state_resources, in the ledger's database) is Pulumi's ResourceV3 JSON with secrets encrypted; a
resource's urn, type and id are plain, so the comparison needs no secrets key. Resources are compared by
(urn, type, id, replaced-awaiting-deletion). The state a failed `up` leaves can be older than its snapshot
(a preview that failed records what the program declared, not what exists), so the state may match any
snapshot from the newest back to the newest one that did not fail.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from envctl.ledger.content import ContentReader, MissingContent, content_unavailable
from envctl.ledger.db.ledger_tables import ledger_snapshots
from envctl.ledger.db.state_tables import locks, state_pending, state_resources, state_stacks


@dataclass(frozen=True, order=True)
class ResourceKey:
    urn: str
    type: str
    id: str  # "" for a resource without one (components, the stack)
    doomed: bool  # replaced, awaiting deletion

    def describe(self) -> str:
        name = self.urn.rpartition("::")[2]
        return f"{self.type} {name}" + (f" ({self.id})" if self.id else "") + (" (replaced)" if self.doomed else "")


@dataclass(frozen=True)
class StateComparison:
    env: str
    seq: int | None  # the snapshot compared with; None when the env has none
    missing: list[ResourceKey]  # recorded by the snapshot, absent from the state
    unexpected: list[ResourceKey]  # in the state, not recorded by the snapshot

    @property
    def snapshot(self) -> str | None:
        return None if self.seq is None else f"{self.env}@{self.seq}"

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unexpected

    def describe(self) -> str:
        """What differs, in one sentence."""
        if self.ok:
            return f"the state of {self.env} holds exactly the resources {self.snapshot} recorded"
        if self.snapshot is None:
            return f"the state of {self.env} holds {len(self.unexpected)} resources but no snapshot records {self.env}"
        parts = []
        if self.missing:
            parts.append(f"lacks {_listed(self.missing)}, which {self.snapshot} recorded")
        if self.unexpected:
            parts.append(f"holds {_listed(self.unexpected)}, which {self.snapshot} did not record")
        return f"the state of {self.env} " + " and ".join(parts)


def compare_state(conn: Connection, env: str, reader: ContentReader | None = None) -> StateComparison:
    """`env`'s state rows against its last snapshot (see the module docstring); OperationFailed when the
    snapshot's content cannot be read."""
    state = Counter(_state_keys(conn, env))
    candidates = conn.execute(
        select(ledger_snapshots.c.seq, ledger_snapshots.c.status, ledger_snapshots.c.tree_digest,
               ledger_snapshots.c.content_digest)
        .where(ledger_snapshots.c.env == env).order_by(ledger_snapshots.c.seq.desc())
    ).all()
    if not candidates:
        return StateComparison(env, None, [], sorted(state.elements()))
    reader = reader or ContentReader(conn)
    newest: tuple[int, Counter[ResourceKey]] | None = None
    for row in candidates:
        if row.tree_digest is None:  # pruned: nothing older can be compared
            break
        try:
            content = reader.checked_content(row.tree_digest, row.content_digest)
        except MissingContent as exc:
            raise content_unavailable(f"{env}@{row.seq}", str(exc)) from exc
        recorded = Counter(_recorded_key(resource) for resource in content.resources)
        if recorded == state:
            return StateComparison(env, row.seq, [], [])
        newest = newest or (row.seq, recorded)
        if row.status != "failed":
            break
    seq, recorded = newest or (candidates[0].seq, Counter())
    return StateComparison(env, seq, sorted((recorded - state).elements()), sorted((state - recorded).elements()))


def envs_with_state(conn: Connection) -> set[str]:
    """The stacks the database holds any state for."""
    stacks = set(conn.scalars(select(state_stacks.c.stack)))
    return stacks | set(conn.scalars(select(state_resources.c.stack).distinct()))


def busy_envs(conn: Connection) -> set[str]:
    """Envs an operation is changing, or left pending operations in: their state is between snapshots."""
    return set(conn.scalars(select(locks.c.env))) | set(conn.scalars(select(state_pending.c.stack).distinct()))


def _state_keys(conn: Connection, env: str) -> Iterable[ResourceKey]:
    rows = conn.execute(select(state_resources.c.urn, state_resources.c.doomed, state_resources.c.body)
                        .where(state_resources.c.stack == env))
    for urn, doomed, body in rows:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):  # differs from whatever was recorded, and says so
            yield ResourceKey(urn, "(unreadable state)", "", bool(doomed))
            continue
        yield ResourceKey(urn, str(document.get("type", "")), _id(document), bool(doomed))


def _recorded_key(resource: dict[str, Any]) -> ResourceKey:
    return ResourceKey(str(resource.get("urn", "")), str(resource.get("type", "")), _id(resource),
                       bool(resource.get("delete")))


def _id(document: dict[str, Any]) -> str:
    value = document.get("id")
    return "" if value is None else str(value)


def _listed(keys: list[ResourceKey]) -> str:
    shown = ", ".join(key.describe() for key in keys[:3])
    return shown + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
