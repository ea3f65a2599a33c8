"""Tampering by someone who can write to the database but holds neither a trusted key nor the witness: each
case once through the library and once through the real `envctl ledger verify`, on SQLite and PostgreSQL.

The ledger of every case: dev@1..dev@3 and prod@1 recorded by alice (whose key the project trusts), a
witness file holding a checkpoint after every recording, and the engine's state of dev and prod as their
last snapshots left it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, update

from envctl.errors import OperationFailed
from envctl.ledger import Ledger
from envctl.ledger.audit import audit
from envctl.ledger.canonical import canonical_json, sha256_hex
from envctl.ledger.chain import snapshot_hash
from envctl.ledger.content import RESOURCES
from envctl.ledger.db import LEDGER_URL_ENV
from envctl.ledger.db.ledger_tables import ledger_blobs, ledger_checkpoints, ledger_heads, ledger_snapshots
from envctl.ledger.db.state_tables import state_resources
from envctl.ledger.evidence import gather_evidence
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SigningKey, read_signing_key
from envctl.ledger.witness import WITNESS_ENV, FileWitness

from envctl_command import run_envctl
from ledger_fixtures import fingerprint, new_key_file, resource, snapshot_input, trust

pytest_plugins = ["ledger_fixtures"]


@dataclass(frozen=True)
class Setup:
    root: Path  # the project: Pulumi.yaml and .envctl-trusted-keys
    url: str
    witness: FileWitness
    ledger: Ledger

    @property
    def engine(self) -> Engine:
        return self.ledger.engine


@pytest.fixture
def setup(tmp_path: Path, ledger_url: str, signing_key: SigningKey) -> Setup:
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    trust(root, signing_key)
    witness = FileWitness(tmp_path / "witness.jsonl")
    ledger = Ledger.open(ledger_url, Sealing(signing_key, witness))
    for revision in range(3):
        ledger.record(snapshot_input(resources=[resource("logs", revision=revision), resource("assets")]), fingerprint)
    ledger.record(snapshot_input("prod", resources=[resource("web", "prod")]), fingerprint)
    with ledger.engine.begin() as conn:
        _write_state(conn, "dev", [resource("logs"), resource("assets")])
        _write_state(conn, "prod", [resource("web", "prod")])
    return Setup(root, ledger_url, witness, ledger)


def _write_state(conn: Connection, env: str, resources: list[dict[str, Any]]) -> None:
    """State rows as the local engine writes them (ResourceV3 bodies)."""
    for position, item in enumerate(resources):
        body = {key: item[key] for key in ("urn", "type", "id", "custom", "inputs", "outputs")}
        conn.execute(insert(state_resources).values(stack=env, urn=item["urn"], doomed=False, position=position,
                                                    body=canonical_json(body), modified=datetime.now(UTC)))


def _row(conn: Connection, env: str, seq: int) -> dict[str, Any]:
    query = select(ledger_snapshots).where(ledger_snapshots.c.env == env, ledger_snapshots.c.seq == seq)
    return dict(conn.execute(query).mappings().one())


def _point_head(conn: Connection, env: str, seq: int, hash_: str) -> None:
    conn.execute(update(ledger_heads).where(ledger_heads.c.env == env).values(seq=seq, hash=hash_))


# ---- the tampering -------------------------------------------------------------------------------


def truncate_latest(conn: Connection) -> None:
    """1. Delete dev@3 and point dev's head at dev@2: what is left is consistent and validly signed."""
    conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.env == "dev", ledger_snapshots.c.seq == 3))
    _point_head(conn, "dev", 2, _row(conn, "dev", 2)["hash"])


def remove_env(conn: Connection) -> None:
    """2. Delete every snapshot and the head row of prod."""
    conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.env == "prod"))
    conn.execute(delete(ledger_heads).where(ledger_heads.c.env == "prod"))


def forge_prune(conn: Connection) -> None:
    """3. Drop dev@2's content and raise the unhashed, unchecked `pruned_below` to explain it; dev@1 keeps its."""
    conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.env == "dev", ledger_snapshots.c.seq == 2)
                 .values(tree_digest=None))
    conn.execute(update(ledger_heads).where(ledger_heads.c.env == "dev").values(pruned_below=3))


