"""Verifying the ledger: names, per env, the first snapshot removed, truncated, rewritten, merged or inserted.

What is checked, per env: seqs run 1, 2, 3... without gaps; each header hashes to its `hash` and links to the
hash before it; each signature verifies and comes from a key the project trusts (.envctl-trusted-keys); each
snapshot's content (unless pruned) is exactly what its content digest covers, blob by blob (envctl.ledger.
content); the head record ends where the chain ends; a prune mark is signed; every claim of every trusted
checkpoint (the witness, --checkpoint files, the ledger's own) still holds; and the engine's state matches the
env's last snapshot (envctl.ledger.state_check).

What an adversary who can write to the database, but has neither a trusted signing key nor write access to
the witness or the project's repository, can and cannot do:
- Edit, insert or re-chain a snapshot: the recomputed hashes are consistent, but its signature no longer
  verifies, or it is unsigned, or signed by their own key, which the trusted keys do not list.
- Merge or split content blobs so the joined text is unchanged: every blob must hold one value.
- Forge a prune (drop content, raise `pruned_below`): the mark is signed with the hash it keeps from.
- Fabricate a whole environment: its snapshots are not signed by a trusted key.
- Delete an environment, its newest snapshots (pointing the head back) or roll the whole database back
  to an earlier copy: everything left is consistent and validly signed, since it all once was. Only a copy
  kept outside the database shows this: with a witness (ENVCTL_WITNESS, a checkpoint after every recording)
  or a checkpoint file, verify names what is gone. Without one, verify says that it cannot tell.
- Delete the ledger's checkpoints or state rows: checkpoints outside are unaffected; the state is compared
  with the last snapshot, so a changed or missing row is named (a whole env's state removed is a note, as
  its state may live with another engine).
- Deny service: delete anything. Verify names what is gone; it cannot bring it back.
Where no key is trusted yet (no .envctl-trusted-keys), a valid signature by any key passes, and verify says
whose keys signed; an adversary's own key then goes unnoticed but for that list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from envctl.ledger.anchors import Anchors, span
from envctl.ledger.chain import snapshot_hash, snapshot_statement
from envctl.ledger.checkpoint import stored_checkpoints
from envctl.ledger.content import AlteredContent, ContentReader, MergedContent, MissingContent
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.evidence import Evidence
from envctl.ledger.model import Problem, VerifyReport
from envctl.ledger.prune import prune_statement
from envctl.ledger.signing import Signature, short_key
from envctl.ledger.state_check import busy_envs, compare_state, envs_with_state

_VOUCH_HINT = "check it, then vouch for it with `envctl ledger checkpoint --vouch`"


class _EnvCheck:
    """One env's chain, head, prune mark and signatures, against the anchors."""

    def __init__(self, conn: Connection, evidence: Evidence, anchors: Anchors) -> None:
        self._reader = ContentReader(conn, keep=False)
        self._content: dict[tuple[str, str], tuple[str, str] | None] = {}  # each tree once: content-addressed
        self._trusted = evidence.trusted
        self._anchors = anchors
        self.signers: Counter[str] = Counter()
        self.checked = 0
        self.content_checked = 0

    def first_problem(self, env: str, rows: Sequence[Row[Any]], head: Row[Any] | None) -> Problem | None:
        """The chain's structure and content first, then the head, then who signed what, the prune mark and the
        checkpoints: so an appended row is named as inserted, not by the signature it copied."""
        self.checked += len(rows)
        hashes = {row.seq: row.hash for row in rows}
        vouched = self._anchors.vouched_through(env, hashes)
        return (self._check_rows(env, rows, head) or _check_head(env, rows, head)
                or next(filter(None, (self._check_signature(env, row, vouched) for row in rows)), None)
                or self._check_prune(env, rows, head, hashes) or self._anchors.problem(env, rows))

    def _check_rows(self, env: str, rows: Sequence[Row[Any]], head: Row[Any] | None) -> Problem | None:
        prev_hash = None
        for expected_seq, row in enumerate(rows, start=1):
            problem = self._check_row(env, row, expected_seq, prev_hash, head)
            if problem is not None:
                return problem
            prev_hash = row.hash
        return None

    def _check_row(self, env: str, row: Row[Any], expected_seq: int, prev_hash: str | None,
                   head: Row[Any] | None) -> Problem | None:
        if row.seq != expected_seq:
            return Problem(env, expected_seq, "removed", f"{span(env, expected_seq, row.seq - 1)} missing: seq gap")
        if snapshot_hash(row._mapping) != row.hash:
            return Problem(env, row.seq, "rewritten", "its header does not match its hash")
        if row.prev_hash != prev_hash:
            return Problem(env, row.seq, "inserted", "its prev_hash is not the hash of the snapshot before it")
        if row.tree_digest is None:
            pruned_below = head.pruned_below if head is not None else 1
            if row.seq >= pruned_below:
                return Problem(env, row.seq, "content-missing", "its content was removed but never pruned")
            return None
        return self._check_content(env, row)

    def _check_signature(self, env: str, row: Row[Any], vouched: int) -> Problem | None:
        if row.signature is not None or row.signer is not None:
            problem = signature_problem(row)
            if problem is not None:
                return problem
            self.signers[row.signer] += 1
            if self._trusted.trusts(row.signer) or row.seq <= vouched:
                return None
            why = f"is signed by {short_key(row.signer)}, a key {self._trusted.file_name} does not list"
            kind = "untrusted"
        elif row.seq <= vouched:
            return None
        else:
            why, kind = "has no signature", "unsigned"
        if row.seq == 1:
            return Problem(env, 1, "inserted", f"{env} was not created by a trusted identity: {env}@1 {why}, and "
                           f"no trusted checkpoint vouches for it. If it is yours (a new key, or recorded before "
                           f"envctl signed snapshots), {_VOUCH_HINT}", vouchable=True)
        return Problem(env, row.seq, kind, f"it {why}, and no trusted checkpoint vouches for it: inserted outside "
                       f"envctl, or by an identity not listed yet (add its key), or recorded before envctl signed "
                       f"snapshots ({_VOUCH_HINT})", vouchable=True)

    def _check_content(self, env: str, row: Row[Any]) -> Problem | None:
        key = (row.tree_digest, row.content_digest)
        if key not in self._content:
            self._content[key] = content_problem(self._reader, *key)
        self.content_checked += 1
        problem = self._content[key]
        return None if problem is None else Problem(env, row.seq, *problem)

    def _check_prune(self, env: str, rows: Sequence[Row[Any]], head: Row[Any] | None,
                     hashes: dict[int, str]) -> Problem | None:
        if head is None or head.pruned_below <= 1:
            return None
        mark, signed_mark = head.pruned_below, 1  # signed_mark: the mark the signature is for, when lower
        if head.prune_signature is not None or head.prune_signer is not None:
            signature = Signature(head.prune_signer or "", head.prune_signature or "")
            if signature.verifies(prune_statement(env, mark, hashes.get(mark))):
                if self._trusted.trusts(signature.signer):
                    return None
                why = f"is signed by {short_key(signature.signer)}, a key {self._trusted.file_name} does not list"
            else:
                signed_mark = next((m for m in range(mark - 1, 1, -1)
                                    if signature.verifies(prune_statement(env, m, hashes.get(m)))), 1)
                why = (f"was raised from {env}@{signed_mark}, the mark its signature is for" if signed_mark > 1
                       else "does not match its signature")
        elif self._anchors.vouches_for_prune(env, mark, hashes):
            return None
        else:
            why = "is not signed"
        gone = next((row.seq for row in rows if row.tree_digest is None and row.seq >= signed_mark), mark - 1)
        kept = next((row.seq for row in rows if row.seq < mark and row.tree_digest is not None), None)
        detail = (f"its content was removed, and the prune mark that would explain it (content pruned below "
                  f"{env}@{mark}) {why}: a forged prune")
        if kept is not None:
            detail += f"; {env}@{kept}, below the mark, still has the content a real prune would have dropped"
        elif why == "is not signed":
            detail += f" (or one made before envctl signed prunes: {_VOUCH_HINT})"
        return Problem(env, gone, "content-missing", detail, vouchable=kept is None and why == "is not signed")


