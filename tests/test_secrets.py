"""Pulumi-compatible passphrase secrets, fingerprints and the project's local key.

Compatibility with files the real Pulumi CLI writes is shown two ways: Pulumi's own test vector opens
with our crypter, and what our crypter writes opens with an independent implementation of the spec below.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from envctl.errors import BadInput
from envctl.project import Secure, StackConfig
from envctl.secrets import (
    Crypter,
    crypter_from_salt,
    decrypt_config,
    fingerprint,
    fingerprint_key,
    local_crypter,
    local_key,
    new_encryption_salt,
    passphrase_from_env,
    stack_crypter,
)

# pkg/secrets/passphrase/manager_test.go in pulumi/pulumi
VECTOR_STATE = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="
VECTOR_PASSPHRASE = "password"
CIPHERTEXT = re.compile(r"^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]+=*$")  # 12-byte nonce is 16 base64 chars


@functools.cache
def _spec_key(passphrase: str, salt_b64: str) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), base64.b64decode(salt_b64), 1_000_000, 32)


def _spec_decrypt(passphrase: str, state: str, ciphertext: str) -> str:
    """Pulumi's passphrase decryption written straight from the spec, sharing no code with envctl."""
    version, salt_b64, _check = state.split(":", 2)
    assert version == "v1"
    tag, nonce_b64, sealed_b64 = ciphertext.split(":")
    assert tag == "v1"
    nonce = base64.b64decode(nonce_b64)
    assert len(nonce) == 12
    return AESGCM(_spec_key(passphrase, salt_b64)).decrypt(nonce, base64.b64decode(sealed_b64), None).decode()


def _spec_encrypt(passphrase: str, state: str, plaintext: str) -> str:
    salt_b64 = state.split(":")[1]
    nonce = b"\x07" * 12
    sealed = AESGCM(_spec_key(passphrase, salt_b64)).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


@pytest.fixture(scope="module")
def vector_crypter() -> Crypter:
    return crypter_from_salt(VECTOR_PASSPHRASE, VECTOR_STATE)


@pytest.fixture(scope="module")
def fresh_salt() -> tuple[str, Crypter]:
    return new_encryption_salt("correct horse battery staple")


