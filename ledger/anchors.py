"""The ledger against its checkpoints: what trusted checkpoints claim each env's chain holds.

Every claim of every trusted checkpoint counts, not only the newest one's: a witness is append-only, so a
later checkpoint (even one made from a database already tampered with) cannot take back what an earlier
one recorded. A claim is (env, seq, hash); the database must still hold that snapshot with that hash.
Checkpoints whose signature fails are reported; those signed by keys the project does not trust are
ignored (and counted), since anyone can sign.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from envctl.ledger.checkpoint import Checkpoint
from envctl.ledger.model import Problem
from envctl.ledger.trusted_keys import TrustedKeys


class Anchors:
    def __init__(self, checkpoints: Sequence[Checkpoint], trusted: TrustedKeys) -> None:
        self.problems: list[Problem] = []
        self.ignored = 0  # checkpoints signed by untrusted keys
        self.used = 0
        # env -> seq -> hash -> the first checkpoint claiming it
        self._claims: dict[str, dict[int, dict[str, Checkpoint]]] = defaultdict(lambda: defaultdict(dict))
        self._vouched: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._vouched_prunes: dict[str, set[tuple[int, int, str]]] = defaultdict(set)
        for checkpoint in checkpoints:
            if not checkpoint.valid:
                self.problems.append(Problem(
                    checkpoint.source, None, "rewritten",
                    f"its signature (by {trusted.describe(checkpoint.signature.signer)}) does not verify: the "
                    "checkpoint was altered after it was signed"))
            elif not trusted.trusts(checkpoint.signature.signer):
                self.ignored += 1
            else:
                self.used += 1
                self._add(checkpoint)

    def _add(self, checkpoint: Checkpoint) -> None:
        for env, head in checkpoint.heads.items():
            self._claims[env][head.seq].setdefault(head.hash, checkpoint)
            if checkpoint.verified:
                self._vouched[env][head.seq].add(head.hash)
                self._vouched_prunes[env].add((head.pruned_below, head.seq, head.hash))

    @property
    def envs(self) -> set[str]:
        return set(self._claims)

    def vouched_through(self, env: str, hashes: dict[int, str]) -> int:
        """The highest seq of `env` a verified checkpoint vouches for, by its hash in this chain (0: none)."""
        return max((seq for seq, claimed in self._vouched.get(env, {}).items() if hashes.get(seq) in claimed),
                   default=0)

    def vouches_for_prune(self, env: str, pruned_below: int, hashes: dict[int, str]) -> bool:
        """Whether a verified checkpoint recorded `env`'s prune mark at `pruned_below`, on this chain."""
        return any(mark == pruned_below and hashes.get(seq) == hash_
                   for mark, seq, hash_ in self._vouched_prunes.get(env, ()))

    def problem(self, env: str, rows: Sequence[Row[Any]]) -> Problem | None:
        """The first snapshot of `env` a trusted checkpoint covers that is gone or differs."""
        claims = self._claims.get(env)
        if not claims:
            return None
        top = max(claims)
        latest = next(iter(claims[top].values()))
        if not rows:
            return Problem(env, None, "removed", f"{env} and its snapshots {span(env, 1, top)} are gone; "
                           f"{_named(latest)} lists {env}@{top}")
        hashes = {row.seq: row.hash for row in rows}
        last = rows[-1].seq
        for seq in sorted(claims):
            if seq > last:
                return Problem(env, last + 1, "truncated", f"{span(env, last + 1, top)} removed: {_named(latest)} "
                               f"lists {env}@{top}, the ledger ends at {env}@{last}")
            for hash_, checkpoint in claims[seq].items():
                if hashes.get(seq) != hash_:
                    return Problem(env, seq, "rewritten", f"its hash is not the one {_named(checkpoint)} lists: it "
                                   "(or a snapshot before it) was replaced since")
        return None


def span(env: str, first: int, last: int) -> str:
    return f"{env}@{first}" if first == last else f"{env}@{first} to {env}@{last}"


def _named(checkpoint: Checkpoint) -> str:
    return f"the checkpoint of {checkpoint.created} ({checkpoint.source})"
