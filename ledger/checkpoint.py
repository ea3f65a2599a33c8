"""Checkpoints: a signed statement of every environment's head, kept outside the database.

Like the signed tree heads Certificate Transparency and Sigstore's Rekor publish, a checkpoint pins the ledger
at one moment: each env's newest seq and hash (which by the hash chain covers every snapshot before it) and
where its pruning stands. Anyone holding a checkpoint can later tell whether a snapshot it covers was removed,
truncated, rewritten or replaced, whatever happened to the database since.

A checkpoint is one line of canonical JSON, `{"checkpoint": {...}, "signer": "ed25519:...", "signature": ...}`,
so a file of them (a witness log) is JSON Lines. `verified` says what the signer vouches for: true when
`envctl ledger checkpoint` verified the ledger before signing (then it vouches for every snapshot it covers,
even unsigned ones); false for the checkpoints appended to the witness after each recording, which say only
"these were the heads".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from envctl.errors import BadInput
from envctl.ledger.canonical import canonical_json
from envctl.ledger.db.ledger_tables import ledger_checkpoints, ledger_heads
from envctl.ledger.signing import Signature, SigningKey

CHECKPOINT_TYPE = "envctl-checkpoint/v1"
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    pruned_below: int


@dataclass(frozen=True)
class Checkpoint:
    created: str  # ISO 8601, UTC
    verified: bool
    heads: dict[str, Head]
    signature: Signature
    source: str = "a checkpoint"  # where it was read, for messages

    def body(self) -> dict[str, Any]:
        return checkpoint_body(self.created, self.verified, self.heads)

    @property
    def valid(self) -> bool:
        return self.signature.verifies(checkpoint_statement(self.body()))

    def to_line(self) -> str:
        return canonical_json({"checkpoint": self.body(), "signer": self.signature.signer,
                               "signature": self.signature.signature})


def checkpoint_body(created: str, verified: bool, heads: dict[str, Head]) -> dict[str, Any]:
    return {
        "type": CHECKPOINT_TYPE,
        "created": created,
        "verified": verified,
        "heads": {env: {"seq": h.seq, "hash": h.hash, "pruned_below": h.pruned_below} for env, h in heads.items()},
    }


def checkpoint_statement(body: dict[str, Any]) -> bytes:
    return canonical_json(body).encode()


def current_heads(conn: Connection) -> dict[str, Head]:
    """Every env's head as the database records it."""
    rows = conn.execute(select(ledger_heads).where(ledger_heads.c.seq > 0).order_by(ledger_heads.c.env))
    return {row.env: Head(row.seq, row.hash, row.pruned_below) for row in rows}


def sign_checkpoint(heads: dict[str, Head], key: SigningKey, verified: bool) -> Checkpoint:
    created = datetime.now(UTC).isoformat()
    body = checkpoint_body(created, verified, heads)
    return Checkpoint(created, verified, heads, key.sign(checkpoint_statement(body)))


def store_checkpoint(conn: Connection, checkpoint: Checkpoint) -> None:
    conn.execute(insert(ledger_checkpoints).values(line=checkpoint.to_line()))


def stored_checkpoints(conn: Connection) -> tuple[list[Checkpoint], list[tuple[str, str]]]:
    """The checkpoints `envctl ledger checkpoint` kept in the database, and (source, why) for each row that is
    not one: the database is not the user's input, so a bad row there is evidence, not bad input."""
    checkpoints, malformed = [], []
    lines = conn.execute(select(ledger_checkpoints.c.id, ledger_checkpoints.c.line).order_by(ledger_checkpoints.c.id))
    for row_id, line in lines:
        source = f"the ledger's checkpoint {row_id}"
        try:
            checkpoints.append(parse_line(line, source))
        except BadInput as exc:
            malformed.append((source, str(exc)))
    return checkpoints, malformed


def parse_checkpoints(text: str, source: str) -> list[Checkpoint]:
    """The checkpoints of a file or witness log, one per non-blank line; BadInput naming a line that is not one."""
    return [parse_line(line, f"{source} line {number}")
            for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def parse_line(line: str, source: str) -> Checkpoint:
    """One checkpoint line; its signature is not checked here (verify reports an invalid one)."""
    try:
        document = json.loads(line)
        body = document["checkpoint"]
        if body["type"] != CHECKPOINT_TYPE or not isinstance(body["verified"], bool):
            raise ValueError(f"not a {CHECKPOINT_TYPE} body")
        heads = {env: _head(head) for env, head in body["heads"].items()}
        signature = Signature(_text(document["signer"]), _text(document["signature"]))
        return Checkpoint(_text(body["created"]), body["verified"], heads, signature, source)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(f"{source} is not an envctl checkpoint ({type(exc).__name__}: {exc}); a checkpoint is the "
                       "JSON line `envctl ledger checkpoint` writes") from None


def _head(head: dict[str, Any]) -> Head:
    seq, hash_, pruned_below = head["seq"], head["hash"], head["pruned_below"]
    if not (type(seq) is int and seq >= 1 and type(pruned_below) is int and isinstance(hash_, str)
            and _HASH.match(hash_)):
        raise ValueError(f"a head must have seq >= 1, a sha256 hash and pruned_below: {head!r}")
    return Head(seq, hash_, pruned_below)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value
