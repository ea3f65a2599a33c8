"""Command: `envctl drift ENV`, what was changed in the cloud outside envctl. Exit 0 without drift, 1 with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from envctl.cli import context

if TYPE_CHECKING:
    from envctl.engine.drift import DriftReport

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
EnvArgument = Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")]
_MARKERS = {"changed": "[yellow]~[/]", "missing": "[red]-[/]", "unreadable": "[red]?[/]"}


def register(app: typer.Typer) -> None:
    app.command("drift", help="Read every resource of ENV from the cloud and report what was changed outside "
                "envctl or deleted. Exit 0 without drift, 1 with drift (for scheduled jobs).")(drift)


def drift(env: EnvArgument, json_output: JsonOption = False) -> None:
    from envctl import operations
    from envctl.cli.operations import environment
    from envctl.errors import BadInput
    from envctl.ledger import Ledger

    target = environment(env, must_exist=True, sealed_ok=True)
    report, running = operations.drift(target)
    if running is not None:
        context.console_err().print(f"[yellow]warning:[/] {escape(running.describe())} holds the lock of {env}: "
                                    "changes it is making show as drift")
    try:
        snapshot: str | None = Ledger(target.database).history(env, limit=1)[0].ref
    except BadInput:
        snapshot = None  # state without snapshots: made before the ledger recorded it
    if json_output:
        context.print_json({**report.to_json(), "snapshot": snapshot})
    else:
        out = context.console()
        since = f" since {snapshot}" if snapshot else ""
        if report.drifted:
            out.print(f"[bold]{env}[/]: {len(report.resources)} of {report.checked} resources drifted{since}")
        else:
            out.print(f"[bold]{env}[/]: [green]no drift[/] in {report.checked} resources{since}")
        print_drift(out, report)
        if report.not_compared:
            count = len(report.not_compared)
            out.print(f"[yellow]{count} secret propert{'y' if count == 1 else 'ies'} not compared without the "
                      f"passphrase[/] (set PULUMI_CONFIG_PASSPHRASE to compare): "
                      f"{escape(', '.join(report.not_compared))}")
    if report.drifted:
        raise typer.Exit(1)


def print_drift(out: Console, report: DriftReport) -> None:
    """One line per drifted resource, then one per changed leaf of each property, as `diff` shows them (a tag map
    per key: `tags.team: a → b`); also what `up --refresh` took in."""
    from envctl.cli.ledger_cmd import change_text
    from envctl.ledger.property_diff import property_changes

    for resource in report.resources:
        detail = f": {resource.error}" if resource.error else ""
        out.print(f"  {_MARKERS[resource.status]} {resource.status:<10} {resource.type} "
                  f"[bold]{escape(resource.name)}[/] ({escape(str(resource.id))}){escape(detail)}")
        for drifted in resource.properties:
            changes = property_changes(drifted.recorded, drifted.actual, drifted.property)
            lines = [change_text(change.to_json()) for change in changes] or [f"{drifted.property}: [secret] changed"]
            for line in lines:
                out.print(f"      {escape(line)}")
