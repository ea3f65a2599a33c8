"""Secrets in Pulumi's passphrase format, and keyed fingerprints that tell whether a secret changed.

The crypter is byte-for-byte Pulumi's passphrase secrets provider (`pkg/secrets/passphrase`,
`sdk/go/common/resource/config/crypt.go`), so stack files and exported state written here are read by the
real Pulumi CLI with the same PULUMI_CONFIG_PASSPHRASE, and the other way round.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from envctl.errors import BadInput
from envctl.project import Secure, StackConfig

PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"
PBKDF2_ITERATIONS = 1_000_000
SALT_BYTES = 8
KEY_BYTES = 32
NONCE_BYTES = 12
# Pulumi checks a passphrase by decrypting this word from the encryptionsalt.
_SALT_CHECK_WORD = "pulumi"
_FINGERPRINT_LABEL = b"envctl-fingerprint"
LOCAL_KEY_FILE = Path(".envctl") / "secrets.key"


class Crypter:
    """AES-256-GCM over one key; values are `v1:<b64 nonce>:<b64 ciphertext||tag>` as Pulumi writes them.

    `encryption_salt` is the stack's `encryptionsalt` the key was derived from (None for the local key);
    `salt_is_new` is True when that salt was just made and the caller must write it to the stack file.
    """

    sealed = False

    def __init__(self, key: bytes, *, encryption_salt: str | None = None, salt_is_new: bool = False) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a crypter key is {KEY_BYTES} bytes, got {len(key)}")
        self._key = key
        self._aead = AESGCM(key)
        self.encryption_salt = encryption_salt
        self.salt_is_new = salt_is_new

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), None)
        return f"v1:{_b64(nonce)}:{_b64(sealed)}"

    def decrypt(self, ciphertext: str) -> str:
        plaintext = self._open(ciphertext)
        if plaintext is None:
            raise BadInput(
                "a secret value cannot be decrypted: it was encrypted under another passphrase or key, "
                "or it was altered; set it again with `envctl config set ENV KEY VALUE --secret`"
            )
        return plaintext

    def _open(self, ciphertext: str) -> str | None:
        """The plaintext, or None when the key does not open it; a malformed value is BadInput."""
        parts = ciphertext.split(":")
        if len(parts) != 3 or parts[0] != "v1":
            raise BadInput(f"malformed secret value {_abbrev(ciphertext)!r}: expected v1:<nonce>:<ciphertext>")
        nonce, sealed = _b64decode(parts[1], "secret value nonce"), _b64decode(parts[2], "secret value")
        if len(nonce) != NONCE_BYTES:
            raise BadInput(f"malformed secret value {_abbrev(ciphertext)!r}: the nonce must be {NONCE_BYTES} bytes")
        try:
            return self._aead.decrypt(nonce, sealed, None).decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            return None


class SealedCrypter(Crypter):
    """A passphrase stack's crypter when no passphrase was given, for commands that need no secret value (drift,
    export): secrets stay sealed as stored, and anything that would open or make one says the passphrase is
    needed."""

    sealed = True

    def __init__(self, stack: str, encryption_salt: str) -> None:
        # No key to hold, so Crypter's own set-up is not run; every method that would use the key is overridden.
        self.stack = stack
        self.encryption_salt = encryption_salt
        self.salt_is_new = False

    def encrypt(self, plaintext: str) -> str:
        raise self._needed()

    def decrypt(self, ciphertext: str) -> str:
        raise self._needed()

    def _needed(self) -> BadInput:
        return BadInput(f"this needs the secrets of stack {self.stack}: set {PASSPHRASE_ENV} or "
                        f"{PASSPHRASE_FILE_ENV}")


def passphrase_from_env() -> str | None:
    """The passphrase as the Pulumi CLI finds it: PULUMI_CONFIG_PASSPHRASE (even empty), else the _FILE's text."""
    phrase = os.environ.get(PASSPHRASE_ENV)
    if phrase is not None:
        return phrase
    file = os.environ.get(PASSPHRASE_FILE_ENV)
    if not file:
        return None
    try:
        return Path(file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BadInput(f"cannot read {PASSPHRASE_FILE_ENV} file {file}: {reason}; point it at a readable file "
                       f"holding the passphrase, or set {PASSPHRASE_ENV} instead") from None


def crypter_from_salt(passphrase: str, encryptionsalt: str, *, stack: str | None = None) -> Crypter:
    """The crypter for a stack's `encryptionsalt`; BadInput when the passphrase does not open it."""
    parts = encryptionsalt.split(":", 2)
    where = f"stack {stack}" if stack else "the stack"
    if len(parts) != 3 or parts[0] != "v1":
        raise BadInput(f"{where} has a malformed encryptionsalt; expected v1:<salt>:v1:<nonce>:<ciphertext>")
    salt = _b64decode(parts[1], f"encryptionsalt of {where}")
    crypter = Crypter(_derive_key(passphrase, salt), encryption_salt=encryptionsalt)
    if crypter._open(parts[2]) != _SALT_CHECK_WORD:
        raise BadInput(f"incorrect passphrase for {where}; check {PASSPHRASE_ENV} (or {PASSPHRASE_FILE_ENV})")
    return crypter


def new_encryption_salt(passphrase: str) -> tuple[str, Crypter]:
    """A fresh `encryptionsalt` for `passphrase` and its crypter (marked salt_is_new)."""
    salt = os.urandom(SALT_BYTES)
    key = _derive_key(passphrase, salt)
    state = f"v1:{_b64(salt)}:{Crypter(key).encrypt(_SALT_CHECK_WORD)}"
    return state, Crypter(key, encryption_salt=state, salt_is_new=True)


def stack_crypter(stack_config: StackConfig, *, create: bool, sealed_ok: bool = False) -> Crypter | None:
    """The stack's crypter, or None when it has no secrets setup and `create` is False.

    With `create`, a stack without an encryptionsalt gets a new one: the returned crypter then has
    `salt_is_new` set and `encryption_salt` is what the caller must write to the stack file. With `sealed_ok`, a
    passphrase stack without a passphrase given gets a `SealedCrypter` instead of the refusal.
    """
    stack = stack_config.stack
    provider = stack_config.document.get("secretsprovider")
    has_secrets = bool(stack_config.secret_keys())
    if provider not in (None, "", "passphrase"):
        if create or has_secrets:
            raise BadInput(f"stack {stack} uses the secrets provider {provider!r}; envctl supports only the "
                           "passphrase provider: run `pulumi stack change-secrets-provider passphrase` first")
        return None
    passphrase = passphrase_from_env()
    if stack_config.encryption_salt:
        if passphrase is None and sealed_ok:
            return SealedCrypter(stack, stack_config.encryption_salt)
        if passphrase is None:
            raise BadInput(f"stack {stack} has encrypted config: set {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV}")
        return crypter_from_salt(passphrase, stack_config.encryption_salt, stack=stack)
    if has_secrets:
        raise BadInput(f"stack {stack} has `secure:` values but no encryptionsalt, so they were encrypted by "
                       "another secrets provider (e.g. Pulumi Cloud); envctl supports only the passphrase provider")
    if not create:
        return None
    if passphrase is None:
        raise BadInput(f"set {PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV} to store secrets for stack {stack}: "
                       "envctl encrypts them with Pulumi's passphrase secrets provider")
    return new_encryption_salt(passphrase)[1]


def decrypt_config(values: dict[str, Any], crypter: Crypter | None) -> dict[str, Any]:
    """`values` with every Secure leaf (at any depth) replaced by its plaintext string (left sealed by a
    `SealedCrypter`)."""

    def plain(key: str, value: Any) -> Any:
        if isinstance(value, Secure):
            if isinstance(crypter, SealedCrypter):
                return value  # stays sealed: only what needs its value asks for the passphrase
            if crypter is None:
                raise BadInput(f"config {key} is a secret but the stack has no secrets setup; "
                               f"set {PASSPHRASE_ENV} and the stack's encryptionsalt")
            return crypter.decrypt(value.ciphertext)
        if isinstance(value, dict):
            return {k: plain(key, v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(key, v) for v in value]
        return value

    return {key: plain(key, value) for key, value in values.items()}


def fingerprint_key(crypter: Crypter) -> bytes:
    """The HMAC key for fingerprints, derived from (never equal to) the crypter's key."""
    if isinstance(crypter, SealedCrypter):
        raise crypter._needed()
    return hmac.new(crypter._key, _FINGERPRINT_LABEL, hashlib.sha256).digest()


def fingerprint(key: bytes, value: Any) -> str:
    """A keyed digest of `value` that shows whether it changed without revealing it."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "hmac-sha256:" + hmac.digest(key, canonical.encode("utf-8"), "sha256").hex()


# Why a local key: a plain hash of a short secret is easy to brute-force from a leaked ledger, so fingerprints
# are keyed, and secret outputs kept in state are encrypted. A stack with a passphrase uses its derived key, so
# everyone who shares the passphrase gets comparable fingerprints. A stack with none uses this per-project
# random key instead; it lives outside the database (.envctl/ is not committed), so the ledger alone reveals
# nothing. Losing the file only makes old fingerprints incomparable and old secret outputs unreadable.
def local_key(project_root: Path) -> bytes:
    """The project's random 32-byte key in `<root>/.envctl/secrets.key` (mode 0600), created on first use."""
    path = project_root / LOCAL_KEY_FILE
    if not path.exists():
        _create_key_file(path)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BadInput(f"{path} is not a readable envctl key ({KEY_BYTES * 2} hex digits); restore it from a "
                       "backup, or delete it to start a new one (old secret outputs then become unreadable)")
    return key


def local_crypter(project_root: Path) -> Crypter:
    """A crypter over the project's local key, for secrets of stacks that have no passphrase."""
    return Crypter(local_key(project_root))


def _create_key_file(path: Path) -> None:
    # Write a private temp file, then hard-link it into place: the link fails if another process won the
    # race, so every process ends up reading the same complete key.
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
                os.link(temp, path)
        finally:
            temp.unlink()
    except OSError as exc:
        raise BadInput(f"cannot create {path}: {exc.strerror}; make {path.parent} writable") from None


@functools.lru_cache(maxsize=32)
def _derive_key(passphrase: str, salt: bytes) -> bytes:
    # PBKDF2 at Pulumi's cost takes ~0.3-1 s; one process often opens the same stack several times.
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, PBKDF2_ITERATIONS, KEY_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadInput(f"malformed {what}: {_abbrev(text)!r} is not base64") from None


def _abbrev(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