@pytest.fixture
def no_passphrase(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    return monkeypatch


def test_pulumi_test_vector_opens_with_its_passphrase(vector_crypter: Crypter) -> None:
    assert vector_crypter.encryption_salt == VECTOR_STATE
    assert vector_crypter.salt_is_new is False
    assert vector_crypter.decrypt(VECTOR_STATE.split(":", 2)[2]) == "pulumi"


def test_pulumi_test_vector_refuses_the_wrong_passphrase() -> None:
    with pytest.raises(BadInput, match="incorrect passphrase for stack dev; check PULUMI_CONFIG_PASSPHRASE"):
        crypter_from_salt("password123", VECTOR_STATE, stack="dev")


def test_our_ciphertext_opens_with_an_independent_implementation(vector_crypter: Crypter) -> None:
    assert _spec_decrypt(VECTOR_PASSPHRASE, VECTOR_STATE, VECTOR_STATE.split(":", 2)[2]) == "pulumi"
    ciphertext = vector_crypter.encrypt("hunter2 ünïcode")
    assert CIPHERTEXT.match(ciphertext)
    assert _spec_decrypt(VECTOR_PASSPHRASE, VECTOR_STATE, ciphertext) == "hunter2 ünïcode"


def test_independent_ciphertext_opens_with_our_crypter(vector_crypter: Crypter) -> None:
    assert vector_crypter.decrypt(_spec_encrypt(VECTOR_PASSPHRASE, VECTOR_STATE, "s3cr3t")) == "s3cr3t"


def test_round_trip_uses_a_fresh_nonce_each_time(fresh_salt: tuple[str, Crypter]) -> None:
    _, crypter = fresh_salt
    first, second = crypter.encrypt("hunter2"), crypter.encrypt("hunter2")
    assert first != second
    assert crypter.decrypt(first) == crypter.decrypt(second) == "hunter2"
    assert crypter.decrypt(crypter.encrypt("")) == ""


def test_new_salt_has_pulumis_format_and_is_verifiable(fresh_salt: tuple[str, Crypter]) -> None:
    state, crypter = fresh_salt
    version, salt_b64, check = state.split(":", 2)
    assert version == "v1" and len(base64.b64decode(salt_b64)) == 8
    assert CIPHERTEXT.match(check)
    assert crypter.salt_is_new and crypter.encryption_salt == state
    assert _spec_decrypt("correct horse battery staple", state, check) == "pulumi"
    reopened = crypter_from_salt("correct horse battery staple", state)
    assert reopened.decrypt(crypter.encrypt("kept")) == "kept"
    with pytest.raises(BadInput, match="incorrect passphrase"):
        crypter_from_salt("wrong horse", state)


def test_value_from_another_key_or_altered_is_refused(vector_crypter: Crypter, fresh_salt: tuple[str, Crypter]) -> None:
    ciphertext = fresh_salt[1].encrypt("hunter2")
    with pytest.raises(BadInput, match="cannot be decrypted"):
        vector_crypter.decrypt(ciphertext)
    head, sealed = ciphertext.rsplit(":", 1)
    flipped = bytearray(base64.b64decode(sealed))
    flipped[0] ^= 1
    with pytest.raises(BadInput, match="cannot be decrypted"):
        fresh_salt[1].decrypt(f"{head}:{base64.b64encode(flipped).decode()}")
    for malformed in ("hunter2", "v2:AAAA:BBBB", "v1:AAAA:BBBB", "v1:not base64!:AAAA"):
        with pytest.raises(BadInput, match="malformed"):
            vector_crypter.decrypt(malformed)


def test_malformed_encryptionsalt_is_bad_input() -> None:
    with pytest.raises(BadInput, match="stack dev has a malformed encryptionsalt"):
        crypter_from_salt("password", "v2:abc", stack="dev")


def test_passphrase_comes_from_env_then_file(no_passphrase: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert passphrase_from_env() is None
    phrase_file = tmp_path / "phrase"
    phrase_file.write_text("  from file \n")
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(phrase_file))
    assert passphrase_from_env() == "from file"
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", "")  # empty is a valid passphrase, and wins
    assert passphrase_from_env() == ""


def test_unreadable_passphrase_file_is_bad_input(no_passphrase: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(tmp_path / "missing"))
    with pytest.raises(BadInput, match=r"cannot read PULUMI_CONFIG_PASSPHRASE_FILE file .*missing"):
        passphrase_from_env()


def _stack(salt: str | None = None, values: dict | None = None, **document) -> StackConfig:
    return StackConfig("dev", Path("Pulumi.dev.yaml"), True, values or {}, salt, document)


def test_stack_without_secrets_needs_no_passphrase(no_passphrase: pytest.MonkeyPatch) -> None:
    assert stack_crypter(_stack(values={"demo:a": "b"}), create=False) is None


def test_stack_with_salt_needs_the_passphrase(no_passphrase: pytest.MonkeyPatch) -> None:
    with pytest.raises(BadInput) as raised:
        stack_crypter(_stack(VECTOR_STATE), create=False)
    assert str(raised.value) == (
        "stack dev has encrypted config: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
    )
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", VECTOR_PASSPHRASE)
    crypter = stack_crypter(_stack(VECTOR_STATE), create=True)
    assert crypter is not None and crypter.encryption_salt == VECTOR_STATE and not crypter.salt_is_new
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", "password123")
    with pytest.raises(BadInput, match="incorrect passphrase for stack dev"):
        stack_crypter(_stack(VECTOR_STATE), create=False)


def test_create_makes_a_salt_the_caller_must_write(no_passphrase: pytest.MonkeyPatch) -> None:
    with pytest.raises(BadInput, match="set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to store"):
        stack_crypter(_stack(), create=True)
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    crypter = stack_crypter(_stack(), create=True)
    assert crypter is not None and crypter.salt_is_new and crypter.encryption_salt
    assert crypter_from_salt("pw", crypter.encryption_salt).decrypt(crypter.encrypt("x")) == "x"


def test_other_secrets_providers_are_refused(no_passphrase: pytest.MonkeyPatch) -> None:
    no_passphrase.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    secure = {"demo:token": Secure("v1:AAAA:BBBB")}
    with pytest.raises(BadInput, match="secrets provider 'awskms://alias/x'"):
        stack_crypter(_stack(values=secure, secretsprovider="awskms://alias/x"), create=False)
    with pytest.raises(BadInput, match="no encryptionsalt"):
        stack_crypter(_stack(values=secure), create=False)


def test_decrypt_config_replaces_every_secure_leaf(vector_crypter: Crypter) -> None:
    values = {
        "demo:plain": "a",
        "demo:token": Secure(vector_crypter.encrypt("t0k")),
        "demo:nested": {"list": [1, Secure(vector_crypter.encrypt("deep"))], "n": 3},
    }
    assert decrypt_config(values, vector_crypter) == {
        "demo:plain": "a", "demo:token": "t0k", "demo:nested": {"list": [1, "deep"], "n": 3},
    }
    with pytest.raises(BadInput, match="config demo:token is a secret"):
        decrypt_config(values, None)


def test_fingerprints_show_whether_a_value_changed(vector_crypter: Crypter, fresh_salt: tuple[str, Crypter]) -> None:
    key = fingerprint_key(vector_crypter)
    assert key == fingerprint_key(crypter_from_salt(VECTOR_PASSPHRASE, VECTOR_STATE))
    same = fingerprint(key, {"user": "admin", "password": "hunter2"})
    assert same == fingerprint(key, {"password": "hunter2", "user": "admin"})  # canonical: order-free
    assert re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", same)
    assert "hunter2" not in same
    assert fingerprint(key, {"user": "admin", "password": "hunter3"}) != same
    assert fingerprint(fingerprint_key(fresh_salt[1]), {"user": "admin", "password": "hunter2"}) != same
    assert fingerprint(key, "3") != fingerprint(key, 3)


def test_local_key_is_created_once_privately(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: local_key(tmp_path), range(16)))
    assert len(keys) == 1 and len(next(iter(keys))) == 32
    key_file = tmp_path / ".envctl" / "secrets.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["secrets.key"]  # no temp files left behind
    crypter = local_crypter(tmp_path)
    assert local_crypter(tmp_path).decrypt(crypter.encrypt('{"a": 1}')) == '{"a": 1}'
    assert fingerprint(fingerprint_key(crypter), "x") == fingerprint(fingerprint_key(local_crypter(tmp_path)), "x")


def test_damaged_local_key_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / ".envctl").mkdir()
    (tmp_path / ".envctl" / "secrets.key").write_text("not hex\n")
    with pytest.raises(BadInput, match=r"secrets.key is not a readable envctl key"):
        local_key(tmp_path)
