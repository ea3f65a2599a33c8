"""Ledger benchmark: record, sign, witness, diff, history, verify, dedupe and connect costs at realistic sizes.

    python bench/ledger_bench.py                # SQLite in a temporary directory
    python bench/ledger_bench.py --url URL      # any SQLAlchemy URL (an empty database or schema)

Targets: record 1,000 resources + 500 packages in 150 ms (signed); diff two such snapshots in 200 ms; record a
5,000-resource snapshot and diff two such in 300 ms each; history of 10,000 snapshots in 300 ms; an identical
snapshot adds < 10 KB; connect() at head stays cheap. The calls run under the collector settings of the
envctl commands that make them (see envctl.cli.entry). Signing and verifying are measured, not targeted: per
snapshot, and verify over 10,000 snapshots with and without the witness's 10,000 checkpoints. The signing key and
the witness file live in a temporary directory.
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

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text

from envctl.cli.entry import use_cli_collector
from envctl.ledger import Ledger, SnapshotInput
from envctl.ledger.chain import snapshot_statement
from envctl.ledger.db import connect
from envctl.ledger.evidence import gather_evidence
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import Signature, SigningKey, read_signing_key
from envctl.ledger.witness import FileWitness

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def fingerprint(key: bytes, value: Any) -> str:
    return hmac.new(key, repr(value).encode(), hashlib.sha256).hexdigest()


def resource(index: int, env: str) -> dict[str, Any]:
    """A security-group-like resource of ~1 KB: nested lists, tags, a secret input, outputs the cloud left unset."""
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
               "ownerId": "123456789012", "tagsAll": dict(inputs["tags"]), "namePrefix": None, "timeouts": None}
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


def bench_key(directory: Path) -> SigningKey:
    path = directory / "bench-key.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path.chmod(0o600)
    return read_signing_key(path)


def revisions_of(resources: list[dict[str, Any]], count: int, env: str = "big") -> list[SnapshotInput]:
    """`count` snapshots of `env`, each with 10 of the resources changed."""
    revisions = []
    for revision in range(count):
        changed = copy.deepcopy(resources)
        for item in changed[:10]:
            item["inputs"]["tags"]["rev"] = item["outputs"]["tags"]["rev"] = str(revision)
        revisions.append(snapshot(env, changed, 500))
    return revisions


def signing(key: SigningKey, directory: Path, resources: list[dict[str, Any]]) -> None:
    """What signing adds: one signature, one check, and recording signed or not (interleaved, in alternating
    order, so that other work on the machine and the collector weigh on both alike; a database of each's own)."""
    statement = snapshot_statement("big", 7, "0" * 64)
    signature = key.sign(statement)
    sign_us = timed(lambda: key.sign(statement), 2000).cpu * 1000
    check_us = timed(lambda: Signature(signature.signer, signature.signature).verifies(statement), 2000).cpu * 1000
    print(f"sign one snapshot's statement (Ed25519, median of 2,000): {sign_us:8.1f} us cpu")
    print(f"check one snapshot's signature (median of 2,000):         {check_us:8.1f} us cpu")
    fp = functools.partial(fingerprint, b"bench-key")
    ledgers = {label: Ledger.open(f"sqlite:///{directory / f'{label}.db'}", sealing)
               for label, sealing in (("unsigned", Sealing(None)), ("signed", Sealing(key)))}
    rounds = 20
    revisions = {}
    for label, ledger in ledgers.items():
        ledger.record(snapshot("big", resources, 500), fp)
        revisions[label] = revisions_of(resources, rounds)
    samples: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in ledgers}
    for round_ in range(rounds):
        for label in sorted(ledgers, reverse=round_ % 2 == 1):
            start, start_cpu = time.perf_counter(), time.process_time()
            ledgers[label].record(revisions[label].pop(), fp)
            samples[label][0].append((time.perf_counter() - start) * 1000)
            samples[label][1].append((time.process_time() - start_cpu) * 1000)
    for label, (wall, cpu) in samples.items():
        print(f"record 1,000 resources + 500 packages, 10 changed, {label:<8}: {Timing(wall, cpu):8.1f}  (SQLite)")


