"""A provider package for engine tests, as Pulumi's deploytest: package `fake`, resources kept in a dict, every call
logged, failures and delays injectable. The engine sees it exactly as it sees the aws package."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from envctl.engine.provider import CheckFailure, CheckResult, DiffResult, ProviderError, TypeInfo

THING = "fake:index:Thing"  # inputs: name (auto-named), kind (force-new), size, tags
LINK = "fake:index:Link"  # inputs: target (force-new: the id of what it links), note
FORCE_NEW = {THING: {"kind", "name"}, LINK: {"target"}}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class FakeCloud:
    """What exists, and what was asked of it."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, logical name or id)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, name) -> message
    delay: float = 0.0
    on_call: Any = None  # called with (operation, name) before each mutating call
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _active: int = 0
    most_at_once: int = 0

    def call(self, operation: str, name: str) -> None:
        if self.on_call is not None:
            self.on_call(operation, name)
        with self._lock:
            self.calls.append((operation, name))
            self._active += 1
            self.most_at_once = max(self.most_at_once, self._active)
        try:
            if self.delay:
                time.sleep(self.delay)
            message = self.failures.get((operation, name))
            if message:
                raise ProviderError(message)
        finally:
            with self._lock:
                self._active -= 1

    def mutations(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] in ("create", "update", "delete")]


class FakeProvider:
    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud

    def check(self, type_: str, name: str, olds: dict[str, Any] | None, news: dict[str, Any]) -> CheckResult:
        inputs = dict(news)
        if type_ == THING and not inputs.get("name"):
            inputs["name"] = (olds or {}).get("name") or f"{name}-auto"
        failures = []
        if inputs.get("size") == -1:
            failures.append(CheckFailure("size", "must not be negative"))
        if "color" in inputs:
            failures.append(CheckFailure("color", "'color' is not supported by envctl's local engine for "
                                                  f"{type_}", unsupported=True))
        return CheckResult(inputs, tuple(failures))

    def diff(self, type_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = set(olds) | set(news)
        changed = tuple(sorted(k for k in keys if olds.get(k) != news.get(k) or news.get(k) == UNKNOWN))
        return DiffResult(changed, tuple(k for k in changed if k in FORCE_NEW[type_]))

    def create(self, type_: str, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = urn.rsplit("::", 1)[-1]
        self.cloud.call("create", name)
        id_ = f"{name}-{len(self.cloud.calls)}"
        outputs = {**inputs, "arn": f"fake::{id_}"}
        self.cloud.resources[id_] = outputs
        return id_, outputs

    def read(self, type_: str, id: str, state: dict[str, Any]) -> dict[str, Any] | None:
        self.cloud.calls.append(("read", id))
        return dict(self.cloud.resources[id]) if id in self.cloud.resources else None

    def update(self, type_: str, urn: str, id: str, olds: dict[str, Any], news: dict[str, Any],
               diff: DiffResult) -> dict[str, Any]:
        self.cloud.call("update", urn.rsplit("::", 1)[-1])
        self.cloud.resources[id] = {**news, "arn": f"fake::{id}"}
        return dict(self.cloud.resources[id])

    def delete(self, type_: str, id: str, state: dict[str, Any]) -> None:
        self.cloud.call("delete", id.rsplit("-", 1)[0])
        self.cloud.resources.pop(id, None)

    def find(self, type_: str, urn: str, inputs: dict[str, Any], known_ids: set[str]) -> tuple[str, dict] | None:
        name = urn.rsplit("::", 1)[-1]
        for id_, outputs in self.cloud.resources.items():
            if id_.rsplit("-", 1)[0] == name and id_ not in known_ids:
                return id_, dict(outputs)
        return None

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"echo": args}


class FakePackage:
    name = "fake"

    def __init__(self, cloud: FakeCloud | None = None) -> None:
        self.cloud = cloud or FakeCloud()
        self.configured: list[dict[str, Any]] = []

    def supports(self, type_: str) -> bool:
        return type_ in FORCE_NEW

    def supports_invoke(self, token: str) -> bool:
        return token == "fake:index:echo"

    def unsupported_reason(self, type_: str) -> str | None:
        return "the fake cloud has no gadgets" if type_ == "fake:index:Gadget" else None

    def configure(self, inputs: dict[str, Any]) -> FakeProvider:
        self.configured.append(dict(inputs))
        return FakeProvider(self.cloud)

    def types(self) -> list[TypeInfo]:
        return [TypeInfo(t, "resource") for t in FORCE_NEW] + [TypeInfo("fake:index:echo", "invoke")]
