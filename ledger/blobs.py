"""Content-addressed storage: a body is stored once under the sha256 of its text, whoever refers to it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Insert, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from envctl.ledger.db.ledger_tables import ledger_blobs

# Stays under every database's limit on bound parameters per statement.
_CHUNK = 500


def store_blobs(conn: Connection, blobs: dict[str, str]) -> int:
    """Insert the bodies not stored yet; returns how many were new."""
    existing: set[str] = set()
    for chunk in _chunks(list(blobs)):
        existing.update(conn.scalars(select(ledger_blobs.c.digest).where(ledger_blobs.c.digest.in_(chunk))))
    new_rows = [{"digest": digest, "body": body} for digest, body in blobs.items() if digest not in existing]
    if new_rows:
        conn.execute(_insert_once(conn), new_rows)
    return len(new_rows)


def _insert_once(conn: Connection) -> Insert:
    """An insert that skips a blob another transaction stored since we looked (same digest, same body)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(ledger_blobs).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(ledger_blobs).on_conflict_do_nothing()
    return insert(ledger_blobs)  # elsewhere a duplicate fails the transaction, and the recorder retries


def load_blobs(conn: Connection, digests: Iterable[str]) -> dict[str, str]:
    """The stored bodies of `digests`; a digest with no blob is absent from the result."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(set(digests))):
        query = select(ledger_blobs.c.digest, ledger_blobs.c.body).where(ledger_blobs.c.digest.in_(chunk))
        found.update((digest, body) for digest, body in conn.execute(query))
    return found


def delete_blobs_except(conn: Connection, live: set[str]) -> int:
    """Delete every blob not in `live`; returns how many went."""
    dead = [digest for digest in conn.scalars(select(ledger_blobs.c.digest)) if digest not in live]
    for chunk in _chunks(dead):
        conn.execute(delete(ledger_blobs).where(ledger_blobs.c.digest.in_(chunk)))
    return len(dead)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
