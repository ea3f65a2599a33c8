"""envctl rebuild: a snapshot's commit deployed again, toolchain differences reported, parity checked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from envctl.cli import context, rebuild_cmd
from envctl.errors import BadInput
from envctl.ledger import Ledger, capture_manifest
from envctl.rebuild.parity import compare
from envctl.rebuild.toolchain import compare_toolchain

from engine_support import assert_clean_failure, aws, copy_reference_project, destroy, envctl, write_program
from ledger_fixtures import fingerprint, git, snapshot_input

# ---- parity ----------------------------------------------------------------------------------


def _resource(env: str, type_: str, name: str, id_: str, inputs: dict[str, Any],
              outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:{env}::shop::{type_}::{name}", "type": type_, "id": id_, "custom": True,
            "inputs": inputs, "outputs": {**inputs, **(outputs or {})}}


def _stack(env: str, vpc: str, subnet_vpc: str, dlq: str, suffix: str, secret: str = "hmac-sha256:aa") -> list:
    """A small environment as the ledger stores it: a VPC and its subnet, a queue whose redrive policy names
    its dead-letter queue's ARN, and a parameter with a secret value."""
    dlq_arn = f"arn:aws:sqs:us-east-1:123456789012:{dlq}"
    return [
        {"urn": f"urn:pulumi:{env}::shop::pulumi:pulumi:Stack::shop-{env}", "type": "pulumi:pulumi:Stack",
         "custom": False, "outputs": {"vpcId": vpc}},
        _resource(env, "aws:ec2/vpc:Vpc", "net", vpc, {"cidrBlock": "10.0.0.0/16", "tags": {"env": env}}),
        _resource(env, "aws:ec2/subnet:Subnet", "net-a", f"subnet-{suffix}", {"vpcId": subnet_vpc,
                                                                              "cidrBlock": "10.0.0.0/20"}),
        _resource(env, "aws:sqs/queue:Queue", "dlq", f"http://127.0.0.1:5000/123456789012/{dlq}", {"name": dlq},
                  {"arn": dlq_arn}),
        _resource(env, "aws:sqs/queue:Queue", "jobs", f"http://127.0.0.1:5000/123456789012/jobs-{suffix}",
                  {"name": f"jobs-{suffix}", "redrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})}),
        _resource(env, "aws:ssm/parameter:Parameter", "token", f"/shop/{env}/token",
                  {"name": f"/shop/{env}/token", "value": {"secret": secret}}),
    ]


SOURCE = _stack("dev", "vpc-0aaa1111", "vpc-0aaa1111", "dlq-1a2b3c4", "1a2b3c4")


def test_parity_sets_aside_physical_ids_auto_names_and_what_derives_from_them() -> None:
    rebuilt = _stack("dev", "vpc-0bbb2222", "vpc-0bbb2222", "dlq-9f8e7d6", "9f8e7d6")
    parity = compare(SOURCE, rebuilt, "dev", "dev")
    assert parity.holds and parity.compared == 6


def test_parity_lists_what_is_missing_extra_or_configured_differently() -> None:
    rebuilt = _stack("dev", "vpc-0bbb2222", "vpc-0bbb2222", "dlq-9f8e7d6", "9f8e7d6", secret="hmac-sha256:bb")
    rebuilt[1]["inputs"]["cidrBlock"] = "10.9.0.0/16"
    rebuilt[3]["urn"] = rebuilt[3]["urn"].replace("::dlq", "::dead-letters")
    parity = compare(SOURCE, rebuilt, "dev", "dev")
    assert not parity.holds
    assert [r["urn"].rpartition("::")[2] for r in parity.missing] == ["dlq"]
    assert [r["urn"].rpartition("::")[2] for r in parity.extra] == ["dead-letters"]
    changes = {(m.urn.rpartition("::")[2], c.path): (c.before, c.after) for m in parity.mismatches for c in m.changes}
    assert changes[("net", "cidrBlock")] == ("10.0.0.0/16", "10.9.0.0/16")
    assert changes[("token", "value")] == ("[secret]", "[secret]")  # the fingerprint changed
    # The ARN of a dead-letter queue that is no longer the same resource is no physical detail.
    assert ("jobs", "redrivePolicy") in changes


def test_parity_notices_a_resource_wired_to_another_one() -> None:
    source = [*SOURCE, _resource("dev", "aws:ec2/vpc:Vpc", "spare", "vpc-0ccc3333", {"cidrBlock": "10.0.0.0/16",
                                                                                      "tags": {"env": "dev"}})]
    rebuilt = _stack("dev", "vpc-0bbb2222", "vpc-0ddd4444", "dlq-9f8e7d6", "9f8e7d6")
    rebuilt.append(_resource("dev", "aws:ec2/vpc:Vpc", "spare", "vpc-0ddd4444", {"cidrBlock": "10.0.0.0/16",
                                                                                 "tags": {"env": "dev"}}))
    parity = compare(source, rebuilt, "dev", "dev")
    assert [(m.urn.rpartition("::")[2], [c.path for c in m.changes]) for m in parity.mismatches] == \
        [("net-a", ["vpcId"])]


def test_parity_into_another_environment_sets_aside_the_environment_name() -> None:
    rebuilt = _stack("drill", "vpc-0bbb2222", "vpc-0bbb2222", "dlq-9f8e7d6", "9f8e7d6")
    assert compare(SOURCE, rebuilt, "dev", "drill").holds
    assert not compare(SOURCE, rebuilt, "dev", "dev").holds


# ---- toolchain -------------------------------------------------------------------------------


def test_toolchain_differences_name_every_package_interpreter_and_os_change() -> None:
    recorded = capture_manifest({"engine": "local", "cloud": "local"})
    today = copy.deepcopy(recorded)
    today["packages"]["boto3"] = "0.0.1"
    del today["packages"]["pyyaml"]
    today["packages"]["left-pad"] = "1.0"
    today["python"]["version"] = "3.99.0"
    today["os"]["release"] = "0.0-test"
    today["sdks"]["pulumi"] = "0.0.2"
    differences = {(d.item, d.kind): (d.recorded, d.today) for d in compare_toolchain(recorded, today)}
    assert differences == {
        ("packages.boto3", "changed"): (recorded["packages"]["boto3"], "0.0.1"),
        ("packages.pyyaml", "removed"): (recorded["packages"]["pyyaml"], None),
        ('packages["left-pad"]', "added"): (None, "1.0"),
        ("python.version", "changed"): (recorded["python"]["version"], "3.99.0"),
        ("os.release", "changed"): (recorded["os"]["release"], "0.0-test"),
        ("sdks.pulumi", "changed"): (recorded["sdks"]["pulumi"], "0.0.2"),
    }
    assert compare_toolchain(recorded, copy.deepcopy(recorded)) == []


# ---- end to end ------------------------------------------------------------------------------


def _commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def _json(project: Path, *args: str) -> Any:
    result = envctl(project, *args, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.mark.e2e
def test_disaster_drill_rebuilds_what_the_cloud_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cloud of its own: the reset wipes every resource of the moto server it resets.
    monkeypatch.delenv("ENVCTL_CLOUD_ENDPOINT", raising=False)
    repo = copy_reference_project(tmp_path / "repo")
    (repo / ".gitignore").write_text(".envctl/\n__pycache__/\n")
    git(repo, "init", "-q", "-b", "main")
    commit = _commit_all(repo, "reference environment")
    try:
        up = _json(repo, "up", "dev", "--yes")
        in_cloud = {r["urn"] for r in _json(repo, "show", up["snapshot"])["resources"]
                    if r.get("id") and not r["type"].startswith("pulumi:")}

        assert envctl(repo, "cloud", "reset", "--yes").returncode == 0
        drift = envctl(repo, "drift", "dev", "--json")
        assert drift.returncode == 1, drift.stdout + drift.stderr
        report = json.loads(drift.stdout)
        assert {r["urn"] for r in report["resources"] if r["status"] == "missing"} == in_cloud

        rebuilt = envctl(repo, "rebuild", "dev", "--yes")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert f"{len(in_cloud)} of {len(in_cloud)} resources differed from the cloud" in rebuilt.stdout
        assert "time to recover:" in rebuilt.stdout and "parity holds" in rebuilt.stdout

        after = _json(repo, "drift", "dev")  # exits 0: no drift
        assert (after["drifted"], after["checked"]) == (False, len(in_cloud))
        history = _json(repo, "history", "dev")
        assert [(h["ref"], h["operation"]) for h in history] == [("dev@2", "rebuild"), ("dev@1", "up")]
        snapshot = _json(repo, "show", "dev@2")
        assert snapshot["source_ref"] == "dev@1" and snapshot["sources"]["commit"] == commit
        assert envctl(repo, "ledger", "verify").returncode == 0
    finally:
        envctl(repo, "cloud", "stop")  # the environment goes with its cloud


PROGRAM = """
import pulumi, pulumi_aws as aws
level = aws.ssm.Parameter("level", type="String", value="{level}")
jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds={timeout})
{extra}
pulumi.export("parameter", level.name)
pulumi.export("queue", jobs.url)
"""


@pytest.mark.e2e
def test_rebuild_from_an_earlier_snapshot_deploys_that_commits_program(
        tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    repo = tmp_path / "repo"
    project = write_program(repo / "env", PROGRAM.format(level="debug", timeout=30, extra=""),
                            "config:\n  aws:region: us-east-1\n", name="rebuild-from")
    (repo / ".gitignore").write_text(".envctl/\n__pycache__/\n")
    git(repo, "init", "-q", "-b", "main")
    first = _commit_all(repo, "v1")
    (project / "settings.json").write_text("{}\n")  # test@1 is made from a dirty tree: a file the program could read
    try:
        assert _json(project, "up", "test", "--yes")["snapshot"] == "test@1"
        later = PROGRAM.format(level="info", timeout=60, extra='aws.s3.Bucket("files", force_destroy=True)')
        (project / "__main__.py").write_text(later)
        git(repo, "commit", "-q", "-a", "-m", "v2")  # settings.json stays uncommitted
        assert _json(project, "up", "test", "--yes")["snapshot"] == "test@2"

        assert_clean_failure(envctl(project, "rebuild", "test", "--from", "test@1", "--strict"), 2,
                             "uncommitted changes")
        result = _json(project, "rebuild", "test", "--from", "test@1", "--yes")

        assert result["commit"] == first and result["parity"]["holds"] and result["time_to_recover_seconds"] > 0
        assert result["changes"]["update"] == 2 and result["changes"]["delete"] == 1
        assert "uncommitted changes (env/settings.json)" in result["warnings"][0]
        outputs = _json(project, "show", result["snapshot"])["outputs"]
        ssm, sqs = aws(moto_endpoint, "ssm"), aws(moto_endpoint, "sqs")
        assert ssm.get_parameter(Name=outputs["parameter"])["Parameter"]["Value"] == "debug"
        attributes = sqs.get_queue_attributes(QueueUrl=outputs["queue"], AttributeNames=["VisibilityTimeout"])
        assert attributes["Attributes"]["VisibilityTimeout"] == "30"
        # The working tree is as it was: today's program, the uncommitted file, nothing else.
        assert (project / "__main__.py").read_text() == later
        assert git(repo, "status", "--porcelain") == "?? env/settings.json\n"
        snapshot = _json(project, "show", result["snapshot"])
        assert (snapshot["operation"], snapshot["source_ref"]) == ("rebuild", "test@1")
        assert snapshot["sources"]["commit"] == first and not snapshot["sources"]["dirty"], snapshot["sources"]
    finally:
        destroy(project, "test", moto_endpoint)


def test_strict_refuses_a_toolchain_that_differs_from_the_snapshots(tmp_path: Path) -> None:
    repo = write_program(tmp_path / "repo", PROGRAM.format(level="debug", timeout=30, extra=""),
                         "config:\n  aws:region: us-east-1\n", name="shop")
    git(repo, "init", "-q", "-b", "main")
    commit = _commit_all(repo, "v1")
    manifest = capture_manifest({"engine": "local", "cloud": "local"}, repo)
    manifest["python"]["version"] = "3.0.0"
    sources = {"commit": commit, "branch": "main", "dirty": False, "dirty_digest": None, "files": {}}
    Ledger.open(f"sqlite:///{repo / '.envctl' / 'ledger.db'}").record(
        snapshot_input("test", sources=sources, manifest=manifest), fingerprint)
    context.set_project_dir(repo)
    try:
        with pytest.raises(BadInput, match=r"--strict: .*python\.version: 3\.0\.0 in the snapshot, 3\.\d+\.\d+ today"):
            rebuild_cmd.rebuild("test", strict=True)
    finally:
        context.set_project_dir(None)