def run(url: str, directory: Path) -> None:
    fp = functools.partial(fingerprint, b"bench-key")
    key = bench_key(directory)
    start = time.perf_counter()
    ledger = Ledger.open(url, Sealing(key))
    print(f"connect + migrate an empty database: {(time.perf_counter() - start) * 1000:8.1f} ms")
    print(f"connect at head (median of 20):      {timed(lambda: connect(url).dispose(), 20):8.1f}")

    resources = [resource(i, "big") for i in range(1000)]
    start = time.perf_counter()
    ledger.record(snapshot("big", resources, 500), fp)
    print(f"record 1,000 resources + 500 packages, all new:        {(time.perf_counter() - start) * 1000:8.1f} ms")

    revisions = revisions_of(resources, 10)
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
    witness = FileWitness(directory / "witness.jsonl")
    witnessed = Ledger(ledger.engine, Sealing(key, witness))
    print(f"record a 3-resource snapshot, signed, no witness:        "
          f"{timed(lambda: ledger.record(small, fp), 20):8.1f}")
    print(f"record a 3-resource snapshot, signed, a file witness:    "
          f"{timed(lambda: witnessed.record(small, fp), 20):8.1f}")
    start = time.perf_counter()
    for _ in range(10_000 - 40):
        witnessed.record(small, fp)
    print(f"(filled an env with 10,000 snapshots, each witnessed, in {time.perf_counter() - start:.1f} s)")
    print(f"history of an env with 10,000 snapshots:               {timed(lambda: ledger.history('hist'), 5):8.1f}"
          f"  (target 300)")
    report = ledger.verify()
    assert report.ok, report.problems
    print(f"verify the whole ledger ({report.checked:,} snapshots, signed):        {timed(ledger.verify, 3):8.1f}")
    evidence = gather_evidence(directory, [], witness)
    print(f"verify it against the witness ({len(evidence.checkpoints):,} checkpoints):   "
          f"{timed(lambda: ledger.verify(evidence), 3):8.1f}")
    print(f"read and parse the witness:                            "
          f"{timed(lambda: gather_evidence(directory, [], witness), 3):8.1f}")
    signing(key, directory, resources)
    at_scale(Ledger(ledger.engine, Sealing(key)), fp)


def at_scale(ledger: Ledger, fp: Callable[[bytes, Any], str], size: int = 5000) -> None:
    """The ledger beside a large stack's run: recording its snapshot and diffing two of them."""
    fresh = [snapshot(env, [resource(i, env) for i in range(size)], 500) for env in ("new-1", "new-2", "new-3")]
    print(f"record {size:,} resources + 500 packages, all new:        "
          f"{timed(lambda: ledger.record(fresh.pop(), fp), len(fresh)):8.1f}  (target 300)")
    resources = [resource(i, "huge") for i in range(size)]
    ledger.record(snapshot("huge", resources, 500), fp)
    revisions = revisions_of(resources, 5, "huge")
    print(f"record {size:,} resources + 500 packages, 10 changed:     "
          f"{timed(lambda: ledger.record(revisions.pop(), fp), 5):8.1f}  (target 300)")
    changed = copy.deepcopy(resources)
    for item in changed[:500]:
        item["inputs"]["ingress"][0]["fromPort"] = 8443
    ledger.record(snapshot("huge", changed, 500), fp)
    print(f"diff two {size:,}-resource snapshots (500 differences):   "
          f"{timed(lambda: ledger.diff('huge~1', 'huge'), 5):8.1f}  (target 300)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    use_cli_collector()
    with tempfile.TemporaryDirectory() as directory:
        run(args.url or f"sqlite:///{directory}/ledger.db", Path(directory))


if __name__ == "__main__":
    main()
