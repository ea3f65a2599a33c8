"""Commands: history, show, diff, and `ledger verify|checkpoint|key|upgrade|prune`."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from envctl.cli import context
from envctl.errors import BadInput, OperationFailed
from envctl.ledger import Ledger, LedgerDiff, StoredSnapshot, VerifyReport
from envctl.ledger.checkpointing import CheckpointTaken
from envctl.ledger.db import LEDGER_URL_ENV, connect, upgrade
from envctl.ledger.evidence import Evidence, gather_evidence
from envctl.ledger.redaction import REDACTED, is_secret_marker
from envctl.ledger.signing import load_signing_key
from envctl.ledger.sources import uncommitted_files
from envctl.ledger.trusted_keys import TRUSTED_KEYS_FILE, load_trusted_keys
from envctl.ledger.witness import witness_from_environment

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
_MARKER_STYLES = {"+": "green", "-": "red", "~": "yellow", "±": "magenta", "↑": "cyan", "↓": "yellow", " ": ""}
_VALUE_WIDTH = 80

# A diff outline: sections of (marker, text, nested lines) shared by the rich and markdown renderings.
Line = tuple[str, str, list[str]]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("history")(history)
    app.command("show")(show)
    app.command("diff")(diff)
    ledger_app = typer.Typer(help="Check, checkpoint, upgrade and prune the ledger.", no_args_is_help=True)
    ledger_app.command("verify")(verify)
    ledger_app.command("checkpoint")(checkpoint)
    ledger_app.command("key")(key)
    ledger_app.command("upgrade")(upgrade_schema)
    ledger_app.command("prune")(prune)
    app.add_typer(ledger_app, name="ledger")


def history(
    env: Annotated[str, typer.Argument(help="The environment.")],
    as_json: JsonOption = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the newest N snapshots.")] = None,
) -> None:
    """List an environment's snapshots, newest first."""
    snapshots = open_ledger().history(env, limit)
    if as_json:
        context.print_json([snapshot.to_json() for snapshot in snapshots])
        return
    # Fixed columns never wrap; only the change summary may, so a narrow terminal still reads well.
    table = Table(box=None)
    for column in ("ref", "operation", "status", "actor"):
        table.add_column(column, no_wrap=True)
    table.add_column("changes")
    table.add_column("hash", no_wrap=True)
    table.add_column("started", no_wrap=True)
    for snapshot in snapshots:
        status = {"succeeded": "green", "failed": "red"}.get(snapshot.status, "yellow")
        table.add_row(
            snapshot.ref + (" (pruned)" if snapshot.pruned else ""),
            snapshot.operation,
            f"[{status}]{snapshot.status}[/]",
            escape(snapshot.actor),
            counts_text(snapshot.changes),
            snapshot.hash[:12],
            snapshot.started.strftime("%Y-%m-%d %H:%M UTC"),
        )
    context.console().print(table)


def show(
    ref: Annotated[str, typer.Argument(help="A snapshot: ENV, ENV@N, ENV~N or a hash prefix.")],
    as_json: JsonOption = False,
) -> None:
    """Show one snapshot: who, when, sources, manifest, config, resources, outputs (secrets as fingerprints)."""
    snapshot = open_ledger().load(ref)
    if as_json:
        context.print_json(snapshot.to_json())
        return
    _print_snapshot(snapshot)


def diff(
    ref_a: Annotated[str, typer.Argument(metavar="A", help="The earlier snapshot (ENV, ENV@N, ENV~N, hash prefix).")],
    ref_b: Annotated[str, typer.Argument(metavar="B", help="The later snapshot.")],
    as_json: JsonOption = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown (for pull requests).")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when the snapshots differ.")] = False,
    ids: Annotated[bool, typer.Option("--ids", help="Between two environments, compare physical ids, ARNs, "
                                      "auto-names and outputs too.")] = False,
) -> None:
    """What changed between two snapshots: sources, packages, config, resources, outputs. Between two
    environments (`diff dev staging`), resources pair up by logical name and physical identities are set aside,
    so what shows is a difference of program, config or toolchain; a summary comes first."""
    if as_json and markdown:
        raise BadInput("choose one of --json and --markdown")
    result = open_ledger().diff(ref_a, ref_b, repo_dir=_project_dir_or_cwd(), ids=ids)
    if as_json:
        context.print_json(result.to_json())
    elif markdown:
        typer.echo(_markdown(result))
    else:
        _print_diff(result)
    if exit_code and not result.is_empty():
        raise typer.Exit(1)


