"""One operation per environment at a time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from envctl.engine.lock import environment_lock, holder, unlock
from envctl.errors import LockHeld
from envctl.ledger.db import connect
from envctl.ledger.db.state_tables import locks


@pytest.fixture
def database(ledger_url: str):  # type: ignore[no-untyped-def]
    """The project database on SQLite and on PostgreSQL (`ledger_url` is parametrized over both)."""
    return connect(ledger_url)


def _hold(database, env: str, pid: int, host: str) -> None:  # type: ignore[no-untyped-def]
    with database.begin() as conn:
        conn.execute(insert(locks).values(env=env, pid=pid, host=host, operation="up", since=datetime.now(UTC)))


def test_a_held_lock_fails_at_once_naming_the_holder(database) -> None:  # type: ignore[no-untyped-def]
    _hold(database, "dev", os.getppid(), socket.gethostname())
    expected = rf"locked by `envctl up` \(pid {os.getppid()} on {socket.gethostname()}"
    with pytest.raises(LockHeld, match=expected), environment_lock(database, "dev", "up"):
        pass


def test_other_environments_are_not_blocked_and_the_lock_is_released(database) -> None:  # type: ignore[no-untyped-def]
    _hold(database, "staging", os.getppid(), socket.gethostname())
    with environment_lock(database, "dev", "up") as acquired:
        assert acquired.broken is None
        assert holder(database, "dev").pid == os.getpid()  # type: ignore[union-attr]
    assert holder(database, "dev") is None


def test_a_lock_whose_holder_died_on_this_host_is_broken(database) -> None:  # type: ignore[no-untyped-def]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _hold(database, "dev", dead.pid, socket.gethostname())
    with environment_lock(database, "dev", "destroy") as acquired:
        assert acquired.broken is not None and acquired.broken.pid == dead.pid


def test_a_lock_held_on_another_host_is_not_broken_but_unlock_breaks_it(database) -> None:  # type: ignore[no-untyped-def]
    _hold(database, "dev", 1, "elsewhere")
    with pytest.raises(LockHeld, match="elsewhere"), environment_lock(database, "dev", "up"):
        pass
    previous = unlock(database, "dev")
    assert previous is not None and previous.host == "elsewhere"
    assert holder(database, "dev") is None
