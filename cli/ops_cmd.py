"""Commands that change environments: up, preview, destroy, unlock. The workflows are `envctl.operations`, imported
only when one of them runs, so that other commands start without loading the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from envctl.operations import Outcome

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking for confirmation.")]
EngineOption = Annotated[str | None, typer.Option("--engine", help="Override envctl:engine (local or pulumi).")]
CloudOption = Annotated[str | None, typer.Option("--cloud", help="Override envctl:cloud (local or aws).")]
EnvArgument = Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Only show the plan (same as `preview`).")]
RefreshOption = Annotated[bool, typer.Option("--refresh", help="First reconcile the state with the cloud: what "
                                             "was changed or deleted outside envctl is put back.")]
DiffOption = Annotated[bool, typer.Option("--diff", help="Show each changing property, old → new (the plan "
                                          "always shows them; kept for Pulumi's spelling).")]


def register(app: typer.Typer) -> None:
    app.command("up", help="Bring ENV to the state its program and config describe, and record a snapshot. "
                "Shows the plan with its property diffs, asks, then applies exactly that plan.")(up)
    app.command("preview", help="Show what `up` would change, property by property, changing nothing.")(preview)
    app.command("destroy", help="Delete every resource of ENV and record a snapshot.")(destroy)
    app.command("unlock", help="Break ENV's lock by hand (when its holder is gone).")(unlock)


def up(env: EnvArgument, yes: YesOption = False, preview_only: PreviewOption = False, engine: EngineOption = None,
       cloud: CloudOption = None, json_output: JsonOption = False, refresh: RefreshOption = False) -> None:
    from envctl import operations
    from envctl.cli.operations import TerminalInteraction, environment, progress_console
    from envctl.errors import BadInput

    if preview_only and refresh:
        raise BadInput("--refresh changes the state, which a preview never does: use `up --refresh` without --preview")
    if preview_only:
        preview(env, engine=engine, cloud=cloud, json_output=json_output)
        return
    target = environment(env, engine, cloud)
    out = progress_console(json_output)
    with TerminalInteraction(out, show_plan=not json_output) as ui:
        outcome = operations.up(target, ui, yes=yes, refresh=refresh)
    _finish(outcome, json_output, out)


def preview(env: EnvArgument, diff: DiffOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False) -> None:
    from envctl import operations
    from envctl.cli import context
    from envctl.cli.operations import TerminalInteraction, environment, print_plan, progress_console, result_document

    target = environment(env, engine, cloud)
    out = progress_console(json_output)
    with TerminalInteraction(out) as ui:
        plan = operations.preview(target, ui)
    if json_output:
        context.print_json(result_document(plan, None))
    else:
        print_plan(out, plan)
    if not plan.succeeded:
        raise operations.operation_error(plan)


def destroy(env: EnvArgument, yes: YesOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False) -> None:
    from envctl import operations
    from envctl.cli.operations import TerminalInteraction, environment, progress_console

    target = environment(env, engine, cloud, must_exist=True)
    out = progress_console(json_output)
    with TerminalInteraction(out, show_plan=not json_output) as ui:
        outcome = operations.destroy(target, ui, yes=yes)
    _finish(outcome, json_output, out)


def unlock(env: EnvArgument, json_output: JsonOption = False) -> None:
    from envctl import operations
    from envctl.cli import context
    from envctl.cli.operations import environment

    previous = operations.unlock(environment(env, must_exist=True))
    if json_output:
        context.print_json({"env": env, "unlocked": previous is not None,
                            "holder": previous.describe() if previous else None})
    elif previous is None:
        context.console().print(f"{env} was not locked")
    else:
        context.console().print(f"broke the lock of {env} held by {previous.describe()}")


def _finish(outcome: Outcome, json_output: bool, out: Console) -> None:
    from envctl.cli import context
    from envctl.cli.operations import print_outcome, result_document
    from envctl.operations import operation_error

    if json_output:
        context.print_json(result_document(outcome.result, outcome.snapshot))
    else:
        print_outcome(out, outcome.result, outcome.snapshot)
    if not outcome.result.succeeded:
        raise operation_error(outcome.result)