def rewrite_and_rehash(conn: Connection) -> None:
    """4. Make dev@2 a failure, then recompute its hash, dev@3's link and hash, and the head."""
    prev_hash = _row(conn, "dev", 1)["hash"]
    for seq in (2, 3):
        row = _row(conn, "dev", seq)
        old_hash = row["hash"]
        row.update(prev_hash=prev_hash, **({"status": "failed", "error": "boom"} if seq == 2 else {}))
        row["hash"] = prev_hash = snapshot_hash(row)
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.hash == old_hash).values(row))
    _point_head(conn, "dev", 3, prev_hash)


def fabricate_env(conn: Connection) -> None:
    """5. Insert an environment `staging` with a valid two-snapshot chain and a head (content borrowed from dev)."""
    prev_hash = None
    for seq in (1, 2):
        row = {**_row(conn, "dev", seq), "env": "staging", "actor": "mallory", "prev_hash": prev_hash,
               "signer": None, "signature": None}
        row["hash"] = prev_hash = snapshot_hash(row)
        conn.execute(insert(ledger_snapshots).values(row))
    conn.execute(insert(ledger_heads).values(env="staging", seq=2, hash=prev_hash, pruned_below=1))


def merge_blobs(conn: Connection) -> None:
    """6. Store dev@3's two resources as one blob whose text is theirs joined: the content digest still matches."""
    tree = json.loads(_blob(conn, _row(conn, "dev", 3)["tree_digest"]))
    first, second = (_blob(conn, digest) for digest in json.loads(_blob(conn, tree[RESOURCES])))
    merged = first + "," + second
    resource_list = canonical_json([_put(conn, merged)])
    new_tree = canonical_json({**tree, RESOURCES: _put(conn, resource_list)})
    conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.env == "dev", ledger_snapshots.c.seq == 3)
                 .values(tree_digest=_put(conn, new_tree)))


def delete_state_row(conn: Connection) -> None:
    """7. Delete the state row of dev's bucket `assets`."""
    conn.execute(delete(state_resources).where(state_resources.c.stack == "dev",
                                               state_resources.c.urn.endswith("::assets")))


def _blob(conn: Connection, digest: str) -> str:
    return conn.scalar(select(ledger_blobs.c.body).where(ledger_blobs.c.digest == digest))


def _put(conn: Connection, body: str) -> str:
    digest = sha256_hex(body)
    conn.execute(insert(ledger_blobs).values(digest=digest, body=body))
    return digest


Tamper = Callable[[Connection], None]
CASES: dict[str, tuple[Tamper, str, str, str]] = {  # tamper, ref, kind, a fragment of the detail
    "latest-snapshot-deleted": (truncate_latest, "dev@3", "truncated", "dev@3 removed: the checkpoint of "),
    "environment-deleted": (remove_env, "prod", "removed", "prod and its snapshots prod@1 are gone"),
    "forged-prune": (forge_prune, "dev@2", "content-missing", "(content pruned below dev@3) is not signed: a forged "
                     "prune; dev@1, below the mark, still has the content"),
    "rewritten-and-rehashed": (rewrite_and_rehash, "dev@2", "rewritten", "its signature (by ed25519:"),
    "fabricated-environment": (fabricate_env, "staging@1", "inserted", "staging was not created by a trusted "
                               "identity: staging@1 has no signature"),
    "merged-blobs": (merge_blobs, "dev@3", "merged", "its content text is unchanged, but blob "),
    "state-row-deleted": (delete_state_row, "dev@3", "state-differs", "the state of dev lacks aws:s3/bucket:Bucket "
                          "assets (assets-1234567), which dev@3 recorded"),
}


def _tamper(setup: Setup, case: str) -> tuple[str, str, str]:
    tamper, *expected = CASES[case]
    assert setup.ledger.verify(gather_evidence(setup.root, [], setup.witness)).ok  # intact before
    with setup.engine.begin() as conn:
        tamper(conn)
    return tuple(expected)  # type: ignore[return-value]


