"""Commands: config set|get|list|rm|cp|change-passphrase, on the stack file (Pulumi.<env>.yaml) in Pulumi's own
format. The editing is `envctl.stack_file`; this module parses, reads the value, and renders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from envctl.cli import context
from envctl.project import load_project

config_app = typer.Typer(
    name="config",
    help="Read and write an environment's config: the stack file Pulumi.<env>.yaml, in Pulumi's format.",
    no_args_is_help=True,
)

EnvArg = Annotated[str, typer.Argument(help="Environment (stack) name, e.g. dev.")]
KeyArg = Annotated[str, typer.Argument(help="Config key: `name` (the project's namespace) or `namespace:name`.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ShowSecretsOpt = Annotated[
    bool, typer.Option("--show-secrets", help="Decrypt secrets (needs PULUMI_CONFIG_PASSPHRASE).")
]


def register(app: typer.Typer) -> None:
    """Add the `config` command group to the app."""
    app.add_typer(config_app, name="config")


@config_app.command("set")
def set_command(
    env: EnvArg,
    key: KeyArg,
    value: Annotated[
        str | None,
        typer.Argument(help="The value; omitted, it is read from stdin (or prompted for, hidden with --secret)."),
    ] = None,
    secret: Annotated[bool, typer.Option("--secret", help="Encrypt the value (Pulumi passphrase provider).")] = False,
    path: Annotated[
        bool, typer.Option("--path", help="KEY is a property path into a map or list, e.g. `data.ports[0]`.")
    ] = False,
) -> None:
    """Set a config value in the stack file, as `pulumi config set` does. Never prints the value."""
    from envctl import stack_file

    project = load_project(context.project_root())
    target = stack_file.settable_target(project, env, key, path, secret)
    written = stack_file.set_value(project, env, target, value if value is not None else _read_value(secret), secret)
    note = " (new encryptionsalt written)" if written.salt_is_new else ""
    message = f"set {'secret' if secret else 'value'} {written.shown} in {written.file}{note}"
    context.console_err().print(Text(message), soft_wrap=True)


@config_app.command("get")
def get_command(env: EnvArg, key: KeyArg, json_out: JsonOpt = False, show_secrets: ShowSecretsOpt = False) -> None:
    """Print one config value (project defaults included); a secret stays hidden unless --show-secrets."""
    from envctl import stack_file

    [(full_key, (is_secret, value))] = stack_file.config_values(load_project(context.project_root()), env,
                                                                show_secrets, key).items()
    if json_out:
        context.print_json({"key": full_key, "secret": is_secret, **_json_value(value, is_secret, show_secrets)})
    else:
        typer.echo(_as_text(value))


@config_app.command("list")
def list_command(env: EnvArg, json_out: JsonOpt = False, show_secrets: ShowSecretsOpt = False) -> None:
    """List the environment's config (project defaults included); secrets stay hidden unless --show-secrets."""
    from envctl import stack_file

    project = load_project(context.project_root())
    values = stack_file.config_values(project, env, show_secrets)
    if json_out:
        context.print_json({key: {"secret": is_secret, **_json_value(value, is_secret, show_secrets)}
                            for key, (is_secret, value) in sorted(values.items())})
        return
    table = Table("KEY", "VALUE", box=None, pad_edge=False)
    for k, (_, v) in sorted(values.items()):
        table.add_row(Text(k.removeprefix(project.name + ":")), Text(_as_text(v)))
    context.console().print(table)


@config_app.command("rm")
def rm_command(
    env: EnvArg,
    key: KeyArg,
    path: Annotated[
        bool, typer.Option("--path", help="KEY is a property path into a map or list, e.g. `data.ports[0]`.")
    ] = False,
) -> None:
    """Remove a config value from the stack file, as `pulumi config rm` does."""
    from envctl import stack_file

    file = stack_file.remove_value(load_project(context.project_root()), env, key, path)
    context.console_err().print(Text(f"removed {key} from {file}"), soft_wrap=True)


@config_app.command("cp")
def cp_command(
    env: Annotated[str, typer.Argument(help="The environment to copy from.")],
    destination: Annotated[str, typer.Argument(help="The environment to copy into (its stack file is made if "
                                               "missing).")],
    key: Annotated[str | None, typer.Argument(help="Copy only this key (default: every key).")] = None,
) -> None:
    """Copy config from ENV into DESTINATION, as `pulumi config cp`: secrets are re-encrypted under DESTINATION's
    key (both stacks use PULUMI_CONFIG_PASSPHRASE)."""
    from envctl import stack_file

    file, copied = stack_file.copy_values(load_project(context.project_root()), env, destination, key)
    context.console_err().print(Text(f"copied {len(copied)} key(s) from {env} into {file}: {', '.join(copied)}"),
                                soft_wrap=True)


@config_app.command("change-passphrase")
def change_passphrase_command(
    env: EnvArg,
    new_passphrase_file: Annotated[Path | None, typer.Option(
        "--new-passphrase-file", metavar="FILE", help="Read the new passphrase from FILE (else it is asked for, "
        "twice, on the terminal).")] = None,
) -> None:
    """Re-encrypt ENV's secrets (stack file and state) under a new passphrase. The current one comes from
    PULUMI_CONFIG_PASSPHRASE (or _FILE); set the new one there afterwards. Like `pulumi stack
    change-secrets-provider passphrase`; the ledger's fingerprints of secrets change with the key."""
    from envctl import operations
    from envctl.cli.operations import environment

    changed = operations.change_passphrase(environment(env, must_exist=True), _new_passphrase(new_passphrase_file))
    context.console_err().print(Text(f"re-encrypted {changed.secrets} secret(s) in {changed.stack_file} and "
                                     f"{changed.state_rows} state row(s) of {env} under the new passphrase; set it "
                                     "in PULUMI_CONFIG_PASSPHRASE from now on"), soft_wrap=True)


def _new_passphrase(file: Path | None) -> str:
    from envctl.errors import BadInput

    if file is not None:
        try:
            return file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"cannot read the new passphrase from {file}: {exc}") from None
    if not sys.stdin.isatty():
        raise BadInput("the new passphrase is asked for on a terminal: without one, pass --new-passphrase-file FILE")
    first = typer.prompt("new passphrase", hide_input=True)
    if typer.prompt("again", hide_input=True) != first:
        raise BadInput("the two passphrases differ: nothing was changed")
    return first


def _json_value(value: Any, is_secret: bool, show_secrets: bool) -> dict[str, Any]:
    # Like `pulumi config --json`: a hidden secret has no value at all rather than a placeholder.
    return {} if is_secret and not show_secrets else {"value": value}


def _as_text(value: Any) -> str:
    """How `pulumi config get` prints: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _read_value(secret: bool) -> str:
    from envctl.errors import BadInput

    if sys.stdin.isatty():
        return typer.prompt("value", hide_input=secret)
    piped = sys.stdin.read()
    if not piped:  # a script that forgot the value would otherwise blank the key
        raise BadInput("no value given: pass VALUE, or pipe it on stdin (an empty value is VALUE \"\")")
    return piped.removesuffix("\n").removesuffix("\r")
