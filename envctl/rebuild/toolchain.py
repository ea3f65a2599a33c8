"""What differs between the toolchain a snapshot was made with and the one a rebuild runs with today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envctl.ledger.property_diff import property_changes


@dataclass(frozen=True)
class ToolchainDifference:
    """One manifest item: a package (`packages.boto3`), the interpreter (`python.version`), the OS, an SDK..."""

    item: str
    kind: str  # added | removed | changed (today relative to the snapshot)
    recorded: Any  # None when added
    today: Any  # None when removed

    def describe(self) -> str:
        if self.kind == "added":
            return f"{self.item}: {self.today} (not in the snapshot)"
        if self.kind == "removed":
            return f"{self.item}: {self.recorded} in the snapshot, absent today"
        return f"{self.item}: {self.recorded} in the snapshot, {self.today} today"

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "kind": self.kind, "recorded": self.recorded, "today": self.today}


def compare_toolchain(recorded: dict[str, Any], today: dict[str, Any]) -> list[ToolchainDifference]:
    """Every difference between two manifests (as `capture_manifest` makes them), item by item."""
    return [ToolchainDifference(change.path, change.kind, change.before, change.after)
            for change in property_changes(recorded, today)]
