"""A catalogue of bad input: each case gets one clear message, exit code 2 (1 for a failed operation), no
traceback, and leaves the ledger and state whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine_support import write_program
from envctl_command import run_envctl

QUEUE = "import pulumi_aws as aws\naws.sqs.Queue('jobs')\n"
DECLARED = "name: testproj\nruntime: python\nconfig:\n  size: {type: integer}\n"


@dataclass
class Case:
    name: str
    args: list[str]
    fragments: list[str]
    code: int = 2
    program: str = QUEUE
    stack: str = "config:\n  aws:region: us-east-1\n"
    setup: Callable[[Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


def _write(relative: str, text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)

    return setup


def _record_one_snapshot(root: Path) -> None:
    """A ledger with dev@1 (a failed up of a raising program: quick, no cloud call)."""
    (root / "__main__.py").write_text("raise RuntimeError('first')\n")
    run_envctl("-C", str(root), "up", "test", "--yes", timeout=120)
    (root / "__main__.py").write_text(QUEUE)


def _hold_database(root: Path) -> None:
    """Another process holds the project database with a write lock (released when the test ends)."""
    _record_one_snapshot(root)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(root / '.envctl' / 'ledger.db')!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(60)\n")], stdout=subprocess.PIPE,
        text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    _HOLDERS.append(holder)


_HOLDERS: list[subprocess.Popen[str]] = []

SECRET_STACK = (
    "encryptionsalt: v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==\n"
    "config:\n  testproj:pw:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA\n"
)

CASES = [
    Case("malformed stack YAML", ["up", "test", "--yes"], ["Pulumi.test.yaml:", "invalid YAML"],
         stack="config:\n  aws:region: [us-east-1\n"),
    Case("stack file not a mapping", ["up", "test", "--yes"], ["expected a mapping"], stack="- a\n- b\n"),
    Case("stack config not a mapping", ["up", "test", "--yes"], ["`config` must be a mapping"],
         stack="config: [1, 2]\n"),
    Case("config key without namespace", ["up", "test", "--yes"], ["should be of the form `<namespace>:<name>`"],
         stack="config:\n  region: us-east-1\n"),
    Case("malformed Pulumi.yaml", ["up", "test", "--yes"], ["Pulumi.yaml:", "invalid YAML"],
         setup=_write("Pulumi.yaml", "name: [x\n")),
    Case("Pulumi.yaml without name", ["up", "test", "--yes"], ["`name` is required"],
         setup=_write("Pulumi.yaml", "runtime: python\n")),
    Case("unsupported runtime", ["up", "test", "--yes"], ["runtime `nodejs` is not supported"],
         setup=_write("Pulumi.yaml", "name: testproj\nruntime: nodejs\n")),
    Case("main that does not exist", ["up", "test", "--yes"], ["main `src/` does not exist"],
         setup=_write("Pulumi.yaml", "name: testproj\nruntime: python\nmain: src/\n")),
    Case("config and stackConfigDir both", ["up", "test", "--yes"], ["both config and stackConfigDir"],
         setup=_write("Pulumi.yaml", "name: testproj\nruntime: python\nconfig: a\nstackConfigDir: b\n")),
    Case("wrong config type", ["up", "test", "--yes"], ["testproj:size must be of type integer"],
         setup=_write("Pulumi.yaml", DECLARED), stack="config:\n  testproj:size: large\n"),
    Case("missing required config", ["up", "test", "--yes"], ["missing required configuration testproj:size",
                                                              "envctl config set test size"],
         setup=_write("Pulumi.yaml", DECLARED), stack="config: {}\n"),
    Case("unknown environment", ["up", "qa", "--yes"], ["unknown environment 'qa'", "known environments: test"]),
    Case("invalid environment name", ["history", "../etc"], ["no snapshots", "../etc"]),
    *(Case(f"environment name {name!r}", ["up", name, "--yes"], ["invalid environment name", "as Pulumi names stacks"])
      for name in ("../x", "a/b/c", ".", "..", "dev;rm")),
    Case("environment name in config set", ["config", "set", "a/b", "k", "v"], ["invalid environment name"]),
    Case("unknown snapshot number", ["show", "test@99"], ["test@99"], setup=_record_one_snapshot),
    Case("unknown environment reference", ["show", "nosuchenv"], ["nosuchenv"], setup=_record_one_snapshot),
    Case("malformed reference", ["show", "test@x"], ["test@x"], setup=_record_one_snapshot),
    Case("unknown hash prefix", ["show", "abcdef0"], ["abcdef0"], setup=_record_one_snapshot),
    Case("diff with one reference", ["diff", "test"], ["Missing argument"]),
    Case("unsupported resource type", ["up", "test", "--yes"],
         ["unsupported resource type(s): aws:glue/catalogDatabase:CatalogDatabase", "Nothing was changed"],
         program="import pulumi_aws as aws\naws.glue.CatalogDatabase('db')\n"),
    Case("program syntax error", ["up", "test", "--yes"], ["__main__.py:2: syntax error"],
         program="import pulumi\ndef broken(:\n"),
    Case("program raising", ["up", "test", "--yes"], ["__main__.py:2: ValueError: bad tier"], code=1,
         program="import pulumi\nraise ValueError('bad tier')\n"),
    Case("program missing a package", ["up", "test", "--yes"], ["needs the Python package `requests_oauth9`"],
         program="import requests_oauth9\n"),
    Case("provider check rejects a value", ["up", "test", "--yes"], ["invalid resource inputs", "delaySeconds"],
         program="import pulumi_aws as aws\naws.sqs.Queue('q', delay_seconds=100000)\n"),
    Case("duplicate resource names", ["up", "test", "--yes"], ["duplicate resource URN"],
         program="import pulumi_aws as aws\naws.sqs.Queue('q')\naws.sqs.Queue('q')\n"),
    Case("missing program config", ["up", "test", "--yes"], ["Missing required configuration variable"],
         program="import pulumi\npulumi.Config().require('tier')\n"),
    Case("wrong passphrase", ["up", "test", "--yes"], ["incorrect passphrase"], stack=SECRET_STACK,
         env={"PULUMI_CONFIG_PASSPHRASE": "password123"}),
    Case("no passphrase for encrypted config", ["up", "test", "--yes"], ["PULUMI_CONFIG_PASSPHRASE"],
         stack=SECRET_STACK),
    Case("unknown engine", ["up", "test", "--yes", "--engine", "terraform"], ["unknown engine 'terraform'"]),
    Case("unknown cloud", ["up", "test", "--yes", "--cloud", "gcp"], ["unknown cloud 'gcp'"]),
    Case("engine pulumi without the CLI", ["up", "test", "--yes", "--engine", "pulumi"], ["Pulumi CLI"]),
    Case("up without --yes and no terminal", ["up", "test"], ["pass --yes"]),
    Case("unknown command", ["upp", "test"], ["No such command"]),
    Case("unknown option", ["up", "test", "--yess"], ["No such option"]),
    Case("project directory that does not exist", ["-C", "/nonexistent/project", "up", "test"],
         ["/nonexistent/project", "no such directory"]),
    Case("project directory that does not exist, for a read", ["-C", "/nonexistent/project", "history", "test"],
         ["/nonexistent/project", "no such directory"]),
    Case("ledger URL that is not a URL", ["history", "test"], ["ENVCTL_LEDGER_URL"],
         env={"ENVCTL_LEDGER_URL": "not a url"}),
    Case("ledger database in a read-only place", ["up", "test", "--yes"], ["/proc"],
         env={"ENVCTL_LEDGER_URL": "sqlite:////proc/envctl/ledger.db"}),
    Case("corrupt ledger database", ["history", "test"], ["ledger.db"],
         setup=_write(".envctl/ledger.db", "this is not a database" * 100)),
    Case("ledger database locked by another process", ["up", "test", "--yes"],
         ["the project database is unavailable: database is locked", "ENVCTL_DB_BUSY_TIMEOUT"],
         setup=_hold_database, env={"ENVCTL_DB_BUSY_TIMEOUT": "1"}),
    *(Case(f"ledger driver {package} not installed", ["history", "test"],
           [f"needs the Python package `{module}`", f"pip install {package}"], env={"ENVCTL_LEDGER_URL": url})
      for url, module, package in (("postgresql+psycopg2://u@127.0.0.1/test", "psycopg2", "psycopg2-binary"),
                                   ("mysql+pymysql://root@127.0.0.1/test", "pymysql", "PyMySQL"),
                                   ("oracle://u@127.0.0.1/x", "oracledb", "oracledb"))),
    *(Case(f"in-memory ledger {url}", ["up", "test", "--yes"], ["an in-memory SQLite ledger vanishes"],
           env={"ENVCTL_LEDGER_URL": url}) for url in ("sqlite://", "sqlite:///:memory:")),
    Case("unreachable PostgreSQL ledger", ["history", "test"], ["127.0.0.1"],
         env={"ENVCTL_LEDGER_URL": "postgresql+psycopg://postgres@127.0.0.1:1/test"}),
    Case("bad config key for config set", ["config", "set", "test", "a:b:c", "1"], ["a:b:c"]),
    Case("prune keeping nothing", ["ledger", "prune", "test", "--keep", "0"], ["--keep"],
         setup=_record_one_snapshot),
    # Run selection and saved plans.
    Case("preview --out with --refresh", ["preview", "test", "--out", "plan.json", "--refresh"],
         ["--out with --refresh", "envctl refresh test"]),
    Case("saved plan that does not exist", ["up", "test", "--plan", "nosuch.json", "--yes"],
         ["--plan nosuch.json: no such file", "envctl preview ENV --out"]),
    Case("saved plan that is not JSON", ["up", "test", "--plan", "plan.json", "--yes"],
         ["--plan plan.json: not a plan file"], setup=_write("plan.json", "{not json")),
    Case("saved plan of another format", ["up", "test", "--plan", "plan.json", "--yes"],
         ["not an envctl plan file"], setup=_write("plan.json", '{"steps": []}')),
    Case("saved plan with --target", ["up", "test", "--plan", "plan.json", "--target", "jobs", "--yes"],
         ["--plan cannot be combined with --target"], setup=_write("plan.json", "{}")),
    Case("saved plan with --skip-preview", ["up", "test", "--plan", "plan.json", "--skip-preview", "--yes"],
         ["--plan cannot be combined with --skip-preview"], setup=_write("plan.json", "{}")),
    Case("target that names nothing", ["up", "test", "--yes", "--target", "nosuch"],
         ["nosuch names no resource of this environment"]),
    Case("replace that names nothing", ["preview", "test", "--replace", "nosuch"],
         ["nosuch names no resource of this environment"]),
    Case("parallel of zero", ["up", "test", "--yes", "--parallel", "0"], ["--parallel", "0 is not in the range"]),
    Case("history limit of zero", ["history", "test", "--limit", "0"], ["--limit", "0 is not in the range"]),
    # References, exports and checkpoints.
    Case("diff against an unknown environment", ["diff", "test", "staging"], ["no snapshots of environment 'staging'"],
         setup=_record_one_snapshot),
    Case("diff against a snapshot that does not exist", ["diff", "test@1", "test@7"],
         ["test@7 does not exist", "test@1 to test@1"], setup=_record_one_snapshot),
    Case("rebuild from a snapshot that does not exist", ["rebuild", "test", "--from", "test@9", "--yes"],
         ["test@9 does not exist"], setup=_record_one_snapshot),
    Case("export in an unknown format", ["export", "test", "--format", "yaml"], ["'yaml'", "'cyclonedx'"],
         setup=_record_one_snapshot),
    Case("checkpoint file that does not exist", ["ledger", "verify", "--checkpoint", "nosuch.json"],
         ["cannot read the checkpoint file nosuch.json"]),
    Case("checkpoint file that is not a checkpoint", ["ledger", "verify", "--checkpoint", "Pulumi.yaml"],
         ["is not an envctl checkpoint", "envctl ledger checkpoint"], setup=_record_one_snapshot),
    # Config.
    Case("config get of a key that is not set", ["config", "get", "test", "tier"],
         ["config testproj:tier is not set for environment test", "envctl config set test tier VALUE"]),
    Case("config get for an unknown environment", ["config", "get", "tset", "aws:region"],
         ["unknown environment 'tset'", "known environments: test"]),
    Case("config list for an unknown environment", ["config", "list", "tset"],
         ["unknown environment 'tset'", "known environments: test"]),
    Case("config set with no value and nothing on stdin", ["config", "set", "test", "aws:region"],
         ["no value given"]),
    Case("config set of a malformed property path", ["config", "set", "test", "a.b[", "1", "--path"],
         ["invalid property path"]),
    # Commands of one environment, for an environment that does not exist.
    *(Case(f"{command} of an unknown environment", [command, "tset", *extra], ["unknown environment 'tset'"])
      for command, extra in (("refresh", ["--yes"]), ("drift", []), ("preview", []), ("destroy", ["--yes"]))),
    Case("types with an unknown token", ["types", "aws:nosuch/thing:Thing"], ["no type or invoke matches"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_a_clear_message_and_loses_nothing(case: Case, tmp_path: Path, moto_endpoint: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_program(tmp_path / "project", case.program, case.stack)
    monkeypatch.setenv("ENVCTL_CLOUD_ENDPOINT", moto_endpoint)  # setups that run envctl use the shared cloud
    if case.setup:
        case.setup(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_CONFIG_PASSPHRASE", "ENVCTL_"))}
    env.update({"ENVCTL_CLOUD_ENDPOINT": moto_endpoint, **case.env})
    args = case.args if case.args[0] == "-C" else ["-C", str(root), *case.args]
    before = _snapshots(root, env)
    result = run_envctl(*args, env=env, timeout=180)
    for holder in _HOLDERS:
        holder.kill()
        holder.wait()
    _HOLDERS.clear()
    output = result.stdout + result.stderr
    assert result.returncode == case.code, output
    assert "Traceback" not in output, output
    for fragment in case.fragments:
        assert fragment in output, output
    if case.args[0] == "-C":
        assert not Path(case.args[1]).exists(), "a missing project directory is never created"
    # Nothing half-written: the ledger verifies and holds at most the one snapshot a failed operation records.
    after = _snapshots(root, env)
    assert after - before <= (1 if case.code == 1 or "up" in case.args else 0)


def _snapshots(root: Path, env: dict[str, str]) -> int:
    database = root / ".envctl" / "ledger.db"
    if not database.exists() or "ENVCTL_LEDGER_URL" in env or database.read_bytes()[:6] != b"SQLite":
        return 0
    verify = run_envctl("-C", str(root), "ledger", "verify", "--json", env=env, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    return int(json.loads(verify.stdout)["checked"])
