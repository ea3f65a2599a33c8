"""What every command needs: the project directory, consoles, the database URL."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from envctl.project import find_project_dir

_state: dict[str, Any] = {"project_dir": None}


def set_project_dir(path: Path | None) -> None:
    _state["project_dir"] = path


def project_dir_option() -> Path | None:
    """The directory given with -C, or None to search upward from the current directory."""
    return _state["project_dir"]


def project_root() -> Path:
    """The project directory: the one given with -C, else the nearest one holding Pulumi.yaml."""
    return project_dir_option() or find_project_dir(Path.cwd())


def project_dir_or_cwd() -> Path:
    """The project directory, or the current one for commands that also work outside a project."""
    from envctl.errors import BadInput

    try:
        return project_root()
    except BadInput:
        return Path.cwd()


def ledger_url() -> str:
    """The ledger's database: ENVCTL_LEDGER_URL (enough outside a project), else the project's own."""
    from envctl.ledger.db import LEDGER_URL_ENV

    return os.environ.get(LEDGER_URL_ENV) or database_url(project_root())


def console() -> Console:
    return Console(highlight=False, emoji=False)


def console_err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def database_url(project_dir: Path) -> str:
    from envctl.ledger.db import LEDGER_URL_ENV, default_url  # sqlalchemy loads only for commands that need it

    return os.environ.get(LEDGER_URL_ENV) or default_url(project_dir)


def print_json(document: Any) -> None:
    """One JSON document on stdout, for scripts."""
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")


def confirm(question: str, action: str) -> None:
    """Ask before acting; without a terminal to ask on, --yes must say so (exit 2), never a silent yes."""
    import typer

    from envctl.errors import BadInput

    if not sys.stdin.isatty():
        raise BadInput(f"{action} needs confirmation but stdin is not a terminal: pass --yes to {action} "
                       "without asking")
    if not typer.confirm(question, default=False):
        raise typer.Exit(1)
