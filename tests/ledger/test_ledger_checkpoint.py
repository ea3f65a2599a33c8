"""Checkpoints: `envctl ledger checkpoint` signs every env's head after verifying; `verify --checkpoint FILE` then
names what was removed, truncated or rewritten since, whatever happened to the database; a checkpoint vouches
for snapshots recorded before envctl signed them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from envctl.errors import BadInput, OperationFailed
from envctl.ledger import Ledger
from envctl.ledger.checkpoint import parse_checkpoints, stored_checkpoints
from envctl.ledger.db import LEDGER_URL_ENV, default_url
from envctl.ledger.db.ledger_tables import ledger_checkpoints, ledger_heads, ledger_snapshots
from envctl.ledger.evidence import Evidence, gather_evidence
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SIGNING_KEY_ENV, SigningKey
from envctl.ledger.trusted_keys import TRUSTED_KEYS_FILE, load_trusted_keys
from envctl.ledger.witness import WITNESS_ENV, FileWitness

from envctl_command import run_envctl
from ledger_fixtures import fingerprint, private_key_texts, resource, snapshot_input, trust

pytest_plugins = ["ledger_fixtures"]


def _record(ledger: Ledger, env: str = "dev", count: int = 3) -> None:
    for revision in range(count):
        ledger.record(snapshot_input(env, resources=[resource("logs", env, revision=revision)]), fingerprint)


def _strip_signatures(ledger: Ledger) -> None:
    """What the migration to signatures leaves: snapshots recorded before it carry none."""
    with ledger.engine.begin() as conn:
        conn.execute(update(ledger_snapshots).values(signer=None, signature=None))


def _evidence(root: Path, *files: Path) -> Evidence:
    return gather_evidence(root, list(files), None)


def test_a_checkpoint_names_what_was_removed_or_rewritten_since(ledger: Ledger, tmp_path: Path,
                                                               signing_key: SigningKey) -> None:
    _record(ledger)
    _record(ledger, "prod", 1)
    trust(tmp_path, signing_key)
    out = tmp_path / "checkpoint.json"
    out.write_text(ledger.checkpoint(_evidence(tmp_path)).checkpoint.to_line() + "\n")
    [checkpoint] = parse_checkpoints(out.read_text(), "file")
    assert checkpoint.valid and checkpoint.verified
    assert {env: head.seq for env, head in checkpoint.heads.items()} == {"dev": 3, "prod": 1}

    _record(ledger, "dev", 1)  # growth since the checkpoint is no problem
    assert ledger.verify(_evidence(tmp_path, out)).ok
    dev_2 = ledger.history("dev")[-2].hash
    with ledger.engine.begin() as conn:  # dev back to dev@2, prod gone, and the ledger's own copy too
        conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.seq >= 3))
        conn.execute(update(ledger_heads).where(ledger_heads.c.env == "dev").values(seq=2, hash=dev_2))
        conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.env == "prod"))
        conn.execute(delete(ledger_heads).where(ledger_heads.c.env == "prod"))
        conn.execute(delete(ledger_checkpoints))

    report = ledger.verify(_evidence(tmp_path, out))
    assert [(p.ref, p.kind) for p in report.problems] == [("dev@3", "truncated"), ("prod", "removed")]
    assert f"--checkpoint {out} line 1) lists dev@3" in report.problems[0].detail


def test_a_checkpoint_is_refused_while_verify_finds_a_problem(ledger: Ledger, tmp_path: Path) -> None:
    _record(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == 2).values(actor="mallory"))
    with pytest.raises(OperationFailed, match="no checkpoint written: verify finds dev@2 rewritten"):
        ledger.checkpoint(_evidence(tmp_path), vouch=True)


def test_a_checkpoint_vouches_for_snapshots_recorded_before_signing(ledger: Ledger, tmp_path: Path,
                                                                   signing_key: SigningKey) -> None:
    _record(ledger)
    ledger.prune("dev", keep=2)
    _strip_signatures(ledger)
    with ledger.engine.begin() as conn:  # a prune made before prunes were signed
        conn.execute(update(ledger_heads).values(prune_signer=None, prune_signature=None))
    trust(tmp_path, signing_key)
    evidence = _evidence(tmp_path)
    before = ledger.verify(evidence)
    assert [(p.ref, p.kind, p.vouchable) for p in before.problems] == [("dev@1", "inserted", True)]

    with pytest.raises(OperationFailed, match="`--vouch` accepts unsigned and untrusted snapshots"):
        ledger.checkpoint(evidence)
    taken = ledger.checkpoint(evidence, vouch=True)
    assert [p.ref for p in taken.vouched] == ["dev@1"]

    assert ledger.verify(evidence).ok  # the ledger keeps the checkpoint, so verify finds it
    _record(ledger, "dev", 1)
    assert ledger.verify(evidence).ok  # the new snapshot is signed
    with ledger.engine.begin() as conn:  # a vouched-for snapshot edited afterwards is still caught
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == 2).values(actor="mallory"))
    assert [(p.ref, p.kind) for p in ledger.verify(evidence).problems] == [("dev@2", "rewritten")]


def test_a_checkpoint_by_a_key_the_project_does_not_trust_vouches_for_nothing(ledger: Ledger, tmp_path: Path,
                                                                             signing_key: SigningKey) -> None:
    _record(ledger, count=1)
    _strip_signatures(ledger)
    ledger.checkpoint(_evidence(tmp_path), vouch=True)  # no key listed yet: anyone's checkpoint counts
    assert ledger.verify(_evidence(tmp_path)).ok
    (tmp_path / TRUSTED_KEYS_FILE).write_text("ed25519:" + "A" * 43 + "= someone-else\n")
    report = ledger.verify(Evidence(load_trusted_keys(tmp_path)))
    assert [(p.ref, p.kind) for p in report.problems] == [("dev@1", "inserted")]
    assert any("ignored 1 checkpoints signed by keys" in note for note in report.notes)


def test_an_altered_checkpoint_is_named(ledger: Ledger, tmp_path: Path) -> None:
    _record(ledger)
    line = ledger.checkpoint(_evidence(tmp_path)).checkpoint.to_line()
    document = json.loads(line)
    document["checkpoint"]["heads"]["dev"]["seq"] = 2
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(document) + "\n")
    report = ledger.verify(_evidence(tmp_path, altered))
    assert [(p.ref, p.kind) for p in report.problems] == [(f"--checkpoint {altered} line 1", "rewritten")]
    assert "the checkpoint was altered after it was signed" in report.problems[0].detail


@pytest.mark.parametrize(("text", "message"), [
    ("not json\n", "line 1 is not an envctl checkpoint"),
    ('{"checkpoint": {"type": "other"}}\n', "line 1 is not an envctl checkpoint"),
    ('\n{"checkpoint": {"type": "envctl-checkpoint/v1", "created": "x", "verified": true, "heads": {"dev": '
     '{"seq": 0, "hash": "00", "pruned_below": 1}}}, "signer": "s", "signature": "t"}\n',
     "line 2 is not an envctl checkpoint"),
])
def test_a_malformed_checkpoint_is_bad_input(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(BadInput, match=message):
        _evidence(tmp_path, path)
    with pytest.raises(BadInput, match="cannot read the checkpoint file .*missing.json"):
        _evidence(tmp_path, tmp_path / "missing.json")


# ---- the real command ------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, ledger_url: str) -> tuple[Path, dict[str, str]]:
    """A project whose ledger (SQLite in the project, or PostgreSQL) holds dev@1..dev@3, recorded with the key
    the envctl command uses (the user's own, made on first use), and the environment to run envctl in."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    url = default_url(root) if ledger_url.startswith("sqlite") else ledger_url
    ledger = Ledger.open(url, Sealing.from_environment())
    _record(ledger)
    ledger.engine.dispose()
    environment = {key: value for key, value in os.environ.items() if key != WITNESS_ENV}
    return root, {**environment, LEDGER_URL_ENV: url}


def _envctl(project: tuple[Path, dict[str, str]], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    root, environment = project
    return run_envctl("-C", str(root), *args, env={**environment, **extra}, timeout=120)


@pytest.mark.e2e
def test_checkpoint_then_verify_with_the_command(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, environment = project
    key_line = _envctl(project, "ledger", "key")
    assert key_line.returncode == 0 and key_line.stdout.startswith("ed25519:")
    assert "not listed yet" in key_line.stderr
    (root / TRUSTED_KEYS_FILE).write_text(key_line.stdout)
    key_file = Path(json.loads(_envctl(project, "ledger", "key", "--json").stdout)["file"])
    assert f"{TRUSTED_KEYS_FILE}: listed" in _envctl(project, "ledger", "key").stderr

    out = tmp_path / "dev.checkpoint"
    taken = _envctl(project, "ledger", "checkpoint", "--out", str(out))
    assert taken.returncode == 0, taken.stderr
    assert "checkpoint of 1 environments (dev@3)" in taken.stdout and f"written to {out}" in taken.stdout
    printed = _envctl(project, "ledger", "checkpoint")
    assert parse_checkpoints(printed.stdout, "stdout")[0].heads["dev"].seq == 3  # without --out: the line itself

    intact = _envctl(project, "ledger", "verify", "--checkpoint", str(out))
    assert intact.returncode == 0 and "ledger intact: 3 snapshots" in intact.stdout
    assert "signed, checked against 3 checkpoints" in intact.stdout  # the file's and the ledger's two

    ledger = Ledger.open(environment[LEDGER_URL_ENV])
    dev_2 = ledger.history("dev")[-2].hash
    with ledger.engine.begin() as conn:  # dev back to dev@2, and the ledger's copies of the checkpoint gone
        conn.execute(delete(ledger_snapshots).where(ledger_snapshots.c.seq == 3))
        conn.execute(update(ledger_heads).values(seq=2, hash=dev_2))
        conn.execute(delete(ledger_checkpoints))
    ledger.engine.dispose()
    assert _envctl(project, "ledger", "verify").returncode == 0  # the database alone cannot tell
    broken = _envctl(project, "ledger", "verify", "--checkpoint", str(out), "--json")
    assert broken.returncode == 1
    document = json.loads(broken.stdout)
    assert [(p["ref"], p["kind"]) for p in document["problems"]] == [("dev@3", "truncated")]
    outputs = key_line.stdout + key_line.stderr + taken.stdout + taken.stderr + printed.stdout + broken.stdout
    assert not [text for text in private_key_texts(key_file) if text in outputs]


@pytest.mark.e2e
@pytest.mark.parametrize(("args", "extra", "message"), [
    (("ledger", "verify", "--checkpoint", "nowhere.json"), {}, "cannot read the checkpoint file nowhere.json"),
    (("ledger", "verify"), {WITNESS_ENV: "gs://bucket/checkpoints"}, "a witness is a file or s3://bucket/key, "
     "not a gs:// URL"),
    (("ledger", "checkpoint"), {WITNESS_ENV: "s3://bucket-only"}, "names no key: use s3://bucket/key"),
    (("ledger", "checkpoint"), {SIGNING_KEY_ENV: "missing.pem"}, "ENVCTL_SIGNING_KEY names missing.pem, which is "
     "not a file"),
    (("ledger", "key"), {SIGNING_KEY_ENV: "Pulumi.yaml"}, "the signing key Pulumi.yaml is not a PEM private key"),
])
def test_bad_input_is_one_line_and_exit_2(project: tuple[Path, dict[str, str]], args: tuple[str, ...],
                                          extra: dict[str, str], message: str) -> None:
    result = _envctl(project, *args, **extra)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.e2e
def test_a_malformed_checkpoint_file_is_exit_2(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}\n")
    result = _envctl(project, "ledger", "verify", "--checkpoint", str(bad))
    assert result.returncode == 2 and "line 1 is not an envctl checkpoint" in result.stderr
    assert "Traceback" not in result.stderr



def test_a_witness_that_cannot_take_the_checkpoint_leaves_it_kept_in_the_ledger(ledger: Ledger, tmp_path: Path) -> None:
    _record(ledger)
    (tmp_path / "witness").mkdir()
    taken = ledger.checkpoint(_evidence(tmp_path), witness=FileWitness(tmp_path / "witness"))
    assert taken.witness == str(tmp_path / "witness") and "cannot append to the witness" in (taken.witness_error or "")
    with ledger.engine.connect() as conn:
        assert [c.to_line() for c in stored_checkpoints(conn)[0]] == [taken.checkpoint.to_line()]