CheckpointOption = Annotated[
    list[Path] | None,
    typer.Option("--checkpoint", metavar="FILE", help="A checkpoint file (or a copy of a witness log) to verify "
                 "against; repeatable.", dir_okay=False),
]


def verify(checkpoints: CheckpointOption = None, as_json: JsonOption = False) -> None:
    """Check every environment's hash chain, signatures, content and state, and the claims of every checkpoint
    (ENVCTL_WITNESS, --checkpoint files); exit 1 naming the first bad snapshot of each environment."""
    report = open_ledger().verify(_evidence(checkpoints or []))
    if as_json:
        context.print_json(report.to_json())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: VerifyReport) -> None:
    console = context.console()
    if report.ok:
        console.print(f"[green]ledger intact[/]: {report.checked} snapshots, {report.content_checked} with content "
                      f"rehashed, {report.signed} signed, checked against {report.checkpoints} checkpoints",
                      soft_wrap=True)
    # Soft-wrapped: a path or hash in a message stays whole for copying.
    for problem in report.problems:
        console.print(f"[red]{escape(problem.ref)}[/] {problem.kind}: {escape(problem.detail)}", soft_wrap=True)
    for note in report.notes:
        console.print(f"[yellow]note[/]: {escape(note)}", soft_wrap=True)


def checkpoint(
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", dir_okay=False,
                                             help="Write the checkpoint to FILE (default: print it).")] = None,
    vouch: Annotated[bool, typer.Option("--vouch", help="Also vouch for snapshots that are unsigned or signed by "
                                        "keys the project does not list (verify names them): check them first.")
                     ] = False,
    as_json: JsonOption = False,
) -> None:
    """Verify the ledger, then sign a checkpoint of every environment's head: kept in the ledger, written to FILE
    and appended to the witness (ENVCTL_WITNESS). Keep it outside the database: `ledger verify --checkpoint FILE`
    then names any snapshot removed, truncated or rewritten since."""
    witness = witness_from_environment()
    taken = open_ledger().checkpoint(_evidence([]), vouch, witness)
    line = taken.checkpoint.to_line()
    if out is not None:
        try:
            out.write_text(line + "\n", encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"cannot write {out}: {exc.strerror}; the checkpoint is kept in the ledger") from None
    if as_json:
        context.print_json({"checkpoint": json.loads(line), "out": str(out) if out else None,
                            "witness": taken.witness, "witness_error": taken.witness_error,
                            "vouched": [problem.ref for problem in taken.vouched]})
    else:
        _print_checkpoint(taken, out, line)
    if taken.witness_error:
        raise OperationFailed(f"the checkpoint is kept in the ledger{f' and {out}' if out else ''}, but not in "
                              f"the witness: {taken.witness_error}")


def _print_checkpoint(taken: CheckpointTaken, out: Path | None, line: str) -> None:
    heads = taken.checkpoint.heads
    where = ["kept in the ledger"] + ([f"written to {out}"] if out else [])
    where += [f"appended to the witness {taken.witness}"] if taken.witness and not taken.witness_error else []
    summary = (f"checkpoint of {len(heads)} environments ({', '.join(f'{env}@{h.seq}' for env, h in heads.items())})"
               f" signed by {taken.checkpoint.signature.signer}: {', '.join(where)}")
    if taken.vouched:
        summary += f"; vouches for {', '.join(problem.ref for problem in taken.vouched)}"
    if out is None:
        typer.echo(line)  # stdout carries only the checkpoint, so `> FILE` keeps it
    typer.echo(summary, err=out is None)


