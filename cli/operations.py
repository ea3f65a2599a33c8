"""How up, preview, destroy and unlock run: lock, preview, confirm, apply, record, render."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from envctl.cli import context
from envctl.cli.environment import Environment, describe_event, open_environment
from envctl.cli.recording import record_interrupted, record_operation
from envctl.engine import lock
from envctl.engine.deployment import LocalDeployment, OperationResult
from envctl.engine.monitor import StepEvent
from envctl.engine.properties import reveal_redacted
from envctl.errors import BadInput, EnvctlError, OperationFailed


def up(env: str, yes: bool, engine: str | None, cloud: str | None, json_output: bool, refresh: bool = False) -> None:
    environment = open_environment(env, engine, cloud)
    out = progress_console(json_output)
    with locked(environment, "up", out):
        started = datetime.now(UTC)
        if refresh:
            from envctl.cli.drift_cmd import print_drift

            reconciled = environment.deployment().refresh()
            out.print(f"refreshed {env}: {len(reconciled.resources)} of {reconciled.checked} resources differed "
                      "from the cloud")
            print_drift(out, reconciled)
        with Progress(out) as progress:
            deployment = environment.deployment(progress.on_event)
            plan = deployment.preview()
        if plan.succeeded and plan.has_changes and not json_output:
            print_plan(out, plan)
        if plan.succeeded and plan.has_changes and not yes:
            context.confirm("Apply these changes?", "apply")
        result = plan
        if plan.succeeded:
            # Even without changes: the real run resolves outputs and records options such as `protect`.
            with Progress(out) as progress:
                deployment.on_event = progress.on_event
                result = deployment.apply()
        result.operation = "up"
        _finish(environment, result, started, json_output, out)


def preview(env: str, engine: str | None, cloud: str | None, json_output: bool) -> None:
    environment = open_environment(env, engine, cloud)
    out = progress_console(json_output)
    with Progress(out) as progress:
        plan = environment.deployment(progress.on_event).preview()
    if json_output:
        context.print_json(_document(environment, plan, None))
    else:
        print_plan(out, plan)
    if not plan.succeeded:
        raise operation_error(plan)


def destroy(env: str, yes: bool, engine: str | None, cloud: str | None, json_output: bool) -> None:
    environment = open_environment(env, engine, cloud, must_exist=True)
    out = progress_console(json_output)
    with locked(environment, "destroy", out):
        started = datetime.now(UTC)
        deployment: LocalDeployment = environment.deployment()
        plan = deployment.destroy(dry_run=True)
        if not json_output:
            print_plan(out, plan)
        if plan.planned and not yes:
            context.confirm(f"Delete every resource of {env}?", "destroy")
        with Progress(out) as progress:
            deployment.on_event = progress.on_event
            result = deployment.destroy()
        _finish(environment, result, started, json_output, out)


def unlock(env: str, json_output: bool) -> None:
    environment = open_environment(env, must_exist=True)
    previous = lock.unlock(environment.database, env)
    if json_output:
        context.print_json({"env": env, "unlocked": previous is not None,
                            "holder": previous.describe() if previous else None})
    elif previous is None:
        context.console().print(f"{env} was not locked")
    else:
        context.console().print(f"broke the lock of {env} held by {previous.describe()}")


@contextmanager
def locked(environment: Environment, operation: str, out: Console) -> Iterator[None]:
    """The environment's lock for the operation; a run whose process died is recorded as interrupted."""
    with lock.environment_lock(environment.database, environment.name, operation) as acquired:
        if acquired.broken is not None:
            out.print(f"[yellow]broke the stale lock of {acquired.broken.describe()}: its process is gone[/]")
            ref = record_interrupted(environment, acquired.broken.operation, acquired.broken.since,
                                     acquired.broken.describe())
            out.print(f"recorded the interrupted run as {ref}")
        for note in environment.deployment().recover():
            out.print(f"[yellow]recovered:[/] {note}")
        yield


# ---- rendering -----------------------------------------------------------------------------


class Progress:
    """A live status line with the count of finished steps; each finished step printed above it."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.done = 0
        self._lock = threading.Lock()
        self._status: Any = None

    def __enter__(self) -> Progress:
        self._status = self.out.status("working…", spinner="dots")
        self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._status.__exit__(*exc)

    def on_event(self, event: StepEvent) -> None:
        if event.status == "started":
            self._status.update(f"{event.op} {event.type} {event.urn.split('::')[-1]}…")
            return
        with self._lock:
            self.done += 1
            self.out.print(describe_event(event))
            self._status.update(f"{self.done} step(s) done…")


def progress_console(json_output: bool) -> Console:
    # With --json, stdout carries only the document; progress goes to stderr.
    return context.console_err() if json_output else context.console()


def print_plan(out: Console, plan: OperationResult) -> None:
    if not plan.succeeded:
        return
    if not plan.planned:
        out.print("[green]No changes.[/]")
        return
    symbols = {"create": "[green]+[/]", "update": "[yellow]~[/]", "replace": "[magenta]+-[/]",
               "delete": "[red]-[/]"}
    out.print(f"[bold]Plan for {plan.stack}:[/]")
    for op, type_, urn in plan.planned:
        out.print(f"  {symbols.get(op, ' ')} {op:<8} {type_} [bold]{urn.split('::')[-1]}[/]")
    out.print("  " + _summary(plan.changes))


def _summary(changes: dict[str, int]) -> str:
    return ", ".join(f"{n} to {op}" if op != "same" else f"{n} unchanged" for op, n in changes.items() if n) \
        or "nothing to do"


def _finish(environment: Environment, result: OperationResult, started: datetime, json_output: bool,
            out: Console) -> None:
    recorded = record_operation(environment, result, started, datetime.now(UTC))
    if json_output:
        context.print_json(_document(environment, result, recorded))
    else:
        state = "[green]succeeded[/]" if result.succeeded else "[red]failed[/]"
        out.print(f"{result.operation} {environment.name} {state} in {result.seconds:.1f}s: {_summary(result.changes)}")
        if result.outputs and result.succeeded:
            out.print("[bold]Outputs:[/]")
            for key, value in sorted(reveal_redacted(result.outputs).items()):
                out.print(f"  {key}: {value}")
        out.print(f"recorded snapshot [bold]{recorded}[/]")
    if not result.succeeded:
        raise operation_error(result)


def _document(environment: Environment, result: OperationResult, snapshot: str | None) -> dict[str, Any]:
    return {
        "snapshot": snapshot,
        "env": environment.name,
        "operation": result.operation,
        "status": "succeeded" if result.succeeded else "failed",
        "changes": result.changes,
        "planned": [{"op": op, "type": t, "urn": urn} for op, t, urn in result.planned],
        "outputs": reveal_redacted(result.outputs),
        "error": result.error,
        "seconds": round(result.seconds, 3),
    }


def operation_error(result: OperationResult) -> EnvctlError:
    if result.error_kind == "bad_input":
        return BadInput(result.error or "bad input")
    return OperationFailed(result.error or "the operation failed")
