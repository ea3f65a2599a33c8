"""Signing keys: Ed25519 keys kept outside the database, and signatures over the ledger's statements.

A user's key is a PEM (PKCS#8) file in their config directory, `$XDG_CONFIG_HOME/envctl/signing-key.pem`
(else `~/.config/envctl/signing-key.pem`), created with mode 0600 on first use. `ENVCTL_SIGNING_KEY` names
another key file, e.g. a CI identity's own key provisioned from the CI's secret store (`openssl genpkey
-algorithm ed25519` makes one); it must exist. Only the public key, as `ed25519:<base64>`, ever reaches the
database, next to each signature; the private key stays in its file and in this process's memory.
"""

from __future__ import annotations

import base64
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from envctl.errors import BadInput
from envctl.user_dirs import user_directory

SIGNING_KEY_ENV = "ENVCTL_SIGNING_KEY"
KEY_PREFIX = "ed25519:"
_KEY_FILE_NAME = "signing-key.pem"


@dataclass(frozen=True)
class Signature:
    """A signature and the public key it verifies with, as the database and checkpoints store them."""

    signer: str  # ed25519:<base64 of the raw 32-byte public key>
    signature: str  # base64 of the 64-byte signature

    def verifies(self, statement: bytes) -> bool:
        """Whether this is a signature of `statement` by `signer` (False for a malformed key or signature)."""
        try:
            _public_key(self.signer).verify(base64.b64decode(self.signature, validate=True), statement)
        except (ValueError, InvalidSignature):
            return False
        return True


class SigningKey:
    """A private key loaded from its file: signs statements, never shows itself."""

    def __init__(self, private: Ed25519PrivateKey, path: Path) -> None:
        self._private = private
        self.path = path
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = KEY_PREFIX + base64.b64encode(raw).decode()

    def sign(self, statement: bytes) -> Signature:
        return Signature(self.public_key, base64.b64encode(self._private.sign(statement)).decode())

    def __repr__(self) -> str:
        return f"SigningKey({self.public_key}, {self.path})"


def default_key_path() -> Path:
    """Where a user's own key lives: the envctl folder of their config directory (XDG base directories)."""
    return user_directory("XDG_CONFIG_HOME", ".config") / _KEY_FILE_NAME


def load_signing_key() -> SigningKey:
    """The key ENVCTL_SIGNING_KEY names, else the user's own, created on first use; BadInput saying what is wrong."""
    named = os.environ.get(SIGNING_KEY_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise BadInput(f"{SIGNING_KEY_ENV} names {path}, which is not a file: point it at an Ed25519 private "
                           "key in PEM form")
        return read_signing_key(path)
    path = default_key_path()
    if not path.exists():
        _create_key_file(path)
    return read_signing_key(path)


def read_signing_key(path: Path) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the signing key {path}: {exc.strerror}") from None
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise BadInput(f"the signing key {path} is encrypted: envctl needs an unencrypted key file, protected "
                       "by its permissions (0600)") from None
    except ValueError:
        raise BadInput(f"the signing key {path} is not a PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise BadInput(f"the signing key {path} is not an Ed25519 key")
    return SigningKey(private, path)


def _create_key_file(path: Path) -> None:
    """Write a new key readable by its owner only; a process creating it at the same moment wins or loses cleanly."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600; link() publishes it whole, and fails if another process did first.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    except OSError as exc:
        raise BadInput(f"cannot create the signing key {path}: {exc.strerror}; make {path.parent} writable or "
                       f"set {SIGNING_KEY_ENV} to a key file") from None


@functools.lru_cache(maxsize=256)
def _public_key(text: str) -> Ed25519PublicKey:
    """The key `ed25519:<base64>` names (ValueError when it names none); the few keys of a ledger are parsed once."""
    if not text.startswith(KEY_PREFIX):
        raise ValueError(f"not an {KEY_PREFIX} key")
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.removeprefix(KEY_PREFIX), validate=True))


def is_public_key(text: str) -> bool:
    try:
        _public_key(text)
    except ValueError:
        return False
    return True


def short_key(text: str) -> str:
    """A key as messages name it: enough to tell keys apart."""
    return text[: len(KEY_PREFIX) + 12] + "…"
