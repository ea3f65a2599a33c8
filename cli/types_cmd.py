"""Command: `envctl types`, the resource types and invokes the local engine implements, and per type the inputs it
honours and those it refuses."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from envctl.cli import context

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]
TokenArgument = Annotated[str | None, typer.Argument(
    help="Show one type (its token, e.g. aws:s3/bucket:Bucket, random:index/randomId:RandomId) or every type "
    "whose token contains this text.")]


def register(app: typer.Typer) -> None:
    app.command("types", help="List the resource types and invokes envctl's local engine supports; with TOKEN, "
                "the inputs each honours and those it refuses.")(types)


def types(token: TokenArgument = None, json_output: JsonOption = False) -> None:
    from envctl.cloud.target import CloudTarget
    from envctl.providers.packages import provider_packages

    infos = [info for package in provider_packages(CloudTarget("local"), "").values() for info in package.types()
             if token is None or token in info.token]
    if json_output:
        context.print_json([{"token": i.token, "kind": i.kind, "implemented": list(i.implemented),
                             "unimplemented": dict(i.unimplemented), "outputs": list(i.outputs)} for i in infos])
        return
    out = context.console()
    if not infos:
        from envctl.errors import BadInput

        raise BadInput(f"no type or invoke matches {token!r}; `envctl types` lists them all")
    detailed = token is not None and len(infos) <= 5
    for info in infos:
        out.print(f"{info.kind:<9}{escape(info.token)}")
        if detailed and info.kind == "resource":
            out.print(f"  inputs:     {escape(', '.join(info.implemented))}")
            for key, hint in sorted(info.unimplemented.items()):
                out.print(f"  refuses:    {escape(key)}" + (f" ({escape(hint)})" if hint else ""))
            out.print(f"  outputs:    {escape(', '.join(info.outputs))}")
    if not detailed:
        resources = sum(1 for i in infos if i.kind == "resource")
        out.print(f"{resources} resource types, {len(infos) - resources} invokes"
                  + ("" if token else "; `envctl types TOKEN` shows a type's inputs"))
