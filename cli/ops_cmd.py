"""Commands that change environments: up, preview, destroy, unlock. The work is in `operations`, imported
only when one of them runs, so that other commands start without loading the engine."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking for confirmation.")]
EngineOption = Annotated[str | None, typer.Option("--engine", help="Override envctl:engine (local or pulumi).")]
CloudOption = Annotated[str | None, typer.Option("--cloud", help="Override envctl:cloud (local or aws).")]
EnvArgument = Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Only show the plan (same as `preview`).")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="First reconcile the state with the cloud: what "
                                             "was changed or deleted outside envctl is put back.")]


def register(app: typer.Typer) -> None:
    app.command("up", help="Bring ENV to the state its program and config describe, and record a snapshot.")(up)
    app.command("preview", help="Show what `up` would change, changing nothing.")(preview)
    app.command("destroy", help="Delete every resource of ENV and record a snapshot.")(destroy)
    app.command("unlock", help="Break ENV's lock by hand (when its holder is gone).")(unlock)


def up(env: EnvArgument, yes: YesOption = False, preview_only: PreviewOption = False, engine: EngineOption = None,
       cloud: CloudOption = None, json_output: JsonOption = False, refresh: RefreshOption = False) -> None:
    from envctl.cli import operations
    from envctl.errors import BadInput

    if preview_only and refresh:
        raise BadInput("--refresh changes the state, which a preview never does: use `up --refresh` without --preview")
    if preview_only:
        operations.preview(env, engine, cloud, json_output)
    else:
        operations.up(env, yes, engine, cloud, json_output, refresh)


def preview(env: EnvArgument, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False) -> None:
    from envctl.cli import operations

    operations.preview(env, engine, cloud, json_output)


def destroy(env: EnvArgument, yes: YesOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False) -> None:
    from envctl.cli import operations

    operations.destroy(env, yes, engine, cloud, json_output)


def unlock(env: EnvArgument, json_output: JsonOption = False) -> None:
    from envctl.cli import operations

    operations.unlock(env, json_output)
