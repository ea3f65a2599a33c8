"""What a run touches and when it applies, end to end through the `envctl` command: `--target`, `--exclude`,
`--replace`, `preview --exit-code`, `preview --out` with `up --plan`, `up --skip-preview`, `refresh` and
`preview --refresh`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envctl.engine.state import StateStore
from envctl.ledger.db import connect

from engine_support import assert_clean_failure, aws, destroy, envctl, write_program

pytestmark = pytest.mark.e2e

PROGRAM = """
import pulumi, pulumi_aws as aws
config = pulumi.Config()
jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=config.require_int("jobsTimeout"))
mail = aws.sqs.Queue("mail", visibility_timeout_seconds=config.require_int("mailTimeout"))
aws.ssm.Parameter("jobs-url", type="String", value=jobs.url)
pulumi.export("jobs", jobs.url)
pulumi.export("mail", mail.url)
"""
CONFIG = "config:\n  aws:region: us-east-1\n  testproj:jobsTimeout: 30\n  testproj:mailTimeout: 30\n"


@pytest.fixture
def project(tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)
    root = write_program(tmp_path / "project", PROGRAM, CONFIG)
    yield root
    if StateStore(connect(f"sqlite:///{root / '.envctl' / 'ledger.db'}"), "test", None).has_resources():
        destroy(root, "test", moto_endpoint)


def run_json(project: Path, *args: str) -> dict[str, Any]:
    result = envctl(project, *args, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def set_timeouts(project: Path, jobs: int, mail: int) -> None:
    (project / "Pulumi.test.yaml").write_text(CONFIG.replace("jobsTimeout: 30", f"jobsTimeout: {jobs}")
                                              .replace("mailTimeout: 30", f"mailTimeout: {mail}"))


def timeout_of(endpoint: str, url: str) -> str:
    attributes = aws(endpoint, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    return attributes["Attributes"]["VisibilityTimeout"]


def planned(document: dict[str, Any]) -> dict[str, str]:
    return {step["urn"].split("::")[-1]: step["op"] for step in document["planned"] if step["op"] != "same"}


def test_target_touches_only_the_target_and_exclude_leaves_one_alone(project: Path, moto_endpoint: str) -> None:
    outputs = run_json(project, "up", "test", "--yes")["outputs"]
    set_timeouts(project, 45, 60)

    targeted = run_json(project, "up", "test", "--yes", "--target", "mail")
    assert planned(targeted) == {"mail": "update"}
    assert (timeout_of(moto_endpoint, outputs["mail"]), timeout_of(moto_endpoint, outputs["jobs"])) == ("60", "30")

    excluded = run_json(project, "preview", "test", "--exclude", "jobs")
    assert planned(excluded) == {}
    assert planned(run_json(project, "preview", "test")) == {"jobs": "update"}

    assert_clean_failure(envctl(project, "up", "test", "--yes", "--target", "nothing"), 2,
                         "nothing names no resource")
    assert_clean_failure(envctl(project, "preview", "test", "--target-dependents"), 2, "--target-dependents widens")


def test_replace_replaces_an_unchanged_resource_and_its_dependents_follow(project: Path, moto_endpoint: str) -> None:
    first = run_json(project, "up", "test", "--yes")["outputs"]

    replaced = run_json(project, "up", "test", "--yes", "--replace", "mail")
    assert planned(replaced) == {"mail": "replace"}
    assert replaced["outputs"]["mail"] != first["mail"] and replaced["outputs"]["jobs"] == first["jobs"]
    queues = aws(moto_endpoint, "sqs").list_queues(QueueNamePrefix="mail")["QueueUrls"]
    assert replaced["outputs"]["mail"] in queues and first["mail"] not in queues


def test_preview_exit_code_says_whether_changes_are_pending(project: Path) -> None:
    assert envctl(project, "preview", "test", "--exit-code").returncode == 1  # nothing deployed yet
    assert envctl(project, "up", "test", "--yes").returncode == 0
    assert envctl(project, "preview", "test", "--exit-code").returncode == 0
    set_timeouts(project, 31, 30)
    assert envctl(project, "preview", "test", "--exit-code").returncode == 1
    assert envctl(project, "preview", "test").returncode == 0  # without the flag, pending changes are not an error
    (project / "Pulumi.test.yaml").write_text(CONFIG.replace("testproj:mailTimeout: 30\n", ""))
    assert_clean_failure(envctl(project, "preview", "test", "--exit-code"), 2, "mailTimeout")


def test_a_saved_plan_is_applied_exactly_or_refused_when_anything_moved(project: Path, moto_endpoint: str) -> None:
    outputs = run_json(project, "up", "test", "--yes")["outputs"]
    set_timeouts(project, 45, 30)
    plan_file = project / "plan.json"
    saved = run_json(project, "preview", "test", "--out", str(plan_file))
    assert planned(saved) == {"jobs": "update"} and saved["plan_file"] == str(plan_file)
    document = json.loads(plan_file.read_text())
    jobs_step = next(s for s in document["steps"] if s["urn"].endswith("::jobs"))
    assert jobs_step["diff"] == [{"property": "visibilityTimeoutSeconds", "old": 30, "new": 45, "replaces": False}]
    assert set(document["digests"]) == {"program", "config", "state"}

    set_timeouts(project, 50, 30)  # the config moved after the review
    assert_clean_failure(envctl(project, "up", "test", "--yes", "--plan", str(plan_file)), 1,
                         "from another config", "nothing was changed")
    assert timeout_of(moto_endpoint, outputs["jobs"]) == "30"

    set_timeouts(project, 45, 30)  # back to what was reviewed
    applied = run_json(project, "up", "test", "--yes", "--plan", str(plan_file))
    assert applied["done"]["updated"] == 1 and timeout_of(moto_endpoint, outputs["jobs"]) == "45"
    assert_clean_failure(envctl(project, "up", "test", "--yes", "--plan", str(plan_file)), 1, "from another state")

    (project / "__main__.py").write_text(PROGRAM + 'pulumi.export("extra", 1)\n')
    run_json(project, "preview", "test", "--out", str(plan_file))
    (project / "__main__.py").write_text(PROGRAM + 'pulumi.export("extra", 2)\n')
    assert_clean_failure(envctl(project, "up", "test", "--yes", "--plan", str(plan_file)), 1, "from another program")


def test_a_saved_plan_keeps_its_targets_and_bad_plan_files_are_refused(project: Path, tmp_path: Path) -> None:
    run_json(project, "up", "test", "--yes")
    set_timeouts(project, 45, 60)
    plan_file = tmp_path / "mail.plan"
    run_json(project, "preview", "test", "--target", "mail", "--out", str(plan_file))
    applied = run_json(project, "up", "test", "--yes", "--plan", str(plan_file))
    assert planned(applied) == {"mail": "update"} and applied["done"]["updated"] == 1

    assert_clean_failure(envctl(project, "up", "test", "--yes", "--plan", str(tmp_path / "none.json")), 2,
                         "no such file")
    (tmp_path / "junk.json").write_text("{not json")
    assert_clean_failure(envctl(project, "up", "test", "--yes", "--plan", str(tmp_path / "junk.json")), 2,
                         "not a plan file")
    assert_clean_failure(envctl(project, "up", "test", "--plan", str(plan_file), "--target", "jobs"), 2,
                         "cannot be combined")
    assert_clean_failure(envctl(project, "preview", "test", "--out", str(tmp_path / "no" / "dir" / "p.json")), 2,
                         "no directory")


def test_skip_preview_applies_without_a_plan_to_confirm(project: Path, moto_endpoint: str) -> None:
    created = envctl(project, "up", "test", "--skip-preview", "--parallel", "2")  # no terminal, no --yes: no question
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Plan for" not in created.stdout and "4 created" in created.stdout
    assert timeout_of(moto_endpoint, run_json(project, "show", "test@1")["outputs"]["jobs"]) == "30"
    assert_clean_failure(envctl(project, "up", "test", "--parallel", "0"), 2, "--parallel")


def test_refresh_takes_the_clouds_word_after_confirmation_and_preview_refresh_writes_nothing(
        project: Path, moto_endpoint: str) -> None:
    outputs = run_json(project, "up", "test", "--yes")["outputs"]
    aws(moto_endpoint, "sqs").set_queue_attributes(QueueUrl=outputs["jobs"], Attributes={"VisibilityTimeout": "99"})

    assert planned(run_json(project, "preview", "test")) == {}  # the state still says 30
    refreshed_view = run_json(project, "preview", "test", "--refresh")
    assert planned(refreshed_view) == {"jobs": "update"}
    assert planned(run_json(project, "preview", "test")) == {}  # nothing was written

    assert_clean_failure(envctl(project, "refresh", "test"), 2, "pass --yes")
    refreshed = run_json(project, "refresh", "test", "--yes")
    assert refreshed["operation"] == "refresh" and refreshed["status"] == "succeeded"
    history = run_json(project, "history", "test")
    assert [h["operation"] for h in history][:1] == ["refresh"]
    assert planned(run_json(project, "preview", "test")) == {"jobs": "update"}
    run_json(project, "up", "test", "--yes")
    assert timeout_of(moto_endpoint, outputs["jobs"]) == "30"
