"""Diff: sources, packages, config, resources, outputs, as the schema in docs/ledger-diff-schema.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envctl.ledger import Ledger, LedgerDiff, capture_sources
from envctl.ledger.property_diff import property_changes

from ledger_fixtures import commit_file, fingerprint, resource, secret, snapshot_input

pytest_plugins = ["ledger_fixtures"]


@pytest.fixture
def sqlite_ledger(sqlite_url: str) -> Ledger:
    return Ledger.open(sqlite_url)


def _diff(ledger: Ledger, before: dict[str, Any], after: dict[str, Any], repo: Path | None = None) -> LedgerDiff:
    a = ledger.record(snapshot_input(**before), fingerprint).ref
    b = ledger.record(snapshot_input(**after), fingerprint).ref
    return ledger.diff(a, b, repo_dir=repo)


def test_identical_snapshots_have_an_empty_diff_with_stable_keys(sqlite_ledger: Ledger) -> None:
    result = _diff(sqlite_ledger, {}, {})
    assert result.is_empty()
    document = result.to_json()
    assert list(document) == ["a", "b", "across_environments", "summary", "sources", "packages", "config",
                              "resources", "outputs"]
    assert document["a"]["ref"] == "dev@1" and document["b"]["ref"] == "dev@2"
    json.dumps(document)


def test_sources_list_the_commits_between_from_the_repository(sqlite_ledger: Ledger, git_repo: Path) -> None:
    files = {"Pulumi.yaml": git_repo / "Pulumi.yaml"}
    old = capture_sources(git_repo, files)
    second = commit_file(git_repo, "infra.py", "print(1)\n", "add the program")
    third = commit_file(git_repo, "Pulumi.yaml", "name: shop\nruntime: python\nmain: infra.py\n", "point main at it")
    (git_repo / "notes.txt").write_text("work in progress")
    new = capture_sources(git_repo, files)

    result = _diff(sqlite_ledger, {"sources": old}, {"sources": new}, repo=git_repo)
    sources = result.sources
    assert (sources["a"]["commit"], sources["b"]["commit"]) == (old["commit"], third)
    assert sources["commits"] == [{"commit": third, "subject": "point main at it"},
                                  {"commit": second, "subject": "add the program"}]  # fmt: skip
    assert sources["commits_reverted"] == []
    assert (sources["a"]["dirty"], sources["b"]["dirty"]) == (False, True)
    assert list(sources["files"]["changed"]) == ["Pulumi.yaml"]
    assert not result.is_empty()

    backwards = sqlite_ledger.diff("dev@2", "dev@1", repo_dir=git_repo).sources
    assert backwards["commits"] == [] and len(backwards["commits_reverted"]) == 2


def test_commits_unknown_to_the_repository_give_no_list(sqlite_ledger: Ledger, git_repo: Path) -> None:
    result = _diff(sqlite_ledger, {}, {"sources": {"commit": "b" * 40}}, repo=git_repo)
    assert result.sources["commits"] is None
    assert result.sources["b"]["commit"] == "b" * 40


def test_packages_by_pep_440_and_the_toolchain(sqlite_ledger: Ledger) -> None:
    before = {"packages": {"boto3": "1.9.0", "moto": "5.2.5", "rich": "13.0", "gone": "1.0", "odd": "x-1"},
              "python": {"version": "3.11.7"}, "os": {"release": "6.1"}, "sdks": {"pulumi": "3.272.0"}}
    after = {"packages": {"boto3": "1.10.0", "moto": "5.2.4", "rich": "13.0", "new": "0.1", "odd": "x-2"},
             "python": {"version": "3.12.1"}, "os": {"release": "6.1"}, "sdks": {"pulumi": "3.272.1"},
             "pulumi_cli": "3.200.0"}  # fmt: skip

    result = _diff(sqlite_ledger, {"manifest": before}, {"manifest": after, "engine": "pulumi"})
    packages = result.packages
    assert packages["upgraded"] == [{"name": "boto3", "from": "1.9.0", "to": "1.10.0"}]  # not string order
    assert packages["downgraded"] == [{"name": "moto", "from": "5.2.5", "to": "5.2.4"}]
    assert packages["added"] == [{"name": "new", "version": "0.1"}]
    assert packages["removed"] == [{"name": "gone", "version": "1.0"}]
    assert packages["changed"] == [{"name": "odd", "from": "x-1", "to": "x-2"}]
    toolchain = {item["path"]: (item["kind"], item["from"], item["to"]) for item in packages["toolchain"]}
    assert toolchain == {
        "engine": ("changed", "local", "pulumi"),
        "python.version": ("changed", "3.11.7", "3.12.1"),
        "sdks.pulumi": ("changed", "3.272.0", "3.272.1"),
        "pulumi_cli": ("added", None, "3.200.0"),
    }


def test_config_changes_and_secrets_by_fingerprint_only(sqlite_ledger: Ledger) -> None:
    before = {"config": {"aws:region": "us-east-1", "shop:old": "1", "shop:pw": "same", "shop:key": "k1"},
              "secret_keys": ["shop:pw", "shop:key"]}
    after = {"config": {"aws:region": "eu-west-1", "shop:new": "2", "shop:pw": "same", "shop:key": "k2-Plain"},
             "secret_keys": ["shop:pw", "shop:key"]}  # fmt: skip

    config = _diff(sqlite_ledger, before, after).config
    assert config == {
        "added": {"shop:new": "2"},
        "removed": {"shop:old": "1"},
        "changed": {"aws:region": {"from": "us-east-1", "to": "eu-west-1"},
                    "shop:key": {"from": "[secret]", "to": "[secret]"}},
    }  # fmt: skip


def test_resources_added_removed_replaced_and_updated_with_paths(sqlite_ledger: Ledger) -> None:
    web = resource("web", ingress=[{"fromPort": 80, "toPort": 80}], password=secret("pw-old-Plain"))
    web_after = resource("web", ingress=[{"fromPort": 8080, "toPort": 80}], password=secret("pw-new-Plain"))
    web_after["inputs"]["tags"] = web_after["outputs"]["tags"] = {"env": "prod", "kubernetes.io/role": "lb"}
    web_after["outputs"]["arn"] = "arn:aws:s3:::web-2"
    web_after["dependencies"] = ["urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs"]
    before = [resource("logs"), resource("db", id_="db-1"), web]
    after = [resource("logs"), resource("db", id_="db-2", engineVersion="16"), web_after, resource("cache")]

    resources = _diff(sqlite_ledger, {"resources": before}, {"resources": after}).resources
    assert [r["urn"].rpartition("::")[2] for r in resources["added"]] == ["cache"]
    assert resources["removed"] == []
    (replaced,) = resources["replaced"]
    assert (replaced["id_from"], replaced["id_to"]) == ("db-1", "db-2")
    assert replaced["inputs"] == [{"path": "engineVersion", "kind": "added", "from": None, "to": "16"}]
    (updated,) = resources["updated"]
    assert updated["type"] == "aws:s3/bucket:Bucket" and updated["id"] == "web-1234567"
    assert updated["inputs"] == [
        {"path": "ingress[0].fromPort", "kind": "changed", "from": 80, "to": 8080},
        {"path": "password", "kind": "changed", "from": "[secret]", "to": "[secret]"},
        {"path": "tags.env", "kind": "changed", "from": "dev", "to": "prod"},
        {"path": 'tags["kubernetes.io/role"]', "kind": "added", "from": None, "to": "lb"},
    ]
    assert {"path": "arn", "kind": "changed", "from": "arn:aws:s3:::web", "to": "arn:aws:s3:::web-2"} in updated[
        "outputs"]  # fmt: skip
    assert updated["meta"] == [{"path": "dependencies[0]", "kind": "added", "from": None,
                                "to": "shop::aws:s3/bucket:Bucket::logs"}]  # fmt: skip
    assert "Plain" not in json.dumps(resources)


def test_removed_resources_and_outputs(sqlite_ledger: Ledger) -> None:
    result = _diff(
        sqlite_ledger,
        {"resources": [resource("logs"), resource("old")], "outputs": {"url": "http://a", "gone": 1, "pw": secret(1)}},
        {"resources": [resource("logs")], "outputs": {"url": "http://b", "added": [1, 2], "pw": secret(2)}},
    )
    assert [r["id"] for r in result.resources["removed"]] == ["old-1234567"]
    assert result.outputs == {
        "added": {"added": [1, 2]},
        "removed": {"gone": 1},
        "changed": {"pw": {"from": "[secret]", "to": "[secret]"}, "url": {"from": "http://a", "to": "http://b"}},
    }


def test_two_envs_pair_resources_by_urn_without_the_stack(sqlite_ledger: Ledger) -> None:
    sqlite_ledger.record(snapshot_input("dev"), fingerprint)
    sqlite_ledger.record(snapshot_input("prod"), fingerprint)

    # The environment's name in a tag is what makes them two, not a difference between them...
    assert sqlite_ledger.diff("dev", "prod").resources == {"added": [], "removed": [], "replaced": [], "updated": []}
    # ...which --ids shows, with everything else.
    resources = sqlite_ledger.diff("dev", "prod", ids=True).resources
    assert resources["added"] == [] and resources["removed"] == []
    assert {r["urn"] for r in resources["updated"]} == {
        "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::logs", "urn:pulumi:prod::shop::aws:s3/bucket:Bucket::assets"
    }
    assert all(r["meta"] == [] for r in resources["updated"])  # parent and provider differ only by stack
    assert {c["path"] for c in resources["updated"][0]["inputs"]} == {"tags.env"}


def test_an_old_copy_pending_delete_does_not_hide_its_replacement(sqlite_ledger: Ledger) -> None:
    doomed = {**resource("logs", id_="logs-old"), "delete": True}
    resources = _diff(sqlite_ledger, {"resources": [resource("logs", id_="logs-old")]},
                      {"resources": [resource("logs", id_="logs-new"), doomed]}).resources  # fmt: skip
    assert [(r["id_from"], r["id_to"]) for r in resources["replaced"]] == [("logs-old", "logs-new")]
    assert [r["id"] for r in resources["added"]] == ["logs-old"]


def test_json_equality_rules_for_property_changes() -> None:
    assert property_changes({"port": 80}, {"port": 80.0}) == []  # Pulumi numbers are doubles
    assert [c.path for c in property_changes({"on": True}, {"on": 1})] == ["on"]
    assert [c.path for c in property_changes({"a": None}, {})] == ["a"]
    assert [(c.path, c.kind) for c in property_changes([1, 2], [1])] == [("[1]", "removed")]


def test_two_environments_compare_by_logical_name_with_physical_identities_set_aside(sqlite_ledger: Ledger) -> None:
    def queue(env: str, suffix: str, timeout: int) -> dict[str, Any]:
        name = f"jobs-{suffix}"
        url = f"http://127.0.0.1:5000/123456789012/{name}"
        return {"urn": f"urn:pulumi:{env}::shop::aws:sqs/queue:Queue::jobs", "type": "aws:sqs/queue:Queue",
                "id": url, "custom": True, "dependencies": [],
                "inputs": {"name": name, "visibilityTimeoutSeconds": timeout, "tags": {"env": env}},
                "outputs": {"name": name, "url": url, "arn": f"arn:aws:sqs:us-east-1:123456789012:{name}"}}

    def policy(env: str, suffix: str) -> dict[str, Any]:
        arn = f"arn:aws:sqs:us-east-1:123456789012:jobs-{suffix}"
        return {"urn": f"urn:pulumi:{env}::shop::aws:sqs/queuePolicy:QueuePolicy::jobs", "custom": True,
                "type": "aws:sqs/queuePolicy:QueuePolicy", "id": f"pol-{suffix}", "dependencies": [],
                "inputs": {"policy": json.dumps({"Resource": arn}), "path": f"/shop/{env}/jobs"}, "outputs": {}}

    dev = [queue("dev", "1a2b3c4", 30), policy("dev", "1a2b3c4")]
    staging = [queue("staging", "9f8e7d6", 60), policy("staging", "9f8e7d6")]
    a = sqlite_ledger.record(snapshot_input(env="dev", resources=dev, outputs={"url": dev[0]["id"]}), fingerprint)
    b = sqlite_ledger.record(snapshot_input(env="staging", resources=staging, outputs={"url": staging[0]["id"]}),
                             fingerprint)

    result = sqlite_ledger.diff(a.ref, b.ref)
    assert result.across_environments
    resources = result.resources
    assert (resources["replaced"], resources["added"], resources["removed"]) == ([], [], [])
    [updated] = resources["updated"]
    assert updated["urn"].endswith("::jobs") and updated["type"] == "aws:sqs/queue:Queue"
    assert [(c["path"], c["from"], c["to"]) for c in updated["inputs"]] == [("visibilityTimeoutSeconds", 30, 60)]
    assert updated["outputs"] == [] and result.outputs == {"added": {}, "removed": {}, "changed": {}}
    assert result.summary()["resources"]["updated"] == ["jobs"]

    with_ids = sqlite_ledger.diff(a.ref, b.ref, ids=True)
    assert not with_ids.across_environments
    assert {r["type"] for r in with_ids.resources["replaced"]} == {"aws:sqs/queue:Queue",
                                                                   "aws:sqs/queuePolicy:QueuePolicy"}
