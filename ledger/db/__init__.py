"""The one database of a project: the ledger's tables and the local engine's state, one schema history.

Alembic owns the schema (migrations in ledger/db/migrations). `connect` brings a database to the
current revision; when it is already there (every command but the first) that costs one query and no
alembic import.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError

from envctl.errors import BadInput

metadata = MetaData()

LEDGER_URL_ENV = "ENVCTL_LEDGER_URL"
BUSY_TIMEOUT_ENV = "ENVCTL_DB_BUSY_TIMEOUT"

# The newest migration in ledger/db/migrations/versions; a test keeps it equal to alembic's head.
SCHEMA_HEAD = "0003"
# The revision whose schema databases created before alembic (by create_all) already have.
_PRE_ALEMBIC_REVISION = "0001"
_MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Python modules of SQLAlchemy's drivers, and the distribution that installs each.
_DRIVER_PACKAGES = {"psycopg2": "psycopg2-binary", "pymysql": "PyMySQL", "MySQLdb": "mysqlclient",
                    "oracledb": "oracledb", "cx_Oracle": "cx-Oracle", "pyodbc": "pyodbc", "asyncpg": "asyncpg",
                    "pg8000": "pg8000"}
_PG_MIGRATION_LOCK_KEY = int.from_bytes(b"envctl")  # any constant shared by all envctl processes
_WAL_RETRY_SECONDS = 0.02


@dataclass(frozen=True)
class SchemaUpgrade:
    """What `upgrade` did: the revision before (None for an empty database) and after."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def default_url(project_dir: Path) -> str:
    return f"sqlite:///{project_dir / '.envctl' / 'ledger.db'}"


def connect(url: str, *, migrate: bool = True) -> Engine:
    """An engine for `url`, its schema upgraded to the current revision unless `migrate` is False."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except ArgumentError as exc:  # includes an unknown dialect or driver
        # The URL itself is not repeated: it may hold a password.
        raise BadInput(f"the ledger database URL is not usable ({exc}); check {LEDGER_URL_ENV}") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise BadInput(f"an in-memory SQLite ledger vanishes when the command ends, and the state of what it made "
                       f"with it: name a file (sqlite:///path/ledger.db) or a server in {LEDGER_URL_ENV}")
    if parsed.get_backend_name() == "sqlite":
        directory = Path(parsed.database).parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot create the ledger's directory {directory}: {exc.strerror}; make it writable "
                           f"or point {LEDGER_URL_ENV} elsewhere") from None
    try:
        engine = create_engine(url)
    except ImportError as exc:  # the dialect is known, its driver is not installed
        raise BadInput(f"the ledger database URL needs the Python package `{exc.name or exc}`, which is not "
                       f"installed: `pip install {_DRIVER_PACKAGES.get(str(exc.name), exc.name)}` into envctl's "
                       f"environment, or use a driver envctl installs (postgresql+psycopg://, sqlite:///); "
                       f"see {LEDGER_URL_ENV}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())
        raise BadInput(
            f"cannot open the ledger database {parsed.render_as_string(hide_password=True)} ({reason}); "
            f"check {LEDGER_URL_ENV} or the project's .envctl directory"
        ) from exc
    if migrate and revision != SCHEMA_HEAD:
        upgrade(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, None when it has none."""
    with engine.connect() as conn:
        return _read_revision(conn)


def upgrade(engine: Engine) -> SchemaUpgrade:
    """Migrate the database to SCHEMA_HEAD; safe when several processes do it at once."""
    before = current_revision(engine)
    if before == SCHEMA_HEAD:
        return SchemaUpgrade(before, before)
    with engine.connect() as conn:
        _take_migration_lock(conn)
        before = _read_revision(conn)  # another process may have migrated while we waited
        if before != SCHEMA_HEAD:
            _run_alembic_upgrade(conn, before)
        conn.commit()
    return SchemaUpgrade(before, SCHEMA_HEAD)


def _read_revision(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _take_migration_lock(conn: Connection) -> None:
    # Held until commit: a second process waits here, then finds the schema at head.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK_KEY})")


def _run_alembic_upgrade(conn: Connection, before: str | None) -> None:
    # Imported here: alembic costs ~150 ms to import, and only a migration needs it.
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if before is not None and before not in known:
        raise BadInput(
            f"the ledger database is at schema revision {before}, newer than this envctl knows "
            f"(up to {SCHEMA_HEAD}): upgrade envctl."
        )
    if before is None and conn.dialect.has_table(conn, "state_resources"):
        command.stamp(config, _PRE_ALEMBIC_REVISION)
    command.upgrade(config, "head")


def _busy_timeout_ms() -> int:
    """How long a writer waits for a database another process holds (ENVCTL_DB_BUSY_TIMEOUT, seconds)."""
    try:
        return int(float(os.environ.get(BUSY_TIMEOUT_ENV, "30")) * 1000)
    except ValueError:
        raise BadInput(f"{BUSY_TIMEOUT_ENV} must be a number of seconds") from None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers run beside a writer; the busy timeout makes writers wait rather than fail.
    timeout_ms = _busy_timeout_ms()
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
    _switch_to_wal(cursor, timeout_ms / 1000)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    # SQLite answers "locked" at once, without the busy handler, when another process holds a new database
    # while it switches it to WAL (or migrates it): wait here as the busy timeout would.
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_SECONDS)
