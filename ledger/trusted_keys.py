"""The project's trusted signing keys: `.envctl-trusted-keys`, committed beside Pulumi.yaml.

One key per line, `ed25519:<base64 public key> <who>` (who: free text naming the person or CI identity);
blank lines and `#` comments are ignored. `envctl ledger key` prints the line for the current key. The file is
as trustworthy as the repository's history: adding a key is a reviewed commit, not a database write. A project
without the file (or with no key in it) trusts every valid signature, and verify says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envctl.errors import BadInput
from envctl.ledger.signing import KEY_PREFIX, is_public_key, short_key

TRUSTED_KEYS_FILE = ".envctl-trusted-keys"


@dataclass(frozen=True)
class TrustedKeys:
    source: Path | None  # the file read; None when there is none
    names: dict[str, str] = field(default_factory=dict)  # public key -> who

    @property
    def listed(self) -> bool:
        """Whether the project names any key; if not, every valid signature is accepted."""
        return bool(self.names)

    def trusts(self, signer: str) -> bool:
        return not self.listed or signer in self.names

    def describe(self, signer: str) -> str:
        """A signer as messages name it: its short key and, when listed, who it is."""
        who = self.names.get(signer)
        return f"{short_key(signer)} ({who})" if who else short_key(signer)

    @property
    def file_name(self) -> str:
        return self.source.name if self.source else TRUSTED_KEYS_FILE


def load_trusted_keys(project_dir: Path) -> TrustedKeys:
    """The keys `project_dir`'s trusted-keys file lists; BadInput naming the line that is not a key."""
    path = project_dir / TRUSTED_KEYS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TrustedKeys(None)
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    names = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key, _, who = line.split("#", 1)[0].strip().partition(" ")
        if not key:
            continue
        if not is_public_key(key):
            raise BadInput(f"line {number} of {path} is not `{KEY_PREFIX}<base64 public key> <who>`: {line.strip()!r}")
        names[key] = who.strip()
    return TrustedKeys(path, names)
