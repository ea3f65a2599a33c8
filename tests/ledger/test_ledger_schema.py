"""The schema history: alembic migrations match the tables, older databases upgrade with their data."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, insert, select, text

import envctl.ledger.db
from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.db import SCHEMA_HEAD, SchemaUpgrade, connect, current_revision, metadata, state_tables, upgrade

from ledger_fixtures import fingerprint, resource, snapshot_input

pytest_plugins = ["ledger_fixtures"]

MIGRATIONS = Path(envctl.ledger.db.__file__).parent / "migrations"
FIRST_RELEASE = "0001"
STATE_BODY = '{"id":"logs-1","type":"aws:s3/bucket:Bucket","urn":"urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs"}'


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _database_at(url: str, revision: str) -> Engine:
    """A database migrated to `revision` only, as an older envctl left it."""
    engine = create_engine(url)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return engine


def _add_state_row(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(state_tables.state_resources).values(
            stack="dev", urn="urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs", doomed=False, position=0,
            body=STATE_BODY, modified=datetime(2026, 1, 1, tzinfo=UTC)))  # fmt: skip


def _state_bodies(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(state_tables.state_resources.c.body)))


def test_schema_head_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == SCHEMA_HEAD


def test_migrations_create_exactly_the_declared_tables(ledger_url: str) -> None:
    engine = connect(ledger_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_an_empty_database_upgrades_to_head(ledger_url: str) -> None:
    engine = connect(ledger_url, migrate=False)
    assert current_revision(engine) is None
    assert upgrade(engine) == SchemaUpgrade(None, SCHEMA_HEAD)
    assert upgrade(engine) == SchemaUpgrade(SCHEMA_HEAD, SCHEMA_HEAD)


def test_a_first_release_database_upgrades_with_its_data(ledger_url: str) -> None:
    old = _database_at(ledger_url, FIRST_RELEASE)
    _add_state_row(old)

    engine = connect(ledger_url, migrate=False)
    assert upgrade(engine) == SchemaUpgrade(FIRST_RELEASE, SCHEMA_HEAD)
    assert _state_bodies(engine) == [STATE_BODY]
    ledger = Ledger(engine)
    ledger.record(snapshot_input(resources=[resource("logs", id_="logs-1")]), fingerprint)
    assert ledger.verify().ok


def test_a_database_made_before_alembic_owned_the_schema_is_adopted(ledger_url: str) -> None:
    old = _database_at(ledger_url, FIRST_RELEASE)
    _add_state_row(old)
    with old.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))

    engine = connect(ledger_url)
    assert current_revision(engine) == SCHEMA_HEAD
    assert _state_bodies(engine) == [STATE_BODY]


def test_a_database_from_a_newer_envctl_is_refused(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(BadInput, match="revision 0099, newer than this envctl knows .*upgrade envctl"):
        connect(sqlite_url)


def test_an_unreachable_or_malformed_database_url_is_bad_input() -> None:
    with pytest.raises(BadInput, match="cannot open the ledger database .*ENVCTL_LEDGER_URL"):
        connect("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(BadInput, match="database URL is not usable .*nodriver"):
        connect("oracle+nodriver://x")


def test_opening_the_ledger_at_head_loads_neither_alembic_nor_engine_nor_cli(sqlite_url: str) -> None:
    connect(sqlite_url).dispose()
    probe = (
        "import sys; from envctl.ledger import Ledger; Ledger.open(sys.argv[1]); "
        "print([m for m in sys.modules if m.split('.')[0] == 'alembic' or m.startswith(('envctl.engine', "
        "'envctl.cli'))])"
    )
    out = subprocess.run([sys.executable, "-c", probe, sqlite_url], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
