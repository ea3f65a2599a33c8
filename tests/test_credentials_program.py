"""The app-credentials program (tests/programs/app-credentials/) runs unmodified with pulumi_random and pulumi_tls:
the generated password, deploy key and certificate reach SSM, stay the same on the next `up`, never reach the
database in plaintext; changing the password's keepers replaces it and updates its parameter; destroy removes
every parameter. Explicit random and tls providers serve their resources too. (Random and tls values live only in
the state, so the shared program table, which probes the cloud for every resource, does not fit them.)"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from envctl.engine.deployment import DeploymentResult
from envctl.engine.properties import is_secret, reveal

from engine_support import aws, destroy, mutating, recorded_calls, up, write_program

PROGRAM = Path(__file__).resolve().parent / "programs" / "app-credentials"
PASSWORD = "random:index/randomPassword:RandomPassword"
PARAMETER = "aws:ssm/parameter:Parameter"


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str) -> Any:
    copied = Path(shutil.copytree(PROGRAM, tmp_path / "app-credentials",
                                  ignore=shutil.ignore_patterns("__pycache__")))
    yield copied
    destroy(copied, "test", moto_endpoint)  # whatever a failed test left on the shared moto server


def succeeded(result: DeploymentResult) -> DeploymentResult:
    assert result.succeeded, result.error
    return result


def parameter(ssm: Any, name: str) -> str:
    return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]


def rotate(project: Path, rotation: str) -> None:
    path = project / "Pulumi.test.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["app-credentials:rotation"] = rotation
    path.write_text(yaml.safe_dump(document))


def test_generated_credentials_reach_ssm_stay_put_rotate_by_keepers_and_go_on_destroy(
        project: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = aws(moto_endpoint, "ssm")
    first = succeeded(up(project, "test", moto_endpoint))
    out = reveal(first.outputs)
    assert is_secret(first.outputs["db_password"]) and len(out["db_password"]) == 24
    assert parameter(ssm, out["db_password_parameter"]) == out["db_password"]
    private_key = serialization.load_ssh_private_key(parameter(ssm, out["deploy_key_parameter"]).encode(), None)
    public_line = parameter(ssm, out["public_key_parameter"])
    assert public_line == out["public_key_openssh"]
    assert serialization.load_ssh_public_key(public_line.encode()) == private_key.public_key()
    assert out["derived_fingerprint"] == out["public_key_fingerprint"]
    cert = x509.load_pem_x509_certificate(parameter(ssm, f"{out['parameter_prefix']}/tls/certificate").encode())
    assert str(cert.serial_number) == out["certificate_serial"]
    assert out["certificate_sha1"] == cert.fingerprint(hashes.SHA1()).hex()
    assert cert.subject.rfc4514_string() == "CN=app.internal.example.com,O=Example Corp"

    stored = b"".join(path.read_bytes() for path in (project / ".envctl").glob("ledger.db*"))
    private_body = "".join(parameter(ssm, out["deploy_key_parameter"]).splitlines()[1:-1])
    for plaintext in (out["db_password"], private_body[:40]):
        assert plaintext.encode() not in stored, "a generated secret is stored in plaintext"

    with recorded_calls(monkeypatch) as calls:
        again = succeeded(up(project, "test", moto_endpoint))
    assert not again.has_changes and again.outputs == first.outputs
    assert mutating(calls) == []

    rotate(project, "2024-q2")
    rotated = succeeded(up(project, "test", moto_endpoint))
    assert sorted((s.op, s.type) for s in rotated.planned) == [("replace", PASSWORD), ("update", PARAMETER)]
    new_password = reveal(rotated.outputs)["db_password"]
    assert new_password != out["db_password"] and parameter(ssm, out["db_password_parameter"]) == new_password
    assert reveal(rotated.outputs)["public_key_openssh"] == out["public_key_openssh"]

    assert succeeded(destroy(project, "test", moto_endpoint)).resources == []
    left = ssm.get_parameters_by_path(Path=out["parameter_prefix"], Recursive=True)["Parameters"]
    assert left == []


EXPLICIT_PROVIDERS = """\
import pulumi
import pulumi_random as random
import pulumi_tls as tls

rnd = random.Provider("rnd")
keys = tls.Provider("keys")
pet = random.RandomPet("pet", length=3, opts=pulumi.ResourceOptions(provider=rnd))
key = tls.PrivateKey("key", algorithm="ED25519", opts=pulumi.ResourceOptions(provider=keys))
pulumi.export("pet", pet.id)
pulumi.export("fingerprint", key.public_key_fingerprint_sha256)
"""


def test_explicit_random_and_tls_providers_serve_their_resources(tmp_path: Path, moto_endpoint: str) -> None:
    project = write_program(tmp_path / "explicit", EXPLICIT_PROVIDERS, "config:\n  aws:region: us-east-1\n")
    first = succeeded(up(project, "test", moto_endpoint))
    providers = sorted(r.type for r in first.resources if r.type.startswith("pulumi:providers:"))
    assert providers == ["pulumi:providers:random", "pulumi:providers:tls"]
    assert len(first.outputs["pet"].split("-")) == 3 and first.outputs["fingerprint"].startswith("SHA256:")
    again = succeeded(up(project, "test", moto_endpoint))
    assert not again.has_changes and again.outputs == first.outputs
    assert succeeded(destroy(project, "test", moto_endpoint)).resources == []
