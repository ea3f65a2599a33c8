"""What verify weighs the database against: the project's trusted keys, and checkpoints kept outside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from envctl.errors import BadInput
from envctl.ledger.checkpoint import Checkpoint, parse_checkpoints
from envctl.ledger.trusted_keys import TrustedKeys, load_trusted_keys
from envctl.ledger.witness import Witness


@dataclass(frozen=True)
class Evidence:
    trusted: TrustedKeys = field(default_factory=lambda: TrustedKeys(None))
    checkpoints: Sequence[Checkpoint] = ()
    sources: Sequence[str] = ()  # where those checkpoints were read (witness, files), even the empty ones


def gather_evidence(project_dir: Path, checkpoint_files: Sequence[Path], witness: Witness | None) -> Evidence:
    """The trusted keys of `project_dir`, and the checkpoints of the files and the witness; BadInput for a file
    that cannot be read or a line that is not a checkpoint, WitnessUnavailable when the witness cannot be read."""
    checkpoints: list[Checkpoint] = []
    sources = []
    for path in checkpoint_files:
        source = f"--checkpoint {path}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"cannot read the checkpoint file {path}: {getattr(exc, 'strerror', None) or exc}") from None
        checkpoints += parse_checkpoints(text, source)
        sources.append(source)
    if witness is not None:
        source = f"witness {witness.name}"
        checkpoints += parse_checkpoints(witness.read(), source)
        sources.append(source)
    return Evidence(load_trusted_keys(project_dir), checkpoints, sources)
