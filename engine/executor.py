"""The step executor: the only code that calls providers to change or read resources (Pulumi's step_executor).

Each step that calls a provider is recorded as a pending operation before the call and settled after it, in one
short transaction each, so a crash leaves no resource unknown to the state. Outputs are marked secret where their
input was (or `additionalSecretOutputs` says so, or they contain a secret), errors are translated into messages
naming the resource with every secret redacted, progress is reported as events, and a step the confirmed plan does
not hold is refused before it starts. Registrations arrive from the SDK's threads and run in parallel; a step list
(deletes, refreshes, settlements) runs in dependency order, independent steps in parallel, a failed step stopping
only the steps that wait for it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, Protocol

from envctl.engine import properties as props
from envctl.engine.drift import Observation, refreshed_state, resource_drift
from envctl.engine.generator import PROVIDER_PREFIX, prerequisites
from envctl.engine.interrupts import Interrupt
from envctl.engine.parallelism import DEFAULT_PARALLEL
from envctl.engine.plan import Plan
from envctl.engine.provider import Provider, ProviderError
from envctl.engine.secret_values import SecretValues
from envctl.engine.state import ResourceState, StateStore, StateWriteFailed, now_iso
from envctl.engine.steps import CREATE, DELETE, READ, REPLACE, SAME, UPDATE, Op, Step, planned_state
from envctl.errors import EnvctlError

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclass(frozen=True)
class StepEvent:
    """Progress of one step, for the live display."""

    op: str
    urn: str
    type: str
    status: str  # "started", "done" or "failed"
    detail: str = ""
    seconds: float = 0.0


EventSink = Callable[[StepEvent], None]


class StepFailed(Exception):
    """A step failed; the message names the step and the cause, secrets redacted."""

    def __init__(self, step: Step, message: str, bad_input: bool = False) -> None:
        super().__init__(message)
        self.step = step
        self.bad_input = bad_input


class PlanViolation(StepFailed):
    """The step is not one the confirmed plan holds: it was not taken."""


class Interrupted(StepFailed):
    """The run was asked to stop: the step was not started."""


@dataclass(frozen=True)
class StepRecord:
    step: Step
    status: str  # done | failed | skipped
    error: str | None = None
    # What the step found: a refresh its ResourceDrift (None: as recorded), a settlement a sentence.
    result: Any = None


class ProviderLookup(Protocol):
    def resolve(self, reference: str) -> Provider: ...


class StepExecutor:
    def __init__(self, store: StateStore, providers: ProviderLookup, events: EventSink, *,
                 secrets: SecretValues | None = None, plan: Plan | None = None, parallel: int = DEFAULT_PARALLEL,
                 interrupt: Interrupt | None = None) -> None:
        self._store = store
        self._providers = providers
        self._events = events
        self._secrets = secrets or SecretValues()
        self._plan = plan
        self._parallel = max(1, parallel)
        self._calls = threading.BoundedSemaphore(self._parallel)
        self.interrupt = interrupt or Interrupt()
        self._lock = threading.Lock()
        self.records: list[StepRecord] = []

    # ---- what the monitor and the deployment call ----------------------------------------

    def take(self, steps: list[Step]) -> ResourceState | None:
        """One registration's steps, in order; the resulting state of the last. Raises StepFailed."""
        result = None
        for step in steps:
            result = self._taken(step)
        return result

    def run(self, steps: list[Step]) -> list[StepRecord]:
        """A step list in dependency order (deletes: dependents first), independent steps in parallel; a failed
        step skips only what waits for it. Returns one record per step, in the order given."""
        waits = _waits(steps)
        status: dict[int, str] = {}
        records: dict[int, StepRecord] = {}
        remaining = set(range(len(steps)))
        # A signal only stops new steps from starting: the ones in flight finish and are checkpointed.
        with self.interrupt.deferred(), ThreadPoolExecutor(max_workers=self._parallel,
                                                           thread_name_prefix="envctl-step") as pool:
            running: dict[Future[StepRecord], int] = {}
            while remaining or running:
                ready = sorted(i for i in remaining if waits[i] <= status.keys())
                for i in ready:
                    remaining.discard(i)
                    blocked = [steps[d] for d in waits[i] if status[d] != DONE]
                    if blocked or self.interrupt.is_set():
                        why = f"not taken: {blocked[0].describe()} did not succeed" if blocked else "interrupted"
                        records[i] = self._record(StepRecord(steps[i], SKIPPED, why))
                        status[i] = SKIPPED
                    else:
                        running[pool.submit(self._recorded, steps[i])] = i
                if not running:
                    if remaining and not ready:  # a cycle cannot happen in state, but never spin
                        raise RuntimeError("step list has a dependency cycle")
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = running.pop(future)
                    records[i] = future.result()
                    status[i] = records[i].status
        return [records[i] for i in range(len(steps))]

    def fetch(self, step: Step) -> ResourceState:
        """A resource the program reads by id, read without a checkpoint (what a preview shows of it)."""
        return self._read(step, checkpoint=False)

    def invoke(self, reference: str, token: str, args: dict[str, Any]) -> dict[str, Any]:
        """A data source's answer, from the provider of `reference`. Raises StepFailed naming the invoke."""
        step = Step(Op.READ, "", token)
        try:
            provider = self._providers.resolve(reference)
            with self._calls:
                return provider.invoke(token, args)
        except (ProviderError, EnvctlError) as exc:
            raise StepFailed(step, self._secrets.redact(f"invoke {token}: {exc}"),
                             bad_input=getattr(exc, "exit_code", 1) == 2) from None

    def record_outputs(self, state: ResourceState) -> None:
        """Checkpoint a component's outputs (`registerOutputs`), which need no provider."""
        self._store.settle(None, put=state)

    def observe(self, resources: list[ResourceState]) -> list[Observation]:
        """Every resource read from the cloud (in parallel), changing nothing."""
        with ThreadPoolExecutor(max_workers=min(self._parallel, 8), thread_name_prefix="envctl-read") as pool:
            return list(pool.map(self._observe, resources))

    # ---- one step --------------------------------------------------------------------------

    def _recorded(self, step: Step) -> StepRecord:
        try:
            self._taken(step)
        except StepFailed as failed:
            return StepRecord(step, FAILED, str(failed))
        with self._lock:
            return next(r for r in reversed(self.records) if r.step is step)

    def _taken(self, step: Step) -> ResourceState | None:
        if self._plan is not None and step.op not in (Op.REFRESH, Op.SETTLE):
            violation = self._plan.violation(step)
            if violation is not None:
                self._fail_record(step, violation)
                raise PlanViolation(step, f"{violation}; it was not taken (something changed since the preview: "
                                          "run `envctl up` again to see the new plan)")
        if self.interrupt.is_set():
            self._fail_record(step, "interrupted before it started")
            raise Interrupted(step, "interrupted: the step was not started")
        try:
            result, found = self._execute(step)
        except StateWriteFailed as exc:  # a checkpoint that needs no cloud call
            message = f"{step.describe()}: the state could not be written ({exc})"
            self._fail_record(step, message)
            raise StepFailed(step, self._secrets.redact(message)) from None
        except StepFailed as failed:
            self._fail_record(step, str(failed))
            raise
        self._record(StepRecord(step, DONE, result=found))
        return result

    def _execute(self, step: Step) -> tuple[ResourceState | None, Any]:
        """The step's resulting state, and what it found (refresh and settle steps)."""
        if step.op == SAME:
            return self._same(step), None
        if step.op == Op.SKIP:
            return planned_state(step), None
        if step.op == CREATE:
            return self._create(step), None
        if step.op == UPDATE:
            return self._update(step), None
        if step.op == REPLACE:
            assert step.old is not None
            if step.delete_before_replace:
                self._delete(step, step.old)
            else:
                self._store.doom(step.old)
            return self._create(step), None
        if step.op == DELETE:
            assert step.old is not None
            self._delete(step, step.old)
            return None, None
        if step.op == READ:
            return self._read(step), None
        if step.op == Op.REFRESH:
            return self._refresh(step)
        if step.op == Op.SETTLE:
            return self._settle(step)
        raise AssertionError(f"unknown step {step.op}")

    def _same(self, step: Step) -> ResourceState:
        assert step.old is not None and step.new is not None
        new = replace(step.new, id=step.old.id, outputs=step.old.outputs)
        # A checkpoint only when the record changed (options, dependencies, an alias): a no-op run writes nothing.
        if new.recorded() != step.old.recorded() or step.old.urn != new.urn:
            new = replace(new, modified=now_iso())
            self._store.settle(None, put=new, remove=step.old if step.old.urn != new.urn else None)
        return new

    def _create(self, step: Step) -> ResourceState:
        assert step.new is not None
        new = replace(step.new, created=now_iso(), modified=now_iso())
        alias_old = step.old if step.op == CREATE and step.old is not None and step.old.urn != new.urn else None
        if not new.custom:
            self._store.settle(None, put=new, remove=alias_old)
            return new
        if new.type.startswith(PROVIDER_PREFIX):
            new = replace(new, id=str(uuid.uuid4()))
            self._store.settle(None, put=new)
            return new
        provider = self._provider(step, new)
        pending = self._begin(step, CREATE, new)
        started = self._started(step)
        try:
            with self._calls:
                id_, outputs = provider.create(new.type, new.urn, props.reveal(new.inputs))
        except (ProviderError, EnvctlError) as exc:
            self._settle_failed_create(provider, new, pending)
            raise self._failure(step, exc) from None
        created = replace(new, id=id_, outputs=self._marked(new, outputs))
        self._settled(step, pending, f"created {id_}", put=created, remove=alias_old)
        self._done(step, started)
        return created

    def _update(self, step: Step) -> ResourceState:
        old, new = step.old, step.new
        assert old is not None and new is not None
        if new.type.startswith(PROVIDER_PREFIX):
            updated = replace(new, id=old.id, modified=now_iso())
            self._store.settle(None, put=updated)
            return updated
        provider = self._provider(step, new)
        pending = self._begin(step, UPDATE, old)
        started = self._started(step)
        try:
            with self._calls:
                outputs = provider.update(new.type, new.urn, str(old.id), props.reveal(old.outputs),
                                          props.reveal(new.inputs), step.diff)
        except (ProviderError, EnvctlError) as exc:
            self._settle_failed_update(provider, old, pending)
            raise self._failure(step, exc) from None
        # Some updates give the resource a new id (a moved route table association).
        updated = replace(new, id=str(outputs.get("id") or old.id), outputs=self._marked(new, outputs),
                          modified=now_iso())
        self._settled(step, pending, "updated it", put=updated, remove=old if old.urn != updated.urn else None)
        self._done(step, started)
        return updated

    def _delete(self, step: Step, old: ResourceState) -> None:
        if not _lives_in_cloud(old):
            self._store.settle(None, remove=old)
            return
        provider = self._provider(step, old)
        pending = self._begin(step, DELETE, old)
        started = self._started(step)
        try:
            with self._calls:
                provider.delete(old.type, str(old.id), props.reveal(old.outputs))
        except (ProviderError, EnvctlError) as exc:
            self._store.settle(pending)  # still there: the state keeps it
            raise self._failure(step, exc) from None
        self._settled(step, pending, f"deleted {old.id}", remove=old)
        self._done(step, started)

    def _read(self, step: Step, checkpoint: bool = True) -> ResourceState:
        new = step.new
        assert new is not None and new.id is not None
        provider = self._provider(step, new)
        started = self._started(step)
        try:
            with self._calls:
                found = provider.read(new.type, new.id, props.reveal(new.inputs))
        except (ProviderError, EnvctlError) as exc:
            raise self._failure(step, exc, f"reading {new.id}: ") from None
        if found is None:
            raise StepFailed(step, f"read {new.type} {step.name!r}: no {new.type} with id {new.id!r} exists")
        read = replace(new, outputs=props.mark_secrets(found, set(new.additional_secret_outputs)),
                       created=now_iso(), modified=now_iso())
        if checkpoint:
            self._store.settle(None, put=read)
        self._done(step, started)
        return read

    def _refresh(self, step: Step) -> tuple[ResourceState | None, Any]:
        """The state of one resource replaced by what the cloud has (inputs changed outside envctl included);
        what it found is the resource's drift. A resource that cannot be read stays as it was."""
        old = step.old
        assert old is not None
        observation = self._observe(old)
        drift = resource_drift(self._provider(step, old), observation)
        if observation.error is not None:
            return old, drift
        if observation.current is None:
            self._store.settle(None, remove=old)
            return None, drift
        refreshed = refreshed_state(observation, drift)
        if refreshed is not None:
            self._store.settle(None, put=refreshed)
        return refreshed or old, drift

    def _settle(self, step: Step) -> tuple[ResourceState | None, str]:
        """A pending operation of an interrupted run: a create is looked up in the cloud and adopted if it made
        something; an update or delete is settled by reading the resource. Found: a sentence saying which."""
        pending = step.pending
        assert pending is not None
        resource = pending.resource
        what = f"{resource.type} {resource.name}"
        if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
            self._store.settle(pending.id)
            return None, f"{what}: nothing to settle"
        provider = self._provider(step, resource)
        try:
            with self._calls:
                if pending.operation == CREATE:
                    known = {r.id for r in self._store.load() if r.id}
                    found = provider.find(resource.type, resource.urn, props.reveal(resource.inputs), known)
                    current = None if found is None else found[1]
                    id_ = None if found is None else found[0]
                else:
                    id_ = resource.id
                    current = provider.read(resource.type, str(resource.id), props.reveal(resource.outputs))
        except (ProviderError, EnvctlError) as exc:
            raise self._failure(step, exc, "settling the interrupted run: ") from None
        if current is None:
            self._store.settle(pending.id, remove=resource if pending.operation != CREATE else None)
            if pending.operation == CREATE:
                return None, f"{what}: the interrupted create made nothing"
            return None, f"{what}: gone after the interrupted {pending.operation}"
        settled = replace(resource, id=id_, outputs=self._marked(resource, current), modified=now_iso())
        self._store.settle(pending.id, put=settled)
        if pending.operation == CREATE:
            return settled, f"{what}: adopted {id_}, created by the interrupted run"
        return settled, f"{what}: state refreshed after the interrupted {pending.operation}"

    # ---- helpers ---------------------------------------------------------------------------

    def _observe(self, resource: ResourceState) -> Observation:
        try:
            provider = self._providers.resolve(resource.provider or "")
            with self._calls:
                current = provider.read(resource.type, str(resource.id), props.reveal(resource.outputs))
        except (ProviderError, EnvctlError) as exc:
            return Observation(resource, None, self._secrets.redact(str(exc)))
        return Observation(resource, current)

    def _settle_failed_create(self, provider: Provider, new: ResourceState, pending: int) -> None:
        """After a failed create, what it left behind is looked up: adopted into the state if something exists
        (a create of several calls may fail after the first), the pending record cleared otherwise. When even the
        lookup fails the pending record stays, for the next run to settle."""
        try:
            known = {r.id for r in self._store.load() if r.id}
            found = provider.find(new.type, new.urn, props.reveal(new.inputs), known)
        except (ProviderError, EnvctlError):
            return
        if found is None:
            self._store.settle(pending)
        else:
            self._store.settle(pending, put=replace(new, id=found[0], outputs=self._marked(new, found[1])))

    def _settle_failed_update(self, provider: Provider, old: ResourceState, pending: int) -> None:
        """After a failed update, the state takes what the cloud now has (an update of several calls may have
        made some); when the read fails too the pending record stays, for the next run to settle."""
        try:
            current = provider.read(old.type, str(old.id), props.reveal(old.outputs))
        except (ProviderError, EnvctlError):
            return
        if current is None:
            self._store.settle(pending, remove=old)
        else:
            self._store.settle(pending, put=replace(old, outputs=self._marked(old, current), modified=now_iso()))

    def _begin(self, step: Step, operation: str, resource: ResourceState) -> int:
        """The pending operation, durable before the cloud call; when the state cannot take it, no call is made."""
        try:
            return self._store.begin(operation, resource)
        except StateWriteFailed as exc:
            raise StepFailed(step, f"{step.describe()}: not started, since the state could not record it ({exc})") \
                from None

    def _settled(self, step: Step, pending: int, done: str, **outcome: ResourceState | None) -> None:
        """The outcome checkpointed; when the state cannot take it, the cloud has changed all the same: the pending
        operation stays, and the next run settles it from the cloud."""
        try:
            self._store.settle(pending, **outcome)
        except StateWriteFailed as exc:
            raise StepFailed(step, self._secrets.redact(
                f"{step.describe()}: the cloud {done}, but the state could not record it ({exc}); it stays pending "
                "and the next run settles it from the cloud")) from None

    def _provider(self, step: Step, resource: ResourceState) -> Provider:
        try:
            return self._providers.resolve(resource.provider or "")
        except EnvctlError as exc:
            raise StepFailed(step, f"{step.describe()}: {exc}", bad_input=True) from None

    def _marked(self, resource: ResourceState, outputs: dict[str, Any]) -> dict[str, Any]:
        """Outputs marked secret as Pulumi's engine marks them (the input of the same key was secret, or
        `additionalSecretOutputs` names it), and where they contain a secret value."""
        self._secrets.add_wrapped(resource.inputs)
        keys = props.secret_keys(resource.inputs) | set(resource.additional_secret_outputs)
        return self._secrets.mark_derived(props.mark_secrets(outputs, keys))

    def _failure(self, step: Step, exc: Exception, prefix: str = "") -> StepFailed:
        message = self._secrets.redact(f"{step.describe()}: {prefix}{exc}")
        return StepFailed(step, message, bad_input=getattr(exc, "exit_code", 1) == 2)

    def _started(self, step: Step) -> float:
        self._events(StepEvent(step.op, step.urn, step.type, "started"))
        return time.monotonic()

    def _done(self, step: Step, started: float) -> None:
        self._events(StepEvent(step.op, step.urn, step.type, "done", seconds=time.monotonic() - started))

    def _fail_record(self, step: Step, message: str) -> None:
        message = self._secrets.redact(message)
        self._record(StepRecord(step, FAILED, message))
        self._events(StepEvent(step.op, step.urn, step.type, "failed", message))

    def _record(self, record: StepRecord) -> StepRecord:
        with self._lock:
            self.records.append(record)
        return record


def _waits(steps: list[Step]) -> list[set[int]]:
    """For each step, the steps it waits for: a delete waits for the deletes of what depends on it; any other
    step for the steps of what it depends on."""
    by_urn: dict[str, list[int]] = {}
    for i, step in enumerate(steps):
        by_urn.setdefault(step.urn, []).append(i)
    waits: list[set[int]] = [set() for _ in steps]
    for i, step in enumerate(steps):
        resource = step.new or step.old
        if resource is None:
            continue
        for needed in prerequisites(resource):
            for j in by_urn.get(needed, []):
                if j == i:
                    continue
                if step.op == DELETE and steps[j].op == DELETE:
                    waits[j].add(i)  # what `needed` names is deleted after this dependent
                elif step.op != DELETE and steps[j].op != DELETE:
                    waits[i].add(j)
    return waits


def _lives_in_cloud(resource: ResourceState) -> bool:
    """Whether deleting the resource is a provider call (else only its state goes)."""
    return (resource.custom and not resource.external and not resource.retain_on_delete
            and not resource.type.startswith(PROVIDER_PREFIX) and bool(resource.id))

