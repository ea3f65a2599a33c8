"""Snapshot references: `dev` (latest), `dev@7` (7th), `dev~2` (two before latest), or a hash prefix (>= 6 hex).

A name that is both an env and a hex string means the env.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Row, select

from envctl.errors import BadInput, OperationFailed
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.queries import known_envs, unknown_env
from envctl.names import ENV_NAME_PATTERN

_ENV_REF = re.compile(rf"^(?P<env>{ENV_NAME_PATTERN}?)(?:@(?P<seq>\d+)|~(?P<back>\d+))?$")
_HASH_PREFIX = re.compile(r"^[0-9a-f]{6,64}$")
_SHOWN_MATCHES = 5


def resolve_ref(conn: Connection, ref: str) -> Row[Any]:
    """The ledger_snapshots row `ref` names, or BadInput saying what exists or what matched."""
    match = _ENV_REF.match(ref)
    head = _head(conn, match["env"]) if match else None
    if match and head is not None:
        return _by_position(conn, ref, match["env"], head, match["seq"], match["back"])
    if _HASH_PREFIX.match(ref.lower()):
        return _by_hash_prefix(conn, ref.lower())
    if match:
        raise unknown_env(conn, match["env"])
    raise BadInput(
        f"{ref!r} is not a snapshot reference: use ENV, ENV@N, ENV~N or a hash prefix of 6+ hex digits"
    )


def _head(conn: Connection, env: str) -> int | None:
    seq = conn.scalar(select(ledger_heads.c.seq).where(ledger_heads.c.env == env))
    return seq if seq else None


def _by_position(
    conn: Connection, ref: str, env: str, head: int, seq: str | None, back: str | None
) -> Row[Any]:
    wanted = int(seq) if seq is not None else head - int(back or 0)
    if not 1 <= wanted <= head:
        raise BadInput(f"{ref} does not exist: {env} has snapshots {env}@1 to {env}@{head}")
    row = conn.execute(
        select(ledger_snapshots).where(ledger_snapshots.c.env == env, ledger_snapshots.c.seq == wanted)
    ).first()
    if row is None:
        raise OperationFailed(f"{env}@{wanted} is missing from the ledger; run `envctl ledger verify`")
    return row


def _by_hash_prefix(conn: Connection, prefix: str) -> Row[Any]:
    # All hash characters are below "g", so this range is exactly the hashes starting with prefix (and uses the index).
    rows = conn.execute(
        select(ledger_snapshots)
        .where(ledger_snapshots.c.hash >= prefix, ledger_snapshots.c.hash < prefix + "g")
        .limit(_SHOWN_MATCHES + 1)
    ).all()
    if not rows:
        raise BadInput(f"no snapshot hash starts with {prefix!r} and no environment has that name; {known_envs(conn)}")
    if len(rows) > 1:
        shown = ", ".join(f"{row.env}@{row.seq} ({row.hash[:12]})" for row in rows[:_SHOWN_MATCHES])
        more = " and more" if len(rows) > _SHOWN_MATCHES else ""
        raise BadInput(f"hash prefix {prefix!r} is ambiguous: it matches {shown}{more}; give more digits")
    return rows[0]
