"""Drift and refresh against a real moto server: what was changed or deleted outside envctl is reported by
`drift` (only properties the program set), and `up --refresh` puts it back; the disaster drill end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from envctl.engine.drift import DriftReport
from envctl.engine.lock import environment_lock

from engine_support import (
    aws,
    copy_reference_project,
    deployment,
    destroy,
    envctl,
    environment,
    refresh,
    up,
    write_program,
)

PROGRAM = """
import pulumi, pulumi_aws as aws
jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=30)
relaxed = aws.sqs.Queue("relaxed", visibility_timeout_seconds=30,
                        opts=pulumi.ResourceOptions(ignore_changes=["visibilityTimeoutSeconds"]))
scratch = aws.sqs.Queue("scratch")
files = aws.s3.Bucket("files", tags={"team": "data"}, force_destroy=True)
level = aws.ssm.Parameter("level", type="String", value="debug")
token = aws.ssm.Parameter("token", type="SecureString", value=pulumi.Output.secret("first-S3CRET"))
for name, value in (("jobs", jobs.url), ("relaxed", relaxed.url), ("scratch", scratch.url), ("files", files.bucket),
                    ("level", level.name), ("token", token.name)):
    pulumi.export(name, value)
"""


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str) -> Iterator[Path]:
    root = write_program(tmp_path / "project", PROGRAM)
    yield root
    destroy(root, "test", moto_endpoint)


def up_outputs(project: Path, endpoint: str) -> dict[str, str]:
    result = up(project, "test", endpoint)
    assert result.succeeded, result.error
    return result.outputs


def by_name(report: DriftReport) -> dict[str, tuple[str, dict[str, tuple[object, object]]]]:
    return {r.name: (r.status, {p.property: (p.recorded, p.actual) for p in r.properties}) for r in report.resources}


def test_drift_reports_inputs_changed_outside_and_deleted_resources_but_not_computed_outputs(
        project: Path, moto_endpoint: str) -> None:
    outputs = up_outputs(project, moto_endpoint)
    clean = deployment(project, "test", moto_endpoint).drift()
    assert (clean.drifted, clean.checked) == (False, 6)

    sqs, s3, ssm = aws(moto_endpoint, "sqs"), aws(moto_endpoint, "s3"), aws(moto_endpoint, "ssm")
    for queue in ("jobs", "relaxed"):  # relaxed ignores changes of its visibility timeout
        sqs.set_queue_attributes(QueueUrl=outputs[queue], Attributes={"VisibilityTimeout": "99"})
    sqs.delete_queue(QueueUrl=outputs["scratch"])
    tags = s3.get_bucket_tagging(Bucket=outputs["files"])["TagSet"]
    s3.put_bucket_tagging(Bucket=outputs["files"], Tagging={"TagSet": [*tags, {"Key": "owner", "Value": "mallory"}]})
    # The same value again: only the computed version changes.
    ssm.put_parameter(Name=outputs["level"], Value="debug", Type="String", Overwrite=True)
    ssm.put_parameter(Name=outputs["token"], Value="second-S3CRET", Type="SecureString", Overwrite=True)

    report = deployment(project, "test", moto_endpoint).drift()
    assert report.drifted and report.checked == 6
    assert by_name(report) == {
        "jobs": ("changed", {"visibilityTimeoutSeconds": (30, 99)}),
        "scratch": ("missing", {}),
        "files": ("changed", {"tags": ({"team": "data"}, {"team": "data", "owner": "mallory"})}),
        "token": ("changed", {"value": ("[secret]", "[secret]")}),
    }
    document = json.dumps(report.to_json())
    assert "S3CRET" not in document and json.loads(document)["drifted"] is True


def test_up_alone_keeps_the_drift_and_up_after_refresh_puts_back_what_the_program_says(
        project: Path, moto_endpoint: str) -> None:
    outputs = up_outputs(project, moto_endpoint)
    sqs = aws(moto_endpoint, "sqs")
    sqs.set_queue_attributes(QueueUrl=outputs["jobs"], Attributes={"VisibilityTimeout": "99"})
    sqs.delete_queue(QueueUrl=outputs["scratch"])

    unaware = up(project, "test", moto_endpoint)
    assert unaware.succeeded and not unaware.has_changes  # the state still says 30 and that the queue exists
    assert deployment(project, "test", moto_endpoint).drift().drifted

    reconciled = refresh(project, "test", moto_endpoint)
    assert {name: status for name, (status, _) in by_name(reconciled).items()} == {"jobs": "changed",
                                                                                   "scratch": "missing"}
    engine = deployment(project, "test", moto_endpoint)
    state = {r.urn.rpartition("::")[2]: r for r in engine.store.load()}
    assert "scratch" not in state and state["jobs"].inputs["visibilityTimeoutSeconds"] == 99

    again = up(project, "test", moto_endpoint)
    assert again.succeeded, again.error
    assert (again.changes["update"], again.changes["create"]) == (1, 1)
    attributes = sqs.get_queue_attributes(QueueUrl=outputs["jobs"], AttributeNames=["VisibilityTimeout"])
    assert attributes["Attributes"]["VisibilityTimeout"] == "30"
    assert not deployment(project, "test", moto_endpoint).drift().drifted


@pytest.mark.e2e
def test_drill_up_cloud_reset_drift_up_refresh_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disaster drill with the envctl command, on envctl's own local cloud (the shared one is not reset)."""
    monkeypatch.delenv("ENVCTL_CLOUD_ENDPOINT", raising=False)
    root = copy_reference_project(tmp_path / "project")
    try:
        assert envctl(root, "up", "dev", "--yes").returncode == 0
        clean = envctl(root, "drift", "dev")
        assert clean.returncode == 0 and "no drift" in clean.stdout and "since dev@1" in clean.stdout

        assert envctl(root, "cloud", "reset", "--yes").returncode == 0
        after_reset = envctl(root, "drift", "dev", "--json")
        assert after_reset.returncode == 1, after_reset.stderr
        report = json.loads(after_reset.stdout)
        assert report["drifted"] and report["checked"] >= 18 and report["snapshot"] == "dev@1"
        assert [r["status"] for r in report["resources"]] == ["missing"] * report["checked"]

        assert envctl(root, "up", "dev", "--preview", "--refresh").returncode == 2
        rebuilt = envctl(root, "up", "dev", "--yes", "--refresh")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert f"{report['checked']} of {report['checked']} resources differed from the cloud" in rebuilt.stdout
        final = envctl(root, "drift", "dev", "--json")
        assert final.returncode == 0 and json.loads(final.stdout)["drifted"] is False
    finally:
        envctl(root, "cloud", "stop")  # its resources go with it


