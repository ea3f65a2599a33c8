"""Signing: every snapshot and prune signed with a key kept outside the database, checked against the project's
trusted keys; bad key files and trusted-key files are one clear line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update

from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.evidence import Evidence
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SIGNING_KEY_ENV, SigningKey, default_key_path, load_signing_key, read_signing_key
from envctl.ledger.trusted_keys import TRUSTED_KEYS_FILE, TrustedKeys, load_trusted_keys

from ledger_fixtures import fingerprint, new_key_file, private_key_texts, resource, snapshot_input, trust

pytest_plugins = ["ledger_fixtures"]


def test_the_users_key_is_made_on_first_use_readable_by_them_only(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    path = default_key_path()
    assert path == tmp_path / "config" / "envctl" / "signing-key.pem" and not path.exists()

    key = load_signing_key()
    assert key.path == path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signing_key().public_key == key.public_key  # the same key next time
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]  # no temporary file left


def test_without_xdg_config_home_the_key_lives_in_dot_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_key_path() == tmp_path / ".config" / "envctl" / "signing-key.pem"


def test_snapshots_are_signed_and_the_private_key_never_reaches_the_database(ledger: Ledger,
                                                                            signing_key: SigningKey) -> None:
    ledger.record(snapshot_input(), fingerprint)
    ledger.record(snapshot_input(), fingerprint)
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(ledger_snapshots.c.signer, ledger_snapshots.c.signature)).all()
        stored = " ".join(str(value) for table in (ledger_snapshots, ledger_heads)
                          for row in conn.execute(select(table)) for value in row)
    assert {signer for signer, _ in rows} == {signing_key.public_key}
    assert all(signature for _, signature in rows)
    assert signing_key.public_key in stored  # the scan sees the keys that are stored
    assert not [text for text in private_key_texts(signing_key.path) if text in stored]
    report = ledger.verify()
    assert report.ok and report.signed == 2
    assert ledger.show("dev@2")["signer"] == signing_key.public_key


def test_a_snapshot_signed_by_a_key_the_project_does_not_trust_is_named(ledger: Ledger, tmp_path: Path,
                                                                       signing_key: SigningKey) -> None:
    ledger.record(snapshot_input(), fingerprint)
    mallory = read_signing_key(new_key_file(tmp_path / "keys" / "mallory.pem"))
    Ledger(ledger.engine, Sealing(mallory)).record(snapshot_input(), fingerprint)
    trust(tmp_path, signing_key)

    report = ledger.verify(Evidence(load_trusted_keys(tmp_path)))
    assert [(p.ref, p.kind) for p in report.problems] == [("dev@2", "untrusted")]
    assert mallory.public_key[:20] in report.problems[0].detail and TRUSTED_KEYS_FILE in report.problems[0].detail
    assert report.problems[0].vouchable


def test_without_trusted_keys_verify_passes_and_says_whose_keys_signed(ledger: Ledger, tmp_path: Path,
                                                                      signing_key: SigningKey) -> None:
    ledger.record(snapshot_input(), fingerprint)
    report = ledger.verify(Evidence(load_trusted_keys(tmp_path)))
    assert report.ok
    assert any("lists no trusted keys" in note and signing_key.public_key[:20] in note for note in report.notes)


def test_a_prune_is_signed_and_verify_checks_the_mark(ledger: Ledger, tmp_path: Path, signing_key: SigningKey) -> None:
    for revision in range(4):
        ledger.record(snapshot_input(resources=[resource("logs", revision=revision)]), fingerprint)
    ledger.prune("dev", keep=2)
    trust(tmp_path, signing_key)
    evidence = Evidence(load_trusted_keys(tmp_path))
    assert ledger.verify(evidence).ok

    with ledger.engine.begin() as conn:  # the same signature on a different mark
        conn.execute(update(ledger_heads).values(pruned_below=4))
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == 3).values(tree_digest=None))
    problem = ledger.verify(evidence).problems[0]
    assert (problem.ref, problem.kind) == ("dev@3", "content-missing")
    assert "content pruned below dev@4) was raised from dev@3, the mark its signature is for" in problem.detail


def test_recording_without_a_usable_key_keeps_the_snapshot_and_says_so(ledger: Ledger, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIGNING_KEY_ENV, str(tmp_path / "missing.pem"))
    unsealed = Ledger(ledger.engine)  # the user's sealing, from the environment
    with pytest.raises(BadInput, match=r"dev@1 was recorded, but it is not signed: ENVCTL_SIGNING_KEY names .*"
                                       r"missing\.pem, which is not a file"):
        unsealed.record(snapshot_input(), fingerprint)
    assert [s.ref for s in ledger.history("dev")] == ["dev@1"]
    problem = ledger.verify().problems[0]
    assert (problem.ref, problem.kind) == ("dev@1", "inserted") and "has no signature" in problem.detail


@pytest.mark.parametrize(("content", "message"), [
    (None, "which is not a file"),
    (b"not a key", "is not a PEM private key"),
    (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "is not a PEM private key"),
])
def test_a_bad_key_file_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None,
                                          message: str) -> None:
    path = tmp_path / "ci.pem"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv(SIGNING_KEY_ENV, str(path))
    with pytest.raises(BadInput, match=message) as raised:
        load_signing_key()
    assert "\n" not in str(raised.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_key_file_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = new_key_file(tmp_path / "ci.pem")
    path.chmod(0)
    monkeypatch.setenv(SIGNING_KEY_ENV, str(path))
    with pytest.raises(BadInput, match="cannot read the signing key .*Permission denied"):
        load_signing_key()


def test_a_key_path_that_cannot_be_read_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    default_key_path().mkdir(parents=True)  # a directory where the key file should be: unreadable, even by root
    with pytest.raises(BadInput, match="cannot read the signing key .*signing-key.pem: Is a directory"):
        load_signing_key()


def test_an_unwritable_config_directory_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("a file where the directory should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.raises(BadInput, match="cannot create the signing key .*ENVCTL_SIGNING_KEY"):
        load_signing_key()


def test_the_trusted_keys_file_names_keys_and_refuses_a_line_that_is_not_one(tmp_path: Path,
                                                                            signing_key: SigningKey) -> None:
    assert load_trusted_keys(tmp_path) == TrustedKeys(None)
    path = trust(tmp_path, signing_key)
    path.write_text(path.read_text() + "\n# the deploy job\n")
    trusted = load_trusted_keys(tmp_path)
    assert trusted.names == {signing_key.public_key: "alice"} and trusted.trusts(signing_key.public_key)

    path.write_text(path.read_text() + "ssh-ed25519 AAAAC3Nz bob\n")
    with pytest.raises(BadInput, match=rf"line 5 of .*{TRUSTED_KEYS_FILE} is not `ed25519:<base64 public key> <who>`"):
        load_trusted_keys(tmp_path)
