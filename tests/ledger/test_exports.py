"""`envctl export`: each format validated against its schema, from snapshots recorded by real runs on moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner, Result

from envctl.cli import context, export_cmd
from envctl.cloud.local_cloud import ENDPOINT_ENV
from envctl.engine.state import ResourceState
from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.canonical import canonical_json, sha256_hex
from envctl.ledger.db import LEDGER_URL_ENV, connect, default_url
from envctl.ledger.exports.cyclonedx import cyclonedx_sbom
from envctl.ledger.exports.provenance import provenance_statement
from envctl.pulumi_export import prerequisites_first
from envctl.secrets import PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, crypter_from_salt, new_encryption_salt

from engine_support import destroy, up, write_program
from envctl_command import run_envctl
from ledger_fixtures import fingerprint, git, snapshot_input

SCHEMAS = Path(__file__).parent / "schemas"
PASSPHRASE = "correct horse battery staple"
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
# Stack `test` has a passphrase and a secret config value; stack `plain` has neither, but the SSM parameter's
# value is a secret output all the same (pulumi-aws's additionalSecretOutputs), kept under the local key.
PROGRAM = """\
import pulumi
import pulumi_aws as aws


class Storage(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("exportproj:index:Storage", name)
        self.bucket = aws.s3.Bucket(f"{name}-data", force_destroy=True, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucketName": self.bucket.bucket})


storage = Storage("storage")
password = pulumi.Config().get_secret("dbPassword") or "not-a-secret"
parameter = aws.ssm.Parameter("password", type="SecureString", value=password,
                              opts=pulumi.ResourceOptions(depends_on=[storage.bucket]))
pulumi.export("bucketName", storage.bucket.bucket)
pulumi.export("password", parameter.value)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str) -> Iterator[Path]:
    """A git-committed project with snapshots test@1, test@2 and plain@1 recorded as `envctl up` records them."""
    root = write_program(tmp_path_factory.mktemp("exports") / "project", PROGRAM, name="exportproj")
    salt, crypter = new_encryption_salt(PASSPHRASE)
    (root / "Pulumi.test.yaml").write_text(f"encryptionsalt: {salt}\nconfig:\n  aws:region: us-east-1\n"
                                           f"  exportproj:dbPassword:\n    secure: {crypter.encrypt('hunter2')}\n")
    (root / "Pulumi.plain.yaml").write_text("config:\n  aws:region: us-east-1\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the program")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PASSPHRASE_ENV, PASSPHRASE)
        patch.setenv(ENDPOINT_ENV, moto_endpoint)
        patch.delenv(LEDGER_URL_ENV, raising=False)
        context.set_project_dir(root)
        try:
            for env in ("test", "test", "plain"):
                result = up(root, env, moto_endpoint)
                assert result.succeeded, result.error
            yield root
        finally:
            for env in ("test", "plain"):
                destroy(root, env, moto_endpoint)
            context.set_project_dir(None)


def export(*args: str) -> Result:
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as in envctl, even with one command
    export_cmd.register(app)
    return CliRunner().invoke(app, ["export", *args])


