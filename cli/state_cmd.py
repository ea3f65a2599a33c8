"""Commands: `envctl state delete|unprotect|rename ENV URN`, edits of the state alone (no cloud call), each
recorded in the ledger as its own operation. The edits are `envctl.state_edit`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from envctl.cli import context

if TYPE_CHECKING:
    from envctl.state_edit import StateEdit

state_app = typer.Typer(name="state", no_args_is_help=True,
                        help="Edit an environment's state without touching the cloud (as `pulumi state`); each edit "
                        "is recorded in the ledger.")

EnvArg = Annotated[str, typer.Argument(help="The environment (stack) name, e.g. dev.")]
ResourceArg = Annotated[str, typer.Argument(metavar="URN|NAME", help="The resource: its URN, or a logical name "
                                            "naming one.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Edit without asking for confirmation.")]


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
    app.command("import", help="Adopt a resource that exists in the cloud into ENV's state as NAME (protected, "
                "unless --no-protect), recorded in the ledger; prints the declaration to add to the program, after "
                "which `up` leaves the resource as it is.")(import_command)


def import_command(env: EnvArg, type_: Annotated[str, typer.Argument(
        metavar="TYPE", help="The Pulumi type token, e.g. aws:s3/bucket:Bucket (`envctl types` lists them).")],
        name: Annotated[str, typer.Argument(help="The logical name to give it in the program.")],
        id: Annotated[str, typer.Argument(help="Its id in the cloud, as Pulumi imports it (a bucket's name, a "
                                          "queue's URL, ...).")],
        protect: Annotated[bool, typer.Option("--protect/--no-protect", help="Protect it from deletion (the "
                                              "default, as Pulumi).")] = True,
        json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
        = False) -> None:
    from envctl.cli.operations import environment
    from envctl.engine.properties import reveal_redacted
    from envctl.importing import import_resource

    imported = import_resource(environment(env, must_exist=True), type_, name, id, protect=protect)
    if json_output:
        context.print_json({"urn": imported.resource.urn, "id": imported.resource.id, "snapshot": imported.snapshot,
                            "inputs": reveal_redacted(imported.resource.inputs), "code": imported.code})
        return
    sys.stdout.write(f"imported {type_} {imported.resource.id} as {imported.resource.urn}; recorded "
                     f"{imported.snapshot}\nAdd this to the program, so that `envctl up {env}` keeps it as it "
                     f"is:\n\n{imported.code}\n")


@state_app.command("delete")
def delete_command(env: EnvArg, resource: ResourceArg, force: Annotated[bool, typer.Option(
        "--force", help="Delete it from the state even though it is protected.")] = False, yes: YesOpt = False) -> None:
    """Forget a resource: it leaves the state and stays in the cloud (the next `up` creates it anew if the program
    still declares it; `envctl import` adopts it back). Refused while other resources depend on it."""
    from envctl import state_edit
    from envctl.cli.operations import environment

    target = environment(env, must_exist=True)
    if not yes:
        context.confirm(f"Delete {resource} from the state of {env}? It stays in the cloud.", "state delete")
    _report(state_edit.delete_resource(target, resource, force=force))


@state_app.command("unprotect")
def unprotect_command(env: EnvArg, resource: Annotated[str | None, typer.Argument(
        metavar="[URN|NAME]", help="The resource; omitted with --all.")] = None, every: Annotated[bool, typer.Option(
        "--all", help="Unprotect every resource of the environment.")] = False) -> None:
    """Clear `protect` on a resource, so that destroy or a replacement may delete it."""
    from envctl import state_edit
    from envctl.cli.operations import environment
    from envctl.errors import BadInput

    if (resource is None) == (not every):
        raise BadInput("give one resource (URN or name), or --all")
    _report(state_edit.unprotect(environment(env, must_exist=True), resource))


@state_app.command("rename")
def rename_command(env: EnvArg, resource: ResourceArg, new_name: Annotated[str, typer.Argument(
        help="The new logical name.")], yes: YesOpt = False) -> None:
    """Give a resource a new logical name in the state (its URN changes; references follow). Rename it in the
    program too, or the next `up` replaces it."""
    from envctl import state_edit
    from envctl.cli.operations import environment

    target = environment(env, must_exist=True)
    if not yes:
        context.confirm(f"Rename {resource} to {new_name} in the state of {env}?", "state rename")
    _report(state_edit.rename(target, resource, new_name))


def _report(edit: StateEdit) -> None:
    recorded = f"; recorded {edit.snapshot}" if edit.snapshot else "; nothing to record"
    sys.stdout.write(edit.detail + recorded + "\n")
