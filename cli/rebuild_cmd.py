"""Command: rebuild, which deploys an environment again from the program and config of a snapshot's commit,
reports how today's toolchain differs, and checks the result against the snapshot (parity)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from envctl.cli import context
from envctl.cli.ops_cmd import CloudOption, EngineOption, EnvArgument, JsonOption, YesOption
from envctl.errors import OperationFailed

if TYPE_CHECKING:
    from envctl.engine.drift import DriftReport
    from envctl.ledger.property_diff import PropertyChange
    from envctl.rebuild.parity import Parity
    from envctl.rebuild.workflow import RebuildSource

FromOption = Annotated[str | None, typer.Option(
    "--from", help="The snapshot to rebuild (ENV@N, ENV~N, hash prefix); default: ENV's latest successful "
    "up or rebuild.")]
IntoOption = Annotated[str | None, typer.Option(
    "--into", help="Deploy into this environment instead of ENV (its name replaces ENV's; the config is ENV's).")]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Refuse to run when today's toolchain differs from the snapshot's, or the snapshot was "
    "made from uncommitted changes.")]


def register(app: typer.Typer) -> None:
    app.command("rebuild", help="Deploy ENV again from the program and stack config of a snapshot's git commit "
                "(the working tree is not touched), then check parity with the snapshot.")(rebuild)


def rebuild(env: EnvArgument, from_ref: FromOption = None, into: IntoOption = None, strict: StrictOption = False,
            yes: YesOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False) -> None:
    from envctl.cli.operations import TerminalInteraction, progress_console
    from envctl.operations import operation_error
    from envctl.rebuild.workflow import rebuild as rebuild_environment

    out = progress_console(json_output)
    root = context.project_root()

    class Interaction(TerminalInteraction):
        def rebuilding(self, source: RebuildSource) -> None:
            if not json_output:
                _print_preamble(out, source)

        def refreshed(self, report: DriftReport) -> None:
            if not json_output and report.drifted:
                _print_refreshed(out, report)

    with Interaction(out, show_plan=not json_output) as ui:
        outcome = rebuild_environment(root, context.database_url(root), env, ui, from_ref=from_ref, into=into,
                                      strict=strict, yes=yes, engine=engine, cloud=cloud)
    result, parity = outcome.result, outcome.parity
    if json_output:
        context.print_json({
            "snapshot": outcome.snapshot, "env": outcome.source.target, "source": outcome.source.snapshot,
            "commit": outcome.source.commit, "status": result.status,
            "error": result.error, "warnings": outcome.source.warnings,
            "toolchain": [difference.to_json() for difference in outcome.source.toolchain],
            "refreshed": outcome.refreshed.to_json(), "changes": result.changes,
            "planned": [step.document() for step in result.planned],
            "time_to_recover_seconds": round(outcome.seconds, 3),
            "parity": parity.to_json() if parity else None,
        })
    else:
        _print_outcome(out, outcome.source.target, outcome.snapshot, result.succeeded, outcome.seconds, parity)
    if not result.succeeded:
        raise operation_error(result)
    if parity is not None and not parity.holds:
        raise OperationFailed(f"{outcome.snapshot} does not match {outcome.source.snapshot}: see the parity report")


# ---- rendering -----------------------------------------------------------------------------


def _print_preamble(out: Console, source: RebuildSource) -> None:
    into = "" if source.target == source.env else f" into {source.target}"
    out.print(f"[bold]Rebuilding {escape(source.snapshot)}{escape(into)}[/] from commit {source.commit[:12]}")
    for warning in source.warnings:
        out.print(f"[yellow]warning:[/] {escape(warning)}")
    if not source.toolchain:
        out.print("toolchain: same as the snapshot's")
        return
    out.print(f"[yellow]toolchain: {len(source.toolchain)} difference(s) from the snapshot's:[/]")
    for difference in source.toolchain:
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
