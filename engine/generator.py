"""The step generator: a registration and the previous state in, steps out (Pulumi's step_generator, small).

Deciding does no I/O: providers are asked to check and diff inputs, which is computation, never a cloud call.
After the program ends, whatever it no longer declares (and the old copies of resources replaced
create-before-delete) is deleted, dependents first. The same generator serves preview and apply, so a preview
is exactly the steps an apply of the same program would take.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from envctl.engine import properties as props
from envctl.engine.goal import Goal
from envctl.engine.provider import CheckFailure, DiffResult, Provider
from envctl.engine.state import ResourceState
from envctl.engine.steps import CREATE, DELETE, READ, REPLACE, SAME, UPDATE, Op, Step, property_changes
from envctl.engine.targets import Targets, TargetTracker

PROVIDER_PREFIX = "pulumi:providers:"


class ProviderResolver(Protocol):
    def supports(self, type_: str) -> bool: ...

    def resolve(self, reference: str) -> Provider: ...


class RegistrationError(Exception):
    """A registration the engine will not turn into a step."""

    bad_input = True


class UnsupportedType(RegistrationError):
    def __init__(self, type_: str) -> None:
        super().__init__(f"resource type {type_} is not supported")
        self.type = type_


@dataclass(frozen=True)
class Rejection:
    """The inputs of one resource that its provider rejects."""

    type: str
    name: str
    failures: tuple[CheckFailure, ...]

    def describe(self) -> str:
        reasons = "; ".join(f"{f.property}: {f.reason}" for f in self.failures)
        return f"{self.type} '{self.name}': {reasons}"


class InvalidInputs(RegistrationError):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.describe())
        self.rejection = rejection


class TargetsUnmatched(RegistrationError):
    """A --target, --exclude or --replace that names no resource."""

    def __init__(self, selectors: list[str]) -> None:
        super().__init__(f"{', '.join(selectors)} names no resource of this environment (give a URN or a logical "
                         "name: `envctl show ENV` lists them)")
        self.selectors = selectors


class Protected(RegistrationError):
    """A step would delete or replace a protected resource."""

    bad_input = False


class StepGenerator:
    """Decides the steps of one deployment. Thread-safe: the SDK registers independent resources in parallel."""

    def __init__(self, old: Iterable[ResourceState], providers: ProviderResolver,
                 targets: Targets | None = None) -> None:
        old = list(old)
        self._old = {r.urn: r for r in old if not r.delete}
        self._doomed = [r for r in old if r.delete]  # replaced by an earlier run, deletion still due
        self._providers = providers
        self._lock = threading.Lock()
        self._claimed: set[str] = set()  # old URNs a registration of this run took (aliases included)
        self._deleted: set[str] = set()  # old URNs deleted ahead of a delete-before-replace
        self._replaced: list[ResourceState] = []  # old copies replaced create-before-delete: deleted at the end
        self.targets = TargetTracker(targets or Targets())

    # ---- registrations ---------------------------------------------------------------------

    def register(self, goal: Goal) -> list[Step]:
        """The steps for one registration: usually one; a delete-before-replace also deletes first what must be
        replaced with it."""
        if goal.type.startswith(PROVIDER_PREFIX):
            return [self._provider_step(goal)]
        if not goal.custom:
            old = self._claim(goal)
            return [Step(SAME if old else CREATE, goal.urn, goal.type, old=old, new=_component_state(goal, old))]
        if not self._providers.supports(goal.type):
            raise UnsupportedType(goal.type)
        provider = self._providers.resolve(goal.provider)
        old = self._claim(goal)
        news = props.reveal(goal.inputs)
        if not self.targets.touches(goal.urn, _goal_prerequisites(goal)):
            # Left as it is: an existing resource keeps its recorded state; a new one is not made this run.
            if old is not None:
                return [Step(SAME, goal.urn, goal.type, old=old, new=old)]
            return [Step(Op.SKIP, goal.urn, goal.type, new=_custom_state(goal, news, None))]
        if old is None:
            checked = _checked(provider, goal, None, news)
            return [Step(CREATE, goal.urn, goal.type, new=_custom_state(goal, checked, None))]
        olds = props.reveal(old.inputs)
        checked = _checked(provider, goal, olds, _ignoring_changes(news, olds, goal.ignore_changes))
        diff = _with_replace_on_changes(provider.diff(goal.type, olds, checked), goal.replace_on_changes)
        forced = self.targets.replaces(goal.urn)  # --replace: replaced whatever its diff says
        if not diff.has_changes and not forced:
            return [Step(SAME, goal.urn, goal.type, old=old, new=_custom_state(goal, checked, old))]
        new = _custom_state(goal, checked, old if not (diff.needs_replace or forced) else None)
        changes = property_changes(old.inputs, new.inputs, diff)
        if not diff.needs_replace and not forced:
            return [Step(UPDATE, goal.urn, goal.type, old=old, new=new, diff=diff, changes=changes)]
        if old.protect:
            raise Protected(f"cannot replace {goal.urn}: it is protected (changed: {', '.join(diff.replaces)}); "
                            "remove `protect` first")
        # A replacement is a new resource: checked again without the old inputs, so auto-names are fresh and
        # create-before-delete does not collide with the resource it replaces.
        fresh = _custom_state(goal, _checked(provider, goal, None, news), None)
        replace = Step(REPLACE, goal.urn, goal.type, old=old, new=fresh, diff=diff, changes=changes,
                       delete_before_replace=goal.delete_before_replace)
        if not goal.delete_before_replace:
            with self._lock:
                self._replaced.append(old)
            return [replace]
        return [*self._delete_dependents_first(old), replace]

    def read(self, goal: Goal) -> Step:
        """A resource the program reads by id: never changed or deleted by envctl."""
        if not self._providers.supports(goal.type):
            raise UnsupportedType(goal.type)
        with self._lock:
            self._claimed.add(goal.urn)
        state = ResourceState(urn=goal.urn, type=goal.type, custom=True, id=goal.read_id, parent=goal.parent,
                              provider=goal.provider or None, inputs=dict(goal.inputs), external=True,
                              additional_secret_outputs=list(goal.additional_secret_outputs))
        return Step(READ, goal.urn, goal.type, new=state)

    # ---- after the program -----------------------------------------------------------------

    def deletes(self) -> list[Step]:
        """What the program no longer declares, and the old copies of replaced resources, dependents first."""
        with self._lock:
            gone = [r for urn, r in self._old.items() if urn not in self._claimed and urn not in self._deleted]
            # A copy replaced in this run is kept in the state as doomed (`delete`) until this deletion.
            replaced = [*self._doomed, *(dataclasses.replace(r, delete=True) for r in self._replaced)]
        gone = [r for r in gone if self.targets.touches(r.urn, prerequisites(r))]
        _refuse_protected(gone)
        return [Step(DELETE, r.urn, r.type, old=r, replaced=r.delete) for r in delete_order([*gone, *replaced])]

    # ---- helpers ---------------------------------------------------------------------------

    def _claim(self, goal: Goal) -> ResourceState | None:
        """The previous state of the registered resource: by its URN, else by one of its aliases."""
        with self._lock:
            for candidate in (goal.urn, *goal.aliases):
                old = self._old.get(candidate)
                if old is not None and candidate not in self._claimed and candidate not in self._deleted:
                    self._claimed.add(candidate)
                    return old
            self._claimed.add(goal.urn)
        return None

    def _provider_step(self, goal: Goal) -> Step:
        old = self._claim(goal)
        new = ResourceState(urn=goal.urn, type=goal.type, custom=True, id=old.id if old else None,
                            inputs=dict(goal.inputs), outputs=dict(goal.inputs), created=old.created if old else None,
                            modified=old.modified if old else None)
        if old is None:
            return Step(CREATE, goal.urn, goal.type, new=new)
        changed = tuple(sorted(k for k in set(old.inputs) | set(new.inputs)
                               if props.reveal(old.inputs.get(k)) != props.reveal(new.inputs.get(k))))
        if not changed:
            return Step(SAME, goal.urn, goal.type, old=old, new=new)
        diff = DiffResult(changed)
        return Step(UPDATE, goal.urn, goal.type, old=old, new=new, diff=diff,
                    changes=property_changes(old.inputs, new.inputs, diff))

    def _delete_dependents_first(self, old: ResourceState) -> list[Step]:
        """Before a delete-before-replace of `old`: the resources whose replacement it forces (those that use it
        through a property that cannot change in place) are deleted first, dependents first; they are created
        again when the program registers them."""
        with self._lock:
            doomed = self._forced_replacements(old)
            self._deleted.update(r.urn for r in doomed)
            self._deleted.add(old.urn)
        _refuse_protected(doomed)
        return [Step(DELETE, r.urn, r.type, old=r, replaced=True) for r in delete_order(doomed)]

    def _forced_replacements(self, base: ResourceState) -> list[ResourceState]:
        found: dict[str, ResourceState] = {}
        frontier = [base]
        while frontier:
            current = frontier.pop()
            for candidate in self._old.values():
                if candidate.urn in found or candidate.urn in self._deleted or candidate.urn == base.urn:
                    continue
                keys = [k for k, urns in candidate.property_dependencies.items() if current.urn in urns]
                if keys and self._must_replace(candidate, keys):
                    found[candidate.urn] = candidate
                    frontier.append(candidate)
        return list(found.values())

    def _must_replace(self, resource: ResourceState, keys: list[str]) -> bool:
        """Whether `resource` must be replaced when the properties `keys` take values not known yet."""
        if not resource.custom or not self._providers.supports(resource.type):
            return False
        olds = props.reveal(resource.inputs)
        unknown = {**olds, **dict.fromkeys(keys, props.UNKNOWN)}
        provider = self._providers.resolve(resource.provider or "")
        return _with_replace_on_changes(provider.diff(resource.type, olds, unknown),
                                        resource.replace_on_changes).needs_replace


def destroy_steps(resources: Iterable[ResourceState], targets: Targets | None = None) -> list[Step]:
    """Every resource deleted (or those `targets` names), dependents first; none if any is protected. A target
    whose dependents would be left without it is refused unless they are targeted too (--target-dependents)."""
    resources = list(resources)
    targets = targets or Targets()
    if targets.narrowed:
        resources = _targeted_for_destroy(resources, targets)
    _refuse_protected([r for r in resources if not r.delete])
    return [Step(DELETE, r.urn, r.type, old=r, replaced=r.delete) for r in delete_order(resources)]


def _targeted_for_destroy(resources: list[ResourceState], targets: Targets) -> list[ResourceState]:
    tracker = TargetTracker(targets)
    # Dependencies come before what needs them in the state, so a dependent sees its prerequisites decided.
    chosen = [r for r in resources if tracker.touches(r.urn, prerequisites(r))]
    unmatched = tracker.unmatched()
    if unmatched:
        raise TargetsUnmatched(unmatched)
    kept = {r.urn for r in resources} - {r.urn for r in chosen}
    stranded = sorted(r.urn for r in resources if r.urn in kept and prerequisites(r) & {c.urn for c in chosen})
    if stranded:
        raise Protected(f"deleting the targets would leave resources that need them: {', '.join(stranded)}; "
                        "add --target-dependents to delete them too")
    return chosen


def refresh_steps(resources: Iterable[ResourceState], targets: Targets | None = None) -> list[Step]:
    """A read-back of every resource envctl manages in the cloud (or of those `targets` names)."""
    tracker = TargetTracker(targets or Targets())
    chosen = [r for r in resources if tracker.touches(r.urn, prerequisites(r))]
    if tracker.unmatched():
        raise TargetsUnmatched(tracker.unmatched())
    return [Step(Op.REFRESH, r.urn, r.type, old=r) for r in chosen if managed_in_cloud(r)]


def managed_in_cloud(resource: ResourceState) -> bool:
    """Resources envctl created in the cloud: not components, providers, `get` reads or replaced copies."""
    return (resource.custom and bool(resource.id) and not resource.external and not resource.delete
            and not resource.type.startswith(PROVIDER_PREFIX))


def delete_order(resources: list[ResourceState]) -> list[ResourceState]:
    """Dependents before what they depend on (dependencies, parent, provider): reverse topological order, the
    latest registered first among those free to go."""
    by_urn = {r.urn: r for r in resources}
    # A replaced resource and its replacement share a URN; key deletions by position in the input list.
    index = {id(r): i for i, r in enumerate(resources)}
    depends_on = {index[id(r)]: {index[id(by_urn[t])] for t in prerequisites(r) if t in by_urn and by_urn[t] is not r}
                  for r in resources}
    ordered: list[ResourceState] = []
    remaining = list(range(len(resources)))
    while remaining:
        needed = {d for i in remaining for d in depends_on[i]}
        ready = [i for i in remaining if i not in needed] or remaining[-1:]
        ordered.extend(resources[i] for i in sorted(ready, reverse=True))
        remaining = [i for i in remaining if i not in set(ready)]
    return ordered


def prerequisites(resource: ResourceState) -> set[str]:
    """The URNs a resource needs to exist: its dependencies, property dependencies, parent and provider."""
    return _needed(resource.dependencies, resource.property_dependencies, resource.parent, resource.provider_urn)


def _goal_prerequisites(goal: Goal) -> set[str]:
    return _needed(goal.dependencies, goal.property_dependencies, goal.parent)


def _needed(dependencies: Iterable[str], property_dependencies: Mapping[str, Iterable[str]],
            *others: str | None) -> set[str]:
    needed = set(dependencies)
    for urns in property_dependencies.values():
        needed.update(urns)
    needed.update(urn for urn in others if urn)
    return needed


def _checked(provider: Provider, goal: Goal, olds: dict[str, Any] | None, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check(goal.type, goal.name, olds, news)
    if result.failures:
        raise InvalidInputs(Rejection(goal.type, goal.name, tuple(result.failures)))
    return result.inputs


def _ignoring_changes(news: dict[str, Any], olds: dict[str, Any], ignore: Iterable[str]) -> dict[str, Any]:
    """The new inputs with every ignored property (top-level name, or the first segment of a path) kept at its old
    value, as Pulumi applies ignoreChanges before diffing."""
    result = dict(news)
    for path in ignore:
        key = path.split(".")[0].split("[")[0]
        if key in olds:
            result[key] = olds[key]
        else:
            result.pop(key, None)
    return result


def _with_replace_on_changes(diff: DiffResult, replace_on_changes: Iterable[str]) -> DiffResult:
    keys = set(replace_on_changes)
    return diff.replacing(diff.changed if "*" in keys else keys)


def _refuse_protected(doomed: Iterable[ResourceState]) -> None:
    protected = [r.urn for r in doomed if r.protect and not r.delete]
    if protected:
        raise Protected(f"cannot delete protected resource(s): {', '.join(protected)}. Set `protect=False` in the "
                        "program and run `envctl up` first. Nothing was deleted.")


def _custom_state(goal: Goal, inputs: dict[str, Any], old: ResourceState | None) -> ResourceState:
    """The resource the goal describes; with `old`, the same physical resource (its id, outputs and dates)."""
    return ResourceState(
        urn=goal.urn, type=goal.type, custom=True, id=old.id if old else None, parent=goal.parent,
        provider=goal.provider or None, inputs=props.mark_secrets(inputs, props.secret_keys(dict(goal.inputs))),
        outputs=dict(old.outputs) if old else {},
        # The SDK sends these in no particular order; sorted, equal registrations give equal state.
        dependencies=sorted(set(goal.dependencies)),
        property_dependencies={k: sorted(set(v)) for k, v in sorted(goal.property_dependencies.items())},
        protect=goal.protect, retain_on_delete=goal.retain_on_delete, delete_before_replace=goal.delete_before_replace,
        ignore_changes=list(goal.ignore_changes), replace_on_changes=list(goal.replace_on_changes),
        additional_secret_outputs=list(goal.additional_secret_outputs),
        created=old.created if old else None, modified=old.modified if old else None,
    )


def _component_state(goal: Goal, old: ResourceState | None) -> ResourceState:
    return ResourceState(urn=goal.urn, type=goal.type, custom=False, parent=goal.parent,
                         outputs=dict(old.outputs) if old else {}, created=old.created if old else None,
                         modified=old.modified if old else None)
