"""End to end: the real `envctl` command in a subprocess, on a copy of the reference project."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from envctl.engine.lock import holder
from envctl.engine.state import StateStore
from envctl.ledger.db import connect

from engine_support import assert_clean_failure, aws, copy_reference_project, destroy, envctl
from envctl_command import ENVCTL, run_envctl

pytestmark = pytest.mark.e2e
@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A reference project whose commands use the shared moto server; its envs are destroyed afterwards."""
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    root = copy_reference_project(tmp_path / "project")
    yield root
    database_file = root / ".envctl" / "ledger.db"
    if database_file.exists():
        database = connect(f"sqlite:///{database_file}")
        for env in ("dev", "staging"):
            if StateStore(database, env, None).has_resources():
                destroy(root, env, moto_endpoint)  # in-process: quicker than the command


def test_up_from_nothing_starts_the_local_cloud_and_records_a_snapshot(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVCTL_CLOUD_ENDPOINT", raising=False)
    root = copy_reference_project(tmp_path / "fresh")
    try:
        first = envctl(root, "up", "dev", "--yes")
        assert first.returncode == 0, first.stdout + first.stderr
        assert "recorded snapshot dev@1" in first.stdout

        status = json.loads(envctl(root, "cloud", "status", "--json").stdout)
        assert status["running"] and status["endpoint"].startswith("http://127.0.0.1:")
        assert (root / ".envctl" / "cloud.json").exists()
        vpcs = aws(status["endpoint"], "ec2").describe_vpcs(Filters=[{"Name": "tag:envctl:env", "Values": ["dev"]}])
        assert [v["CidrBlock"] for v in vpcs["Vpcs"]] == ["10.10.0.0/16"]

        again = json.loads(envctl(root, "up", "dev", "--yes", "--json").stdout)
        assert again["snapshot"] == "dev@2"
        assert {op: n for op, n in again["changes"].items() if n} == {"same": 22}

        history = json.loads(envctl(root, "history", "dev", "--json").stdout)
        assert [h["ref"] for h in history] == ["dev@2", "dev@1"]
        assert {"ref", "operation", "status", "started", "hash"} <= set(history[0])

        destroyed = json.loads(envctl(root, "destroy", "dev", "--yes", "--json").stdout)
        assert destroyed["changes"]["delete"] == 22 and destroyed["snapshot"] == "dev@3"
        assert aws(status["endpoint"], "ec2").describe_vpcs(
            Filters=[{"Name": "tag:envctl:env", "Values": ["dev"]}])["Vpcs"] == []
    finally:
        envctl(root, "cloud", "stop")
    assert json.loads(envctl(root, "cloud", "status", "--json").stdout)["running"] is False


def test_preview_shows_a_config_edit_and_up_applies_it(project: Path, moto_endpoint: str) -> None:
    assert envctl(project, "up", "dev", "--yes").returncode == 0
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace("logLevel: debug", "logLevel: info"))

    plan = json.loads(envctl(project, "preview", "dev", "--json").stdout)
    assert [(p["op"], p["type"]) for p in plan["planned"]] == [("update", "aws:ssm/parameter:Parameter")]
    ssm = aws(moto_endpoint, "ssm")
    assert ssm.get_parameter(Name="/envctl-reference/dev/log-level")["Parameter"]["Value"] == "debug"

    applied = json.loads(envctl(project, "up", "dev", "--yes", "--json").stdout)
    assert applied["changes"]["update"] == 1
    assert ssm.get_parameter(Name="/envctl-reference/dev/log-level")["Parameter"]["Value"] == "info"


def test_up_without_yes_and_without_a_terminal_asks_for_yes(project: Path) -> None:
    assert_clean_failure(envctl(project, "up", "dev"), 2, "--yes")


def test_unknown_environment_is_bad_input(project: Path) -> None:
    assert_clean_failure(envctl(project, "up", "qa", "--yes"), 2, "unknown environment 'qa'", "dev, prod, staging")


