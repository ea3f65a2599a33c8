"""Command: `envctl audit THING`, a snapshot's provenance or a resource's lineage.

A resource the ledger does not know by its ARN or physical id is looked up in the cloud: the tags envctl
puts on everything it creates (`envctl:env`, `envctl:urn`) name its environment and URN, and so its lineage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from envctl.cli import context

if TYPE_CHECKING:
    from envctl.ledger.audit import AuditResult, Lineage, Origin, Provenance

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
ThingArgument = Annotated[str, typer.Argument(
    metavar="THING", help="A snapshot (ENV, ENV@N, ENV~N, hash prefix), a resource URN, physical id or ARN.")]
CloudOption = Annotated[str, typer.Option(
    "--cloud", help="Where to look for a resource the ledger does not know: local (if running) or aws.")]
_EVENT_MARKERS = {"created": "[green]+[/]", "present": "[green]=[/]", "updated": "[yellow]~[/]",
                  "replaced": "[magenta]±[/]", "deleted": "[red]-[/]"}


def register(app: typer.Typer) -> None:
    app.command("audit", help="Where THING came from: a snapshot's provenance (who, when, where, commit, config, "
                "manifest, hash chain) or a resource's lineage (the snapshots that created, changed and deleted "
                "it). Exit 1 when the snapshot's hash chain is broken.")(audit)


def audit(thing: ThingArgument, cloud: CloudOption = "local", json_output: JsonOption = False) -> None:
    from envctl.operations import audit as audit_thing

    result = audit_thing(context.ledger_url(), context.project_dir_or_cwd(), thing, cloud)
    if json_output:
        context.print_json(result.to_json())
    else:
        _print(result)
    if result.provenance is not None and not result.provenance.chain.ok:
        raise typer.Exit(1)


# ---- rendering ---------------------------------------------------------------------------------------


def _print(result: AuditResult) -> None:
    if result.provenance is not None:
        _print_provenance(result.provenance)
    for lineage in result.lineages:
        _print_lineage(lineage)


def _print_provenance(snapshot: Provenance) -> None:
    from envctl.cli.ledger_cmd import counts_text

    out = context.console()
    summary = snapshot.summary
    out.print(f"[bold]{summary.ref}[/]  {summary.operation} {summary.status}")
    seconds = (summary.finished - summary.started).total_seconds()
    sources = snapshot.sources
    rows: list[tuple[str, Any]] = [
        ("who", f"{summary.actor} on {snapshot.host}"),
        ("CI run", snapshot.ci_run_id),
        ("when", f"{summary.started.isoformat()} ({seconds:.0f}s)"),
        ("commit", _commit(sources) if sources is not None else "unknown: the content was pruned"),
        ("files", ", ".join(f"{name} {(digest or 'absent')[:12]}" for name, digest in
                            sorted((sources or {}).get("files", {}).items()))),
        ("config", snapshot.config_digest and f"digest {snapshot.config_digest}"),
        ("manifest", snapshot.manifest_digest and f"digest {snapshot.manifest_digest}: {_manifest(snapshot)}"),
        ("engine", f"{snapshot.engine}, cloud {snapshot.cloud}, envctl {snapshot.envctl_version}"),
        ("changes", counts_text(summary.changes)),
        ("rebuilt from", snapshot.source_ref),
        ("error", snapshot.error),
        ("hash", summary.hash),
        ("previous", snapshot.prev_hash or "none: the first snapshot of its environment"),
        ("content", snapshot.content_digest),
    ]
    for label, value in rows:
        if value:
            out.print(f"  {label:<13}{escape(str(value))}")
    if snapshot.chain.ok:
        out.print(f"  {'chain':<13}[green]intact[/]: its hash, both links and its content verify")
    for problem in snapshot.chain.problems:
        out.print(f"  {'chain':<13}[red]broken[/]: {escape(problem)}")


def _commit(sources: dict[str, Any]) -> str:
    if not sources.get("commit"):
        return "unknown: not made from a git repository"
    dirty = {True: f"with uncommitted changes (digest {str(sources.get('dirty_digest'))[:12]})",
             False: "clean", None: "dirty state unknown"}[sources.get("dirty")]
    return f"{sources['commit']} ({sources.get('branch') or 'no branch'}), {dirty}"


def _manifest(snapshot: Provenance) -> str:
    manifest = snapshot.manifest or {}
    sdks = ", ".join(f"{name} {version}" for name, version in sorted((manifest.get("sdks") or {}).items()))
    python = (manifest.get("python") or {}).get("version", "?")
    return f"{len(manifest.get('packages') or {})} packages, Python {python}" + (f", {sdks}" if sdks else "")


def _print_lineage(lineage: Lineage) -> None:
    from envctl.cli.ledger_cmd import property_lines

    out = context.console()
    name = lineage.urn.rpartition("::")[2]
    out.print(f"[bold]{escape(lineage.type)} {escape(name)}[/]  env {escape(lineage.env)}, "
              f"id {escape(str(lineage.id))}")
    out.print(f"  {escape(lineage.urn)}")
    for event in lineage.events:
        what = f"id {event.id_from} → {event.id}" if event.event == "replaced" else ""
        if event.event == "present":
            what = "already there when the kept history starts (older snapshots pruned)"
        out.print(f"  {_EVENT_MARKERS[event.event]} {event.event:<9}{_origin(event.snapshot)} {escape(what)}")
        for line in property_lines(event.changes) if event.changes else []:
            out.print(f"      {escape(line)}")
    if lineage.unreadable:
        out.print(f"  [red]content unreadable[/] in {', '.join(lineage.unreadable)}: run `envctl ledger verify`")


def _origin(origin: Origin) -> str:
    from datetime import datetime

    started = datetime.fromisoformat(origin.started).strftime("%Y-%m-%d %H:%M:%S UTC")
    commit = (origin.commit or "unknown")[:12] + (" (uncommitted changes)" if origin.dirty else "")
    ci = f", CI run {origin.ci_run_id}" if origin.ci_run_id else ""
    return escape(f"{origin.ref} {origin.operation} {origin.status} {started} by {origin.actor} on {origin.host}"
                  f"{ci}, commit {commit}")
