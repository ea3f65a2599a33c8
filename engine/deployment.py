"""One operation of the local engine on one stack: preview, apply, destroy, settling an interrupted run, refresh,
drift. Each is steps decided by the generator (or a step list) and taken by the executor; a preview takes none.

`apply` is Pulumi's deployment model: the program runs, each registration becomes steps, and after the program
finishes whatever it no longer declares is deleted, dependents first. Given the confirmed plan, apply refuses any
step the plan does not hold.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envctl.engine.drift import DriftReport
from envctl.engine.executor import DONE, FAILED, SKIPPED, EventSink, StepExecutor, StepRecord
from envctl.engine.generator import (
    Protected,
    RegistrationError,
    StepGenerator,
    TargetsUnmatched,
    destroy_steps,
    refresh_steps,
)
from envctl.engine.interrupts import Interrupt
from envctl.engine.monitor import LocalMonitor, MonitorOutcome
from envctl.engine.parallelism import DEFAULT_PARALLEL
from envctl.engine.plan import Plan
from envctl.engine.preview import PreviewSink
from envctl.engine.properties import contains_unknown, mark_secrets
from envctl.engine.provider import ProviderError, ProviderPackage, package_of
from envctl.engine.providers import PROVIDER_TYPE_PREFIX, ProviderRegistry
from envctl.engine.runner import EngineLog, ProgramError, run_program
from envctl.engine.secret_values import SecretValues
from envctl.engine.state import ResourceState, StateStore, now_iso
from envctl.engine.steps import CHANGING, OPERATIONS, Op, Step
from envctl.engine.targets import Targets
from envctl.engine.urn import STACK_TYPE, make_urn, provider_reference
from envctl.errors import BadInput

BAD_INPUT, FAILED_KIND, INTERRUPTED = "bad_input", "failed", "interrupted"
# Past-tense names of what a run did, in display order.
_DONE_NAMES = {Op.CREATE: "created", Op.UPDATE: "updated", Op.REPLACE: "replaced", Op.DELETE: "deleted",
               Op.SAME: "unchanged"}


@dataclass(frozen=True)
class Program:
    """The Pulumi program of a project: its name, entry point, root directory and the virtualenv it imports its
    packages from, if it names one."""

    project: str
    main: Path
    root: Path
    virtualenv: Path | None = None


@dataclass
class DeploymentResult:
    """What an operation decided and did, in plain data for the caller and the ledger."""

    operation: str
    stack: str
    steps: list[Step]  # decided: the plan of a preview, or the steps of an apply
    records: list[StepRecord]  # taken (none in a preview)
    resources: list[ResourceState]
    outputs: dict[str, Any]
    error: str | None = None
    error_kind: str | None = None  # bad_input, failed or interrupted
    diagnostics: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    # A preview that proves an apply would change nothing in the cloud and nothing in the state.
    changes_nothing: bool = False

    @property
    def succeeded(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        """succeeded, failed or interrupted: as the ledger records the run."""
        return "succeeded" if self.succeeded else "interrupted" if self.error_kind == INTERRUPTED else "failed"

    @property
    def changes(self) -> dict[str, int]:
        """Steps decided, by operation (the change summary of a plan)."""
        counts = Counter(s.op for s in _counted(self.steps))
        return {str(op): counts.get(op, 0) for op in OPERATIONS}

    @property
    def has_changes(self) -> bool:
        return any(s.op in CHANGING for s in _counted(self.steps))

    @property
    def planned(self) -> list[Step]:
        """The steps that change something, in order."""
        return [s for s in _counted(self.steps) if s.op in CHANGING]

    @property
    def done(self) -> dict[str, int]:
        """What the run did, past tense: created, updated, replaced, deleted, unchanged, failed, skipped."""
        counts: Counter[str] = Counter()
        for record in self.records:
            if not _is_counted(record.step):
                continue
            if record.status == DONE and record.step.op in _DONE_NAMES:
                counts[_DONE_NAMES[record.step.op]] += 1
            elif record.status in (FAILED, SKIPPED):
                counts[record.status] += 1
        return {name: counts.get(name, 0) for name in (*_DONE_NAMES.values(), FAILED, SKIPPED)}

    @property
    def plan(self) -> Plan:
        return Plan(self.steps)


class Deployment:
    """The local engine for one stack of one project."""

    def __init__(self, program: Program, stack: str, config: dict[str, str], secret_keys: list[str],
                 store: StateStore, packages: Mapping[str, ProviderPackage],
                 package_config: Mapping[str, Mapping[str, Any]], *, secrets: SecretValues,
                 stack_outputs_of: Callable[[str], dict[str, Any] | None], events: EventSink = lambda _e: None,
                 parallel: int = DEFAULT_PARALLEL, interrupt: Interrupt | None = None,
                 targets: Targets | None = None) -> None:
        self.program = program
        self.stack = stack
        self.config = config
        self.secret_keys = secret_keys
        self.store = store
        self.packages = packages
        self.package_config = package_config
        self.secrets = secrets
        self.stack_outputs_of = stack_outputs_of
        self.events = events
        self.parallel = parallel
        self.interrupt = interrupt or Interrupt()
        self.targets = targets or Targets()

    # ---- operations ------------------------------------------------------------------------

    def preview(self, old: list[ResourceState] | None = None) -> DeploymentResult:
        """The steps `apply` would take, decided by running the program; nothing is taken or written. `old` is the
        state to decide against (a refreshed view of it), by default the stored one."""
        started, old = time.monotonic(), self.store.load() if old is None else old
        registry = self._registry(old)
        generator = StepGenerator(old, registry, self.targets)
        monitor = self._monitor(generator, registry, PreviewSink(self._executor(registry)), dry_run=True)
        outcome, log, failure = self._run(monitor, dry_run=True)
        error, kind = self._failure(outcome, failure)
        steps = list(outcome.steps)
        if error is None:
            try:
                steps += generator.deletes()
            except Protected as protected:
                error, kind = str(protected), FAILED_KIND
        if error is None and generator.targets.unmatched():
            error, kind = str(TargetsUnmatched(generator.targets.unmatched())), BAD_INPUT
        if self.interrupt.is_set():
            error, kind = self._interrupted_error(), INTERRUPTED
        nothing = error is None and _changes_nothing(steps, outcome, old, self.store.stack_outputs())
        return DeploymentResult("preview", self.stack, steps, [], list(outcome.resources.values()),
                                outcome.stack_outputs, error, kind, log.messages, time.monotonic() - started,
                                changes_nothing=nothing)

    def unchanged(self, plan: DeploymentResult) -> DeploymentResult:
        """The apply of a plan that changes nothing, without running the program again: every step the same."""
        assert plan.changes_nothing
        records = [StepRecord(step, DONE) for step in plan.steps]
        return DeploymentResult("up", self.stack, plan.steps, records, self.store.load(), plan.outputs,
                                diagnostics=plan.diagnostics, seconds=plan.seconds)

    def refused(self, plan: DeploymentResult) -> DeploymentResult:
        """The up of a plan whose preview failed: nothing applied, so the state as it is, with the preview's error
        (the resources the preview would have made exist nowhere and are not the run's result)."""
        assert not plan.succeeded
        return DeploymentResult("up", self.stack, plan.steps, [], self.store.load(), self.store.stack_outputs(),
                                plan.error, plan.error_kind, plan.diagnostics, plan.seconds)

    def apply(self, plan: Plan | None = None) -> DeploymentResult:
        """Run the program for real, then delete what it no longer declares; with `plan`, only its steps."""
        started, old = time.monotonic(), self.store.load()
        registry = self._registry(old)
        generator = StepGenerator(old, registry, self.targets)
        executor = self._executor(registry, plan)
        monitor = self._monitor(generator, registry, executor, dry_run=False)
        outcome, log, failure = self._run(monitor, dry_run=False)
        error, kind = self._failure(outcome, failure)
        steps = list(outcome.steps)
        if error is None:
            try:
                deletes = generator.deletes()
            except Protected as protected:
                deletes, error, kind = [], str(protected), FAILED_KIND
            steps += deletes
            error, kind = _first_failure(executor.run(deletes)) if error is None else (error, kind)
            if error is None:
                self.store.set_stack_outputs(self.program.project, outcome.stack_outputs)
        if self.interrupt.is_set() and error is not None:
            error, kind = self._interrupted_error(), INTERRUPTED
        return DeploymentResult("up", self.stack, steps, list(executor.records), self.store.load(),
                                outcome.stack_outputs, error, kind, log.messages, time.monotonic() - started)

    def plan_destroy(self) -> DeploymentResult:
        """The deletes `destroy` would take."""
        started, old = time.monotonic(), self.store.load()
        try:
            steps, error, kind = destroy_steps(old, self.targets), None, None
        except RegistrationError as refused:
            steps, error, kind = [], str(refused), BAD_INPUT if refused.bad_input else FAILED_KIND
        return DeploymentResult("destroy", self.stack, steps, [], old, {}, error, kind,
                                seconds=time.monotonic() - started)

    def destroy(self, plan: Plan | None = None) -> DeploymentResult:
        """Delete every resource of the stack, dependents first."""
        started, old = time.monotonic(), self.store.load()
        try:
            steps = destroy_steps(old, self.targets)
        except RegistrationError as refused:
            return DeploymentResult("destroy", self.stack, [], [], old, {}, str(refused),
                                    BAD_INPUT if refused.bad_input else FAILED_KIND, seconds=time.monotonic() - started)
        executor = self._executor(self._registry(old), plan)
        error, kind = _first_failure(executor.run(steps))
        if error is None and not self.targets.narrowed:
            self.store.set_stack_outputs(self.program.project, {})
        if self.interrupt.is_set() and error is not None:
            error, kind = self._interrupted_error(), INTERRUPTED
        return DeploymentResult("destroy", self.stack, steps, list(executor.records), self.store.load(), {}, error,
                                kind, seconds=time.monotonic() - started)

    def current(self, operation: str) -> DeploymentResult:
        """The state as it is now, as the result of an operation that took no program run (a refresh)."""
        return DeploymentResult(operation, self.stack, [], [], self.store.load(), self.store.stack_outputs())

    def interrupted(self, operation: str) -> DeploymentResult:
        """The result of a run stopped by a signal outside any step: the state as it is."""
        return DeploymentResult(operation, self.stack, [], [], self.store.load(), self.store.stack_outputs(),
                                self._interrupted_error(), INTERRUPTED)

    def settle_pending(self) -> list[str]:
        """Settle the operations an interrupted run left pending; a sentence for each."""
        pending = self.store.pending()
        if not pending:
            return []
        executor = self._executor(self._registry(self.store.load()))
        steps = [Step(Op.SETTLE, p.urn, p.resource.type, old=p.resource, pending=p) for p in pending]
        return [record.result if record.status == DONE else str(record.error) for record in executor.run(steps)]

    def drift(self) -> DriftReport:
        """What was changed in the cloud outside envctl: every managed resource read back; changes nothing."""
        return self.refreshed_view()[1]

    def refreshed_view(self) -> tuple[list[ResourceState], DriftReport]:
        """The state as a refresh would make it, and the drift it would take in, without writing anything (for
        `preview --refresh`). The targets narrow what is read."""
        from envctl.engine.drift import refreshed_states, resource_drift, sealed_inputs

        state = self.store.load()
        resources = [s.old for s in refresh_steps(state, self.targets) if s.old is not None and self._supported(s.old)]
        registry = self._registry(state)
        observations = self._executor(registry).observe(resources)
        drifts = [resource_drift(registry.resolve(o.resource.provider or ""), o) for o in observations]
        not_compared = [f"{r.name}.{key}" for r in resources for key in sealed_inputs(r)]
        report = DriftReport(self.stack, len(observations), [d for d in drifts if d is not None], not_compared)
        return refreshed_states(state, observations, drifts), report

    def refresh(self) -> DriftReport:
        """Take the cloud's word into the state, so that the next `up` puts back what the program says; the drift
        that was taken in."""
        resources = self.store.load()
        steps = [s for s in refresh_steps(resources, self.targets) if s.old is not None and self._supported(s.old)]
        records = self._executor(self._registry(resources)).run(steps)
        return DriftReport(self.stack, len(records), [r.result for r in records if r.result is not None])

    def adoptable(self, state: list[ResourceState], type_: str, name: str, id: str, *,
                  protect: bool) -> ResourceState:
        """The state entry that adopts the cloud's resource `id` of `type_` as `name` (nothing is written): read
        through the stack's default provider, its inputs those a program would declare to match it, run through the
        provider's check as a registration's are, so that the same declaration is no change."""
        package = self.packages.get(package_of(type_))
        if package is None or not package.supports(type_):
            raise BadInput(f"unsupported resource type {type_}: `envctl types` lists the types envctl supports")
        stack = next((r for r in state if r.type == STACK_TYPE and not r.delete), None)
        default = next((r for r in state if r.type == PROVIDER_TYPE_PREFIX + package_of(type_) and r.id
                        and r.name.startswith("default") and not r.delete), None)
        if stack is None or default is None:
            raise BadInput(f"{self.stack} has no state to adopt into yet: `envctl up {self.stack}` first")
        urn = make_urn(self.stack, self.program.project, stack.urn, type_, name)
        if any(r.urn == urn for r in state):
            raise BadInput(f"{urn} is in the state already")
        registry = self._registry(state)
        reference = provider_reference(default.urn, str(default.id))
        provider = registry.resolve(reference)
        try:
            outputs = provider.read(type_, id, {})
        except ProviderError as exc:
            raise BadInput(f"cannot read {type_} {id}: {self.secrets.redact(str(exc))}") from None
        if outputs is None:
            raise BadInput(f"no {type_} with id {id} exists in the cloud")
        info = next(t for t in package.types() if t.token == type_)
        declared = {k: v for k, v in outputs.items() if k in info.implemented and k != "region"
                    and v not in (None, "", [], {})}
        filled_in = provider.check(type_, name, None, {}).inputs  # what check adds by itself: defaults, auto-names
        declared = {k: v for k, v in declared.items() if filled_in.get(k) != v}
        checked = provider.check(type_, name, None, declared)
        if checked.failures:
            raise BadInput(f"cannot adopt {type_} {id}: " + "; ".join(f.reason for f in checked.failures))
        secret = set(info.secret)
        return ResourceState(urn=urn, type=type_, custom=True, id=str(outputs.get("id") or id), parent=stack.urn,
                             provider=reference, inputs=mark_secrets(checked.inputs, secret),
                             outputs=mark_secrets(outputs, secret), protect=protect,
                             additional_secret_outputs=sorted(secret), created=now_iso(), modified=now_iso())

    # ---- internals -------------------------------------------------------------------------

    def _interrupted_error(self) -> str:
        return (f"interrupted by {self.interrupt.signal or 'a signal'}: no step was started after it, the steps in "
                "flight finished and were checkpointed")

    def _run(self, monitor: LocalMonitor, dry_run: bool) -> tuple[MonitorOutcome, EngineLog, ProgramError | None]:
        log = EngineLog()
        failure = run_program(self.program.main, self.program.root, self.program.project, self.stack, self.config,
                              self.secret_keys, monitor, log, dry_run, self.interrupt, parallel=self.parallel,
                              virtualenv=self.program.virtualenv,
                              provider_sdks=[f"pulumi_{name}" for name in self.packages])
        log.messages = [(severity, self.secrets.redact(message)) for severity, message in log.messages]
        return monitor.outcome, log, failure

    def _failure(self, outcome: MonitorOutcome, failure: ProgramError | None) -> tuple[str | None, str | None]:
        """The run's error and its kind, secrets redacted. A program that fails beside refused registrations is
        reported with them (both need fixing); after a failed step, the step's error says why."""
        error, kind = _outcome_failure(outcome, self._unsupported_reason)
        if failure is not None and error is None:
            error, kind = failure.message, failure.kind
        elif failure is not None and (outcome.unsupported or outcome.rejections):
            error = f"{error}; and the program failed: {failure.message}"
        return (self.secrets.redact(error), kind) if error is not None else (None, None)

    def _monitor(self, generator: StepGenerator, registry: ProviderRegistry, sink: Any,
                 dry_run: bool) -> LocalMonitor:
        return LocalMonitor(stack=self.stack, project=self.program.project, generator=generator, registry=registry,
                            sink=sink, secrets=self.secrets, dry_run=dry_run, stack_outputs_of=self.stack_outputs_of)

    def _executor(self, registry: ProviderRegistry, plan: Plan | None = None) -> StepExecutor:
        return StepExecutor(self.store, registry, self.events, secrets=self.secrets, plan=plan,
                            parallel=self.parallel, interrupt=self.interrupt)

    def _registry(self, old: list[ResourceState]) -> ProviderRegistry:
        registry = ProviderRegistry(self.packages, self.stack, self.program.project, self.package_config)
        registry.adopt(old)
        return registry

    def _unsupported_reason(self, type_: str) -> str | None:
        package = self.packages.get(package_of(type_))
        return package.unsupported_reason(type_) if package is not None else None

    def _supported(self, resource: ResourceState) -> bool:
        package = self.packages.get(resource.type.split(":", 1)[0])
        return package is not None and package.supports(resource.type)


def _changes_nothing(steps: list[Step], outcome: MonitorOutcome, old: list[ResourceState],
                     stack_outputs: dict[str, Any]) -> bool:
    """Whether applying these steps would make no cloud call and write nothing: every step the same (no read, no
    delete), every registered resource recorded exactly as the state has it, and the stack's outputs known and
    as stored."""
    if any(step.op != Op.SAME for step in steps):
        return False
    recorded = {r.urn: r.recorded() for r in old if not r.delete}
    if any(recorded.get(urn) != state.recorded() for urn, state in outcome.resources.items()):
        return False
    return not contains_unknown(outcome.stack_outputs) and outcome.stack_outputs == stack_outputs


def _outcome_failure(outcome: MonitorOutcome,
                     reason: Callable[[str], str | None]) -> tuple[str | None, str | None]:
    if outcome.unsupported:
        types = ", ".join(f"{t} ({why})" if (why := reason(t)) else t for t in sorted(outcome.unsupported))
        return (f"unsupported resource type(s): {types}. Nothing was changed. `envctl types` lists the types "
                "envctl supports"), BAD_INPUT
    if outcome.duplicates:
        return (f"duplicate resource URN(s): {', '.join(outcome.duplicates)}; give each resource a unique name (or a "
                "different parent)"), BAD_INPUT
    if outcome.rejections:
        return "invalid resource inputs: " + "; ".join(r.describe() for r in outcome.rejections), BAD_INPUT
    if outcome.bad_input_errors:
        return outcome.bad_input_errors[0], BAD_INPUT
    if outcome.protected:
        return outcome.protected[0], FAILED_KIND
    if outcome.errors:
        return outcome.errors[0], FAILED_KIND
    return None, None


def _first_failure(records: list[StepRecord]) -> tuple[str | None, str | None]:
    for record in records:
        if record.status == FAILED:
            return record.error, FAILED_KIND
    for record in records:
        if record.status == SKIPPED:
            return record.error, INTERRUPTED if record.error == "interrupted" else FAILED_KIND
    return None, None


def _is_counted(step: Step) -> bool:
    """Provider resources are bookkeeping, and the deletion of a replaced copy is part of its replacement."""
    return step.counted and not (step.op == Op.DELETE and step.replaced)


def _counted(steps: list[Step]) -> list[Step]:
    return [s for s in steps if _is_counted(s) and s.op != Op.READ] if steps else []

