"""The state commands (Pulumi's `state delete`, `state unprotect`, `state rename`): edits of an environment's state
that touch no cloud resource, each under the environment's lock and recorded in the ledger as its own operation,
so that the ledger's last snapshot and the state keep agreeing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from envctl.engine import lock
from envctl.engine.deployment import DeploymentResult
from envctl.engine.state import ResourceState
from envctl.environment import Environment
from envctl.errors import BadInput
from envctl.recording import record_interrupted, record_operation

_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class StateEdit:
    """What an edit did, and the snapshot that records it (None when it changed nothing)."""

    detail: str
    snapshot: str | None


Change = Callable[[list[ResourceState]], tuple[list[ResourceState], str]]


def select(resources: list[ResourceState], selector: str) -> ResourceState:
    """The one resource a URN or a logical name names (the stack itself cannot be edited)."""
    live = [r for r in resources if not r.delete and r.type != _STACK_TYPE]
    found = [r for r in live if selector in (r.urn, r.name)]
    if not found:
        raise BadInput(f"{selector} names no resource of this environment's state; `envctl show ENV` lists them "
                       "with their URNs")
    if len(found) > 1:
        raise BadInput(f"{selector} names {len(found)} resources: give one of their URNs: "
                       + ", ".join(r.urn for r in found))
    return found[0]


def dependents(resources: list[ResourceState], target: ResourceState) -> list[ResourceState]:
    """The resources that refer to `target`: as parent, dependency, property dependency or provider."""
    def refers(resource: ResourceState) -> bool:
        needs = {resource.parent, resource.provider_urn, *resource.dependencies,
                 *(urn for urns in resource.property_dependencies.values() for urn in urns)}
        return target.urn in needs
    return [r for r in resources if r.urn != target.urn and refers(r)]


def delete_resource(environment: Environment, selector: str, *, force: bool = False) -> StateEdit:
    """Forget one resource (it stays in the cloud). Refused while others refer to it, and, unless `force`, when
    it is protected."""
    def change(resources: list[ResourceState]) -> tuple[list[ResourceState], str]:
        target = select(resources, selector)
        needing = dependents(resources, target)
        if needing:
            raise BadInput(f"{target.name} cannot leave the state: {', '.join(r.name for r in needing)} depend on "
                           "it; delete those first")
        if target.protect and not force:
            raise BadInput(f"{target.name} is protected: `envctl state unprotect {environment.name} {target.name}` "
                           "first, or --force")
        kept = [r for r in resources if r is not target]
        return kept, f"deleted {target.urn} from the state; {target.type} {target.id} is still in the cloud"
    return edit_state(environment, "state-delete", change)


def unprotect(environment: Environment, selector: str | None) -> StateEdit:
    """Clear `protect` on one resource, or on every resource when `selector` is None."""
    def change(resources: list[ResourceState]) -> tuple[list[ResourceState], str]:
        chosen = [select(resources, selector)] if selector is not None else [r for r in resources if r.protect]
        protected = [r for r in chosen if r.protect]
        if not protected:
            return resources, (f"{chosen[0].name} is not protected" if selector is not None
                               else "no resource is protected")
        names = {r.urn for r in protected}
        edited = [replace(r, protect=False) if r.urn in names and not r.delete else r for r in resources]
        return edited, "unprotected " + ", ".join(r.name for r in protected)
    return edit_state(environment, "state-unprotect", change)


def rename(environment: Environment, selector: str, new_name: str) -> StateEdit:
    """Give one resource a new logical name (its URN changes; every reference to it follows). The program must use
    the new name too, or the next `up` replaces it."""
    if not new_name or "::" in new_name or new_name != new_name.strip():
        raise BadInput(f"invalid resource name {new_name!r}: give a non-empty name without '::' or surrounding spaces")

    def change(resources: list[ResourceState]) -> tuple[list[ResourceState], str]:
        target = select(resources, selector)
        new_urn = target.urn.rsplit("::", 1)[0] + "::" + new_name
        if any(r.urn == new_urn for r in resources):
            raise BadInput(f"{new_urn} is in the state already")
        moved = {target.urn: new_urn}
        return [_renamed(r, moved) for r in resources], f"renamed {target.urn} to {new_urn}"
    return edit_state(environment, "state-rename", change)


def _renamed(resource: ResourceState, moved: dict[str, str]) -> ResourceState:
    def urn(value: str | None) -> str | None:
        return moved.get(value, value) if value is not None else None

    provider = resource.provider
    if provider is not None:
        provider_urn, _, provider_id = provider.rpartition("::")
        provider = f"{urn(provider_urn)}::{provider_id}"
    return replace(resource, urn=urn(resource.urn) or resource.urn, parent=urn(resource.parent), provider=provider,
                   dependencies=[moved.get(d, d) for d in resource.dependencies],
                   property_dependencies={key: [moved.get(d, d) for d in urns]
                                          for key, urns in resource.property_dependencies.items()})


def edit_state(environment: Environment, operation: str, change: Change) -> StateEdit:
    """Apply `change` to the state under the lock and record the result; nothing is written when the change fails
    or changes nothing."""
    from envctl.operations import check_state_against_ledger

    started = datetime.now(UTC)
    store = environment.store()
    if not store.has_resources():
        raise BadInput(f"{environment.name} has no state to edit")
    with lock.environment_lock(environment.database, environment.name, operation) as acquired:
        if acquired.broken is not None:
            record_interrupted(environment, acquired.broken.operation, acquired.broken.since,
                               acquired.broken.describe())
        if store.pending():
            raise BadInput(f"{environment.name} has operations an interrupted run left pending: `envctl up "
                           f"{environment.name}` settles them first")
        check_state_against_ledger(environment)
        resources = store.load()
        edited, detail = change(resources)
        if edited == resources:
            return StateEdit(detail, None)
        result = DeploymentResult(operation=operation, stack=environment.name, steps=[], records=[],
                                  resources=edited, outputs=store.stack_outputs())
        # Recorded first: should the state's write then fail, running the command again does the edit.
        snapshot = record_operation(environment, result, started, datetime.now(UTC))
        store.rewrite(edited)
        return StateEdit(detail, snapshot)