def test_malformed_stack_file_names_file_and_line(project: Path) -> None:
    (project / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: [us-east-1\n")
    assert_clean_failure(envctl(project, "up", "dev", "--yes"), 2, "Pulumi.dev.yaml:", "invalid YAML")


def test_an_exception_in_the_program_fails_with_its_line_and_is_recorded(project: Path) -> None:
    main = project / "infra" / "__main__.py"
    main.write_text(main.read_text() + "\nraise RuntimeError('quota exceeded')\n")
    result = envctl(project, "up", "dev", "--yes")
    assert_clean_failure(result, 1, "__main__.py:", "RuntimeError: quota exceeded")
    history = json.loads(envctl(project, "history", "dev", "--json").stdout)
    assert history[0]["status"] == "failed"


def test_outside_a_project_says_where_it_looked(tmp_path: Path) -> None:
    result = run_envctl("history", "dev", cwd=tmp_path, timeout=60)
    assert_clean_failure(result, 2, "no Pulumi project")


def test_two_concurrent_ups_of_one_environment_one_runs_the_other_names_the_holder(project: Path) -> None:
    first = subprocess.Popen([*ENVCTL, "-C", str(project), "up", "dev", "--yes"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ), stdin=subprocess.DEVNULL)
    database = connect(f"sqlite:///{project / '.envctl' / 'ledger.db'}")
    deadline = time.monotonic() + 60
    while holder(database, "dev") is None and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    second = envctl(project, "up", "dev", "--yes")
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    assert_clean_failure(second, 1, "locked by `envctl up`", f"pid {first.pid}")
    history = json.loads(envctl(project, "history", "dev", "--json").stdout)
    assert len(history) == 1


def test_diff_after_a_config_edit_shows_the_key_and_the_resources_it_changed(project: Path) -> None:
    assert envctl(project, "up", "dev", "--yes").returncode == 0
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace("logLevel: debug", "logLevel: warn"))
    assert envctl(project, "up", "dev", "--yes").returncode == 0

    diff = json.loads(envctl(project, "diff", "dev~1", "dev", "--json").stdout)
    assert diff["config"] == {"added": {}, "removed": {},
                              "changed": {"envctl-reference:logLevel": {"from": "debug", "to": "warn"}}}
    resources = diff["resources"]
    assert [r["type"] for r in resources["updated"]] == ["aws:ssm/parameter:Parameter"]
    assert [c["path"] for c in resources["updated"][0]["inputs"]] == ["insecureValue"]
    assert resources["added"] == resources["removed"] == resources["replaced"] == []
    assert not any(diff["packages"].values())
    assert not any(diff["outputs"].values())
    assert set(diff["sources"]["files"]["changed"]) == {"stack"}  # the edited stack file, nothing else

    assert envctl(project, "diff", "dev~1", "dev", "--exit-code").returncode == 1
    same = envctl(project, "diff", "dev@1", "dev@1", "--exit-code", "--json")
    assert same.returncode == 0
    empty = json.loads(same.stdout)
    assert not any(any(section.values()) for key, section in empty.items() if key in ("config", "resources",
                                                                                        "packages", "outputs"))


def test_diff_of_two_reference_environments_fits_on_one_screen_and_names_the_config(project: Path) -> None:
    for env in ("dev", "staging"):
        assert envctl(project, "up", env, "--yes").returncode == 0

    shown = envctl(project, "diff", "dev", "staging")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) <= 40, shown.stdout
    summary = lines[lines.index("Summary") + 1]
    for key in ("logLevel", "logRetentionDays", "vpcCidr", "queueVisibilityTimeoutSeconds"):
        assert key in summary
    assert "replaced" not in shown.stdout and "arn:aws" not in shown.stdout
    assert "cidrBlock: 10.10.0.0/16 → 10.20.0.0/16" in shown.stdout

    document = json.loads(envctl(project, "diff", "dev", "staging", "--json").stdout)
    assert document["across_environments"] and document["summary"]["resources"]["replaced"] == []
    assert "network-vpc" in document["summary"]["resources"]["updated"]
    with_ids = json.loads(envctl(project, "diff", "dev", "staging", "--json", "--ids").stdout)
    physical = [r for r in json.loads(envctl(project, "show", "dev", "--json").stdout)["resources"] if r.get("id")]
    assert len(with_ids["resources"]["replaced"]) == len(physical)  # every physical resource differs by id
