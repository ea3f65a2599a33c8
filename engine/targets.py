"""What a run may touch, as Pulumi's `--target`, `--target-dependents`, `--exclude` and `--replace` define it. A
resource is named by its URN or its logical name."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Targets:
    targets: frozenset[str] = frozenset()
    include_dependents: bool = False
    excludes: frozenset[str] = frozenset()
    replaces: frozenset[str] = frozenset()

    @property
    def narrowed(self) -> bool:
        """Whether the run touches only some resources."""
        return bool(self.targets or self.excludes)

    def selectors(self) -> frozenset[str]:
        return self.targets | self.excludes | self.replaces


def matches(selectors: Iterable[str], urn: str) -> set[str]:
    """The selectors that name `urn` (by URN, or by the name after its last `::`)."""
    name = urn.split("::")[-1]
    return {s for s in selectors if s in (urn, name)}


@dataclass
class TargetTracker:
    """The decisions of one run: which URNs are touched (so that their dependents follow with
    --target-dependents) and which selectors named something (a selector that names nothing is a mistake)."""

    targets: Targets
    touched: set[str] = field(default_factory=set)
    matched: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def touches(self, urn: str, prerequisites: Iterable[str]) -> bool:
        """Whether the run may change the resource `urn`, which needs `prerequisites`."""
        with self._lock:
            self.matched |= matches(self.targets.selectors(), urn)
            if not self.targets.narrowed:
                return True
            if matches(self.targets.excludes, urn):
                return False
            touched = (not self.targets.targets or bool(matches(self.targets.targets, urn))
                       or (self.targets.include_dependents and any(p in self.touched for p in prerequisites)))
            if touched:
                self.touched.add(urn)
            return touched

    def replaces(self, urn: str) -> bool:
        return bool(matches(self.targets.replaces, urn))

    def unmatched(self) -> list[str]:
        with self._lock:
            return sorted(self.targets.selectors() - self.matched)
