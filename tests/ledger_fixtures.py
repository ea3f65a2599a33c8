"""Shared by the ledger tests (`pytest_plugins = ["ledger_fixtures"]`): databases, snapshots, signing keys, git repos.

`ledger_url` runs a test on SQLite (a temporary file) and on PostgreSQL (a fresh schema, dropped after);
the PostgreSQL case is skipped, saying why, only when the server cannot be reached.

Every test of the suite (this module is loaded by tests/conftest.py) gets a config directory of its own, so
the signing key envctl makes on first use never lands in the home of whoever runs the tests, and no
ENVCTL_SIGNING_KEY or ENVCTL_WITNESS of theirs reaches a test.
"""

from __future__ import annotations

import base64
import copy
import functools
import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from envctl.ledger import Ledger, SnapshotInput
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SIGNING_KEY_ENV, SigningKey, read_signing_key
from envctl.ledger.trusted_keys import TRUSTED_KEYS_FILE
from envctl.ledger.witness import WITNESS_ENV
from envctl.secrets import fingerprint as keyed_fingerprint

POSTGRES_URL = os.environ.get("ENVCTL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
FINGERPRINT_KEY = b"k" * 32
fingerprint = functools.partial(keyed_fingerprint, FINGERPRINT_KEY)
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def secret(value: Any) -> dict[str, Any]:
    """A value in Pulumi's wire form for secrets."""
    return {**SECRET_SIG, "value": value}


@pytest.fixture(autouse=True, scope="session")
def _config_home_of_the_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    names = ("XDG_CONFIG_HOME", SIGNING_KEY_ENV, WITNESS_ENV)
    saved = {name: os.environ.get(name) for name in names}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    os.environ.pop(SIGNING_KEY_ENV, None)
    os.environ.pop(WITNESS_ENV, None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def new_key_file(path: Path) -> Path:
    """A fresh Ed25519 private key in PEM, as `openssl genpkey -algorithm ed25519` writes one (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path.chmod(0o600)
    return path


def private_key_texts(path: Path) -> list[str]:
    """The private key in `path` as base64 and hex: what a leak of it would look like."""
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,  # type: ignore[union-attr]
                                serialization.NoEncryption())
    return [base64.b64encode(raw).decode()[:40], raw.hex()]


@pytest.fixture
def signing_key(tmp_path: Path) -> SigningKey:
    """A key of the test's own (alice's), outside the database."""
    return read_signing_key(new_key_file(tmp_path / "keys" / "alice.pem"))


def trust(project_dir: Path, *keys: SigningKey) -> Path:
    """List `keys` in the project's trusted-keys file, as a team commits it."""
    path = project_dir / TRUSTED_KEYS_FILE
    path.write_text("# trusted signing keys\n" + "".join(f"{key.public_key} {key.path.stem}\n" for key in keys))
    return path


@functools.cache
def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        with create_engine(POSTGRES_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc.orig}"
    return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema of the test server (dropped afterwards)."""
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def ledger(ledger_url: str, signing_key: SigningKey) -> Iterator[Ledger]:
    """The ledger at `ledger_url`, recording with `signing_key` and no witness."""
    opened = Ledger.open(ledger_url, Sealing(signing_key))
    yield opened
    opened.engine.dispose()


def resource(name: str, env: str = "dev", id_: str | None = None, **inputs: Any) -> dict[str, Any]:
    """A bucket-like resource whose outputs repeat its inputs plus computed values, as Pulumi's do."""
    inputs = {"bucket": name, "tags": {"env": env}, **inputs}
    return {
        "urn": f"urn:pulumi:{env}::shop::aws:s3/bucket:Bucket::{name}",
        "type": "aws:s3/bucket:Bucket",
        "id": id_ or f"{name}-1234567",
        "provider": f"urn:pulumi:{env}::shop::pulumi:providers:aws::default::0b0c",
        "parent": f"urn:pulumi:{env}::shop::pulumi:pulumi:Stack::shop-{env}",
        "custom": True,
        "inputs": inputs,
        "outputs": {**copy.deepcopy(inputs), "arn": f"arn:aws:s3:::{name}"},
        "dependencies": [],
    }


def snapshot_input(env: str = "dev", **overrides: Any) -> SnapshotInput:
    """A succeeded `up` of a small stack; any field can be overridden."""
    fields: dict[str, Any] = {
        "env": env,
        "project": "shop",
        "operation": "up",
        "status": "succeeded",
        "started": T0,
        "finished": T0 + timedelta(seconds=42),
        "actor": "alice",
        "host": "build-1",
        "ci_run_id": None,
        "engine": "local",
        "cloud": "local",
        "envctl_version": "0.1.0",
        "sources": {"commit": "a" * 40, "branch": "main", "dirty": False, "dirty_digest": None,
                    "files": {"Pulumi.yaml": "1" * 64}},
        "manifest": {"packages": {"pulumi": "3.272.0", "boto3": "1.40.0"}, "python": {"version": "3.11.7"}},
        "config": {"aws:region": "us-east-1", "shop:dbPassword": "hunter2-plain"},
        "secret_keys": ["shop:dbPassword"],
        "resources": [resource("logs", env), resource("assets", env)],
        "outputs": {"bucketName": "logs-1234567"},
        "changes": {"create": 2},
    }  # fmt: skip
    fields.update(overrides)
    return SnapshotInput(**fields)


def record_many(url: str, env: str, count: int, barrier: Any) -> None:
    """Record `count` snapshots of `env` once every process is ready (run in a child process)."""
    ledger = Ledger.open(url)
    barrier.wait()
    for index in range(count):
        ledger.record(snapshot_input(env, outputs={"writer": os.getpid(), "index": index}), fingerprint)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit_file(repo: Path, name: str, content: str, message: str) -> str:
    """Write, add and commit one file; returns the new commit's sha."""
    (repo / name).write_text(content)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A git repository on branch main with one commit (Pulumi.yaml)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_file(repo, "Pulumi.yaml", "name: shop\nruntime: python\n", "project")
    return repo