@pytest.mark.e2e
def test_the_drift_command_shows_each_change_exits_1_and_warns_while_an_operation_holds_the_lock(
        project: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    monkeypatch.setenv("COLUMNS", "200")
    outputs = up_outputs(project, moto_endpoint)
    aws(moto_endpoint, "sqs").set_queue_attributes(QueueUrl=outputs["jobs"], Attributes={"VisibilityTimeout": "99"})
    aws(moto_endpoint, "s3").put_bucket_tagging(Bucket=outputs["files"], Tagging={"TagSet": [
        {"Key": "team", "Value": "web"}, {"Key": "owner", "Value": "mallory"}]})
    with environment_lock(environment(project, "test", moto_endpoint).database, "test", "up"):
        result = envctl(project, "drift", "test")
    assert result.returncode == 1, result.stderr
    assert "2 of 6 resources drifted" in result.stdout and "visibilityTimeoutSeconds: 30 → 99" in result.stdout
    # A tag map per key, as `diff` shows it (not the whole map, truncated).
    assert "tags.owner: + mallory" in result.stdout and "tags.team: data → web" in result.stdout
    assert "`envctl up`" in result.stderr and "show as drift" in result.stderr


def test_drift_of_an_unknown_environment_is_bad_input(tmp_path: Path, moto_endpoint: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    root = copy_reference_project(tmp_path / "project")
    result = envctl(root, "drift", "qa")
    assert result.returncode == 2 and "unknown environment 'qa'" in result.stderr