def exported(*args: str) -> dict[str, Any]:
    result = export(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def snapshot(project: Path, ref: str) -> dict[str, Any]:
    return Ledger(connect(default_url(project))).show(ref)


# ---- cyclonedx ----------------------------------------------------------------------------------


def test_cyclonedx_is_a_valid_1_6_sbom_of_the_manifest(project: Path) -> None:
    result = export("test@1", "--format", "cyclonedx")
    assert result.exit_code == 0, result.output
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(result.stdout) is None

    sbom = json.loads(result.stdout)
    recorded = snapshot(project, "test@1")
    purls = {c["name"]: c.get("purl") for c in sbom["components"]}
    assert purls["pulumi-aws"] == f"pkg:pypi/pulumi-aws@{recorded['manifest']['sdks']['pulumi-aws']}"
    assert purls["pulumi"] == f"pkg:pypi/pulumi@{recorded['manifest']['sdks']['pulumi']}"
    assert purls["moto"] == f"pkg:pypi/moto@{recorded['manifest']['sdks']['moto']}"
    assert purls["envctl"] == f"pkg:pypi/envctl@{recorded['envctl_version']}"
    assert len(purls) == len(recorded["manifest"]["packages"]) + 2  # and the interpreter and the OS
    kinds = {c["type"]: c for c in sbom["components"] if c["type"] != "library"}
    assert kinds["platform"]["version"] == recorded["manifest"]["python"]["version"]
    assert kinds["operating-system"]["name"] == recorded["manifest"]["os"]["system"]
    metadata = sbom["metadata"]
    assert (metadata["component"]["name"], metadata["component"]["version"]) == ("exportproj", "test@1")
    assert datetime.fromisoformat(metadata["timestamp"]) == datetime.fromisoformat(recorded["finished"])
    root_dependencies = next(d for d in sbom["dependencies"] if d["ref"] == metadata["component"]["bom-ref"])
    assert len(root_dependencies["dependsOn"]) == len(sbom["components"])


def test_cyclonedx_serial_number_is_the_snapshots_own(project: Path) -> None:
    first, again, other = (exported(ref, "-f", "cyclonedx")["serialNumber"] for ref in ("test@1", "test@1", "test@2"))
    assert first == again != other
    assert first.startswith("urn:uuid:")


# ---- provenance ---------------------------------------------------------------------------------


def test_provenance_is_an_in_toto_slsa_v1_statement_of_the_snapshot(project: Path) -> None:
    statement = exported("test", "--format", "provenance")
    schema = json.loads((SCHEMAS / "slsa-provenance-v1.schema.json").read_text())
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(statement)

    recorded = snapshot(project, "test")
    assert statement["subject"] == [{"name": "exportproj/test@2", "digest": {"sha256": recorded["hash"]}}]
    definition, run = statement["predicate"]["buildDefinition"], statement["predicate"]["runDetails"]
    assert definition["externalParameters"] == {"project": "exportproj", "env": "test", "operation": "up",
                                                "engine": "local", "cloud": "local"}
    dependencies = {d["name"]: d for d in definition["resolvedDependencies"]}
    commit = git(project, "rev-parse", "HEAD").strip()
    assert dependencies["git"]["digest"] == {"gitCommit": commit}
    assert dependencies["git"]["uri"] == f"git+{project.resolve().as_uri()}@{commit}"
    # The config digest is the ledger's: recomputable from `envctl show`, where the secret is a fingerprint.
    assert dependencies["config"]["digest"]["sha256"] == sha256_hex(canonical_json(recorded["config"]))
    for name in ("Pulumi.yaml", "stack", "program"):
        assert dependencies[name]["digest"]["sha256"] == recorded["sources"]["files"][name]
    assert run["builder"]["version"] == {"envctl": recorded["envctl_version"]}
    assert datetime.fromisoformat(run["metadata"]["finishedOn"]) == datetime.fromisoformat(recorded["finished"])


# ---- pulumi -------------------------------------------------------------------------------------


def pulumi_validator() -> Draft202012Validator:
    schemas = [json.loads((SCHEMAS / "pulumi" / name).read_text())
               for name in ("deployments.json", "resources.json", "property-values.json")]
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas)
    return Draft202012Validator(schemas[0], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_pulumi_integrity(deployment: dict[str, Any]) -> None:
    """What `Snapshot.VerifyIntegrity` checks before Pulumi accepts a deployment."""
    manifest = deployment["manifest"]
    assert manifest["magic"] == sha256_hex(manifest["version"])
    seen: set[str] = set()
    providers: set[str] = set()
    for resource in deployment["resources"]:
        urn = resource["urn"]
        assert resource["type"]
        assert urn not in seen or resource.get("delete"), f"duplicate {urn}"
        if not resource["custom"]:
            assert "id" not in resource, f"component {urn} has an id"
        earlier = [resource.get("parent"), *resource.get("dependencies", [])]
        earlier += [u for urns in resource.get("propertyDependencies", {}).values() for u in urns]
        for other in filter(None, earlier):
            assert other in seen, f"{urn} refers to {other} before it appears"
        if "provider" in resource:
            assert resource["provider"] in providers, f"{urn}: provider {resource['provider']} does not resolve"
        seen.add(urn)
        if resource["type"].startswith("pulumi:providers:"):
            providers.add(f"{urn}::{resource['id']}")


def secrets_in(value: Any) -> list[str]:
    """The ciphertexts of every secret in `value`."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG[0]) == SECRET_SIG[1]:
            return [value["ciphertext"]]
        return [c for item in value.values() for c in secrets_in(item)]
    if isinstance(value, list):
        return [c for item in value for c in secrets_in(item)]
    return []


def test_pulumi_deployment_validates_and_its_secrets_open_with_the_passphrase(project: Path) -> None:
    document = exported("test", "--format", "pulumi")
    pulumi_validator().validate(document)
    deployment = document["deployment"]
    assert_pulumi_integrity(deployment)

    resources = deployment["resources"]
    assert resources[0]["type"] == "pulumi:pulumi:Stack"
    assert {r["type"] for r in resources} >= {"pulumi:providers:aws", "exportproj:index:Storage",
                                              "aws:s3/bucket:Bucket", "aws:ssm/parameter:Parameter"}
    assert deployment["pending_operations"] == []
    salt = deployment["secrets_providers"]["state"]["salt"]
    assert deployment["secrets_providers"]["type"] == "passphrase"
    assert f"encryptionsalt: {salt}" in (project / "Pulumi.test.yaml").read_text()
    ciphertexts = secrets_in(resources)
    assert len(ciphertexts) == 3  # the parameter's value input and output, and the stack output
    crypter = crypter_from_salt(PASSPHRASE, salt)
    assert {json.loads(crypter.decrypt(c)) for c in ciphertexts} == {"hunter2"}
    assert "hunter2" not in json.dumps(document)


def test_pulumi_export_of_a_stack_without_salt_encrypts_under_a_new_one(project: Path) -> None:
    result = export("plain", "--format", "pulumi")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    pulumi_validator().validate(document)
    salt = document["deployment"]["secrets_providers"]["state"]["salt"]
    assert "no encryptionsalt" in result.stderr and salt in result.stderr
    ciphertexts = secrets_in(document["deployment"]["resources"])
    assert ciphertexts
    crypter = crypter_from_salt(PASSPHRASE, salt)
    assert {json.loads(crypter.decrypt(c)) for c in ciphertexts} == {"not-a-secret"}


def test_pulumi_export_of_secrets_without_a_passphrase_says_to_set_one(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.delenv(PASSPHRASE_FILE_ENV, raising=False)
    result = export("plain", "--format", "pulumi")
    assert isinstance(result.exception, BadInput)
    assert PASSPHRASE_ENV in str(result.exception)


def test_the_real_command_writes_the_file_and_refuses_an_older_snapshot(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "test.json"
    written = run_envctl("-C", str(project), "export", "test", "--format", "pulumi", "-o", str(out), timeout=120)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "" and str(out) in written.stderr
    pulumi_validator().validate(json.loads(out.read_text()))

    older = run_envctl("-C", str(project), "export", "test@1", "--format", "pulumi", timeout=120)
    assert older.returncode == 2
    assert "only the current state" in older.stderr and "Traceback" not in older.stderr


def test_resources_come_after_what_they_refer_to() -> None:
    # A later run made `old` depend on `new`: `new` was registered after `old` first was.
    stack = ResourceState(urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type="pulumi:pulumi:Stack", custom=False)
    old = ResourceState(urn="urn:pulumi:s::p::t:a:A::old", type="t:a:A", custom=True, id="1", parent=stack.urn,
                        dependencies=["urn:pulumi:s::p::t:a:A::new"])
    new = ResourceState(urn="urn:pulumi:s::p::t:a:A::new", type="t:a:A", custom=True, id="2", parent=stack.urn)
    assert [r.urn for r in prerequisites_first([stack, old, new])] == [stack.urn, new.urn, old.urn]


def test_a_pruned_snapshot_cannot_be_exported_and_the_message_says_why(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    for _ in range(2):
        ledger.record(snapshot_input(), fingerprint)
    ledger.prune("dev", keep=1)
    pruned = ledger.load("dev@1")
    for make in (cyclonedx_sbom, lambda s: provenance_statement(s, None)):
        with pytest.raises(BadInput, match="content of dev@1 was pruned"):
            make(pruned)
    assert cyclonedx_sbom(ledger.load("dev@2"))["metadata"]["component"]["version"] == "dev@2"
