"""Snapshot references: ENV, ENV@N, ENV~N, hash prefixes, and the errors that say what exists."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots

from ledger_fixtures import fingerprint, snapshot_input

pytest_plugins = ["ledger_fixtures"]


@pytest.fixture
def recorded(ledger: Ledger) -> list[str]:
    """dev@1..dev@4 and prod@1; returns dev's hashes in order."""
    hashes = [ledger.record(snapshot_input(changes={"same": i}), fingerprint).hash for i in range(4)]
    ledger.record(snapshot_input("prod"), fingerprint)
    return hashes


def _ref(ledger: Ledger, ref: str) -> str:
    return ledger.load(ref).summary.ref


def test_env_seq_and_ancestry(ledger: Ledger, recorded: list[str]) -> None:
    assert _ref(ledger, "dev") == "dev@4"
    assert _ref(ledger, "dev@1") == "dev@1"
    assert _ref(ledger, "dev~0") == "dev@4"
    assert _ref(ledger, "dev~3") == "dev@1"
    assert _ref(ledger, "prod") == "prod@1"


def test_hash_prefixes(ledger: Ledger, recorded: list[str]) -> None:
    assert _ref(ledger, recorded[1][:6]) == "dev@2"
    assert _ref(ledger, recorded[2][:10].upper()) == "dev@3"
    assert _ref(ledger, recorded[3]) == "dev@4"


def test_positions_out_of_range_say_which_exist(ledger: Ledger, recorded: list[str]) -> None:
    for ref in ("dev@0", "dev@5", "dev~4"):
        with pytest.raises(BadInput, match=f"{ref} does not exist: dev has snapshots dev@1 to dev@4"):
            ledger.load(ref)


def test_unknown_names_list_the_envs(ledger: Ledger, recorded: list[str]) -> None:
    with pytest.raises(BadInput, match="no snapshots of environment 'staging'; environments with snapshots: dev, prod"):
        ledger.load("staging@2")
    with pytest.raises(BadInput, match="no snapshot hash starts with 'abcdef01'.*dev, prod"):
        ledger.load("abcdef01")
    with pytest.raises(BadInput, match="not a snapshot reference"):
        ledger.load("dev@@1")


def test_an_ambiguous_prefix_names_the_matches(ledger: Ledger, recorded: list[str]) -> None:
    # Two hashes sharing 8 digits would take ~2^32 snapshots to meet; plant a twin row instead.
    real = recorded[1]
    twin = real[:8] + ("1" if real[8] == "0" else "0") + "0" * 55
    with ledger.engine.begin() as conn:
        row = dict(conn.execute(select(ledger_snapshots).where(ledger_snapshots.c.seq == 2)).mappings().first() or {})
        conn.execute(insert(ledger_snapshots).values({**row, "env": "twin", "seq": 1, "hash": twin}))
        conn.execute(insert(ledger_heads).values(env="twin", seq=1, hash=None, pruned_below=1))

    with pytest.raises(BadInput, match=f"ambiguous: it matches .*dev@2 \\({real[:12]}\\).*give more digits"):
        ledger.load(real[:8])
    assert _ref(ledger, real[:9]) == "dev@2"


def test_an_env_named_like_a_hash_prefix_is_the_env(ledger: Ledger) -> None:
    ledger.record(snapshot_input("abcdef"), fingerprint)
    assert _ref(ledger, "abcdef") == "abcdef@1"