def key(as_json: JsonOption = False) -> None:
    """Print this user's public signing key as a line for .envctl-trusted-keys (the key is created on first use;
    ENVCTL_SIGNING_KEY names another)."""
    signing_key = load_signing_key()
    who = f"{os.environ.get('USER') or os.environ.get('USERNAME') or 'me'}@{socket.gethostname()}"
    if as_json:
        context.print_json({"public_key": signing_key.public_key, "file": str(signing_key.path), "who": who})
        return
    typer.echo(f"{signing_key.public_key} {who}")
    trusted = load_trusted_keys(_project_dir_or_cwd())
    listed = "listed" if signing_key.public_key in trusted.names else "not listed yet: add the line above"
    typer.echo(f"signing key {signing_key.path}; {TRUSTED_KEYS_FILE}: {listed}", err=True)


def _evidence(checkpoint_files: list[Path]) -> Evidence:
    return gather_evidence(_project_dir_or_cwd(), checkpoint_files, witness_from_environment())


def upgrade_schema() -> None:
    """Migrate the ledger database to this envctl's schema (other commands also do it when needed)."""
    result = upgrade(connect(_ledger_url(), migrate=False))
    if result.changed:
        context.console().print(f"ledger schema upgraded from {result.before or 'empty'} to {result.after}")
    else:
        context.console().print(f"ledger schema already at {result.after}")


def prune(
    env: Annotated[str, typer.Argument(help="The environment.")],
    keep: Annotated[int, typer.Option("--keep", help="How many of the newest snapshots keep their content.")],
    as_json: JsonOption = False,
) -> None:
    """Drop the content of older snapshots; their headers and hashes stay, so verify still passes."""
    report = open_ledger().prune(env, keep)
    if as_json:
        context.print_json(asdict(report))
        return
    context.console().print(
        f"{env}: content kept from {env}@{report.kept_from}; {report.snapshots_pruned} snapshots pruned, "
        f"{report.blobs_deleted} blobs deleted"
    )


def _ledger_url() -> str:
    # Outside a project the environment variable alone is enough.
    return os.environ.get(LEDGER_URL_ENV) or context.database_url(context.project_root())


def open_ledger() -> Ledger:
    return Ledger.open(_ledger_url())


def _project_dir_or_cwd() -> Path:
    try:
        return context.project_root()
    except BadInput:
        return Path.cwd()


def counts_text(changes: dict[str, int]) -> str:
    return " ".join(f"{kind} {count}" for kind, count in changes.items() if count) or "-"


def _print_snapshot(snapshot: StoredSnapshot) -> None:
    console = context.console()
    summary = snapshot.summary
    console.print(f"[bold]{summary.ref}[/]  {summary.operation} {summary.status}  {summary.hash}")
    for label, value in (
        ("started", summary.started.isoformat()),
        ("finished", summary.finished.isoformat()),
        ("actor", f"{summary.actor} on {snapshot.host}"),
        ("CI run", snapshot.ci_run_id),
        ("engine", f"{snapshot.engine}, cloud {snapshot.cloud}, envctl {snapshot.envctl_version}"),
        ("changes", counts_text(summary.changes)),
        ("rebuilt from", snapshot.source_ref),
        ("error", snapshot.error),
        ("signed by", snapshot.signer or "nobody: unsigned"),
    ):
        if value:
            console.print(f"  {label:<13}{escape(str(value))}")
    content = snapshot.content
    if content is None:
        console.print("  [dim]content pruned: only the header is kept[/]")
        return
    sources = content.sources
    console.print(f"  {'commit':<13}{sources.get('commit') or 'unknown'} ({sources.get('branch') or 'no branch'})"
                  + (f" [yellow]dirty: {escape(uncommitted_files(sources))}[/]" if sources.get("dirty") else ""))
    python = content.manifest.get("python", {})
    console.print(f"  {'manifest':<13}{len(content.manifest.get('packages', {}))} packages, "
                  f"Python {python.get('version', '?')}, {content.manifest.get('os', {}).get('platform', '?')}")
    _print_mapping("config", content.config)
    resources = Table("type", "name", "id", box=None, title="resources", title_justify="left")
    for resource in content.resources:
        resources.add_row(resource.get("type"), resource["urn"].rpartition("::")[2], str(resource.get("id") or ""))
    console.print(resources)
    _print_mapping("outputs", content.outputs)


