"""The ledger against its checkpoints: what trusted checkpoints claim each env's chain holds.

Every claim of every trusted checkpoint counts, not only the newest one's: a witness is append-only, so a
later checkpoint (even one made from a database already tampered with) cannot take back what an earlier
one recorded. A claim is (env, seq, hash); the database must still hold that snapshot with that hash.

A claim the database agrees with proves nothing either way, so a checkpoint's signature is checked only
where one of its claims matters: it differs from the database, or it vouches for snapshots. Then a
signature that fails is reported, and a checkpoint signed by a key the project does not trust is ignored
(and counted), since anyone can sign. A witness of 10,000 checkpoints that agrees costs no signature check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row

from envctl.ledger.checkpoint import Checkpoint
from envctl.ledger.model import Problem
from envctl.ledger.trusted_keys import TrustedKeys


class Anchors:
    def __init__(self, checkpoints: Sequence[Checkpoint], trusted: TrustedKeys) -> None:
        self.compared = len(checkpoints)
        self.problems: list[Problem] = []  # checkpoints whose signature failed where it mattered
        self.ignored = 0  # checkpoints that mattered but are signed by untrusted keys
        self._trusted = trusted
        self._authentic: dict[int, bool] = {}  # id(checkpoint) -> judged
        # env -> seq -> hash -> the checkpoints claiming it
        self._claims: dict[str, dict[int, dict[str, list[Checkpoint]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list)))
        for checkpoint in checkpoints:
            for env, head in checkpoint.heads.items():
                self._claims[env][head.seq][head.hash].append(checkpoint)

    @property
    def envs(self) -> set[str]:
        return set(self._claims)

    def vouched_through(self, env: str, hashes: dict[int, str]) -> int:
        """The highest seq of `env` a verified checkpoint vouches for, by its hash in this chain (0: none)."""
        claims = self._claims.get(env, {})
        for seq in sorted(claims, reverse=True):
            if hashes.get(seq) in claims[seq] and self._first(c for c in claims[seq][hashes[seq]] if c.verified):
                return seq
        return 0

    def vouches_for_prune(self, env: str, pruned_below: int, hashes: dict[int, str]) -> bool:
        """Whether a verified checkpoint recorded `env`'s prune mark at `pruned_below`, on this chain."""
        claims = self._claims.get(env, {})
        return self._first(checkpoint for seq, by_hash in claims.items() if hashes.get(seq) in by_hash
                           for checkpoint in by_hash[hashes[seq]]
                           if checkpoint.verified and checkpoint.heads[env].pruned_below == pruned_below) is not None

    def problem(self, env: str, rows: Sequence[Row[Any]]) -> Problem | None:
        """The first snapshot of `env` a trusted checkpoint covers that is gone or differs."""
        claims = self._claims.get(env)
        if not claims:
            return None
        hashes = {row.seq: row.hash for row in rows}
        last = rows[-1].seq if rows else 0
        for seq in sorted(claim for claim in claims if claim <= last):
            for hash_, checkpoints in claims[seq].items():
                if hashes.get(seq) != hash_ and (checkpoint := self._first(checkpoints)):
                    return Problem(env, seq, "rewritten", f"its hash is not the one {_named(checkpoint)} lists: it "
                                   "(or a snapshot before it) was replaced since")
        for seq in sorted((claim for claim in claims if claim > last), reverse=True):
            checkpoint = self._first(c for checkpoints in claims[seq].values() for c in checkpoints)
            if checkpoint is None:
                continue
            if not rows:
                return Problem(env, None, "removed", f"{env} and its snapshots {span(env, 1, seq)} are gone; "
                               f"{_named(checkpoint)} lists {env}@{seq}")
            return Problem(env, last + 1, "truncated", f"{span(env, last + 1, seq)} removed: {_named(checkpoint)} "
                           f"lists {env}@{seq}, the ledger ends at {env}@{last}")
        return None

    def _first(self, checkpoints: Iterable[Checkpoint]) -> Checkpoint | None:
        """The first of `checkpoints` whose signature holds and whose key is trusted."""
        return next((checkpoint for checkpoint in checkpoints if self._judge(checkpoint)), None)

    def _judge(self, checkpoint: Checkpoint) -> bool:
        if id(checkpoint) not in self._authentic:
            authentic = checkpoint.valid
            if not authentic:
                self.problems.append(Problem(
                    checkpoint.source, None, "rewritten",
                    f"its signature (by {self._trusted.describe(checkpoint.signature.signer)}) does not verify: "
                    "the checkpoint was altered after it was signed"))
            elif not self._trusted.trusts(checkpoint.signature.signer):
                self.ignored += 1
                authentic = False
            self._authentic[id(checkpoint)] = authentic
        return self._authentic[id(checkpoint)]


def span(env: str, first: int, last: int) -> str:
    return f"{env}@{first}" if first == last else f"{env}@{first} to {env}@{last}"


def _named(checkpoint: Checkpoint) -> str:
    return f"the checkpoint of {checkpoint.created} ({checkpoint.source})"