def signature_problem(row: Row[Any]) -> Problem | None:
    """A ledger_snapshots row's signature, if it has one that does not verify: it changed after it was signed."""
    if row.signature is None and row.signer is None:
        return None
    signature = Signature(row.signer or "", row.signature or "")
    if signature.verifies(snapshot_statement(row.env, row.seq, row.hash)):
        return None
    return Problem(row.env, row.seq, "rewritten", f"its signature (by {short_key(signature.signer)}) does not "
                   "match it: it was changed after it was recorded")


def content_problem(reader: ContentReader, tree_digest: str, content_digest: str) -> tuple[str, str] | None:
    """The kind and detail of what is wrong with a snapshot's content, if anything."""
    try:
        reader.check(tree_digest, content_digest)
    except AlteredContent as exc:
        return "rewritten", str(exc)
    except MergedContent as exc:
        return "merged", f"its content text is unchanged, but {exc}; show cannot read it"
    except MissingContent as exc:
        return "content-missing", f"its content cannot be read: {exc}"
    return None


def _check_head(env: str, rows: Sequence[Row[Any]], head: Row[Any] | None) -> Problem | None:
    if not rows:  # with no head either, only a checkpoint can say the env existed
        return None if head is None else Problem(
            env, None, "removed", f"every snapshot of {env} is gone (its head record says {env}@{head.seq} is the "
            "latest)")
    last_seq, last_hash = rows[-1].seq, rows[-1].hash
    if head is None:
        return Problem(env, 1, "inserted", f"{env} has snapshots but no head record: added outside envctl")
    if head.seq > last_seq:
        return Problem(env, last_seq + 1, "truncated", f"{span(env, last_seq + 1, head.seq)} missing at the end "
                       f"(the head record says {env}@{head.seq} is the latest)")
    if head.seq < last_seq:
        return Problem(env, head.seq + 1, "inserted", f"added after the recorded head {env}@{head.seq}")
    if head.hash != last_hash:
        return Problem(env, last_seq, "rewritten", "its hash differs from the env's head record")
    return None


