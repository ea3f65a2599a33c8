"""The ledger commands: history, show, diff, ledger verify|upgrade|prune (in-process, and the real command)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from envctl.cli import ledger_cmd
from envctl.errors import BadInput
from envctl.ledger import Ledger
from envctl.ledger.db import LEDGER_URL_ENV, SCHEMA_HEAD, default_url

from envctl_command import run_envctl
from ledger_fixtures import fingerprint, resource, secret, snapshot_input

pytest_plugins = ["ledger_fixtures"]



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose ledger holds dev@1 (bucket logs, tag dev), dev@2 (tag prod, new secret) and prod@1."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    ledger = Ledger.open(default_url(root))
    ledger.record(snapshot_input(resources=[resource("logs", token=secret("old-Plain"))]), fingerprint)
    changed = resource("logs", token=secret("new-Plain"))
    changed["inputs"]["tags"]["env"] = "prod"
    ledger.record(snapshot_input(resources=[changed], status="failed", error="boom"), fingerprint)
    ledger.record(snapshot_input("prod"), fingerprint)
    ledger.engine.dispose()
    monkeypatch.setenv(LEDGER_URL_ENV, default_url(root))
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> Result:
    app = typer.Typer()
    ledger_cmd.register(app)
    return CliRunner().invoke(app, list(args))


def test_history_lists_newest_first(project: Path) -> None:
    table = run("history", "dev")
    assert table.exit_code == 0, table.output
    assert table.output.index("dev@2") < table.output.index("dev@1") and "failed" in table.output

    listed = json.loads(run("history", "dev", "--json", "--limit", "1").output)
    assert [(s["ref"], s["status"]) for s in listed] == [("dev@2", "failed")]


def test_show_prints_the_snapshot_without_secrets(project: Path) -> None:
    text = run("show", "dev@1")
    assert text.exit_code == 0 and "logs" in text.output and "[secret]" in text.output
    document = json.loads(run("show", "dev@1", "--json").output)
    assert document["resources"][0]["inputs"]["token"] == {"secret": fingerprint("old-Plain")}
    assert "Plain" not in text.output + json.dumps(document)


def test_diff_renders_rich_json_and_markdown(project: Path) -> None:
    text = run("diff", "dev@1", "dev")
    assert text.exit_code == 0
    assert "tags.env: dev → prod" in text.output and "token: [secret] → [secret]" in text.output

    document = json.loads(run("diff", "dev@1", "dev", "--json").output)
    assert [c["path"] for c in document["resources"]["updated"][0]["inputs"]] == ["tags.env", "token"]

    markdown = run("diff", "dev@1", "dev", "--markdown").output
    assert "#### Resources" in markdown and "- `~` aws:s3/bucket:Bucket logs" in markdown
    assert "  - tags.env: dev → prod" in markdown


def test_diff_exit_code_and_latest_of_two_envs(project: Path) -> None:
    assert run("diff", "dev@1", "dev@2", "--exit-code").exit_code == 1
    assert run("diff", "dev@1", "dev@1", "--exit-code").exit_code == 0
    assert "no differences" in run("diff", "dev@1", "dev@1").output
    latest = run("diff", "dev", "prod").output
    assert latest.startswith("dev@2") and "→ prod@1" in latest and "+ aws:s3/bucket:Bucket assets" in latest
    assert isinstance(run("diff", "dev", "nope").exception, BadInput)


def test_verify_prune_and_upgrade(project: Path) -> None:
    assert "ledger intact: 3 snapshots" in run("ledger", "verify").output
    pruned = run("ledger", "prune", "dev", "--keep", "1")
    assert "1 snapshots pruned" in pruned.output
    assert run("ledger", "verify").exit_code == 0
    assert f"already at {SCHEMA_HEAD}" in run("ledger", "upgrade").output

    database = sqlite3.connect(project / ".envctl" / "ledger.db")
    with database:
        database.execute("UPDATE ledger_snapshots SET actor = 'mallory' WHERE env = 'dev' AND seq = 2")
    database.close()
    broken = run("ledger", "verify")
    assert broken.exit_code == 1 and "dev@2 rewritten" in broken.output
    assert json.loads(run("ledger", "verify", "--json").output)["problems"][0]["ref"] == "dev@2"


def test_upgrade_reports_the_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LEDGER_URL_ENV, f"sqlite:///{tmp_path / 'fresh.db'}")
    assert f"upgraded from empty to {SCHEMA_HEAD}" in run("ledger", "upgrade").output


@pytest.mark.e2e
def test_the_envctl_command_finds_the_project_ledger_and_exits_by_outcome(project: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != LEDGER_URL_ENV}

    def envctl(*args: str) -> subprocess.CompletedProcess[str]:
        return run_envctl("-C", str(project), *args, env=environment, cwd=project.parent, timeout=120)

    listed = envctl("history", "dev", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [s["ref"] for s in json.loads(listed.stdout)] == ["dev@2", "dev@1"]
    unknown = envctl("show", "staging")
    assert unknown.returncode == 2
    assert "no snapshots of environment 'staging'" in unknown.stderr and "Traceback" not in unknown.stderr
    assert envctl("diff", "dev@1", "dev", "--exit-code").returncode == 1
