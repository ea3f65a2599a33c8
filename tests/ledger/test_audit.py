"""envctl audit: a snapshot's provenance, and a resource's lineage found by URN, physical id, ARN or the tags
envctl puts on what it creates (SQLite and PostgreSQL ledgers; the real command against the moto server)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner, Result

from envctl.cli import audit_cmd
from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.audit import AuditResult, NotRecorded, audit, audit_tagged
from envctl.ledger.db import LEDGER_URL_ENV, default_url
from envctl.ledger.db.ledger_tables import ledger_snapshots
from envctl.providers.aws.context import AwsContext

from engine_support import aws, destroy, envctl, write_program
from ledger_fixtures import fingerprint, git, resource, snapshot_input

pytest_plugins = ["ledger_fixtures"]

LOGS = "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs"


def sources(commit: str, dirty: bool = False) -> dict[str, object]:
    return {"commit": commit, "branch": "main", "dirty": dirty, "dirty_digest": "d" * 64 if dirty else None,
            "files": {"Pulumi.yaml": "1" * 64}}


def record_history(ledger: Ledger) -> None:
    """dev@1: alice creates logs and assets; dev@2: bob retags logs from CI run 77 with uncommitted changes;
    dev@3: logs replaced (new id) with another config; dev@4: destroyed."""
    ledger.record(snapshot_input(sources=sources("a" * 40)), fingerprint)
    retagged = resource("logs")
    retagged["inputs"]["tags"]["env"] = retagged["outputs"]["tags"]["env"] = "prod"
    ledger.record(snapshot_input(actor="bob", ci_run_id="77", sources=sources("b" * 40, dirty=True),
                                 resources=[retagged, resource("assets")]), fingerprint)
    replaced = resource("logs", id_="logs-7654321")
    replaced["inputs"]["tags"]["env"] = replaced["outputs"]["tags"]["env"] = "prod"
    ledger.record(snapshot_input(sources=sources("c" * 40), config={"aws:region": "eu-west-1"},
                                 resources=[replaced, resource("assets")]), fingerprint)
    ledger.record(snapshot_input(operation="destroy", sources=sources("c" * 40), resources=[],
                                 changes={"delete": 2}), fingerprint)


@pytest.fixture
def history(ledger: Ledger) -> Ledger:
    record_history(ledger)
    return ledger


def audit_of(ledger: Ledger, thing: str) -> AuditResult:
    with ledger.engine.connect() as conn:
        return audit(conn, thing)


def events(result: AuditResult) -> list[tuple[str, str]]:
    [lineage] = result.lineages
    return [(event.event, event.snapshot.ref) for event in lineage.events]


def test_the_lineage_of_a_urn_names_the_snapshots_that_created_changed_replaced_and_deleted_it(
        history: Ledger) -> None:
    result = audit_of(history, LOGS)
    assert events(result) == [("created", "dev@1"), ("updated", "dev@2"), ("replaced", "dev@3"), ("deleted", "dev@4")]
    created, updated, replaced, deleted = result.lineages[0].events
    assert (created.snapshot.actor, created.snapshot.commit, created.id) == ("alice", "a" * 40, "logs-1234567")
    assert (updated.snapshot.actor, updated.snapshot.ci_run_id, updated.snapshot.commit, updated.snapshot.dirty) \
        == ("bob", "77", "b" * 40, True)
    assert updated.changes is not None
    assert updated.changes["inputs"] == [{"path": "tags.env", "kind": "changed", "from": "dev", "to": "prod"}]
    assert (replaced.id_from, replaced.id) == ("logs-1234567", "logs-7654321")
    assert deleted.snapshot.operation == "destroy" and result.lineages[0].id == "logs-7654321"


def test_an_arn_or_any_physical_id_it_had_leads_to_the_same_lineage(history: Ledger) -> None:
    expected = events(audit_of(history, LOGS))
    for thing, matched_by in (("arn:aws:s3:::logs", "arn"), ("logs-1234567", "id"), ("logs-7654321", "id")):
        result = audit_of(history, thing)
        assert (result.matched_by, result.lineages[0].urn, events(result)) == (matched_by, LOGS, expected)
    # assets never changed: created, then deleted, and nothing in between
    assert events(audit_of(history, "assets-1234567")) == [("created", "dev@1"), ("deleted", "dev@4")]


def test_a_snapshot_has_its_full_provenance_and_an_intact_chain(history: Ledger) -> None:
    result = audit_of(history, "dev@2")
    snapshot = result.provenance
    assert result.kind == "snapshot" and snapshot is not None
    assert (snapshot.summary.actor, snapshot.host, snapshot.ci_run_id) == ("bob", "build-1", "77")
    assert snapshot.sources is not None and (snapshot.sources["commit"], snapshot.sources["dirty"]) == ("b" * 40, True)
    assert snapshot.manifest is not None and snapshot.manifest["packages"]["pulumi"] == "3.272.0"
    config_digests = [audit_of(history, ref).provenance.config_digest for ref in ("dev@1", "dev@2", "dev@3")]
    assert config_digests[0] == config_digests[1] != config_digests[2]
    assert snapshot.chain.ok and snapshot.prev_hash == audit_of(history, "dev@1").provenance.summary.hash
    document = result.to_json()["snapshot"]
    assert (document["ref"], document["chain"]["ok"], document["hash"]) == ("dev@2", True, snapshot.summary.hash)


def test_a_snapshot_edited_in_the_database_has_a_broken_chain(history: Ledger) -> None:
    with history.engine.begin() as conn:
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.env == "dev", ledger_snapshots.c.seq == 2)
                     .values(actor="mallory"))
    edited = audit_of(history, "dev@2").provenance
    assert not edited.chain.ok and any("modified" in problem for problem in edited.chain.problems)
    assert audit_of(history, "dev@3").provenance.chain.ok  # it still links to the hash dev@2 was recorded with


def test_after_pruning_the_lineage_starts_where_the_kept_history_does(history: Ledger) -> None:
    history.prune("dev", keep=2)
    assert events(audit_of(history, LOGS)) == [("present", "dev@3"), ("deleted", "dev@4")]
    with pytest.raises(NotRecorded):
        audit_of(history, "logs-1234567")  # only the pruned snapshots had that id
    assert audit_of(history, "dev@1").provenance.sources is None  # the header stays, the content is gone


def test_what_the_ledger_does_not_know_is_bad_input_saying_what_was_tried(history: Ledger) -> None:
    with pytest.raises(BadInput, match="not a snapshot .* nor the physical id"):
        audit_of(history, "nothing-here")
    with pytest.raises(BadInput, match="no snapshot records a resource with arn"):
        audit_of(history, "arn:aws:s3:::nope")


def test_envctl_tags_lead_back_to_the_lineage_even_when_the_urn_is_tagged_by_its_hash(ledger: Ledger) -> None:
    long = resource("x" * 250)
    ledger.record(snapshot_input(resources=[long]), fingerprint)
    tags = AwsContext(region="us-east-1", stack="dev").envctl_tags(long["urn"])  # what the engine tags with
    assert tags["envctl:urn"].startswith("sha256:")
    with ledger.engine.connect() as conn:
        result = audit_tagged(conn, "arn:aws:s3:::somewhere", tags["envctl:env"], tags["envctl:urn"])
        assert (result.matched_by, result.lineages[0].urn) == ("cloud-tags", long["urn"])
        with pytest.raises(NotRecorded, match="another ledger"):
            audit_tagged(conn, "vpc-1", "dev", "urn:pulumi:dev::shop::aws:ec2/vpc:Vpc::gone")


# ---- the command -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    ledger = Ledger.open(default_url(root))
    record_history(ledger)
    ledger.engine.dispose()
    monkeypatch.setenv(LEDGER_URL_ENV, default_url(root))
    monkeypatch.setenv("COLUMNS", "200")  # lines as a wide terminal shows them
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> Result:
    app = typer.Typer()
    audit_cmd.register(app)
    return CliRunner().invoke(app, list(args))


def test_the_command_renders_a_lineage_and_a_provenance_as_text_and_json(project: Path) -> None:
    lineage = run("arn:aws:s3:::logs")
    assert lineage.exit_code == 0, lineage.output
    for fragment in ("created", "dev@1", "alice", "a" * 12, "tags.env: dev → prod", "logs-1234567 → logs-7654321"):
        assert fragment in lineage.output
    document = json.loads(run(LOGS, "--json").output)
    assert [e["event"] for e in document["resources"][0]["events"]] == ["created", "updated", "replaced", "deleted"]

    provenance = run("dev@2")
    assert provenance.exit_code == 0 and "CI run" in provenance.output and "intact" in provenance.output
    assert json.loads(run("dev@2", "--json").output)["snapshot"]["ci_run_id"] == "77"


def test_the_command_exits_1_on_a_broken_chain_and_2_on_what_it_cannot_find(project: Path) -> None:
    missing = run("nothing-here")
    assert isinstance(missing.exception, BadInput) and "envctl's tags" in str(missing.exception)
    assert isinstance(run("dev@1", "--cloud", "mars").exception, BadInput)
    ledger = Ledger.open(default_url(project))
    with ledger.engine.begin() as conn:
        conn.execute(update(ledger_snapshots).where(ledger_snapshots.c.seq == 1).values(host="elsewhere"))
    broken = run("dev@1")
    assert broken.exit_code == 1 and "broken" in broken.output


# ---- end to end: an ARN as the cloud lists it ----------------------------------------------------

PROGRAM = """
import json
import pulumi, pulumi_aws as aws
queue = aws.sqs.Queue("jobs")
logs = aws.cloudwatch.LogGroup("app", retention_in_days=7)
role = aws.iam.Role("worker", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
vpc = aws.ec2.Vpc("net", cidr_block="10.70.0.0/16")
pulumi.export("queue", queue.url)
pulumi.export("logs", logs.name)
pulumi.export("role", role.arn)
pulumi.export("vpc", vpc.id)
"""


@pytest.fixture
def deployed(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A small program in a git repository, brought up with the envctl command; its commit."""
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv(LEDGER_URL_ENV, raising=False)
    root = write_program(tmp_path / "project", PROGRAM, "config:\n  aws:region: us-east-1\n")
    (root / ".gitignore").write_text(".envctl/\n__pycache__/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "jobs")
    assert envctl(root, "up", "test", "--yes").returncode == 0
    yield root, git(root, "rev-parse", "HEAD").strip()
    destroy(root, "test", moto_endpoint)


@pytest.mark.e2e
def test_audit_of_an_arn_from_the_local_cloud_names_the_snapshot_commit_and_actor_that_created_it(
        deployed: tuple[Path, str], moto_endpoint: str, tmp_path: Path) -> None:
    root, commit = deployed
    outputs = json.loads(envctl(root, "show", "test", "--json").stdout)["outputs"]
    queue_arn = aws(moto_endpoint, "sqs").get_queue_attributes(
        QueueUrl=outputs["queue"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    group = aws(moto_endpoint, "logs").describe_log_groups(logGroupNamePrefix=outputs["logs"])["logGroups"][0]
    for arn in (queue_arn, group["arn"]):  # CloudWatch lists a group's ARN with ":*"
        result = envctl(root, "audit", arn)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "created" in result.stdout and "test@1" in result.stdout
        assert commit[:12] in result.stdout and getpass.getuser() in result.stdout
    created = json.loads(envctl(root, "audit", queue_arn, "--json").stdout)["resources"][0]["events"][0]["snapshot"]
    assert (created["ref"], created["commit"], created["dirty"]) == ("test@1", commit, False)

    # A ledger that did not deploy them: their tags still name the environment and URN (tagging API, IAM, EC2).
    for thing, urn in ((queue_arn, "aws:sqs/queue:Queue::jobs"), (outputs["role"], "aws:iam/role:Role::worker"),
                       (outputs["vpc"], "aws:ec2/vpc:Vpc::net")):
        elsewhere = envctl(root, "audit", thing, env={LEDGER_URL_ENV: f"sqlite:///{tmp_path / 'other.db'}"})
        assert elsewhere.returncode == 2, elsewhere.stderr
        assert f"tagged by envctl as urn:pulumi:test::testproj::{urn} of environment 'test'" in elsewhere.stderr
    unknown = envctl(root, "audit", "vpc-0000000000", env={LEDGER_URL_ENV: f"sqlite:///{tmp_path / 'other.db'}"})
    assert unknown.returncode == 2 and "no resource 'vpc-0000000000' with envctl's tags" in unknown.stderr
