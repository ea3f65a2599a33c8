"""The one database of a project: the ledger's tables and the local engine's state, one schema history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event

metadata = MetaData()

LEDGER_URL_ENV = "ENVCTL_LEDGER_URL"


def default_url(project_dir: Path) -> str:
    return f"sqlite:///{project_dir / '.envctl' / 'ledger.db'}"


def connect(url: str) -> Engine:
    """An engine for `url`, its schema created or upgraded to the current version."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    from envctl.db import state_tables  # noqa: F401  (registers the tables on metadata)

    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers run beside a writer; the busy timeout makes writers wait rather than fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
