"""Real-world Pulumi programs (tests/programs/, in the style of pulumi/examples) run unmodified by the local
engine: up, check the cloud with boto3, up again with no change, edit, up, destroy, and nothing is left."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from envctl.engine.deployment import DeploymentResult
from envctl.engine.properties import contains_secret, is_secret, reveal
from envctl.engine.state import ResourceState

from engine_support import destroy, mutating, recorded_calls, up
from probing import PROBES
from program_cases import ACCOUNT, CASES, DB_PASSWORD, PASSPHRASE, PROGRAMS, Cloud, Outputs, ProgramCase


@pytest.fixture
def cloud(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    return Cloud(moto_endpoint)


def copy_program(name: str, destination: Path) -> Path:
    # expect.py is the test's, not the program's.
    return Path(shutil.copytree(PROGRAMS / name, destination / name,
                                ignore=shutil.ignore_patterns("__pycache__", "expect.py")))


@pytest.fixture
def project(case: ProgramCase, cloud: Cloud, tmp_path: Path) -> Iterator[Path]:
    """A copy of the case's program that the test may edit; whatever a failed test left deployed is destroyed,
    since the moto server is shared."""
    copied = copy_program(case.name, tmp_path)
    yield copied
    for stack in reversed(case.stacks):
        run(copied, stack, cloud, "destroy")


def run(project: Path, stack: str, cloud: Cloud, operation: str) -> DeploymentResult:
    return {"up": up, "destroy": destroy}[operation](project, stack, cloud.endpoint)


def succeeded(result: DeploymentResult) -> DeploymentResult:
    assert result.succeeded, result.error
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_program_up_again_edit_destroy(
    case: ProgramCase, project: Path, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.setup:
        case.setup(cloud)
    with recorded_calls(monkeypatch) as calls:
        first = {stack: succeeded(run(project, stack, cloud, "up")) for stack in case.stacks}
        outputs = {k: v for result in first.values() for k, v in reveal(result.outputs).items()}
        case.verify(cloud, outputs)
        created = owned([r for result in first.values() for r in result.resources])
        assert existing(cloud, created) == created  # what the nothing-left check looks for is there
        assert_secrets_kept(case, project, first[case.stacks[-1]].outputs)

        before_again = len(calls)
        for stack, result in first.items():
            again = succeeded(run(project, stack, cloud, "up"))
            assert not again.has_changes and again.changes["same"] == result.changes["create"]
            assert again.outputs == result.outputs
        assert mutating(calls[before_again:]) == []

        edited_stack = case.stacks[-1]
        case.edit.apply(project)
        edited = succeeded(run(project, edited_stack, cloud, "up"))
        changed = [(s.op, s.type) for s in edited.planned]  # reads change nothing
        assert sorted(changed) == sorted(case.edit.steps)
        case.edit.verify(cloud, reveal(first[edited_stack].outputs), reveal(edited.outputs))

        if case.unprotect:
            before_refusal = len(calls)
            refused = run(project, edited_stack, cloud, "destroy")
            assert not refused.succeeded and "cannot delete protected resource" in (refused.error or "")
            case.unprotect(project)
            succeeded(run(project, edited_stack, cloud, "up"))
            assert mutating(calls[before_refusal:]) == []
    # Each resource as last deployed, including those the edit replaced.
    last = {(r.type, r.id): r for result in (*first.values(), edited) for r in result.resources}
    deployed = owned(list(last.values()))
    for stack in reversed(case.stacks):
        assert succeeded(run(project, stack, cloud, "destroy")).resources == []
    left = existing(cloud, deployed)
    assert [o.resource.urn for o in left] == [o.resource.urn for o in deployed if o.resource.retain_on_delete]
    for item in left:  # retained on delete: the user removes them by hand
        REMOVE_RETAINED[item.resource.type](item.client(cloud), str(item.resource.id))


def test_a_program_with_unsupported_types_fails_naming_them_and_changes_nothing(
    cloud: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_program("glue-catalog", tmp_path)
    with recorded_calls(monkeypatch) as calls:
        result = run(project, "test", cloud, "up")
    assert not result.succeeded and result.error_kind == "bad_input"
    assert result.error is not None and result.error.startswith(
        "unsupported resource type(s): aws:glue/catalogDatabase:CatalogDatabase, aws:glue/catalogTable:CatalogTable. "
        "Nothing was changed.")
    assert result.error.endswith("`envctl types` lists the types envctl supports") and len(result.error) < 300
    assert mutating(calls) == []
    assert run(project, "test", cloud, "destroy").changes["delete"] == 0  # nothing was recorded either


# ---- secrets ---------------------------------------------------------------------------------------------


def secret_plaintexts(value: Any) -> list[str]:
    """The plaintext strings inside every secret of an output value (wire form)."""
    if is_secret(value):
        return [leaf for leaf in _leaves(reveal(value)) if isinstance(leaf, str)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in secret_plaintexts(item)]
    if isinstance(value, list):
        return [text for item in value for text in secret_plaintexts(item)]
    return []


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def assert_secrets_kept(case: ProgramCase, project: Path, outputs: Outputs) -> None:
    """Named outputs come back secret, and no secret is in the project's database in plaintext."""
    for name in case.secret_outputs:
        assert contains_secret(outputs[name]), f"output {name} should be secret"
    plaintexts = [text for text in secret_plaintexts(outputs) if len(text) >= 8]
    assert len(plaintexts) >= len(case.secret_outputs)
    stored = b"".join(path.read_bytes() for path in (project / ".envctl").glob("ledger.db*"))
    for text in {*plaintexts, DB_PASSWORD}:
        assert text.encode() not in stored, f"a secret is stored in plaintext: {text[:4]}..."


# ---- nothing left behind ---------------------------------------------------------------------------------

# Deleted by hand after checking that destroy kept them.
REMOVE_RETAINED: dict[str, Callable[[Callable[[str], Any], str], Any]] = {
    "aws:cloudwatch/logGroup:LogGroup": lambda c, id: c("logs").delete_log_group(logGroupName=id),
}


@dataclass(frozen=True)
class Owned:
    """A cloud resource a program created, and the account it lives in."""

    resource: ResourceState
    account: str

    def client(self, cloud: Cloud) -> Callable[[str], Any]:
        return partial(cloud.client, account=self.account)


def owned(resources: list[ResourceState]) -> list[Owned]:
    """The cloud resources among `resources` (not providers, components, or resources only read), each in its
    explicit provider's last assumed role's account, or in the default one."""
    providers = {r.urn: reveal(r.inputs) for r in resources if r.type.startswith("pulumi:providers:")}
    found = []
    for resource in resources:
        if not resource.custom or resource.external or resource.type.startswith("pulumi:"):
            continue
        roles = providers.get((resource.provider or "").rsplit("::", 1)[0], {}).get("assumeRoles")
        roles = json.loads(roles) if isinstance(roles, str) else roles
        found.append(Owned(resource, roles[-1]["roleArn"].split(":")[4] if roles else ACCOUNT))
    return found


def existing(cloud: Cloud, resources: list[Owned]) -> list[Owned]:
    """Those of `resources` that boto3 still finds in the cloud."""
    found = []
    for item in resources:
        probe = PROBES.get(item.resource.type)
        assert probe is not None, f"no probe for {item.resource.type}"
        if probe(item.client(cloud), str(item.resource.id), reveal(item.resource.outputs)):
            found.append(item)
    return found