def _print_mapping(title: str, mapping: dict[str, Any]) -> None:
    table = Table("key", "value", box=None, title=title, title_justify="left")
    for key, value in mapping.items():
        table.add_row(escape(key), escape(value_text(value)))
    context.console().print(table)


def value_text(value: Any) -> str:
    if is_secret_marker(value):
        return REDACTED
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _outline(result: LedgerDiff) -> list[tuple[str, list[Line]]]:
    sections = [
        ("Sources", _source_lines(result.sources)),
        ("Packages", _package_lines(result.packages)),
        ("Config", _keyed_lines(result.config)),
        ("Resources", _resource_lines(result.resources)),
        ("Outputs", _keyed_lines(result.outputs)),
    ]
    return [(title, lines) for title, lines in sections if lines]


def _source_lines(sources: dict[str, Any]) -> list[Line]:
    a, b = sources["a"], sources["b"]
    lines: list[Line] = []
    if a["commit"] != b["commit"]:
        lines.append(("~", f"commit {_short(a['commit'])} → {_short(b['commit'])} ({b['branch'] or 'no branch'})", []))
        if sources["commits"] is None:
            lines.append((" ", "commit list unavailable: the commits are not in the repository here", []))
        lines += [("+", f"{c['commit'][:8]} {c['subject']}", []) for c in sources["commits"] or []]
        lines += [("-", f"{c['commit'][:8]} {c['subject']} (reverted)", []) for c in sources["commits_reverted"] or []]
    if a["dirty"] != b["dirty"] or a["dirty_digest"] != b["dirty_digest"]:
        lines.append(("~", f"uncommitted changes: {_dirty(a)} → {_dirty(b)}", []))
    lines += [(marker, f"file {name}", []) for marker, name, _ in _keyed_entries(sources["files"])]
    return lines


def _package_lines(packages: dict[str, Any]) -> list[Line]:
    lines: list[Line] = [("+", f"{p['name']} {p['version']}", []) for p in packages["added"]]
    lines += [("-", f"{p['name']} {p['version']}", []) for p in packages["removed"]]
    for marker, kind in (("↑", "upgraded"), ("↓", "downgraded"), ("~", "changed")):
        lines += [(marker, f"{p['name']} {p['from']} → {p['to']}", []) for p in packages[kind]]
    lines += [("~", change_text(change), []) for change in packages["toolchain"]]
    return lines


def _keyed_lines(section: dict[str, Any]) -> list[Line]:
    return [(marker, f"{key}: {text}", []) for marker, key, text in _keyed_entries(section)]


def _keyed_entries(section: dict[str, Any]) -> list[tuple[str, str, str]]:
    entries = [("+", key, value_text(value)) for key, value in section["added"].items()]
    entries += [("-", key, value_text(value)) for key, value in section["removed"].items()]
    entries += [("~", key, f"{value_text(c['from'])} → {value_text(c['to'])}") for key, c in section["changed"].items()]
    return entries


def _resource_lines(resources: dict[str, Any]) -> list[Line]:
    lines: list[Line] = [("+", _resource_name(r), []) for r in resources["added"]]
    lines += [("-", _resource_name(r), []) for r in resources["removed"]]
    for r in resources["replaced"]:
        lines.append(("±", f"{_resource_name(r)} replaced: {r['id_from']} → {r['id_to']}", property_lines(r)))
    lines += [("~", _resource_name(r), property_lines(r)) for r in resources["updated"]]
    return lines


