"""A database that stops taking writes in the middle of an up (a full disk): the run says what the cloud made and
that it is settled on the next run, never that nothing changed; the next run adopts it, with no duplicate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from envctl import operations
from envctl.engine.deployment import DeploymentResult
from envctl.errors import OperationFailed

from engine_support import Unattended, aws, destroy, environment, write_program

PROGRAM = "import pulumi_aws as aws\nfor i in range(6):\n    aws.sqs.Queue(f'full{i}')\n"


class FillsTheDiskAfterThePlan(Unattended):
    """Once the plan is shown, the database may not grow by a page more (SQLite's max_page_count)."""

    def __init__(self, database: Any) -> None:
        super().__init__()
        self.database = database

    def plan(self, plan: DeploymentResult) -> None:
        with self.database.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        event.listen(self.database, "checkout",
                     lambda dbapi, _record, _proxy: dbapi.execute(f"PRAGMA max_page_count = {pages}"))


def _queues(endpoint: str) -> list[str]:
    urls = aws(endpoint, "sqs").list_queues(QueueNamePrefix="full").get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1].rsplit("-", 1)[0] for url in urls)


def test_a_full_database_is_reported_truthfully_and_the_next_run_adopts_what_was_made(
        tmp_path: Path, moto_endpoint: str) -> None:
    root = write_program(tmp_path / "project", PROGRAM)
    # The ledger records in the same database: room for the first snapshot, none for growth afterwards.
    target = environment(root, "test", moto_endpoint)
    ui = FillsTheDiskAfterThePlan(target.database)
    with pytest.raises(OperationFailed) as failed:
        operations.up(target, ui, yes=True)
    message = str(failed.value)
    assert "Nothing was changed" not in message
    assert "could not record" in message and "next run" in message
    made = _queues(moto_endpoint)
    assert made, "the cloud made queues before the database filled"

    retry = operations.up(environment(root, "test", moto_endpoint), Unattended(), yes=True)
    assert retry.result.succeeded, retry.result.error
    assert _queues(moto_endpoint) == [f"full{i}" for i in range(6)]  # each queue once: adopted, not made again
    assert destroy(root, "test", moto_endpoint).succeeded
    assert _queues(moto_endpoint) == []