@pytest.mark.parametrize("case", CASES)
def test_verify_names_what_was_done(setup: Setup, case: str) -> None:
    ref, kind, fragment = _tamper(setup, case)
    report = setup.ledger.verify(gather_evidence(setup.root, [], setup.witness))
    assert [(problem.ref, problem.kind) for problem in report.problems] == [(ref, kind)]
    assert fragment in report.problems[0].detail


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES)
def test_the_envctl_command_exits_1_naming_what_was_done(setup: Setup, case: str) -> None:
    ref, kind, fragment = _tamper(setup, case)
    environment = {**os.environ, LEDGER_URL_ENV: setup.url, WITNESS_ENV: str(setup.witness.path)}
    verified = run_envctl("-C", str(setup.root), "ledger", "verify", env=environment, timeout=120)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert f"{ref} {kind}: " in verified.stdout and fragment in " ".join(verified.stdout.split())
    assert "ledger intact" not in verified.stdout and "Traceback" not in verified.stderr


def test_without_a_copy_outside_the_database_truncation_cannot_be_told_and_verify_says_so(setup: Setup) -> None:
    _tamper(setup, "latest-snapshot-deleted")
    report = setup.ledger.verify(gather_evidence(setup.root, [], None))
    # The state still matches the deleted dev@3 here, not dev@2 (which recorded other inputs but the same ids).
    assert report.ok
    assert any("cannot be told from the database alone" in note for note in report.notes)


def test_merged_blobs_make_show_audit_and_verify_agree_that_the_content_is_unreadable(setup: Setup) -> None:
    _tamper(setup, "merged-blobs")
    with pytest.raises(OperationFailed, match=r"the content of dev@3 cannot be read .*run `envctl ledger verify`"):
        setup.ledger.show("dev@3")
    with setup.engine.connect() as conn:
        chain = audit(conn, "dev@3").provenance.chain  # type: ignore[union-attr]
        lineage = audit(conn, resource("assets")["urn"]).lineages[0]
    assert not chain.ok and any("dev@3 merged" in problem for problem in chain.problems)
    assert lineage.unreadable == ["dev@3"]
    assert [problem.ref for problem in setup.ledger.verify().problems] == ["dev@3"]
    assert setup.ledger.show("dev@2")["resources"][1]["urn"].endswith("::assets")  # the rest reads as before


def test_a_fabricated_environment_signed_by_an_untrusted_key_is_named(setup: Setup, tmp_path: Path) -> None:
    mallory = read_signing_key(new_key_file(tmp_path / "keys" / "mallory.pem"))
    Ledger(setup.engine, Sealing(mallory)).record(snapshot_input("staging"), fingerprint)
    report = setup.ledger.verify(gather_evidence(setup.root, [], setup.witness))
    assert [(problem.ref, problem.kind) for problem in report.problems] == [("staging@1", "inserted")]
    assert "is signed by ed25519:" in report.problems[0].detail and "does not list" in report.problems[0].detail
    assert any("in no checkpoint yet: staging" in note for note in report.notes)


def test_garbage_in_the_database_is_named_not_a_crash(setup: Setup) -> None:
    with setup.engine.begin() as conn:
        conn.execute(update(state_resources).where(state_resources.c.urn.endswith("::web")).values(body="{not json"))
        conn.execute(insert(ledger_checkpoints).values(line="[]"))
        tree = json.loads(_blob(conn, _row(conn, "dev", 3)["tree_digest"]))
        garbled = canonical_json({**tree, "config": tree[RESOURCES]})  # a part pointing at the resource list
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.env == "dev", ledger_snapshots.c.seq == 3)
                     .values(tree_digest=_put(conn, garbled)))
    report = setup.ledger.verify(gather_evidence(setup.root, [], setup.witness))
    assert [(problem.ref, problem.kind) for problem in report.problems] == [
        ("the ledger's checkpoint 1", "rewritten"), ("dev@3", "rewritten"), ("prod@1", "state-differs")]
    assert "holds aws:s3/bucket:Bucket web" not in report.problems[2].detail
    assert "(unreadable state)" in report.problems[2].detail
