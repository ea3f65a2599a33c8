"""Rendering of the changing workflows (up, preview, destroy): the live progress, the plan with its property diffs,
the summary, and the terminal's answers to confirmation questions. The workflows are `envctl.operations`."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from rich.console import Console
from rich.markup import escape

from envctl.cli import context
from envctl.engine.deployment import DeploymentResult
from envctl.engine.drift import DriftReport
from envctl.engine.executor import StepEvent
from envctl.engine.properties import reveal_redacted
from envctl.engine.steps import Step
from envctl.environment import Environment, open_environment

_SYMBOLS = {"create": "[green]+[/]", "update": "[yellow]~[/]", "replace": "[magenta]+-[/]", "delete": "[red]-[/]",
            "read": ">", "same": " "}


def environment(env: str, engine: str | None = None, cloud: str | None = None,
                must_exist: bool = False, sealed_ok: bool = False) -> Environment:
    """The environment of the command's project."""
    root = context.project_root()
    return open_environment(root, context.database_url(root), env, engine, cloud, must_exist, sealed_ok)


class TerminalInteraction:
    """Progress on a live status line (every step in flight), each finished step printed above it, the plan with
    its diffs, and questions asked on the terminal (without one, --yes must be given)."""

    def __init__(self, out: Console, show_plan: bool = True) -> None:
        self.out = out
        self.show_plan = show_plan
        self._lock = threading.Lock()
        self._in_flight: dict[str, str] = {}
        self._done = 0
        self._status: Any = None

    def __enter__(self) -> TerminalInteraction:
        self._status = self.out.status("working…", spinner="dots")
        self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._status.__exit__(*exc)

    def event(self, event: StepEvent) -> None:
        with self._lock:
            if event.status == "started":
                self._in_flight[event.urn] = f"{event.op} {event.urn.split('::')[-1]}"
            else:
                self._in_flight.pop(event.urn, None)
                self._done += 1
                self.out.print(describe_event(event))
            flying = ", ".join(sorted(self._in_flight.values())[:4])
            more = f" (+{len(self._in_flight) - 4})" if len(self._in_flight) > 4 else ""
            self._status.update(f"{self._done} step(s) done" + (f"; {escape(flying)}{more}…" if flying else "…"))

    def note(self, text: str) -> None:
        self.out.print(f"[yellow]{escape(text)}[/]")

    def plan(self, plan: DeploymentResult) -> None:
        if self.show_plan:
            with self._paused():
                print_plan(self.out, plan)

    def refreshed(self, report: DriftReport) -> None:
        self._print_refresh(report, f"refreshed {report.stack}: {len(report.resources)} of {report.checked} "
                                    "resources differed from the cloud")

    def would_refresh(self, report: DriftReport) -> None:
        self._print_refresh(report, f"{report.stack}: {len(report.resources)} of {report.checked} resources differ "
                                    "from the cloud; a refresh takes the cloud's values into the state")

    def _print_refresh(self, report: DriftReport, heading: str) -> None:
        from envctl.cli.drift_cmd import print_drift

        with self._paused():
            self.out.print(escape(heading))
            print_drift(self.out, report)

    def confirm(self, question: str, action: str) -> bool:
        with self._paused():
            return context.confirm(question, action)

    def _paused(self) -> Any:
        status = self._status

        class _Paused:
            def __enter__(self) -> None:
                if status is not None:
                    status.stop()

            def __exit__(self, *exc: object) -> None:
                if status is not None:
                    status.start()

        return _Paused()


def progress_console(json_output: bool) -> Console:
    # With --json, stdout carries only the document; progress goes to stderr.
    return context.console_err() if json_output else context.console()


def print_plan(out: Console, plan: DeploymentResult) -> None:
    """Each changing step with its property diff (old → new; for a replacement, what forces it)."""
    if not plan.succeeded:
        return
    if not plan.planned:
        out.print("[green]No changes.[/]")
        return
    lines = [f"[bold]Plan for {escape(plan.stack)}:[/]"]
    for step in plan.planned:
        lines.append(f"  {_SYMBOLS.get(step.op, ' ')} {step.op:<8} {escape(step.type)} [bold]{escape(step.name)}[/]"
                     + _replace_reason(step))
        lines.extend(f"      {escape(line)}" for line in change_lines(step))
    lines.append("  " + summary(plan.changes))
    out.print("\n".join(lines))  # one print: rich's cost per call is most of a large plan's rendering


def change_lines(step: Step) -> list[str]:
    """One line per changed property: `key: old → new`, marked when it forces the replacement."""
    lines = []
    for change in step.changes:
        old, new = change.shown()
        forces = "  (forces replacement)" if change.replaces else ""
        lines.append(f"{change.key}: {value_text(old)} → {value_text(new)}{forces}")
    return lines


def value_text(value: Any) -> str:
    """A value as the user wrote it: strings literally, absent as (none), anything else as JSON."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return "(known after apply)" if value == "04da6b54-80e4-46f7-96ec-b56ff0331ba9" else value
    return json.dumps(value, sort_keys=True)


def summary(changes: dict[str, int]) -> str:
    return ", ".join(f"{n} to {op}" if op != "same" else f"{n} unchanged" for op, n in changes.items() if n) \
        or "nothing to do"


def done_summary(result: DeploymentResult) -> str:
    """What the run did, in the past tense with real counts; a run that took no step says what it planned."""
    if not result.records:
        return summary(result.changes) if result.succeeded else "nothing was changed"
    return ", ".join(f"{n} {what}" for what, n in result.done.items() if n) or "nothing to do"


def describe_event(event: StepEvent) -> str:
    """One line for a finished or failed step."""
    name = escape(event.urn.split("::")[-1] if event.urn else event.type)
    symbol = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "read": ">"}.get(event.op, " ")
    if event.status == "failed":
        return f"[red]✗ {event.op} {escape(event.type)} {name}: {escape(event.detail)}[/]"
    return f"{symbol} {event.op:<8} {escape(event.type)} [bold]{name}[/] ({event.seconds:.2f}s)"


def result_document(result: DeploymentResult, snapshot: str | None) -> dict[str, Any]:
    """The JSON document of an operation: its steps with their diffs, counts, outputs and error."""
    return {
        "snapshot": snapshot,
        "env": result.stack,
        "operation": result.operation,
        "status": result.status,
        "changes": result.changes,
        "done": result.done if result.records else None,
        "planned": [s.document() for s in result.planned],
        "outputs": reveal_redacted(result.outputs),
        "error": result.error,
        "seconds": round(result.seconds, 3),
    }


def print_outcome(out: Console, result: DeploymentResult, snapshot: str) -> None:
    state = "[green]succeeded[/]" if result.succeeded else f"[red]{result.status}[/]"
    out.print(f"{result.operation} {escape(result.stack)} {state} in {context.elapsed():.1f}s: {done_summary(result)}")
    if result.outputs and result.succeeded:
        out.print("[bold]Outputs:[/]")
        for key, value in sorted(reveal_redacted(result.outputs).items()):
            out.print(f"  {escape(key)}: {escape(value_text(value))}")
    out.print(f"recorded snapshot [bold]{escape(snapshot)}[/]")


def _replace_reason(step: Step) -> str:
    if step.op != "replace" or not step.diff.replaces:
        return ""
    order = "delete-before-replace" if step.delete_before_replace else "create-before-delete"
    return f" (replaced because of {', '.join(step.diff.replaces)}; {order})"


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
