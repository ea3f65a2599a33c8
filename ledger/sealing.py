"""What a recording process seals its snapshots with: its signing key, and the witness it appends checkpoints to."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from envctl.errors import BadInput
from envctl.ledger.checkpoint import current_heads, sign_checkpoint
from envctl.ledger.signing import SigningKey, load_signing_key
from envctl.ledger.witness import Witness, WitnessUnavailable, witness_from_environment

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sealing:
    key: SigningKey | None  # None: no usable key, and `problem` says why
    witness: Witness | None = None
    problem: str | None = None

    @classmethod
    def from_environment(cls) -> Sealing:
        """The user's key and ENVCTL_WITNESS. Never raises: a recording must not be lost to a bad setting, so
        what is wrong is kept in `problem` for the recorder to report once the snapshot is stored."""
        problems = []
        key = witness = None
        try:
            key = load_signing_key()
        except BadInput as exc:
            problems.append(f"it is not signed: {exc}")
        try:
            witness = witness_from_environment()
        except BadInput as exc:
            problems.append(f"it is not witnessed: {exc}")
        return cls(key, witness, "; ".join(problems) or None)

    def witness_heads(self, engine: Engine, ref: str) -> bool | None:
        """Append a checkpoint of every head to the witness after recording `ref`: True when it was, None when
        there is no witness, False (and a warning on stderr) when it could not be: the recording stands."""
        if self.witness is None or self.key is None:
            return None
        with engine.connect() as conn:
            heads = current_heads(conn)
        try:
            self.witness.append(sign_checkpoint(heads, self.key, verified=False).to_line())
        except WitnessUnavailable as exc:
            _log.warning("warning: %s is recorded, but no checkpoint reached the witness (%s); run `envctl ledger "
                         "checkpoint` once it is reachable", ref, exc)
            return False
        return True
