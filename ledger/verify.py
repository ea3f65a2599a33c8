"""Recomputing the hash chains: names, per env, the first snapshot modified, deleted or inserted.

Each snapshot's header hash is recomputed from its stored columns and must equal its `hash`; its
`prev_hash` must equal the previous snapshot's hash; seqs run 1, 2, 3... without gaps; its content
(unless pruned) must resolve from the blobs to its `content_digest`; and the last snapshot must match
the env's head record, so a removed or appended tail is caught. What this cannot catch is a rewrite of
a whole chain from some point on, head record included: compare the head hash with a copy kept
elsewhere (e.g. `envctl history ENV --json` in CI logs) for that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from envctl.ledger.chain import snapshot_hash
from envctl.ledger.content import ContentReader, MissingContent
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.model import Problem, VerifyReport


class _ChainCheck:
    def __init__(self, conn: Connection) -> None:
        self._reader = ContentReader(conn)
        self._digest_of_tree: dict[str, str] = {}  # trees are content-addressed: each is resolved once
        self.checked = 0
        self.content_checked = 0

    def first_problem(self, env: str, rows: Sequence[Row[Any]], head: Row[Any] | None) -> Problem | None:
        prev_hash = None
        for expected_seq, row in enumerate(rows, start=1):
            self.checked += 1
            problem = self._check_row(env, row, expected_seq, prev_hash, head)
            if problem is not None:
                return problem
            prev_hash = row.hash
        return _check_head(env, rows, head)

    def _check_row(
        self, env: str, row: Row[Any], expected_seq: int, prev_hash: str | None, head: Row[Any] | None
    ) -> Problem | None:
        if row.seq != expected_seq:
            return Problem(env, expected_seq, "deleted", f"{_span(env, expected_seq, row.seq - 1)} missing: seq gap")
        if snapshot_hash(row._mapping) != row.hash:
            return Problem(env, row.seq, "modified", "its header does not match its hash")
        if row.prev_hash != prev_hash:
            return Problem(env, row.seq, "inserted", "its prev_hash is not the hash of the snapshot before it")
        if row.tree_digest is None:
            pruned_below = head.pruned_below if head is not None else 1
            if row.seq >= pruned_below:
                return Problem(env, row.seq, "content-missing", "its content was removed but never pruned")
            return None
        try:
            digest = self._content_digest(row.tree_digest)
        except MissingContent as exc:
            return Problem(env, row.seq, "content-missing", f"its content cannot be read: {exc}")
        self.content_checked += 1
        if digest != row.content_digest:
            return Problem(env, row.seq, "modified", "its content (resources, manifest, config, sources or "
                           "outputs) does not match its content digest")
        return None

    def _content_digest(self, tree_digest: str) -> str:
        if tree_digest not in self._digest_of_tree:
            self._digest_of_tree[tree_digest] = self._reader.content_digest(tree_digest)
        return self._digest_of_tree[tree_digest]


def _check_head(env: str, rows: Sequence[Row[Any]], head: Row[Any] | None) -> Problem | None:
    last_seq, last_hash = (rows[-1].seq, rows[-1].hash) if rows else (0, None)
    if head is None:
        return Problem(env, 1, "inserted", f"{env} has snapshots but no head record: added outside envctl")
    if head.seq > last_seq:
        return Problem(env, last_seq + 1, "deleted", f"{_span(env, last_seq + 1, head.seq)} missing at the end "
                       f"(the head record says {env}@{head.seq} is the latest)")
    if head.seq < last_seq:
        return Problem(env, head.seq + 1, "inserted", f"added after the recorded head {env}@{head.seq}")
    if head.hash != last_hash:
        return Problem(env, last_seq, "modified", "its hash differs from the env's head record")
    return None


def _span(env: str, first: int, last: int) -> str:
    return f"{env}@{first}" if first == last else f"{env}@{first} to {env}@{last}"


def verify(conn: Connection) -> VerifyReport:
    """Check every env's chain; the report names each broken env's first bad snapshot."""
    heads = {row.env: row for row in conn.execute(select(ledger_heads)) if row.seq > 0}
    envs = sorted(set(heads) | set(conn.scalars(select(ledger_snapshots.c.env).distinct())))
    check = _ChainCheck(conn)
    problems = []
    for env in envs:
        rows = conn.execute(
            select(ledger_snapshots).where(ledger_snapshots.c.env == env).order_by(ledger_snapshots.c.seq)
        ).all()
        problem = check.first_problem(env, rows, heads.get(env))
        if problem is not None:
            problems.append(problem)
    return VerifyReport(checked=check.checked, content_checked=check.content_checked, problems=problems)
