"""Ledger benchmark: record, diff, history, dedupe and connect costs at realistic sizes.

    python bench/ledger_bench.py                # SQLite in a temporary directory
    python bench/ledger_bench.py --url URL      # any SQLAlchemy URL (an empty database or schema)

Targets: record 1,000 resources + 500 packages in 150 ms; diff two such snapshots in 200 ms; history of
10,000 snapshots in 300 ms; an identical snapshot adds < 10 KB; connect() at head stays cheap.
"""

from __future__ import annotations

import argparse
import copy
import functools
import hashlib
import hmac
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from envctl.ledger import Ledger, SnapshotInput
from envctl.ledger.db import connect

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def fingerprint(key: bytes, value: Any) -> str:
    return hmac.new(key, repr(value).encode(), hashlib.sha256).hexdigest()


def resource(index: int, env: str) -> dict[str, Any]:
    """A security-group-like resource of ~1 KB: nested lists, tags, a secret input."""
    name = f"sg-{index}"
    inputs = {
        "name": name,
        "description": f"security group {index} of the benchmark stack",
        "vpcId": "vpc-0123456789abcdef0",
        "ingress": [
            {"fromPort": 443, "toPort": 443, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/16"]},
            {"fromPort": 80, "toPort": 80, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"]},
        ],
        "tags": {"env": env, "team": "platform", "index": str(index)},
        "token": {**SECRET_SIG, "value": f"secret-{index}"},
    }
    outputs = {**inputs, "id": f"sg-{index:017x}", "arn": f"arn:aws:ec2:us-east-1:123456789012:security-group/{name}",
               "ownerId": "123456789012", "tagsAll": dict(inputs["tags"])}
    return {
        "urn": f"urn:pulumi:{env}::bench::aws:ec2/securityGroup:SecurityGroup::{name}",
        "type": "aws:ec2/securityGroup:SecurityGroup",
        "id": outputs["id"],
        "provider": "urn:pulumi:bench::bench::pulumi:providers:aws::default::1",
        "parent": f"urn:pulumi:{env}::bench::pulumi:pulumi:Stack::bench-{env}",
        "custom": True,
        "inputs": inputs,
        "outputs": outputs,
        "dependencies": [],
    }


def snapshot(env: str, resources: list[dict[str, Any]], packages: int) -> SnapshotInput:
    now = datetime.now(UTC)
    return SnapshotInput(
        env=env, project="bench", operation="up", status="succeeded", started=now, finished=now,
        actor="bench", host="bench-host", ci_run_id=None, engine="local", cloud="local", envctl_version="0.1.0",
        sources={"commit": "0" * 40, "branch": "main", "dirty": False, "dirty_digest": None,
                 "files": {"Pulumi.yaml": "a" * 64, "program": "b" * 64}},
        manifest={"packages": {f"package-{i}": f"1.{i % 7}.{i % 13}" for i in range(packages)},
                  "python": {"version": "3.11.7", "implementation": "CPython", "executable": "/usr/bin/python3"}},
        config={"aws:region": "us-east-1", "bench:size": "large", "bench:password": "hunter2"},
        secret_keys=["bench:password"], resources=resources, outputs={"vpcId": "vpc-0123456789abcdef0"},
        changes={"create": len(resources)},
    )  # fmt: skip


class Timing:
    """Median wall and CPU time of repeated runs; on a machine busy with other work the CPU time is the steadier."""

    def __init__(self, wall: list[float], cpu: list[float]) -> None:
        self.wall, self.cpu = statistics.median(wall), statistics.median(cpu)

    def __format__(self, spec: str) -> str:
        return f"{self.wall:{spec}} ms (cpu {self.cpu:.1f})"


def timed(action: Callable[[], Any], repeat: int) -> Timing:
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return Timing(wall, cpu)


def database_bytes(engine: Engine, url: str) -> int:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return Path(engine.url.database or "").stat().st_size
        return sum(
            conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            for table in ("ledger_blobs", "ledger_snapshots", "ledger_heads")
        )


def run(url: str) -> None:
    fp = functools.partial(fingerprint, b"bench-key")
    start = time.perf_counter()
    ledger = Ledger.open(url)
    print(f"connect + migrate an empty database: {(time.perf_counter() - start) * 1000:8.1f} ms")
    print(f"connect at head (median of 20):      {timed(lambda: connect(url).dispose(), 20):8.1f}")

    resources = [resource(i, "big") for i in range(1000)]
    start = time.perf_counter()
    ledger.record(snapshot("big", resources, 500), fp)
    print(f"record 1,000 resources + 500 packages, all new:        {(time.perf_counter() - start) * 1000:8.1f} ms")

    revisions = []
    for revision in range(10):
        changed = copy.deepcopy(resources)
        for item in changed[:10]:
            item["inputs"]["tags"]["rev"] = item["outputs"]["tags"]["rev"] = str(revision)
        revisions.append(snapshot("big", changed, 500))
    print(f"record 1,000 resources + 500 packages, 10 changed:     "
          f"{timed(lambda: ledger.record(revisions.pop(), fp), 10):8.1f}  (target 150)")

    changed = copy.deepcopy(resources)
    for item in changed[:100]:
        item["inputs"]["ingress"][0]["fromPort"] = 8443
    for item in changed[100:110]:
        item["id"] = item["id"] + "-new"
    ledger.record(snapshot("big", changed[:-5], 500), fp)
    diff_time = timed(lambda: ledger.diff("big~1", "big"), 5)
    print(f"diff two 1,000-resource snapshots (115 differences):   {diff_time:8.1f}  (target 200)")
    ledger.record(snapshot("other", [resource(i, "other") for i in range(1000)], 500), fp)
    diff_time = timed(lambda: ledger.diff("big", "other"), 5)
    print(f"diff two 1,000-resource envs (every resource differs): {diff_time:8.1f}  (target 200)")

    before = database_bytes(ledger.engine, url)
    identical = snapshot("big", changed[:-5], 500)
    repeats = 20
    for _ in range(repeats):
        ledger.record(identical, fp)
    added = (database_bytes(ledger.engine, url) - before) / repeats
    print(f"bytes added by an identical snapshot (mean of {repeats}):     {added:8.0f} B   (target 10,240)")

    small = snapshot("hist", [resource(i, "hist") for i in range(3)], 20)
    start = time.perf_counter()
    for _ in range(10_000):
        ledger.record(small, fp)
    print(f"(filled an env with 10,000 snapshots in {time.perf_counter() - start:.1f} s)")
    print(f"history of an env with 10,000 snapshots:               {timed(lambda: ledger.history('hist'), 5):8.1f}"
          f"  (target 300)")
    print(f"verify the whole ledger ({10_000 + 35} snapshots):              {timed(ledger.verify, 1):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    if args.url:
        run(args.url)
        return
    with tempfile.TemporaryDirectory() as directory:
        run(f"sqlite:///{directory}/ledger.db")


if __name__ == "__main__":
    main()
