"""Command: rebuild, which deploys an environment again from the program and config of a snapshot's commit,
reports how today's toolchain differs, and checks the result against the snapshot (parity)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from envctl.cli import context
from envctl.cli.ops_cmd import CloudOption, EngineOption, EnvArgument, JsonOption
from envctl.errors import BadInput, OperationFailed

if TYPE_CHECKING:
    from envctl.cli.environment import Environment
    from envctl.engine.deployment import OperationResult
    from envctl.engine.drift import DriftReport
    from envctl.ledger import Ledger, SnapshotContent, StoredSnapshot
    from envctl.ledger.property_diff import PropertyChange
    from envctl.rebuild.parity import Parity
    from envctl.rebuild.toolchain import ToolchainDifference

FromOption = Annotated[str | None, typer.Option(
    "--from", help="The snapshot to rebuild (ENV@N, ENV~N, hash prefix); default: ENV's latest successful "
    "up or rebuild.")]
IntoOption = Annotated[str | None, typer.Option(
    "--into", help="Deploy into this environment instead of ENV (its name replaces ENV's; the config is ENV's).")]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Refuse to run when today's toolchain differs from the snapshot's, or the snapshot was "
    "made from uncommitted changes.")]
_REBUILT_FROM = ("up", "rebuild")


def register(app: typer.Typer) -> None:
    app.command("rebuild", help="Deploy ENV again from the program and stack config of a snapshot's git commit "
                "(the working tree is not touched), then check parity with the snapshot.")(rebuild)


def rebuild(env: EnvArgument, from_ref: FromOption = None, into: IntoOption = None, strict: StrictOption = False,
            engine: EngineOption = None, cloud: CloudOption = None, json_output: JsonOption = False) -> None:
    from envctl.cli.operations import locked, operation_error, progress_console
    from envctl.cli.recording import record_operation
    from envctl.ledger import Ledger, capture_manifest
    from envctl.rebuild.parity import compare
    from envctl.rebuild.source import materialize
    from envctl.rebuild.toolchain import compare_toolchain

    clock, started = time.monotonic(), datetime.now(UTC)
    out = progress_console(json_output)
    root = context.project_root()
    ledger = Ledger.open(context.database_url(root))
    source, content = _source_snapshot(ledger, env, from_ref)
    commit = content.sources["commit"]
    warnings = _unreproducible(source.summary.ref, content, strict)
    with materialize(root, commit) as project_dir:
        environment = _open_at(project_dir, env, into or env, engine, cloud)
        today = capture_manifest({"engine": environment.engine_name, "cloud": environment.cloud_name}, project_dir)
        differences = compare_toolchain(content.manifest, today)
        if strict and differences:
            raise BadInput(f"--strict: today's toolchain differs from {source.summary.ref}'s: "
                           + "; ".join(difference.describe() for difference in differences))
        if not json_output:
            _print_preamble(out, source, commit, environment.name, warnings, differences)
        with locked(environment, "rebuild", out):
            result, refreshed = _deploy(environment, out, json_output)
            recovery_seconds = time.monotonic() - clock
            recorded = record_operation(environment, result, started, datetime.now(UTC),
                                        source_ref=source.summary.ref)
    parity = None
    if result.succeeded:
        rebuilt = ledger.load(recorded).content
        parity = compare(content.resources, rebuilt.resources if rebuilt else [], env, environment.name)
    if json_output:
        context.print_json({
            "snapshot": recorded, "env": environment.name, "source": source.summary.ref, "commit": commit,
            "status": "succeeded" if result.succeeded else "failed", "error": result.error,
            "warnings": warnings, "toolchain": [difference.to_json() for difference in differences],
            "refreshed": refreshed.to_json(), "changes": result.changes,
            "planned": [{"op": op, "type": type_, "urn": urn} for op, type_, urn in result.planned],
            "time_to_recover_seconds": round(recovery_seconds, 3),
            "parity": parity.to_json() if parity else None,
        })
    else:
        _print_outcome(out, environment.name, recorded, result.succeeded, recovery_seconds, parity)
    if not result.succeeded:
        raise operation_error(result)
    if parity is not None and not parity.holds:
        raise OperationFailed(f"{recorded} does not match {source.summary.ref}: see the parity report")


def _deploy(environment: Environment, out: Console, json_output: bool) -> tuple[OperationResult, DriftReport]:
    """Refresh the state from the cloud (what a disaster took is dropped, so it is created again), then preview
    and apply; returns the result and what the refresh took in."""
    from envctl.cli.operations import Progress, print_plan

    with Progress(out) as progress:
        deployment = environment.deployment(progress.on_event)
        refreshed = deployment.refresh()
        result = deployment.preview()
    if not json_output:
        _print_refreshed(out, refreshed)
        print_plan(out, result)
    if result.succeeded:
        with Progress(out) as progress:
            deployment.on_event = progress.on_event
            result = deployment.apply()
    result.operation = "rebuild"
    return result, refreshed


def _source_snapshot(ledger: Ledger, env: str, ref: str | None) -> tuple[StoredSnapshot, SnapshotContent]:
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
    message = (f"{ref} was made with uncommitted changes, which cannot be reproduced: "
               f"rebuilding from its commit {sources['commit'][:12]} alone")
    if strict:
        raise BadInput(f"--strict: {message}")
    return [message]


def _open_at(project_dir: Path, source_env: str, target: str, engine: str | None,
             cloud: str | None) -> Environment:
    """`source_env` of the project checked out in `project_dir`, deployed as stack `target`."""
    from envctl.cli.environment import open_environment

    environment = open_environment(source_env, engine, cloud, must_exist=True, root=project_dir)
    return replace(environment, name=target)


# ---- rendering -----------------------------------------------------------------------------


def _print_preamble(out: Console, source: StoredSnapshot, commit: str, target: str, warnings: list[str],
                    differences: list[ToolchainDifference]) -> None:
    into = "" if target == source.summary.env else f" into {target}"
    out.print(f"[bold]Rebuilding {source.summary.ref}{into}[/] from commit {commit[:12]}")
    for warning in warnings:
        out.print(f"[yellow]warning:[/] {escape(warning)}")
    if not differences:
        out.print("toolchain: same as the snapshot's")
        return
    out.print(f"[yellow]toolchain: {len(differences)} difference(s) from the snapshot's:[/]")
    for difference in differences:
        out.print(f"  {escape(difference.describe())}")


def _print_refreshed(out: Console, refreshed: DriftReport) -> None:
    from envctl.cli.drift_cmd import print_drift

    if refreshed.drifted:
        out.print(f"refreshed the state: {len(refreshed.resources)} of {refreshed.checked} resources differed from "
                  "the cloud (missing ones are created again, changed ones put back)")
        print_drift(out, refreshed)


def _print_outcome(out: Console, env: str, recorded: str, succeeded: bool, seconds: float,
                   parity: Parity | None) -> None:
    state = "[green]succeeded[/]" if succeeded else "[red]failed[/]"
    out.print(f"rebuild {env} {state}; time to recover: [bold]{seconds:.1f}s[/]")
    out.print(f"recorded snapshot [bold]{recorded}[/]")
    if parity is None:
        return
    if parity.holds:
        out.print(f"[green]parity holds[/]: {parity.compared} resources with the same types and inputs "
                  "(physical ids aside)")
        return
    out.print("[red]parity does not hold:[/]")
    for label, resources in (("missing", parity.missing), ("extra", parity.extra)):
        for resource in resources:
            out.print(f"  {label}: {resource['type']} {escape(resource['urn'].split('::')[-1])}")
    for mismatch in parity.mismatches:
        for change in mismatch.changes:
            out.print(f"  differs: {mismatch.type} {escape(mismatch.urn.split('::')[-1])} "
                      f"{escape(_describe(change))}")


def _describe(change: PropertyChange) -> str:
    before = "(absent)" if change.kind == "added" else json.dumps(change.before)
    after = "(absent)" if change.kind == "removed" else json.dumps(change.after)
    return f"{change.path}: {before} in the source, {after} rebuilt"
