"""One operation of the local engine: preview, up or destroy of one stack.

`up` is Pulumi's deployment model: the program runs, each registration becomes a step, and after the
program finishes whatever it no longer declares is deleted, dependents first.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Engine

from envctl.engine import properties as props
from envctl.engine.drift import DriftReport, find_drift
from envctl.engine.monitor import LocalMonitor, StepEvent, aws_message
from envctl.engine.providers import AWS_PROVIDER_TYPE, CloudTarget, ProviderSet
from envctl.engine.refresh import refresh_state
from envctl.engine.runner import EngineLog, run_program
from envctl.engine.state import Crypter, ResourceState, StateStore
from envctl.engine.steps import DELETE, OPERATIONS, READ, SAME, delete_order
from envctl.project import Project, program_config_text
from envctl.providers.aws.registry import lookup_resource, supported_resource_types


@dataclass
class OperationResult:
    """What an operation did, in plain data for the CLI and the ledger."""

    operation: str
    stack: str
    succeeded: bool
    changes: dict[str, int]
    resources: list[ResourceState]
    outputs: dict[str, Any]
    error: str | None = None
    error_kind: str | None = None  # "bad_input" or "failed"
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # (op, type, urn) that change
    diagnostics: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def has_changes(self) -> bool:
        return any(n for op, n in self.changes.items() if op != SAME)


class LocalDeployment:
    """The local engine for one stack of one project."""

    def __init__(
        self,
        project: Project,
        stack: str,
        config: dict[str, Any],
        secret_keys: list[str],
        database: Engine,
        cloud: CloudTarget,
        crypter: Crypter,
        on_event: Callable[[StepEvent], None] = lambda _e: None,
    ) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.secret_keys = secret_keys
        self.database = database
        self.cloud = cloud
        self.crypter = crypter
        self.on_event = on_event

    # ---- operations ------------------------------------------------------------------------

    def preview(self) -> OperationResult:
        """Run the program with dry_run: what `up` would do, with no mutation."""
        return self._run(dry_run=True)

    def apply(self) -> OperationResult:
        """Run the program for real and delete what it no longer declares."""
        return self._run(dry_run=False)

    def up(self) -> OperationResult:
        """Preview first, so that unsupported types or invalid inputs stop before any mutation; then apply.
        A plan without changes is applied too: it makes no cloud call, but records what only a real run
        knows (resolved outputs, changed options such as `protect`)."""
        plan = self.preview()
        if not plan.succeeded:
            plan.operation = "up"
            return plan
        return self.apply()

    def destroy(self, dry_run: bool = False) -> OperationResult:
        started = time.monotonic()
        store = self._store()
        old = store.load()
        counts: Counter[str] = Counter()
        planned = [(DELETE, r.type, r.urn) for r in delete_order(old) if _counted(r) and not r.delete]
        if dry_run:
            counts[DELETE] = len(planned)
        error = self._check_protected(old)
        if error is None and not dry_run:
            error = self._delete(store, old, old, counts)
            if error is None:
                store.set_stack_outputs(self.project.name, {})
        remaining = [] if error is None and not dry_run else store.load()
        return OperationResult(
            operation="destroy", stack=self.stack, succeeded=error is None, changes=_complete(counts),
            resources=remaining, outputs={}, error=error, error_kind="failed" if error else None,
            planned=planned, seconds=time.monotonic() - started,
        )

    def recover(self) -> list[str]:
        """Settle the operations a crashed run left pending: a create whose outcome is unknown is looked up
        in the cloud and adopted if it exists; an update or delete is settled by reading the resource."""
        store = self._store()
        pending = store.pending()
        if not pending:
            return []
        old = store.load()
        providers = self._existing_providers(old)
        known_ids = {r.id for r in old if r.id}
        notes = []
        for operation in pending:
            resource = operation.resource
            provider = lookup_resource(resource.type)
            if provider is None:
                store.settle(operation.id)
                continue
            _, ctx = providers.resolve(resource.provider or "", "")
            name = resource.urn.split("::")[-1]
            secret_keys = props.secret_keys(resource.inputs) | set(resource.additional_secret_outputs)
            if operation.operation == "create":
                found = provider.find(ctx, resource.urn, props.reveal(resource.inputs), known_ids)
                if found is None:
                    store.settle(operation.id)
                    notes.append(f"{resource.type} {name}: the interrupted create made nothing")
                    continue
                resource.id, outputs = found
                resource.outputs = props.mark_secrets(outputs, secret_keys)
                store.settle(operation.id, put=resource)
                notes.append(f"{resource.type} {name}: adopted {resource.id}, created by the interrupted run")
                continue
            current = provider.read(ctx, str(resource.id), props.reveal(resource.outputs))
            if current is None:
                store.settle(operation.id, remove=resource)
                notes.append(f"{resource.type} {name}: gone after the interrupted {operation.operation}")
            else:
                resource.outputs = props.mark_secrets(current, secret_keys)
                store.settle(operation.id, put=resource)
                notes.append(f"{resource.type} {name}: state refreshed after the interrupted {operation.operation}")
        return notes

    def drift(self) -> DriftReport:
        """What was changed in the cloud outside envctl: every resource of the state read back; changes nothing."""
        resources = self._store().load()
        return find_drift(self.stack, resources, self._existing_providers(resources))

    def refresh(self) -> DriftReport:
        """Take the cloud's word into the state (outputs, inputs changed outside, resources gone), so that the
        next `up` puts back what the program says; returns the drift taken in."""
        store = self._store()
        resources = store.load()
        return refresh_state(store, self.stack, resources, self._existing_providers(resources))

    # ---- internals -------------------------------------------------------------------------

    def _run(self, dry_run: bool) -> OperationResult:
        started = time.monotonic()
        store = self._store()
        old = store.load()
        log = EngineLog()
        monitor = LocalMonitor(
            stack=self.stack, project=self.project.name, old=old, store=None if dry_run else store,
            providers_factory=lambda record: self._providers(old, record, dry_run),
            dry_run=dry_run, on_event=self.on_event, stack_outputs_of=self._stack_outputs_of,
        )
        program_config = {k: program_config_text(v) for k, v in self.config.items()}
        failure = run_program(self.project.main, self.project.root, self.project.name, self.stack,
                              program_config, self.secret_keys, monitor, log, dry_run)
        outcome = monitor.outcome
        changes = Counter(outcome.changes)
        planned = [(outcome.ops[urn], r.type, urn) for urn, r in outcome.resources.items()
                   if outcome.ops.get(urn, SAME) not in (SAME, READ) and _counted(r)]
        error, kind = self._failure(outcome, failure)
        # After a real run the state also holds the resources this run replaced, awaiting deletion.
        current = old if dry_run else store.load()
        gone = [r for r in current if r.delete or (r.urn not in outcome.resources and r.urn not in outcome.adopted)]
        if error is None:
            protected = self._check_protected(gone)
            if protected:
                error, kind = protected, "failed"
        deleted_counts: Counter[str] = Counter()
        if error is None:
            for r in delete_order(gone):
                if _counted(r) and not r.delete:
                    planned.append((DELETE, r.type, r.urn))
            if dry_run:
                deleted_counts[DELETE] = sum(1 for r in gone if _counted(r) and not r.delete)
            else:
                error = self._delete(store, gone, old, deleted_counts)
                kind = "failed" if error else None
                store.set_stack_outputs(self.project.name, outcome.stack_outputs)
        changes.update(deleted_counts)
        resources = list(outcome.resources.values()) if dry_run else store.load()
        return OperationResult(
            operation="preview" if dry_run else "up", stack=self.stack, succeeded=error is None,
            changes=_complete(changes), resources=resources, outputs=outcome.stack_outputs, error=error,
            error_kind=kind, planned=planned, diagnostics=log.messages, seconds=time.monotonic() - started,
        )

    def _failure(self, outcome: Any, failure: Any) -> tuple[str | None, str | None]:
        if outcome.unsupported:
            types = ", ".join(sorted(outcome.unsupported))
            return (f"unsupported resource type(s): {types}. Nothing was changed. envctl's local engine "
                    f"supports: {', '.join(supported_resource_types())}"), "bad_input"
        if outcome.duplicates:
            return f"duplicate resource URN(s): {', '.join(outcome.duplicates)}; give each resource a unique " \
                   "name (or a different parent)", "bad_input"
        if outcome.check_failures:
            return "invalid resource inputs: " + "; ".join(outcome.check_failures), "bad_input"
        if outcome.errors:
            return outcome.errors[0], "failed"
        if failure is not None:
            return failure.message, failure.kind
        return None, None

    def _check_protected(self, doomed: list[ResourceState]) -> str | None:
        protected = [r.urn for r in doomed if r.protect and not r.delete]
        if protected:
            return (f"cannot delete protected resource(s): {', '.join(protected)}. Set `protect=False` in the "
                    "program and run `envctl up` first. Nothing was deleted.")
        return None

    def _delete(self, store: StateStore, doomed: list[ResourceState], old: list[ResourceState],
                counts: Counter[str]) -> str | None:
        providers = self._existing_providers(old)
        for resource in delete_order(doomed):
            if not resource.custom or resource.type.startswith("pulumi:providers:") or resource.external \
                    or resource.retain_on_delete:
                store.settle(None, remove=resource)
                if _counted(resource) and not resource.delete:
                    counts[DELETE] += 1
                continue
            provider = lookup_resource(resource.type)
            if provider is None:
                return f"cannot delete {resource.urn}: resource type {resource.type} is not supported"
            _, ctx = providers.resolve(resource.provider or "", "")
            self.on_event(StepEvent(DELETE, resource.urn, resource.type, "started"))
            started = time.monotonic()
            pending = store.begin(DELETE, resource)
            try:
                provider.delete(ctx, str(resource.id), props.reveal(resource.outputs))
            except (ClientError, BotoCoreError) as exc:
                message = f"delete {resource.type} {resource.urn.split('::')[-1]!r}: {aws_message(exc)}"
                self.on_event(StepEvent(DELETE, resource.urn, resource.type, "failed", aws_message(exc)))
                store.settle(pending)
                return message
            store.settle(pending, remove=resource)
            if not resource.delete:
                counts[DELETE] += 1
            self.on_event(StepEvent(DELETE, resource.urn, resource.type, "done",
                                    seconds=time.monotonic() - started))
        return None

    def _providers(self, old: list[ResourceState], record: Callable[[ResourceState], None],
                   dry_run: bool) -> ProviderSet:
        aws_config = {k.split(":", 1)[1]: props.secret(program_config_text(props.reveal(v)))
                      if k in self.secret_keys else program_config_text(v)
                      for k, v in self.config.items() if k.startswith("aws:")}
        old_by_urn = {r.urn: r for r in old if not r.delete}
        providers = ProviderSet(self.stack, self.project.name, self.cloud, aws_config, old_by_urn, record, dry_run)
        for resource in old:
            if resource.type == AWS_PROVIDER_TYPE and resource.id:
                providers.adopt(resource)
        return providers

    def _existing_providers(self, resources: list[ResourceState]) -> ProviderSet:
        """The providers of resources already in state, for reading and deleting them (nothing registered)."""
        return self._providers(resources, lambda _r: None, dry_run=False)

    def _store(self) -> StateStore:
        return StateStore(self.database, self.stack, self.crypter)

    def _stack_outputs_of(self, stack: str) -> dict[str, Any] | None:
        store = StateStore(self.database, stack, self.crypter)
        if not store.load():
            return None
        return store.stack_outputs()


def _counted(resource: ResourceState) -> bool:
    """Providers are bookkeeping, not part of the change summary (which, as Pulumi's, counts the stack)."""
    return not resource.type.startswith("pulumi:providers:")


def _complete(counts: Counter[str]) -> dict[str, int]:
    return {op: counts.get(op, 0) for op in OPERATIONS}
