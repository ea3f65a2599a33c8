"""What differs between two snapshots, section by section (schema: docs/ledger-diff-schema.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from envctl.errors import BadInput
from envctl.ledger.across_environments import Comparable
from envctl.ledger.git import commits_between
from envctl.ledger.model import SnapshotContent, StoredSnapshot
from envctl.ledger.property_diff import property_changes, same_value
from envctl.ledger.redaction import redact

SECTIONS = ("sources", "packages", "config", "resources", "outputs")
_GIT_FIELDS = ("commit", "branch", "dirty", "dirty_digest")
# Resource fields compared as a whole or listed separately; the rest (provider, parent, dependencies,
# custom, ...) are compared as "meta".
_IDENTITY_FIELDS = {"urn", "type", "id", "inputs", "outputs"}
_ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class LedgerDiff:
    a: dict[str, str]  # {"ref", "hash"}
    b: dict[str, str]
    sources: dict[str, Any]
    packages: dict[str, Any]
    config: dict[str, Any]
    resources: dict[str, Any]
    outputs: dict[str, Any]
    across_environments: bool = False  # two environments, physical identities set aside

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "across_environments": self.across_environments,
                "summary": self.summary(), **{name: getattr(self, name) for name in SECTIONS}}

    def summary(self) -> dict[str, Any]:
        """What differs, in names only: config keys, resources by kind of difference, types, toolchain, packages."""
        resources = self.resources
        only_a = {r["type"] for r in resources["removed"]} - {r["type"] for r in resources["added"]}
        only_b = {r["type"] for r in resources["added"]} - {r["type"] for r in resources["removed"]}
        return {
            "config": sorted({*self.config["added"], *self.config["removed"], *self.config["changed"]}),
            "resources": {kind: [r["urn"].rpartition("::")[2] for r in resources[kind]] for kind in resources},
            "types": {"only_in_a": sorted(only_a), "only_in_b": sorted(only_b)},
            "toolchain": [change["path"] for change in self.packages["toolchain"]],
            "packages": sum(len(self.packages[kind]) for kind in self.packages if kind != "toolchain"),
        }

    def is_empty(self) -> bool:
        git_a, git_b = self.sources["a"], self.sources["b"]
        sources_same = git_a == git_b and not _has_entries(self.sources["files"])
        return sources_same and not any(_has_entries(getattr(self, name)) for name in SECTIONS[1:])


def diff(a: StoredSnapshot, b: StoredSnapshot, repo_dir: Path | None = None, ids: bool = False) -> LedgerDiff:
    """Compare snapshot `a` (before) with `b` (after); commit lists come from the git repository at `repo_dir`.
    Snapshots of two environments are compared by logical name with physical identities set aside (see
    `across_environments`), unless `ids`."""
    before, after = _content(a), _content(b)
    across = a.summary.env != b.summary.env and not ids
    resources_a, resources_b, outputs_a, outputs_b = before.resources, after.resources, before.outputs, after.outputs
    if across:
        side_a, side_b = Comparable(resources_a, a.summary.env), Comparable(resources_b, b.summary.env)
        resources_a, resources_b = side_a.resources(), side_b.resources()
        outputs_a, outputs_b = side_a.value(outputs_a), side_b.value(outputs_b)
    return LedgerDiff(
        a={"ref": a.summary.ref, "hash": a.summary.hash},
        b={"ref": b.summary.ref, "hash": b.summary.hash},
        sources=_sources(before.sources, after.sources, repo_dir or Path.cwd()),
        packages=_packages(a, b, before.manifest, after.manifest),
        config=_keyed_changes(before.config, after.config),
        resources=_resources(resources_a, resources_b),
        outputs=_keyed_changes(outputs_a, outputs_b),
        across_environments=across,
    )


def _keyed_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys added, removed and changed; secret values shown as "[secret]"."""
    return {
        "added": {key: redact(after[key]) for key in sorted(after.keys() - before.keys())},
        "removed": {key: redact(before[key]) for key in sorted(before.keys() - after.keys())},
        "changed": {
            key: {"from": redact(before[key]), "to": redact(after[key])}
            for key in sorted(before.keys() & after.keys())
            if not same_value(before[key], after[key])
        },
    }


def _content(snapshot: StoredSnapshot) -> SnapshotContent:
    if snapshot.content is None:
        raise BadInput(f"{snapshot.summary.ref} was pruned: only its header is kept, so it cannot be diffed")
    return snapshot.content


