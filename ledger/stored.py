"""Loading one whole snapshot (header and content) by reference."""

from __future__ import annotations

from sqlalchemy import Connection

from envctl.ledger.content import ContentReader, MissingContent, content_unavailable
from envctl.ledger.model import StoredSnapshot
from envctl.ledger.queries import summary_from_row
from envctl.ledger.refs import resolve_ref


def load_snapshot(conn: Connection, ref: str, reader: ContentReader | None = None) -> StoredSnapshot:
    """The snapshot `ref` names, with its content unless pruned; share `reader` to share unchanged resources."""
    row = resolve_ref(conn, ref)
    summary = summary_from_row(row)
    content = None
    if row.tree_digest is not None:
        try:
            content = (reader or ContentReader(conn)).checked_content(row.tree_digest, row.content_digest)
        except MissingContent as exc:
            raise content_unavailable(summary.ref, str(exc)) from exc
    return StoredSnapshot(
        summary=summary,
        project=row.project,
        host=row.host,
        ci_run_id=row.ci_run_id,
        engine=row.engine,
        cloud=row.cloud,
        envctl_version=row.envctl_version,
        source_ref=row.source_ref,
        error=row.error,
        prev_hash=row.prev_hash,
        content_digest=row.content_digest,
        signer=row.signer,
        content=content,
    )
