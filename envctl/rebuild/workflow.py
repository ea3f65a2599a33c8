"""`rebuild`: deploy an environment again from the program and stack config of a snapshot's git commit (the
working tree is not touched), after reconciling the state with the cloud, then check parity with the snapshot."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from envctl.engine.deployment import DeploymentResult
from envctl.engine.drift import DriftReport
from envctl.engine.interrupts import Interrupt
from envctl.environment import open_environment
from envctl.errors import BadInput
from envctl.ledger import Ledger, SnapshotContent, StoredSnapshot, capture_manifest
from envctl.ledger.sources import uncommitted_files
from envctl.operations import Interaction, preview_then_apply, recorded_run, refresh_state
from envctl.project import load_project
from envctl.rebuild.parity import Parity, compare
from envctl.rebuild.source import materialize
from envctl.rebuild.toolchain import ToolchainDifference, compare_toolchain

_REBUILT_FROM = ("up", "rebuild")


@dataclass(frozen=True)
class RebuildSource:
    """What is rebuilt: the snapshot, its commit, into which environment, and what cannot be reproduced."""

    snapshot: str
    env: str
    commit: str
    target: str
    warnings: list[str]
    toolchain: list[ToolchainDifference]


class RebuildInteraction(Interaction, Protocol):
    def rebuilding(self, source: RebuildSource) -> None:
        """What is about to be rebuilt, before anything is done."""


@dataclass
class RebuildOutcome:
    source: RebuildSource
    result: DeploymentResult
    snapshot: str
    refreshed: DriftReport
    seconds: float  # time to recover: from the start to the recorded snapshot
    parity: Parity | None  # None when the rebuild failed


def rebuild(root: Path, database_url: str, env: str, ui: RebuildInteraction, *, from_ref: str | None = None,
            into: str | None = None, strict: bool = False, yes: bool = False, engine: str | None = None,
            cloud: str | None = None) -> RebuildOutcome:
    clock = time.monotonic()
    ledger = Ledger.open(database_url)
    snapshot, content = source_snapshot(ledger, env, from_ref)
    commit = content.sources["commit"]
    warnings = _unreproducible(snapshot.summary.ref, content, strict)
    with materialize(root, commit) as project_dir:
        environment = replace(open_environment(project_dir, database_url, env, engine, cloud, must_exist=True),
                              name=into or env)
        today = capture_manifest(environment.manifest_items(), project_dir)
        differences = compare_toolchain(content.manifest, today)
        if strict and differences:
            raise BadInput(f"--strict: today's toolchain differs from {snapshot.summary.ref}'s: "
                           + "; ".join(difference.describe() for difference in differences))
        source = RebuildSource(snapshot.summary.ref, env, commit, environment.name, warnings, differences)
        ui.rebuilding(source)
        if into and into != env:
            _give_a_stack_file(root, environment.stack_config.file, into, ui)
        deployment = environment.deployment(ui.event, interrupt=Interrupt())
        refreshed: list[DriftReport] = []

        def run() -> DeploymentResult:
            # What a disaster took is dropped from the state, so that it is created again.
            refreshed.append(refresh_state(deployment, ui))
            return preview_then_apply(deployment, ui, yes)

        result, recorded = recorded_run(environment, "rebuild", ui, deployment, run, source_ref=snapshot.summary.ref)
        seconds = time.monotonic() - clock
    parity = None
    if result.succeeded:
        rebuilt = ledger.load(recorded).content
        parity = compare(content.resources, rebuilt.resources if rebuilt else [], env, environment.name)
    return RebuildOutcome(source, result, recorded, refreshed[0] if refreshed else DriftReport(environment.name, 0, []),
                          seconds, parity)


def _give_a_stack_file(root: Path, source_file: Path, target: str, ui: Interaction) -> None:
    """A new environment made by `--into` gets the stack file it was rebuilt with, in the working tree, so that it
    can be brought up, checked for drift and destroyed as any other (an existing stack file is left as it is)."""
    target_file = load_project(root).stack_file(target)
    if target_file.exists() or not source_file.exists():
        return
    target_file.parent.mkdir(parents=True, exist_ok=True)
    target_file.write_bytes(source_file.read_bytes())
    ui.note(f"wrote {target_file.relative_to(root)}: the config {target} was rebuilt with")


def source_snapshot(ledger: Ledger, env: str, ref: str | None) -> tuple[StoredSnapshot, SnapshotContent]:
    """The snapshot to rebuild and its content: `ref`, or `env`'s latest successful up or rebuild."""
    if ref is None:
        candidates = [s.ref for s in ledger.history(env) if s.operation in _REBUILT_FROM and s.status == "succeeded"]
        if not candidates:
            raise BadInput(f"{env} has no successful up or rebuild in the ledger to rebuild from; "
                           "name a snapshot with --from")
        ref = candidates[0]
    snapshot = ledger.load(ref)
    name = snapshot.summary.ref
    if snapshot.summary.env != env:
        raise BadInput(f"{name} is a snapshot of {snapshot.summary.env}, not of {env}: "
                       f"run `envctl rebuild {snapshot.summary.env} --from {name} --into {env}`")
    if snapshot.content is None:
        raise BadInput(f"{name} was pruned: only its header is kept, so there is nothing to rebuild from")
    if not snapshot.content.sources.get("commit"):
        raise BadInput(f"{name} was not made from a git commit (no repository, or no commit yet), "
                       "so its program cannot be recovered")
    return snapshot, snapshot.content


def _unreproducible(ref: str, content: SnapshotContent, strict: bool) -> list[str]:
    """Warnings about what of the source cannot be reproduced; with --strict, the refusal instead."""
    sources = content.sources
    if not sources.get("dirty"):
        return []
    message = (f"{ref} was made with uncommitted changes ({uncommitted_files(sources)}), which cannot be "
               f"reproduced: rebuilding from its commit {sources['commit'][:12]} alone")
    if strict:
        raise BadInput(f"--strict: {message}")
    return [message]
