"""Recording snapshots: sequence, history, show, secrets never stored, content stored once."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.canonical import canonical_json, sha256_hex
from envctl.ledger.chain import HASHED_COLUMNS
from envctl.ledger.db.ledger_tables import ledger_blobs

from ledger_fixtures import fingerprint, resource, secret, snapshot_input

pytest_plugins = ["ledger_fixtures"]

PLAINTEXT = "Pl41nText-S3cret-7f3a"


def test_records_consecutive_refs_and_history_lists_newest_first(ledger: Ledger) -> None:
    refs = [ledger.record(snapshot_input(), fingerprint).ref for _ in range(3)]
    failed = ledger.record(snapshot_input(status="failed", error="AccessDenied on bucket logs"), fingerprint)
    other = ledger.record(snapshot_input("prod"), fingerprint)

    assert refs == ["dev@1", "dev@2", "dev@3"]
    assert (failed.ref, failed.seq, other.ref) == ("dev@4", 4, "prod@1")
    history = ledger.history("dev")
    assert [s.ref for s in history] == ["dev@4", "dev@3", "dev@2", "dev@1"]
    assert history[0].status == "failed" and history[0].hash == failed.hash
    assert history[0].started.isoformat() == "2026-01-02T03:04:05+00:00"
    assert history[0].changes == {"create": 2}
    assert [s.ref for s in ledger.history("dev", limit=2)] == ["dev@4", "dev@3"]
    assert ledger.envs() == ["dev", "prod"]
    assert ledger.show("dev")["error"] == "AccessDenied on bucket logs"


def test_history_of_an_unknown_env_names_the_existing_ones(ledger: Ledger) -> None:
    with pytest.raises(BadInput, match="no snapshots yet"):
        ledger.history("dev")
    ledger.record(snapshot_input("staging"), fingerprint)
    with pytest.raises(BadInput, match="'dev'.*environments with snapshots: staging"):
        ledger.history("dev")


def test_show_returns_the_whole_snapshot_with_secrets_as_fingerprints(ledger: Ledger) -> None:
    encrypted = {**secret("unused"), "ciphertext": "v1:abc"}
    del encrypted["value"]
    rds = resource("db", password=secret("pw-1"), rules=[{"cidr": "10.0.0.0/8", "token": secret({"t": 1})}],
                   sealed=encrypted)
    snapshot = snapshot_input(resources=[rds], outputs={"dsn": secret("postgres://u:pw-1@db"), "port": 5432},
                              source_ref="dev@1", ci_run_id="run-77")  # fmt: skip
    ref = ledger.record(snapshot, fingerprint).ref

    shown = ledger.show(ref)
    assert shown["config"] == {"aws:region": "us-east-1", "shop:dbPassword": {"secret": fingerprint("hunter2-plain")}}
    inputs = shown["resources"][0]["inputs"]
    assert inputs["password"] == {"secret": fingerprint("pw-1")}
    assert inputs["rules"] == [{"cidr": "10.0.0.0/8", "token": {"secret": fingerprint({"t": 1})}}]
    assert inputs["sealed"] == {"secret": fingerprint({"ciphertext": "v1:abc"})}
    assert shown["outputs"] == {"dsn": {"secret": fingerprint("postgres://u:pw-1@db")}, "port": 5432}
    assert (shown["source_ref"], shown["ci_run_id"], shown["actor"], shown["host"]) == ("dev@1", "run-77", "alice",
                                                                                       "build-1")  # fmt: skip
    assert shown["manifest"] == snapshot.manifest and shown["sources"] == snapshot.sources
    assert shown["prev_hash"] is None and shown["pruned"] is False
    json.dumps(shown)  # one JSON-able document


def test_hash_covers_the_header_and_the_resolved_canonical_content(ledger: Ledger) -> None:
    first = ledger.record(snapshot_input(), fingerprint)
    second = ledger.record(snapshot_input(), fingerprint)
    shown = ledger.show(second.ref)

    content = {name: shown[name] for name in ("config", "manifest", "outputs", "resources", "sources")}
    assert shown["content_digest"] == sha256_hex(canonical_json(content))
    with ledger.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM ledger_snapshots WHERE seq = 2")).mappings().one()
    assert row["prev_hash"] == first.hash
    assert second.hash == sha256_hex(canonical_json({column: row[column] for column in HASHED_COLUMNS}))


def test_secret_plaintext_never_reaches_the_database(ledger: Ledger, ledger_url: str, tmp_path: Path) -> None:
    snapshot = snapshot_input(
        config={"shop:apiKey": PLAINTEXT, "shop:nested": {"inner": secret(PLAINTEXT)}, "shop:visible": "Vis1ble-Value"},
        secret_keys=["shop:apiKey"],
        resources=[resource("logs", password=secret(PLAINTEXT), deep=[{"x": [secret({"k": PLAINTEXT})]}])],
        outputs={"token": secret(PLAINTEXT)},
    )
    ledger.record(snapshot, fingerprint)
    ledger.record(snapshot, fingerprint)

    stored = _raw_database_bytes(ledger.engine, tmp_path)
    assert b"Vis1ble-Value" in stored  # the scan does see stored values
    assert PLAINTEXT.encode() not in stored


def _raw_database_bytes(engine: Engine, directory: Path) -> bytes:
    if engine.dialect.name == "sqlite":
        return b"".join(path.read_bytes() for path in directory.glob("ledger.db*"))
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        dumps = [conn.scalar(text(f"SELECT string_agg(t::text, '|') FROM {table} t")) or "" for table in tables]
    return "".join(dumps).encode()


def test_an_identical_snapshot_adds_under_10_kb_and_no_blobs(ledger: Ledger, tmp_path: Path) -> None:
    snapshot = snapshot_input(resources=[resource(f"bucket-{i}", index=i) for i in range(300)])
    ledger.record(snapshot, fingerprint)
    blobs_before, bytes_before = _blob_count(ledger.engine), _database_size(ledger.engine)
    repeats = 10
    for _ in range(repeats):
        ledger.record(snapshot, fingerprint)

    assert _blob_count(ledger.engine) == blobs_before
    assert (_database_size(ledger.engine) - bytes_before) / repeats < 10 * 1024


def test_only_changed_resources_add_blobs(ledger: Ledger) -> None:
    resources = [resource(f"bucket-{i}") for i in range(50)]
    ledger.record(snapshot_input(resources=resources), fingerprint)
    before = _blob_count(ledger.engine)
    resources[7] = resource("bucket-7", versioning=True)
    ledger.record(snapshot_input(resources=resources), fingerprint)

    # The changed resource, the new list of resource digests, and the new tree.
    assert _blob_count(ledger.engine) - before == 3


def _blob_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ledger_blobs)) or 0


def _database_size(engine: Engine) -> int:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return Path(engine.url.database or "").stat().st_size
        tables = ("ledger_blobs", "ledger_snapshots", "ledger_heads")
        return sum(conn.scalar(text(f"SELECT pg_total_relation_size('{table}')")) or 0 for table in tables)


def test_rejects_naive_timestamps_and_bad_env_names(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.record(snapshot_input(started=datetime(2026, 1, 1)), fingerprint)
    with pytest.raises(BadInput, match="invalid environment name 'dev@2'"):
        ledger.record(snapshot_input("dev@2"), fingerprint)
    with pytest.raises(ValueError, match="operation 'deploy'"):
        ledger.record(snapshot_input(operation="deploy"), fingerprint)
    assert ledger.envs() == []
