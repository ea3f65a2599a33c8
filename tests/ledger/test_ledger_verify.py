"""Tamper evidence within the database: verify names the first snapshot rewritten, removed or inserted."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from envctl.ledger import Ledger, Problem
from envctl.ledger.chain import snapshot_hash
from envctl.ledger.db.ledger_tables import ledger_snapshots

from ledger_fixtures import fingerprint, resource, snapshot_input

pytest_plugins = ["ledger_fixtures"]

SNAPSHOT_COLUMNS = [column.name for column in ledger_snapshots.columns]


def _record_three(ledger: Ledger) -> list[str]:
    """dev@1..dev@3, each with a resource of its own (so each has content no other snapshot shares)."""
    return [
        ledger.record(snapshot_input(resources=[resource("logs", revision=i)]), fingerprint).hash for i in range(3)
    ]


def _first_problem(ledger: Ledger, env: str = "dev") -> Problem:
    report = ledger.verify()
    assert not report.ok
    return next(problem for problem in report.problems if problem.env == env)


def test_an_intact_ledger_verifies(ledger: Ledger) -> None:
    _record_three(ledger)
    ledger.record(snapshot_input("prod"), fingerprint)
    report = ledger.verify()
    assert report.ok and report.problems == []
    assert (report.checked, report.content_checked) == (4, 4)


def _flip_one_byte(value: Any) -> Any:
    """The stored value with one byte changed (a NULL becomes a one-byte string)."""
    if value is None:
        return "x"
    if isinstance(value, int):
        return value + 4
    middle = len(value) // 2
    return value[:middle] + ("1" if value[middle] != "1" else "2") + value[middle + 1 :]


@pytest.mark.parametrize("column", SNAPSHOT_COLUMNS)
def test_a_one_byte_edit_of_any_column_is_named(sqlite_url: str, column: str) -> None:
    ledger = Ledger.open(sqlite_url)
    _record_three(ledger)
    database = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with database:
        (value,) = database.execute(f"SELECT {column} FROM ledger_snapshots WHERE seq = 2").fetchone()
        database.execute(f"UPDATE ledger_snapshots SET {column} = ? WHERE seq = 2", (_flip_one_byte(value),))
    database.close()

    problem = _first_problem(ledger)
    assert problem.seq == 2, problem


def test_a_one_byte_edit_of_stored_content_is_named(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    _record_three(ledger)
    resource_body = '"revision":1'
    database = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with database:
        edited = database.execute(
            "UPDATE ledger_blobs SET body = replace(body, ?, ?) WHERE instr(body, ?) > 0",
            (resource_body, '"revision":7', resource_body),
        ).rowcount
    database.close()

    assert edited == 1
    problem = _first_problem(ledger)
    assert (problem.seq, problem.kind) == (2, "rewritten")
    assert "content" in problem.detail


def _delete(engine: Engine, seq: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.seq == seq))


def test_a_deleted_snapshot_is_named(ledger: Ledger) -> None:
    _record_three(ledger)
    _delete(ledger.engine, 2)
    problem = _first_problem(ledger)
    assert (problem.ref, problem.kind) == ("dev@2", "removed")


def test_a_deleted_latest_snapshot_is_named(ledger: Ledger) -> None:
    _record_three(ledger)
    _delete(ledger.engine, 3)
    problem = _first_problem(ledger)
    assert (problem.ref, problem.kind) == ("dev@3", "truncated")


def _row(engine: Engine, seq: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(ledger_snapshots).where(ledger_snapshots.c.seq == seq)).mappings().one())


def test_a_forged_snapshot_appended_with_a_valid_hash_is_named(ledger: Ledger) -> None:
    hashes = _record_three(ledger)
    forged = {**_row(ledger.engine, 3), "seq": 4, "prev_hash": hashes[2], "actor": "mallory"}
    forged["hash"] = snapshot_hash(forged)
    with ledger.engine.begin() as conn:
        conn.execute(insert(ledger_snapshots).values(forged))

    problem = _first_problem(ledger)
    assert (problem.ref, problem.kind) == ("dev@4", "inserted")


def test_a_snapshot_inserted_mid_chain_is_named(ledger: Ledger) -> None:
    hashes = _record_three(ledger)
    forged = {**_row(ledger.engine, 2), "actor": "mallory", "prev_hash": hashes[0]}
    forged["hash"] = snapshot_hash(forged)
    with ledger.engine.begin() as conn:
        for seq in (3, 2):  # make room at seq 2
            conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == seq).values(seq=seq + 1))
        conn.execute(insert(ledger_snapshots).values(forged))

    problem = _first_problem(ledger)
    # The forged row chains onto dev@1 correctly; the first row that cannot be right is the one after it.
    assert problem.ref == "dev@3" and problem.kind == "rewritten"


def test_content_removed_without_prune_is_named(ledger: Ledger) -> None:
    _record_three(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == 1).values(tree_digest=None))
    problem = _first_problem(ledger)
    assert (problem.ref, problem.kind) == ("dev@1", "content-missing")


def test_an_edit_made_with_sql_is_named_on_every_database(ledger: Ledger) -> None:
    _record_three(ledger)
    ledger.record(snapshot_input("prod"), fingerprint)
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_snapshots SET status = 'succeeded', error = NULL, actor = 'bob' "
                          "WHERE env = 'dev' AND seq = 1"))  # fmt: skip
    report = ledger.verify()
    assert [problem.ref for problem in report.problems] == ["dev@1"]
    assert report.problems[0].kind == "rewritten"


def test_the_report_names_the_snapshot_in_json(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    _record_three(ledger)
    _delete(ledger.engine, 2)
    document = ledger.verify().to_json()
    assert document["ok"] is False
    assert document["problems"][0]["ref"] == "dev@2"
