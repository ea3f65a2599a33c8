"""Command: `envctl output ENV [NAME]`, the stack outputs of an environment's current state, for people and scripts
(Pulumi's `stack output`)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from envctl.cli import context


def register(app: typer.Typer) -> None:
    app.command("output", help="Print ENV's stack outputs as its last run left them (all, or the one NAME): strings "
                "as they are, lists and maps as JSON, secrets as [secret] unless --show-secrets.")(output)


def output(
    env: Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")],
    name: Annotated[str | None, typer.Argument(help="One output's name; without it, every output.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON (the value, or a map of every output).")]
    = False,
    show_secrets: Annotated[bool, typer.Option(
        "--show-secrets", help="Print secret outputs in plaintext (needs the passphrase).")] = False,
) -> None:
    from envctl.cli.operations import environment
    from envctl.outputs import stack_outputs

    target = environment(env, must_exist=True, sealed_ok=not show_secrets)
    values = stack_outputs(env, target.store(), name, show_secrets=show_secrets)
    if json_output:
        context.print_json(values)
    elif name is not None:
        sys.stdout.write(_text(values) + "\n")
    else:
        _print_table(values)


def _print_table(values: dict[str, Any]) -> None:
    if not values:
        sys.stdout.write("no outputs\n")
        return
    width = max(len(key) for key in values)
    lines = [f"{'OUTPUT':<{width}}  VALUE"] + [f"{key:<{width}}  {_text(values[key])}" for key in sorted(values)]
    sys.stdout.write("\n".join(lines) + "\n")


def _text(value: Any) -> str:
    from envctl.cli.operations import value_text

    return value_text(value)
