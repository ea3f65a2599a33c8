"""Command: export REF --format cyclonedx|provenance|pulumi [-o FILE]. The exports live in `envctl.ledger.exports`,
imported only when the command runs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from envctl.cli import context


class ExportFormat(StrEnum):
    cyclonedx = "cyclonedx"
    provenance = "provenance"
    pulumi = "pulumi"


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ref: Annotated[str, typer.Argument(help="A snapshot: ENV, ENV@N, ENV~N or a hash prefix.")],
    export_format: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="cyclonedx: a CycloneDX 1.6 SBOM of the snapshot's manifest; provenance: an in-toto "
        "statement with SLSA provenance v1; pulumi: the env's current state as a deployment for `pulumi stack "
        "import` (REF must be the env's latest snapshot).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Export a snapshot as one JSON document: an SBOM, provenance, or a Pulumi deployment."""
    from envctl.ledger import Ledger
    from envctl.ledger.db import connect

    root = context.project_root()
    database = connect(context.database_url(root))
    ledger = Ledger(database)
    snapshot = ledger.load(ref)
    if export_format is ExportFormat.cyclonedx:
        from envctl.ledger.exports.cyclonedx import cyclonedx_sbom

        document = cyclonedx_sbom(snapshot)
    elif export_format is ExportFormat.provenance:
        from envctl.ledger.exports.provenance import provenance_statement, repository_uri

        document = provenance_statement(snapshot, repository_uri(root))
    else:
        from envctl.project import load_project
        from envctl.pulumi_export import export_current_state

        latest = ledger.history(snapshot.summary.env, limit=1)[0].seq
        exported = export_current_state(database, load_project(root), snapshot, latest)
        document = exported.document
        if exported.new_salt:
            context.console_err().print(
                f"note: the stack file of {escape(snapshot.summary.env)} has no encryptionsalt, so the secrets are "
                f"encrypted under a new one for the passphrase, carried in the document's secrets_providers "
                f"(`pulumi stack import` needs only the passphrase): {escape(exported.new_salt)}"
            )
    _write(document, output, f"{export_format.value} export of {snapshot.summary.ref}")


def _write(document: dict[str, Any], output: Path | None, what: str) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    context.console_err().print(f"wrote the {escape(what)} to {escape(str(output))}")
