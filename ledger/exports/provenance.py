"""A snapshot as an in-toto Statement v1 with a SLSA Provenance v1 predicate.

The subject is the snapshot itself (its ledger hash); the resolved dependencies are what the ledger
recorded it was made from: the git commit and uncommitted changes, the project files, the config (secrets
as fingerprints), the manifest and lock files, each by the digest the ledger holds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from envctl.ledger import StoredSnapshot
from envctl.ledger.canonical import canonical_json, sha256_hex
from envctl.ledger.exports import recorded_content, snapshot_name
from envctl.ledger.git import run_git

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://envctl.dev/provenance/operation/v1"
BUILDER_ID = "https://envctl.dev/builder/v1"


def provenance_statement(snapshot: StoredSnapshot, repository: str | None) -> dict[str, Any]:
    """The statement for `snapshot`; `repository` is the git remote or path its commit is found in."""
    summary = snapshot.summary
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": snapshot_name(snapshot), "digest": {"sha256": summary.hash}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": _present({
                    "project": snapshot.project,
                    "env": summary.env,
                    "operation": summary.operation,
                    "engine": snapshot.engine,
                    "cloud": snapshot.cloud,
                    "sourceRef": snapshot.source_ref,
                }),
                "internalParameters": _present({
                    "actor": summary.actor, "host": snapshot.host, "ciRunId": snapshot.ci_run_id,
                }),
                "resolvedDependencies": _resolved_dependencies(snapshot, repository),
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"envctl": snapshot.envctl_version}},
                "metadata": {
                    "invocationId": snapshot_name(snapshot),
                    "startedOn": _rfc3339(summary.started),
                    "finishedOn": _rfc3339(summary.finished),
                },
            },
        },
    }


def repository_uri(project_dir: Path) -> str | None:
    """Where the project's commits are: the `origin` remote (else the first one), else the work tree's path."""
    remotes = (run_git(project_dir, "remote") or b"").decode().split()
    if remotes:
        remote = "origin" if "origin" in remotes else remotes[0]
        url = (run_git(project_dir, "remote", "get-url", remote) or b"").decode().strip()
        if url:
            return _without_credentials(url)
    top = (run_git(project_dir, "rev-parse", "--show-toplevel") or b"").decode().strip()
    return Path(top).as_uri() if top else None


def _resolved_dependencies(snapshot: StoredSnapshot, repository: str | None) -> list[dict[str, Any]]:
    content = recorded_content(snapshot)
    sources = content.sources
    found: list[dict[str, Any]] = []
    commit = sources.get("commit")
    if commit:
        where = f"git+{repository}@{commit}" if repository else None
        found.append(_present({"uri": where, "name": "git", "digest": {"gitCommit": commit},
                               "annotations": _present({"branch": sources.get("branch")})}))
    if sources.get("dirty_digest"):
        found.append({"name": "uncommitted-changes", "digest": {"sha256": sources["dirty_digest"]}})
    found += [{"name": name, "digest": {"sha256": digest}}
              for name, digest in sorted(sources.get("files", {}).items()) if digest]
    for name, value in (("config", content.config), ("manifest", content.manifest)):
        found.append({"name": name, "digest": {"sha256": _digest(value)}, "mediaType": "application/json"})
    found += [{"name": name, "digest": {"sha256": digest}}
              for name, digest in sorted(content.manifest.get("lock_files", {}).items())]
    return found


def _digest(value: Any) -> str:
    """The digest of the value's canonical JSON: the same digest the ledger stores it under."""
    return sha256_hex(canonical_json(value))


def _without_credentials(url: str) -> str:
    # A remote URL may carry a token (https://user:token@host/...): never export it.
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, {}, "")}
