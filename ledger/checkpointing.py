"""Taking a checkpoint: verify the ledger, then sign every env's head, keep the line and append it to the witness.

A checkpoint made here is `verified`: it vouches for every snapshot it covers. So it is refused while verify
finds a problem, except, with `vouch`, snapshots (and prune marks) that are merely unsigned or signed by a
key the project does not list: the user, having checked them, vouches for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from envctl.errors import OperationFailed
from envctl.ledger.checkpoint import Checkpoint, current_heads, sign_checkpoint, store_checkpoint
from envctl.ledger.evidence import Evidence
from envctl.ledger.model import Problem
from envctl.ledger.signing import SigningKey
from envctl.ledger.verify import verify
from envctl.ledger.witness import Witness, WitnessUnavailable


@dataclass(frozen=True)
class CheckpointTaken:
    checkpoint: Checkpoint
    vouched: list[Problem] = field(default_factory=list)  # what `vouch` accepted
    witness: str | None = None  # the witness it was appended to
    witness_error: str | None = None  # why it could not be (the checkpoint is stored all the same)


def take_checkpoint(engine: Engine, key: SigningKey, evidence: Evidence, vouch: bool = False,
                    witness: Witness | None = None) -> CheckpointTaken:
    """Sign the heads verify has just checked; OperationFailed naming the problems that stop it."""
    with engine.connect() as conn:
        # Heads first: a snapshot recorded while verify runs is beyond them, so never vouched for unchecked.
        heads = current_heads(conn)
        report = verify(conn, evidence)
    blocking = [problem for problem in report.problems if not (vouch and problem.vouchable)]
    if blocking:
        listed = "; ".join(f"{problem.ref} {problem.kind}: {problem.detail}" for problem in blocking)
        hint = " (`--vouch` accepts unsigned and untrusted snapshots you have checked)" if any(
            problem.vouchable for problem in blocking) else ""
        raise OperationFailed(f"no checkpoint written: verify finds {listed}{hint}")
    checkpoint = sign_checkpoint(heads, key, verified=True)
    with engine.begin() as conn:
        store_checkpoint(conn, checkpoint)
    if witness is None:
        return CheckpointTaken(checkpoint, report.problems)
    try:
        witness.append(checkpoint.to_line())
    except WitnessUnavailable as exc:
        return CheckpointTaken(checkpoint, report.problems, witness.name, str(exc))
    return CheckpointTaken(checkpoint, report.problems, witness.name)
