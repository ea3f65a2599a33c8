"""Retention: pruning drops old content, keeps headers, and verify still passes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.db.ledger_tables import ledger_blobs

from ledger_fixtures import fingerprint, resource, snapshot_input

pytest_plugins = ["ledger_fixtures"]


def _blob_count(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ledger_blobs)) or 0


def _record_revisions(ledger: Ledger, env: str, count: int) -> None:
    """`count` snapshots sharing the bucket "shared" and each with its own revision of "logs"."""
    for revision in range(count):
        resources = [resource("shared", env), resource("logs", env, revision=revision)]
        ledger.record(snapshot_input(env, resources=resources), fingerprint)


def test_prune_keeps_the_newest_content_and_the_chain(ledger: Ledger) -> None:
    _record_revisions(ledger, "dev", 5)
    before = _blob_count(ledger)

    report = ledger.prune("dev", keep=2)

    assert (report.snapshots_pruned, report.kept_from) == (3, 4)
    # Each pruned snapshot had its own resource, resource list and tree.
    assert report.blobs_deleted == 9 and _blob_count(ledger) == before - 9
    verified = ledger.verify()
    assert verified.ok and (verified.checked, verified.content_checked) == (5, 2)
    assert [s.pruned for s in ledger.history("dev")] == [False, False, True, True, True]
    assert ledger.show("dev@4")["resources"][1]["inputs"]["revision"] == 3
    old = ledger.show("dev@1")
    assert old["pruned"] is True and "resources" not in old and old["hash"] == ledger.history("dev")[-1].hash
    with pytest.raises(BadInput, match="dev@1 was pruned"):
        ledger.diff("dev@1", "dev")


def test_recording_after_prune_keeps_verifying_and_prune_again_is_a_no_op(ledger: Ledger) -> None:
    _record_revisions(ledger, "dev", 3)
    ledger.prune("dev", keep=1)
    _record_revisions(ledger, "dev", 2)
    assert ledger.verify().ok

    again = ledger.prune("dev", keep=3)  # a larger keep cannot bring content back
    assert (again.snapshots_pruned, again.blobs_deleted, again.kept_from) == (0, 0, 3)
    assert ledger.verify().ok


def test_prune_keeps_blobs_other_envs_still_use(ledger: Ledger) -> None:
    _record_revisions(ledger, "dev", 3)
    ledger.record(snapshot_input("dev", resources=[resource("other")]), fingerprint)
    # prod's only snapshot has the same content as dev@1.
    ledger.record(snapshot_input("prod", resources=[resource("shared", "dev"), resource("logs", "dev", revision=0)]),
                  fingerprint)  # fmt: skip

    ledger.prune("dev", keep=1)

    assert ledger.verify().ok
    assert ledger.show("prod")["resources"][1]["inputs"]["revision"] == 0


def test_prune_refuses_bad_input(ledger: Ledger) -> None:
    _record_revisions(ledger, "dev", 1)
    with pytest.raises(BadInput, match="--keep must be at least 1"):
        ledger.prune("dev", keep=0)
    with pytest.raises(BadInput, match="no snapshots of environment 'prod'; environments with snapshots: dev"):
        ledger.prune("prod", keep=1)
