"""One operation per environment at a time: a row in the `locks` table, in the project's database, so it
holds across processes and hosts sharing a ledger (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from envctl.errors import LockHeld
from envctl.ledger.db.state_tables import locks
from envctl.processes import process_alive


@dataclass(frozen=True)
class LockHolder:
    env: str
    pid: int
    host: str
    operation: str
    since: datetime

    def describe(self) -> str:
        since = self.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"`envctl {self.operation}` (pid {self.pid} on {self.host}, since {since})"


@dataclass(frozen=True)
class Acquired:
    """The lock is ours; `broken` is the dead holder whose lock we took over, if any."""

    broken: LockHolder | None = None


def holder(database: Engine, env: str) -> LockHolder | None:
    with database.connect() as conn:
        row = conn.execute(select(locks).where(locks.c.env == env)).first()
    if row is None:
        return None
    return LockHolder(row.env, row.pid, row.host, row.operation, _aware(row.since))


@contextmanager
def environment_lock(database: Engine, env: str, operation: str) -> Iterator[Acquired]:
    """Hold the environment's lock for the block; fail at once, naming the holder, when another has it."""
    acquired = _acquire(database, env, operation)
    try:
        yield acquired
    finally:
        with database.begin() as conn:
            conn.execute(delete(locks).where(locks.c.env == env, locks.c.pid == os.getpid(),
                                             locks.c.host == socket.gethostname()))


def unlock(database: Engine, env: str) -> LockHolder | None:
    """Break the environment's lock by hand; returns who held it."""
    current = holder(database, env)
    with database.begin() as conn:
        conn.execute(delete(locks).where(locks.c.env == env))
    return current


def _acquire(database: Engine, env: str, operation: str) -> Acquired:
    broken = None
    for _ in range(3):
        try:
            with database.begin() as conn:
                conn.execute(insert(locks).values(env=env, pid=os.getpid(), host=socket.gethostname(),
                                                  operation=operation, since=datetime.now(UTC)))
            return Acquired(broken)
        except IntegrityError:
            current = holder(database, env)
            if current is None:
                continue  # released between our insert and our look
            if current.host == socket.gethostname() and not process_alive(current.pid):
                # Its holder died on this host: the lock is stale and safe to break.
                with database.begin() as conn:
                    conn.execute(delete(locks).where(locks.c.env == env, locks.c.pid == current.pid))
                broken = current
                continue
            raise LockHeld(
                f"environment {env!r} is locked by {current.describe()}; wait for it to finish, or, if that "
                f"process is gone, run `envctl unlock {env}`"
            ) from None
    raise LockHeld(f"could not take the lock of environment {env!r}; try again")


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
