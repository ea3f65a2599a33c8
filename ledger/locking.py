"""Row and table locks that keep one env's sequence consecutive and pruning safe beside recorders.

Every ledger write transaction starts with a write to ledger_heads. On SQLite that first write takes the
database's write lock before anything is read (so no transaction writes from a stale read); on
PostgreSQL it locks the env's head row, so recorders of one env queue while other envs proceed.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, update

from envctl.ledger.db.ledger_tables import ledger_heads


def lock_env(conn: Connection, env: str) -> None:
    """Lock `env`'s head row, creating it for a new env (a concurrent creator then fails and retries)."""
    touched = conn.execute(update(ledger_heads).where(ledger_heads.c.env == env).values(seq=ledger_heads.c.seq))
    if touched.rowcount == 0:
        conn.execute(insert(ledger_heads).values(env=env, seq=0, hash=None, pruned_below=1))


def lock_ledger(conn: Connection) -> None:
    """Exclude every recorder until commit: garbage collection must not race a snapshot's blob check."""
    if conn.dialect.name == "postgresql":
        # Conflicts with the row-exclusive lock a recorder's first statement takes, new envs included.
        conn.exec_driver_sql("LOCK TABLE ledger_heads IN EXCLUSIVE MODE")
    else:
        conn.execute(update(ledger_heads).values(seq=ledger_heads.c.seq))
