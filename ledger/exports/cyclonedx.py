"""A snapshot's manifest as a CycloneDX 1.6 JSON SBOM: what software produced the environment.

The BOM describes the environment (metadata.component), which depends on every Python distribution
(pkg:pypi purls), the interpreter and the OS that ran the operation. Everything in it comes from the
snapshot, so exporting the same snapshot twice gives the same document.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from envctl.ledger import StoredSnapshot
from envctl.ledger.exports import recorded_content, snapshot_name

# Serial numbers are UUIDv5 of the snapshot hash in this namespace: one snapshot, one serial number.
_SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://envctl.dev/cyclonedx/snapshot")
_PROPERTY_PREFIX = "envctl:"


def cyclonedx_sbom(snapshot: StoredSnapshot) -> dict[str, Any]:
    """The CycloneDX 1.6 BOM of the snapshot's manifest, as a JSON document."""
    manifest = recorded_content(snapshot).manifest
    environment = Component(
        type=ComponentType.APPLICATION,
        name=snapshot.project,
        version=snapshot.summary.ref,
        bom_ref=snapshot_name(snapshot),
        description=f"environment {snapshot.summary.env} of project {snapshot.project}",
        properties=_properties(snapshot),
    )
    bom = Bom(serial_number=uuid.uuid5(_SERIAL_NAMESPACE, snapshot.summary.hash))
    bom.metadata.timestamp = snapshot.summary.finished
    bom.metadata.component = environment
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="envctl", version=snapshot.envctl_version)
    )
    components = [*_packages(manifest), *_runtime(manifest)]
    bom.components.update(components)
    bom.register_dependency(environment, components)
    return json.loads(JsonV1Dot6(bom).output_as_string())


def _packages(manifest: dict[str, Any]) -> list[Component]:
    # The manifest's names are already normalized (PEP 503), as pkg:pypi purls want them.
    components = []
    for name, version in manifest.get("packages", {}).items():
        purl = PackageURL(type="pypi", name=name, version=version)
        components.append(
            Component(type=ComponentType.LIBRARY, name=name, version=version, purl=purl, bom_ref=purl.to_string())
        )
    return components


def _runtime(manifest: dict[str, Any]) -> list[Component]:
    """The interpreter (a platform, in CycloneDX's words) and the operating system."""
    found = []
    python = manifest.get("python") or {}
    if python.get("version"):
        name = python.get("implementation") or "Python"
        found.append(Component(type=ComponentType.PLATFORM, name=name, version=python["version"],
                               bom_ref=f"python:{name}@{python['version']}"))
    system = manifest.get("os") or {}
    if system.get("system"):
        found.append(Component(type=ComponentType.OPERATING_SYSTEM, name=system["system"],
                               version=system.get("release"), description=system.get("platform"),
                               bom_ref=f"os:{system['system']}@{system.get('release')}"))
    return found


def _properties(snapshot: StoredSnapshot) -> list[Property]:
    sources = recorded_content(snapshot).sources
    values = {
        "env": snapshot.summary.env,
        "snapshot": snapshot.summary.ref,
        "snapshot-hash": snapshot.summary.hash,
        "operation": snapshot.summary.operation,
        "status": snapshot.summary.status,
        "engine": snapshot.engine,
        "cloud": snapshot.cloud,
        "git-commit": sources.get("commit"),
    }
    return [Property(name=_PROPERTY_PREFIX + key, value=value) for key, value in values.items() if value]
