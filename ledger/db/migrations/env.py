"""Alembic environment: runs on the connection envctl.ledger.db passes in, or on alembic.ini's URL (development)."""

from alembic import context
from sqlalchemy import create_engine

from envctl.ledger.db import ledger_tables, metadata, state_tables  # noqa: F401  (register the tables for autogenerate)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets future migrations alter SQLite tables (it has no ALTER COLUMN).
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(context.config.get_main_option("sqlalchemy.url")).begin() as own_connection:
        _run(own_connection)