def property_lines(resource: dict[str, Any]) -> list[str]:
    # Outputs repeat most inputs: list an output only where no input of the same path changed.
    input_paths = {change["path"] for change in resource["inputs"]}
    outputs = [change for change in resource["outputs"] if change["path"] not in input_paths]
    return (
        [change_text(change) for change in resource["inputs"]]
        + [change_text(change) + " (output)" for change in outputs]
        + [change_text(change) for change in resource["meta"]]
    )


def change_text(change: dict[str, Any]) -> str:
    if change["kind"] == "added":
        return f"{change['path']}: + {value_text(change['to'])}"
    if change["kind"] == "removed":
        return f"{change['path']}: - {value_text(change['from'])}"
    return f"{change['path']}: {value_text(change['from'])} → {value_text(change['to'])}"


def _resource_name(resource: dict[str, Any]) -> str:
    name = resource["urn"].rpartition("::")[2]
    return f"{resource['type']} {name}" + (f" ({resource['id']})" if resource.get("id") else "")


def _short(commit: str | None) -> str:
    return commit[:8] if commit else "unknown"


def _dirty(git: dict[str, Any]) -> str:
    if git["dirty"] is None:
        return "unknown"
    return f"yes ({git['dirty_digest'][:8]})" if git["dirty"] else "none"


def _print_diff(result: LedgerDiff) -> None:
    console = context.console()
    console.print(f"[bold]{result.a['ref']}[/] ({result.a['hash'][:12]}) → [bold]{result.b['ref']}[/] "
                  f"({result.b['hash'][:12]})")
    outline = _outline(result)
    if not outline:
        console.print("no differences")
    elif result.across_environments:
        console.print("[dim]two environments: resources paired by logical name; ids, ARNs, auto-names and outputs "
                      "set aside (--ids shows them)[/]")
        console.print("\n[bold underline]Summary[/]")
        for line in summary_lines(result.summary()):
            console.print(f"  {escape(line)}")
    for title, lines in outline:
        console.print(f"\n[bold underline]{title}[/]")
        for marker, text, nested in lines:
            style = _MARKER_STYLES[marker]
            console.print(f"  [{style}]{marker} {escape(text)}[/]" if style else f"    {escape(text)}")
            for detail in nested:
                console.print(f"      {escape(detail)}")


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The one-screen summary of a diff: what differs, by name."""
    def listed(names: list[str], most: int = 6) -> str:
        return ", ".join(names[:most]) + (f" (+{len(names) - most} more)" if len(names) > most else "")

    resources = summary["resources"]
    lines = [f"config: {len(summary['config'])} key(s) differ" + (f": {listed(summary['config'])}"
                                                                    if summary["config"] else "")]
    for kind, what in (("updated", "differ in inputs"), ("replaced", "replaced"), ("removed", "only in A"),
                       ("added", "only in B")):
        if resources[kind]:
            lines.append(f"resources {what}: {listed(resources[kind])}")
    for side, what in (("only_in_a", "A"), ("only_in_b", "B")):
        if summary["types"][side]:
            lines.append(f"types only in {what}: {listed(summary['types'][side])}")
    lines.append(f"toolchain: {listed(summary['toolchain']) if summary['toolchain'] else 'the same'}; "
                 f"packages: {summary['packages'] or 'the same'}" + (" differ" if summary["packages"] else ""))
    return lines


def _markdown(result: LedgerDiff) -> str:
    out = [f"### envctl diff `{result.a['ref']}` → `{result.b['ref']}`", ""]
    outline = _outline(result)
    if not outline:
        out.append("No differences.")
    for title, lines in outline:
        out += [f"#### {title}", ""]
        for marker, text, nested in lines:
            out.append(f"- `{marker}` {_md(text)}" if marker.strip() else f"- {_md(text)}")
            out += [f"  - {_md(detail)}" for detail in nested]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    # Values may contain Markdown; backslash-escape what would change the rendering.
    return "".join("\\" + char if char in "\\`*_[]<>|#" else char for char in text)
