"""Commands: the embedded local cloud (a moto server on 127.0.0.1)."""

from __future__ import annotations

from typing import Annotated

import typer

from envctl.cli import context

cloud_app = typer.Typer(help="The embedded local AWS cloud that local environments live in.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]


def register(app: typer.Typer) -> None:
    app.add_typer(cloud_app, name="cloud")


@cloud_app.command("start", help="Start the local cloud (envctl also starts it on demand).")
def start(port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one.")] = 0,
          json_output: JsonOption = False) -> None:
    from envctl.engine.cloud import LocalCloud

    status = LocalCloud(context.project_root()).start(port)
    if json_output:
        context.print_json(status.to_json())
    else:
        context.console().print(f"local cloud running at {status.endpoint} (pid {status.pid})")


@cloud_app.command("stop", help="Stop the local cloud. Its resources are gone with it.")
def stop(json_output: JsonOption = False) -> None:
    from envctl.engine.cloud import LocalCloud

    stopped = LocalCloud(context.project_root()).stop()
    if json_output:
        context.print_json({"stopped": stopped})
    else:
        context.console().print("local cloud stopped" if stopped else "local cloud was not running")


@cloud_app.command("status", help="Whether the local cloud runs, and where.")
def status(json_output: JsonOption = False) -> None:
    from envctl.engine.cloud import LocalCloud

    current = LocalCloud(context.project_root()).status()
    if json_output:
        context.print_json(current.to_json())
    elif current.running:
        context.console().print(f"running at {current.endpoint}" + (f" (pid {current.pid})" if current.pid else ""))
    else:
        context.console().print("not running")
