"""Step decisions (same, create, update, replace) and the order of deletions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envctl.engine.state import ResourceState
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult

SAME, CREATE, UPDATE, REPLACE, DELETE, READ = "same", "create", "update", "replace", "delete", "read"
OPERATIONS = (CREATE, UPDATE, REPLACE, DELETE, SAME)


@dataclass
class StepPlan:
    op: str
    inputs: dict[str, Any]
    diff: DiffResult
    failures: list[CheckFailure]


def apply_ignore_changes(news: dict[str, Any], olds: dict[str, Any], ignore: list[str]) -> dict[str, Any]:
    """Keep the old value of every ignored property (top-level name, or the first segment of a path)."""
    result = dict(news)
    for path in ignore:
        key = path.split(".")[0].split("[")[0]
        if key in olds:
            result[key] = olds[key]
        else:
            result.pop(key, None)
    return result


def plan_step(
    provider: AwsResource,
    name: str,
    old_inputs: dict[str, Any] | None,
    news: dict[str, Any],
    ignore_changes: list[str],
    replace_on_changes: list[str],
) -> StepPlan:
    """Decide what to do with one registration, given the plain old inputs (None when new)."""
    if old_inputs is None:
        checked = provider.check(name, None, news)
        return StepPlan(CREATE, checked.inputs, DiffResult(), checked.failures)
    news = apply_ignore_changes(news, old_inputs, ignore_changes)
    checked = provider.check(name, old_inputs, news)
    diff = provider.diff(old_inputs, checked.inputs, ignore_changes, replace_on_changes)
    if not diff.has_changes:
        return StepPlan(SAME, checked.inputs, diff, checked.failures)
    if not diff.needs_replace:
        return StepPlan(UPDATE, checked.inputs, diff, checked.failures)
    # A replacement is a new resource: check again without the old inputs, so auto-names are fresh and
    # create-before-delete does not collide with the resource it replaces.
    fresh = provider.check(name, None, news)
    return StepPlan(REPLACE, fresh.inputs, diff, fresh.failures)


def delete_order(resources: list[ResourceState]) -> list[ResourceState]:
    """Dependents before what they depend on (dependencies, parent, provider): reverse topological order."""
    by_urn = {r.urn: r for r in resources}
    # A replaced resource and its replacement share a URN; key deletions by position in the input list.
    index = {id(r): i for i, r in enumerate(resources)}
    depends_on: dict[int, set[int]] = {}
    for r in resources:
        targets = set(r.dependencies)
        for deps in r.property_dependencies.values():
            targets.update(deps)
        if r.parent:
            targets.add(r.parent)
        if r.provider:
            targets.add(r.provider.rpartition("::")[0])
        depends_on[index[id(r)]] = {index[id(by_urn[t])] for t in targets if t in by_urn and by_urn[t] is not r}
    ordered: list[ResourceState] = []
    placed: set[int] = set()
    remaining = list(range(len(resources)))
    while remaining:
        # Delete first whatever nothing still waiting depends on, latest-registered first.
        needed = {d for i in remaining for d in depends_on[i]}
        ready = [i for i in remaining if i not in needed] or remaining[-1:]
        for i in sorted(ready, reverse=True):
            ordered.append(resources[i])
            placed.add(i)
        remaining = [i for i in remaining if i not in placed]
    return ordered
