"""The `envctl` command. Each command module registers its commands on the one app."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from envctl import __version__
from envctl.cli import context
from envctl.errors import EnvctlError

app = typer.Typer(
    name="envctl",
    help="Reproducible environments from versioned Pulumi programs, with a traceability ledger.\n\n"
    "Exit codes: 0 ok, 1 operation failed, 2 bad input.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"envctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    project_dir: Annotated[
        Path | None,
        typer.Option("-C", "--cwd", help="Run as if envctl was started in this directory (as git -C and terraform "
                     "-chdir): the Pulumi project is found there, and relative paths such as --plan and --out are "
                     "taken from there (default: the project is found upward from the current directory)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    if project_dir is not None and not project_dir.is_dir():
        from envctl.errors import BadInput

        raise BadInput(f"-C {project_dir}: no such directory (envctl creates nothing there); give a Pulumi project's "
                       "directory")
    if project_dir is not None:
        os.chdir(project_dir)
        project_dir = Path.cwd()
    context.set_project_dir(project_dir)


def _register_commands() -> None:
    from envctl.cli import commands

    for module in commands.MODULES:
        module.register(app)


def main() -> None:
    """Console entry point: EnvctlError becomes its message and exit code, never a traceback."""
    try:
        _run()
    except SystemExit as done:
        _leave(done.code)


def _run() -> None:
    _register_commands()
    try:
        # Standalone mode: click reports usage errors itself (exit 2) and handles Ctrl-C.
        app()
    except EnvctlError as exc:
        context.console_err().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except Exception as exc:
        message = _database_trouble(exc)
        if message is None:
            raise
        context.console_err().print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        sys.exit(2)


def _leave(code: object) -> None:
    """Exit without the interpreter's teardown: freeing the SDK's and pulumi-aws's modules object by object costs
    more CPU than many a whole no-op run (0.9 s of a reference no-op's 2.9 s). Every write is committed by now (each
    is its own transaction) and envctl leaves no atexit work, so only the standard streams need flushing."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`envctl ... | head`): nothing more can be said.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


def _database_trouble(exc: Exception) -> str | None:
    """A database that is locked by another process, or unreadable, is the user's to sort out."""
    from sqlalchemy.exc import DBAPIError

    from envctl.ledger.db import BUSY_TIMEOUT_ENV, LEDGER_URL_ENV

    if not isinstance(exc, DBAPIError):
        return None
    cause = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    # Each statement runs in its own transaction, so nothing was half-written.
    return (f"the project database is unavailable: {cause}. If another process holds it, retry when it is done "
            f"(or wait longer with {BUSY_TIMEOUT_ENV}=SECONDS); otherwise check {LEDGER_URL_ENV}. Each write is one "
            "transaction: none was half-written.")
