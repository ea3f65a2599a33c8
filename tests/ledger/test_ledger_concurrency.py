"""Two processes at once: recording into one env keeps seqs consecutive; migrating a fresh database is safe."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from envctl.ledger import Ledger
from envctl.ledger.checkpoint import parse_checkpoints
from envctl.ledger.db import SCHEMA_HEAD, connect, current_revision
from envctl.ledger.evidence import gather_evidence
from envctl.ledger.witness import WITNESS_ENV, FileWitness

from ledger_fixtures import record_many

pytest_plugins = ["ledger_fixtures"]

PER_PROCESS = 12


def test_two_processes_recording_one_env_get_consecutive_seqs(ledger_url: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    witness = FileWitness(tmp_path / "witness.jsonl")
    monkeypatch.setenv(WITNESS_ENV, str(witness.path))  # the writers' witness: one file, appended to by all
    Ledger.open(ledger_url).engine.dispose()  # schema in place, so the writers race on records only
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(3)
    envs = ("dev", "dev", "prod")
    writers = [spawn.Process(target=record_many, args=(ledger_url, env, PER_PROCESS, barrier)) for env in envs]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [writer.exitcode for writer in writers] == [0, 0, 0]

    ledger = Ledger.open(ledger_url)
    history = ledger.history("dev")
    assert [s.seq for s in reversed(history)] == list(range(1, 2 * PER_PROCESS + 1))
    assert len(ledger.history("prod")) == PER_PROCESS
    writers_seen = {ledger.show(s.ref)["outputs"]["writer"] for s in history}
    assert len(writers_seen) == 2  # both processes really wrote to dev
    assert len(parse_checkpoints(witness.read(), "witness")) == 3 * PER_PROCESS  # whole lines, none interleaved
    report = ledger.verify(gather_evidence(tmp_path, [], witness))
    assert report.ok and report.checkpoints == 3 * PER_PROCESS


def _connect(url: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait()
    connect(url).dispose()


def test_two_processes_migrating_a_fresh_database_both_succeed(ledger_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    processes = [spawn.Process(target=_connect, args=(ledger_url, barrier)) for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)

    assert [process.exitcode for process in processes] == [0, 0]
    assert current_revision(connect(ledger_url, migrate=False)) == SCHEMA_HEAD
