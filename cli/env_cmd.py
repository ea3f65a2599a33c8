"""Commands: `envctl ls` (the environments, Pulumi's `stack ls`) and `envctl rm ENV` (`stack rm`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from envctl.cli import context


def register(app: typer.Typer) -> None:
    app.command("ls", help="List the environments: each with its newest snapshot, its status and time, the number "
                "of resources in its state, and its cloud.")(ls)
    app.command("rm", help="Remove ENV: its state and stack file (its history stays in the ledger). Refused while "
                "its state holds resources: `envctl destroy ENV` first, or --force to leave them in the cloud.")(rm)


def ls(json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
       = False) -> None:
    from envctl.environments import list_environments
    from envctl.ledger.db import connect
    from envctl.project import load_project

    root = context.project_root()
    listings = list_environments(load_project(root), connect(context.database_url(root)))
    if json_output:
        context.print_json([listing.to_json() for listing in listings])
        return
    if not listings:
        sys.stdout.write("no environments yet: `envctl up ENV` makes one\n")
        return
    rows = [("NAME", "LAST SNAPSHOT", "STATUS", "FINISHED", "RESOURCES", "CLOUD")]
    for item in listings:
        finished = item.finished.strftime("%Y-%m-%d %H:%M:%S UTC") if item.finished else "-"
        status = f"{item.operation} {item.status}" if item.status else "-"
        rows.append((item.name, item.snapshot or "-", status, finished, str(item.resources), item.cloud))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    sys.stdout.write("".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                             + "\n" for row in rows))


def rm(
    env: Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")],
    force: Annotated[bool, typer.Option("--force", "-f", help="Remove it even though its state holds resources: "
                                        "they stay in the cloud, known to no state.")] = False,
    preserve_config: Annotated[bool, typer.Option("--preserve-config", help="Keep the stack file.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Remove without asking for confirmation.")] = False,
) -> None:
    from envctl.cli.operations import environment
    from envctl.environments import remove_environment

    target = environment(env, must_exist=True)
    if not yes:
        context.confirm(f"Remove environment {env}? Its state and stack file go; its history stays.", f"rm {env}")
    removed = remove_environment(target, force=force, preserve_config=preserve_config)
    parts = [f"removed environment {env}"]
    if removed.forgotten:
        parts.append(f"{removed.forgotten} resource(s) left in the cloud, known to no state")
    if removed.stack_file_removed:
        parts.append(f"deleted {target.stack_config.file.name}")
    if removed.snapshot:
        parts.append(f"recorded {removed.snapshot}")
    sys.stdout.write("; ".join(parts) + "\n")
