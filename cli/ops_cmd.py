"""Commands that change environments: up, preview, destroy, refresh, unlock. The workflows are
`envctl.operations`, imported only when one of them runs, so that other commands start without loading the
engine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from envctl.engine.parallelism import DEFAULT_PARALLEL

if TYPE_CHECKING:
    from rich.console import Console

    from envctl.operations import Outcome, RunOptions

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
TargetOption = Annotated[list[str] | None, typer.Option(
    "--target", "-t", metavar="URN|NAME", help="Touch only this resource (a URN, or a logical name naming one); "
    "repeat for more. What it needs must exist already.")]
TargetDependentsOption = Annotated[bool, typer.Option(
    "--target-dependents", help="With --target, also touch the resources that depend on a target.")]
ExcludeOption = Annotated[list[str] | None, typer.Option(
    "--exclude", metavar="URN|NAME", help="Leave this resource as it is; repeat for more.")]
ReplaceOption = Annotated[list[str] | None, typer.Option(
    "--replace", metavar="URN|NAME", help="Replace this resource even though nothing in it changed; repeatable.")]
ParallelOption = Annotated[int, typer.Option(
    "--parallel", "-p", min=1, metavar="N", help="Run at most N steps at once (the default is the fastest measured "
    "here); a step always waits for what it depends on.")]


def register(app: typer.Typer) -> None:
    app.command("up", help="Bring ENV to the state its program and config describe, and record a snapshot. "
                "Shows the plan with its property diffs, asks, then applies exactly that plan.")(up)
    app.command("preview", help="Show what `up` would change, property by property, changing nothing. "
                "Exit code 0 with --exit-code means no changes, 1 changes pending, 2 bad input.")(preview)
    app.command("destroy", help="Delete every resource of ENV (or the targets) and record a snapshot.")(destroy)
    app.command("refresh", help="Take the cloud's word into ENV's state: what was changed outside envctl at the "
                "cloud's value, what was deleted out of the state (the next `up` then puts back what the program "
                "says). Recorded.")(refresh)
    app.command("unlock", help="Break ENV's lock by hand (when its holder is gone).")(unlock)


def up(env: EnvArgument, yes: YesOption = False, preview_only: PreviewOption = False, engine: EngineOption = None,
       cloud: CloudOption = None, json_output: JsonOption = False, refresh: RefreshOption = False,
       skip_preview: Annotated[bool, typer.Option(
           "--skip-preview", help="Apply without a preview first, and so without a plan to confirm (for pipelines "
           "that reviewed the change another way; a saved plan with --plan is the safer way).")] = False,
       plan_file: Annotated[Path | None, typer.Option(
           "--plan", metavar="FILE", help="Apply exactly the plan `preview --out FILE` saved, or refuse (exit 1) "
           "when the program, config or state moved since.")] = None,
       target: TargetOption = None, target_dependents: TargetDependentsOption = False,
       exclude: ExcludeOption = None, replace: ReplaceOption = None,
       parallel: ParallelOption = DEFAULT_PARALLEL) -> None:
    from envctl import operations
    from envctl.cli.operations import TerminalInteraction, environment, progress_console

    narrowed = bool(target or exclude or replace or target_dependents)
    _refuse_together(("--preview", preview_only), ("--refresh", refresh), why="a preview changes no state")
    _refuse_together(("--plan", plan_file is not None), ("--skip-preview", skip_preview), ("--refresh", refresh),
                     ("--preview", preview_only), ("--target/--exclude/--replace", narrowed),
                     why="a saved plan holds its own targets and is applied as it was made")
    if preview_only:
        preview(env, engine=engine, cloud=cloud, json_output=json_output, target=target,
                target_dependents=target_dependents, exclude=exclude, replace=replace, parallel=parallel)
        return
    selected = environment(env, engine, cloud)
    out = progress_console(json_output)
    with TerminalInteraction(out, show_plan=not json_output) as ui:
        if plan_file is not None:
            outcome = operations.up_saved(selected, ui, plan_file, yes=yes, parallel=parallel)
        else:
            options = _options(target, target_dependents, exclude, replace, parallel)
            outcome = operations.up(selected, ui, yes=yes, refresh=refresh, skip_preview=skip_preview,
                                    options=options)
    _finish(outcome, json_output, out)


def preview(env: EnvArgument, diff: DiffOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False, refresh: Annotated[bool, typer.Option(
                "--refresh", help="Decide against the state as the cloud has it now (read, not written).")] = False,
            exit_code: Annotated[bool, typer.Option(
                "--exit-code", help="Exit 1 when there are changes to apply, 0 when there are none (2 stays bad "
                "input), as `git diff --exit-code`.")] = False,
            out_file: Annotated[Path | None, typer.Option(
                "--out", metavar="FILE", help="Save the plan to FILE for `up --plan FILE`: its steps with their "
                "diffs, and digests of the program, config and state it was made from (no secret values).")] = None,
            target: TargetOption = None, target_dependents: TargetDependentsOption = False,
            exclude: ExcludeOption = None, replace: ReplaceOption = None,
            parallel: ParallelOption = DEFAULT_PARALLEL) -> None:
    from envctl import operations
    from envctl.cli import context
    from envctl.cli.operations import TerminalInteraction, environment, print_plan, progress_console, result_document

    selected = environment(env, engine, cloud)
    out = progress_console(json_output)
    options = _options(target, target_dependents, exclude, replace, parallel)
    with TerminalInteraction(out) as ui:
        plan = operations.preview(selected, ui, options, refresh=refresh, out=out_file)
    if json_output:
        context.print_json({**result_document(plan, None), "plan_file": str(out_file) if out_file else None})
    else:
        print_plan(out, plan)
        if out_file is not None and plan.succeeded:
            out.print(f"saved the plan to {out_file}: apply it with `envctl up {env} --plan {out_file}`",
                      markup=False, highlight=False)
    if not plan.succeeded:
        raise operations.operation_error(plan)
    if exit_code and plan.has_changes:
        raise typer.Exit(1)


def destroy(env: EnvArgument, yes: YesOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False, target: TargetOption = None,
            target_dependents: TargetDependentsOption = False, exclude: ExcludeOption = None,
            parallel: ParallelOption = DEFAULT_PARALLEL) -> None:
    from envctl import operations
    from envctl.cli.operations import TerminalInteraction, environment, progress_console

    selected = environment(env, engine, cloud, must_exist=True)
    out = progress_console(json_output)
    with TerminalInteraction(out, show_plan=not json_output) as ui:
        outcome = operations.destroy(selected, ui, yes=yes,
                                     options=_options(target, target_dependents, exclude, None, parallel))
    _finish(outcome, json_output, out)


def refresh(env: EnvArgument, yes: YesOption = False, engine: EngineOption = None, cloud: CloudOption = None,
            json_output: JsonOption = False, target: TargetOption = None,
            parallel: ParallelOption = DEFAULT_PARALLEL) -> None:
    from envctl import operations
    from envctl.cli.operations import TerminalInteraction, environment, progress_console

    selected = environment(env, engine, cloud, must_exist=True)
    out = progress_console(json_output)
    with TerminalInteraction(out, show_plan=not json_output) as ui:
        outcome = operations.refresh(selected, ui, yes=yes, options=_options(target, False, None, None, parallel))
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


def _options(target: list[str] | None, target_dependents: bool, exclude: list[str] | None,
             replace: list[str] | None, parallel: int) -> RunOptions:
    from envctl.engine.targets import Targets
    from envctl.errors import BadInput
    from envctl.operations import RunOptions

    if target_dependents and not (target or exclude):
        raise BadInput("--target-dependents widens --target or --exclude: give one of them too")
    return RunOptions(parallel, Targets(frozenset(target or ()), target_dependents, frozenset(exclude or ()),
                                        frozenset(replace or ())))


def _refuse_together(*flags: tuple[str, bool], why: str) -> None:
    from envctl.errors import BadInput

    (first, given), *others = flags
    clashing = [name for name, on in others if on]
    if given and clashing:
        raise BadInput(f"{first} cannot be combined with {', '.join(clashing)}: {why}")


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