def _sources(before: dict[str, Any], after: dict[str, Any], repo_dir: Path) -> dict[str, Any]:
    old, new = before.get("commit"), after.get("commit")
    return {
        "a": {field: before.get(field) for field in _GIT_FIELDS},
        "b": {field: after.get(field) for field in _GIT_FIELDS},
        "commits": [] if old == new else commits_between(repo_dir, old, new),
        "commits_reverted": [] if old == new else commits_between(repo_dir, new, old),
        "files": _keyed_changes(before.get("files", {}), after.get("files", {})),
    }


def _packages(a: StoredSnapshot, b: StoredSnapshot, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Distributions by PEP 440 order, and every other manifest item (interpreter, OS, SDKs, ...) as toolchain."""
    section = _package_versions(before.get("packages", {}), after.get("packages", {}))
    toolchain = property_changes(_toolchain(a, before), _toolchain(b, after))
    section["toolchain"] = [change.to_json() for change in toolchain]
    return section


def _toolchain(snapshot: StoredSnapshot, manifest: dict[str, Any]) -> dict[str, Any]:
    items = {key: value for key, value in manifest.items() if key != "packages"}
    return {"engine": snapshot.engine, "cloud": snapshot.cloud, **items}


def _package_versions(before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    section: dict[str, list[dict[str, str]]] = {
        "added": [{"name": name, "version": after[name]} for name in sorted(after.keys() - before.keys())],
        "removed": [{"name": name, "version": before[name]} for name in sorted(before.keys() - after.keys())],
        "upgraded": [],
        "downgraded": [],
        "changed": [],  # versions that are not PEP 440, so have no order
    }
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name], after[name]
        if old != new:
            section[_version_move(old, new)].append({"name": name, "from": old, "to": new})
    return section


def _version_move(old: str, new: str) -> str:
    try:
        old_version, new_version = Version(old), Version(new)
    except InvalidVersion:
        return "changed"
    if new_version == old_version:
        return "changed"  # equal by PEP 440 but spelled differently (1.0 / 1.0.0)
    return "upgraded" if new_version > old_version else "downgraded"


def _resources(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    old = {_resource_key(resource): resource for resource in before}
    new = {_resource_key(resource): resource for resource in after}
    section: dict[str, list[dict[str, Any]]] = {
        "added": [_identity(new[key]) for key in new if key not in old],
        "removed": [_identity(old[key]) for key in old if key not in new],
        "replaced": [],
        "updated": [],
    }
    for key in (key for key in new if key in old and new[key] is not old[key]):  # shared object: unchanged
        changes = _resource_changes(old[key], new[key])
        if (old[key].get("id") or None) != (new[key].get("id") or None):
            section["replaced"].append(
                {**_identity(new[key]), "id_from": old[key].get("id"), "id_to": new[key].get("id"), **changes}
            )
        elif any(changes.values()):
            section["updated"].append({**_identity(new[key]), **changes})
    return section


def _resource_key(resource: dict[str, Any]) -> str:
    # A resource replaced create-before-delete keeps its URN on the old copy until that is deleted.
    return _logical_urn(resource["urn"]) + (" (pending delete)" if resource.get("delete") else "")


def _logical_urn(urn: str) -> str:
    """A URN without its stack (`urn:pulumi:STACK::rest` -> `rest`), so dev and prod resources pair up."""
    prefix, separator, rest = urn.partition("::")
    if not (separator and prefix.startswith("urn:pulumi:")):
        return urn
    project, _, type_and_name = rest.partition("::")
    if type_and_name.startswith(_ROOT_STACK_TYPE + "::"):
        return f"{project}::{_ROOT_STACK_TYPE}"  # named <project>-<stack>, and one per stack
    return rest


def _identity(resource: dict[str, Any]) -> dict[str, Any]:
    return {"urn": resource["urn"], "type": resource.get("type"), "id": resource.get("id")}


def _resource_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        section: [change.to_json() for change in property_changes(old, new)]
        for section, old, new in (
            ("inputs", before.get("inputs") or {}, after.get("inputs") or {}),
            ("outputs", before.get("outputs") or {}, after.get("outputs") or {}),
            ("meta", _meta(before), _meta(after)),
        )
    }


def _meta(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource's other fields, URNs in them stack-free and the provider reference without its id."""
    meta = {key: value for key, value in resource.items() if key not in _IDENTITY_FIELDS}
    if isinstance(meta.get("parent"), str):
        meta["parent"] = _logical_urn(meta["parent"])
    if isinstance(meta.get("provider"), str):
        meta["provider"] = _logical_urn(meta["provider"].rpartition("::")[0] or meta["provider"])
    if isinstance(meta.get("dependencies"), list):
        meta["dependencies"] = [_logical_urn(urn) if isinstance(urn, str) else urn for urn in meta["dependencies"]]
    return meta


def _has_entries(section: dict[str, Any]) -> bool:
    return any(section.values())