def verify(conn: Connection, evidence: Evidence | None = None) -> VerifyReport:
    """Check every env (see the module docstring); the report names each broken env's first bad snapshot."""
    evidence = evidence or Evidence()
    kept, malformed = stored_checkpoints(conn)
    anchors = Anchors([*evidence.checkpoints, *kept], evidence.trusted)
    heads = {row.env: row for row in conn.execute(select(ledger_heads)) if row.seq > 0}
    envs = sorted(set(heads) | set(conn.scalars(select(ledger_snapshots.c.env).distinct())) | anchors.envs)
    check = _EnvCheck(conn, evidence, anchors)
    problems = []
    for env in envs:
        rows = conn.execute(
            select(ledger_snapshots).where(ledger_snapshots.c.env == env).order_by(ledger_snapshots.c.seq)
        ).all()
        problem = check.first_problem(env, rows, heads.get(env))
        if problem is not None:
            problems.append(problem)
    state_problems, state_notes = _state_problems(conn, envs, problems)
    checkpoint_problems = [Problem(source, None, "rewritten", reason) for source, reason in malformed]
    return VerifyReport(
        checked=check.checked,
        content_checked=check.content_checked,
        signed=sum(check.signers.values()),
        checkpoints=anchors.compared,
        problems=checkpoint_problems + anchors.problems + problems + state_problems,
        notes=_notes(evidence, anchors, check.signers, envs) + state_notes,
    )


def _state_problems(conn: Connection, envs: list[str], problems: list[Problem]) -> tuple[list[Problem], list[str]]:
    """Each env's state against its last snapshot, where the ledger itself let that be read."""
    broken = {problem.env for problem in problems}
    with_state, busy = envs_with_state(conn), busy_envs(conn)
    found, notes = [], []
    reader = ContentReader(conn)
    for env in sorted(set(envs) | with_state):
        if env in broken:
            continue
        if env in busy:
            notes.append(f"{env}: an operation is running or was interrupted (a lock or pending operations): its "
                         "state was not compared with its last snapshot")
            continue
        comparison = compare_state(conn, env, reader)
        if env not in with_state:
            if comparison.missing:
                notes.append(f"{env}: no state in this database to compare with {comparison.snapshot} (its state "
                             "lives with another engine, or was deleted)")
            continue
        if not comparison.ok:
            found.append(Problem(env, comparison.seq, "state-differs", comparison.describe()))
    return found, notes


def _notes(evidence: Evidence, anchors: Anchors, signers: Counter[str], envs: list[str]) -> list[str]:
    notes = []
    if not evidence.trusted.listed:
        who = ", ".join(f"{short_key(key)} ({count})" for key, count in signers.most_common())
        notes.append(f"the project lists no trusted keys ({evidence.trusted.file_name}): signatures were checked, "
                     f"not who made them" + (f"; snapshots are signed by {who}" if who else ""))
    if not evidence.sources:
        notes.append("no checkpoint outside the database was given (set ENVCTL_WITNESS or pass --checkpoint): the "
                     "removal of an environment, or of its newest snapshots, cannot be told from the database alone")
    else:
        unwitnessed = [env for env in envs if env not in anchors.envs]
        if unwitnessed:
            notes.append(f"in no checkpoint yet: {', '.join(unwitnessed)} (recorded since the last one, or a "
                         "witness write failed; `envctl ledger checkpoint` adds them)")
    if anchors.ignored:
        notes.append(f"ignored {anchors.ignored} checkpoints signed by keys {evidence.trusted.file_name} does not "
                     "list")
    return notes
