"""The user's workflows as library calls: up, preview, destroy, refresh, drift, unlock, each on one environment.

A workflow takes the environment and an `Interaction` (how to show progress and the plan, and ask for
confirmation), and returns plain results; the CLI parses, calls one of these, and renders. What changes an
environment holds its lock, settles what an interrupted run left pending, and is recorded in the ledger, failed
runs included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from envctl.engine import lock
from envctl.engine.deployment import BAD_INPUT, INTERRUPTED, Deployment, DeploymentResult
from envctl.engine.drift import DriftReport
from envctl.engine.executor import StepEvent
from envctl.engine.interrupts import Interrupt
from envctl.engine.parallelism import DEFAULT_PARALLEL
from envctl.engine.targets import Targets
from envctl.environment import CLOUDS, Environment
from envctl.errors import BadInput, EnvctlError, Interrupted, OperationFailed
from envctl.recording import record_interrupted, record_operation

if TYPE_CHECKING:
    from envctl.ledger.audit import AuditResult


class Interaction(Protocol):
    """What a workflow shows and asks while it runs."""

    def event(self, event: StepEvent) -> None:
        """A step started, finished or failed."""

    def note(self, text: str) -> None:
        """Something the user should know (a broken stale lock, a settled interrupted run)."""

    def plan(self, plan: DeploymentResult) -> None:
        """The plan, before confirmation."""

    def refreshed(self, report: DriftReport) -> None:
        """What a refresh took into the state."""

    def would_refresh(self, report: DriftReport) -> None:
        """What a refresh would take into the state, before confirmation."""

    def confirm(self, question: str, action: str) -> bool:
        """Whether to go on; False declines (nothing is done)."""


class Declined(EnvctlError):
    """The user declined the confirmation: nothing was done."""

    exit_code = 1


@dataclass(frozen=True)
class RunOptions:
    """How a run goes: how many steps at once, and which resources it may touch."""

    parallel: int = DEFAULT_PARALLEL
    targets: Targets = field(default_factory=Targets)

    def deployment(self, environment: Environment, ui: Interaction) -> Deployment:
        return environment.deployment(ui.event, self.parallel, Interrupt(), self.targets)


@dataclass
class Outcome:
    """What a changing workflow did: its result and the snapshot recorded for it."""

    result: DeploymentResult
    snapshot: str
    refreshed: DriftReport | None = None
    notes: list[str] = field(default_factory=list)


def up(environment: Environment, ui: Interaction, *, yes: bool = False, refresh: bool = False,
       skip_preview: bool = False, options: RunOptions = RunOptions()) -> Outcome:
    """Preview, confirm, apply exactly the confirmed plan, record. `skip_preview` applies without a preview (and so
    without a plan to show or confirm), as Pulumi's `up --skip-preview`."""
    deployment = options.deployment(environment, ui)
    refreshed: list[DriftReport] = []

    def run() -> DeploymentResult:
        if refresh:
            refreshed.append(refresh_state(deployment, ui))
        return deployment.apply() if skip_preview else preview_then_apply(deployment, ui, yes)

    result, snapshot = recorded_run(environment, "up", ui, deployment, run)
    return Outcome(result, snapshot, refreshed[0] if refreshed else None)


def up_saved(environment: Environment, ui: Interaction, plan_file: Path, *, yes: bool = False,
             parallel: int = DEFAULT_PARALLEL) -> Outcome:
    """Apply exactly the plan `preview --out` saved in `plan_file` (with its targets), or refuse, changing nothing,
    when the program, config or state has moved since it was made."""
    from envctl import saved_plan

    plan = saved_plan.load(plan_file, environment)
    deployment = RunOptions(parallel, plan.targets).deployment(environment, ui)

    def run() -> DeploymentResult:
        plan.check_current(environment, deployment.store, plan_file)
        if plan.has_changes and not yes and not ui.confirm(
                f"Apply the plan saved at {plan.created} ({_counted(plan.changes)})?", "apply"):
            raise Declined("up declined: nothing was changed")
        return deployment.apply(plan.plan())

    return Outcome(*recorded_run(environment, "up", ui, deployment, run))


def preview(environment: Environment, ui: Interaction, options: RunOptions = RunOptions(), *,
            refresh: bool = False, out: Path | None = None) -> DeploymentResult:
    """What `up` would do; changes nothing and records nothing. With `refresh`, decided against the state as the
    cloud has it now (the refresh shown, not written); with `out`, the plan saved there for `up --plan`."""
    from envctl import saved_plan
    from envctl.engine.generator import TargetsUnmatched

    if out is not None and refresh:
        raise BadInput("--out with --refresh: a saved plan is applied to the stored state, which a preview's refresh "
                       f"does not change; run `envctl refresh {environment.name}` first, then preview --out")
    deployment = options.deployment(environment, ui)
    digests = saved_plan.digests(environment, deployment.store, out) if out is not None else {}
    with deployment.interrupt.raising():
        try:
            if refresh:
                state, report = deployment.refreshed_view()
                ui.would_refresh(report)
                result = deployment.preview(state)
            else:
                result = deployment.preview()
        except TargetsUnmatched as unmatched:
            raise BadInput(str(unmatched)) from None
        except KeyboardInterrupt:
            return deployment.interrupted("preview")
    if out is not None and result.succeeded:
        saved_plan.write(saved_plan.saved(environment, result, options.targets, digests), out)
    return result


def destroy(environment: Environment, ui: Interaction, *, yes: bool = False,
            options: RunOptions = RunOptions()) -> Outcome:
    """Delete every resource of the environment (with targets, only those and their dependents), after
    confirmation; recorded."""
    deployment = options.deployment(environment, ui)

    def run() -> DeploymentResult:
        plan = deployment.plan_destroy()
        ui.plan(plan)
        if plan.succeeded and plan.planned and not yes and not ui.confirm(
                f"Delete every resource of {environment.name}?", "destroy"):
            raise Declined("destroy declined: nothing was deleted")
        return deployment.destroy(plan.plan) if plan.succeeded else plan

    return Outcome(*recorded_run(environment, "destroy", ui, deployment, run))


def recorded_run(environment: Environment, operation: str, ui: Interaction, deployment: Deployment,
                 run: Callable[[], DeploymentResult], source_ref: str | None = None) -> tuple[DeploymentResult, str]:
    """`run` under the environment's lock, recorded in the ledger whatever its outcome: a signal stops it at a safe
    point and it is recorded as interrupted (the recording itself cannot be cut by a second signal)."""
    interrupt = deployment.interrupt
    with interrupt.raising(), locked(environment, operation, ui, deployment):
        started = datetime.now(UTC)
        try:
            result = run()
        except KeyboardInterrupt:
            result = deployment.interrupted(operation)
        result.operation = operation
        with interrupt.deferred():
            snapshot = _recorded(environment, result, started, source_ref)
    return result, snapshot


def _recorded(environment: Environment, result: DeploymentResult, started: datetime, source_ref: str | None) -> str:
    from sqlalchemy.exc import DBAPIError

    try:
        return record_operation(environment, result, started, datetime.now(UTC), source_ref=source_ref,
                                status=result.status)
    except DBAPIError as exc:
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        done = ", ".join(f"{n} {what}" for what, n in result.done.items() if n) or "nothing"
        outcome = f"{result.operation} {result.status} ({done})" + (f": {result.error}" if result.error else "")
        raise OperationFailed(f"{outcome}; and the ledger could not record the run ({cause}). What the cloud made "
                              "is in the state, or pending and settled from the cloud on the next run") from None


def refresh(environment: Environment, ui: Interaction, *, yes: bool = False,
            options: RunOptions = RunOptions()) -> Outcome:
    """Take the cloud's word into the state (`pulumi refresh`): outputs as reported, inputs changed outside envctl
    at the cloud's value, resources gone from the cloud out of the state; shown and confirmed first (unless `yes`),
    then recorded."""
    from envctl.engine.generator import TargetsUnmatched

    deployment = options.deployment(environment, ui)
    reports: list[DriftReport] = []

    def run() -> DeploymentResult:
        if not yes:
            try:
                found = deployment.drift()
            except TargetsUnmatched as unmatched:
                raise BadInput(str(unmatched)) from None
            ui.would_refresh(found)
            if found.drifted and not ui.confirm(f"Take these {len(found.resources)} change(s) into the state?",
                                                "refresh"):
                raise Declined("refresh declined: the state is as it was")
        reports.append(refresh_state(deployment, ui))
        return deployment.current("refresh")

    result, snapshot = recorded_run(environment, "refresh", ui, deployment, run)
    return Outcome(result, snapshot, reports[0] if reports else None)


def refresh_state(deployment: Deployment, ui: Interaction) -> DriftReport:
    """The cloud's word taken into the state, shown; a target that names nothing is bad input."""
    from envctl.engine.generator import TargetsUnmatched

    try:
        report = deployment.refresh()
    except TargetsUnmatched as unmatched:
        raise BadInput(str(unmatched)) from None
    ui.refreshed(report)
    return report


def drift(environment: Environment) -> tuple[DriftReport, lock.LockHolder | None]:
    """What was changed in the cloud outside envctl, and who holds the environment's lock now (their changes show
    as drift)."""
    check_same_cloud(environment)
    check_state_against_ledger(environment)
    return environment.deployment().drift(), lock.holder(environment.database, environment.name)


def audit(ledger_url: str, project_dir: Path, thing: str, cloud: str = "local") -> AuditResult:
    """Where `thing` came from: a snapshot's provenance, or a resource's lineage. A resource the ledger does not
    know by its ARN or physical id is looked up in the cloud, whose envctl tags name its environment and URN."""
    from envctl.cloud.local_cloud import LOCAL_CREDENTIALS, LocalCloud, aws_target
    from envctl.cloud.target import CloudTarget
    from envctl.ledger import Ledger
    from envctl.ledger.audit import URN_PREFIX, NotRecorded, audit_tagged
    from envctl.ledger.audit import audit as audit_ledger
    from envctl.providers.aws.tag_lookup import envctl_tags

    if cloud not in CLOUDS:
        raise BadInput(f"unknown cloud {cloud!r}: choose {' or '.join(CLOUDS)}")
    with Ledger.open(ledger_url).engine.connect() as conn:
        try:
            return audit_ledger(conn, thing)
        except NotRecorded as not_recorded:
            if thing.startswith(URN_PREFIX):
                raise
            target: CloudTarget | None = aws_target()
            if cloud == "local":
                status = LocalCloud(project_dir).status()  # a stopped local cloud holds nothing: not started for this
                target = CloudTarget("local", status.endpoint, *LOCAL_CREDENTIALS) if status.running else None
            tags = envctl_tags(target, thing) if target is not None else None
            if tags is None:
                raise NotRecorded(f"{not_recorded}; and the {cloud} cloud shows no resource {thing!r} with "
                                  "envctl's tags (or is not running)") from None
            return audit_tagged(conn, thing, *tags)


@dataclass(frozen=True)
class PassphraseChanged:
    stack_file: Path
    secrets: int  # secret config values re-encrypted in the stack file
    state_rows: int  # state rows rewritten under the new key


def change_passphrase(environment: Environment, new_passphrase: str) -> PassphraseChanged:
    """Re-encrypt the environment's stack file and state under a new passphrase (a new encryptionsalt), as
    `pulumi stack change-secrets-provider passphrase` does; the state in one transaction, under the lock."""
    from envctl import stack_file
    from envctl.secrets import new_encryption_salt

    _, crypter = new_encryption_salt(new_passphrase)
    file = environment.stack_config.file
    with lock.environment_lock(environment.database, environment.name, "change-passphrase"):
        text, secrets = stack_file.reencrypted(file, environment.crypter, crypter)
        rows = environment.store().reencrypt(crypter)
        stack_file.write_stack_file(file, text)
    return PassphraseChanged(file, secrets, rows)


def unlock(environment: Environment) -> lock.LockHolder | None:
    """Break the environment's lock by hand; the holder it had, if any."""
    return lock.unlock(environment.database, environment.name)


def _counted(changes: dict[str, int]) -> str:
    return ", ".join(f"{n} to {op}" for op, n in changes.items() if n and op != "same")


def preview_then_apply(deployment: Deployment, ui: Interaction, yes: bool) -> DeploymentResult:
    """The preview's plan shown and confirmed, then applied exactly: a step the plan does not hold is refused.
    A plan without changes is applied too when the state must record something only a real run knows (resolved
    outputs, options such as `protect`); one that provably changes nothing at all is not run again.
    (A program that declares other resources in a preview than in an update, by `is_dry_run`, is not supported.)"""
    plan = deployment.preview()
    if not plan.succeeded:
        return deployment.refused(plan)
    if plan.changes_nothing:
        return deployment.unchanged(plan)
    if plan.has_changes:
        ui.plan(plan)
        if not yes and not ui.confirm("Apply these changes?", "apply"):
            raise Declined("up declined: nothing was changed")
    return deployment.apply(plan.plan)


def check_state_against_ledger(environment: Environment) -> None:
    """A state that lacks resources its last snapshot recorded (a row deleted outside envctl) is never run on: the
    run would create duplicates and leave the originals unknown to any state."""
    from envctl.ledger import Ledger

    comparison = Ledger(environment.database).compare_state(environment.name)
    if comparison.missing:
        raise OperationFailed(f"{comparison.describe()}: its state was changed outside envctl, and a run now would "
                              "make duplicates of what is missing. Run `envctl ledger verify`, and restore the "
                              "database from a backup (or adopt each resource again with `envctl import`)")


def check_same_cloud(environment: Environment) -> None:
    """The cloud is part of an environment's identity: state made in one cloud is never applied to another."""
    from envctl.ledger import Ledger

    if not environment.store().has_resources():
        return
    try:
        made_in = Ledger(environment.database).load(environment.name).cloud
    except BadInput:
        return  # state from before the ledger recorded this environment
    if made_in != environment.cloud_name:
        raise BadInput(f"{environment.name} lives in the {made_in} cloud: its state cannot be applied to the "
                       f"{environment.cloud_name} cloud. Use --cloud {made_in}, or give the environment in the "
                       f"{environment.cloud_name} cloud another name (`envctl rebuild {environment.name} --into NEW "
                       f"--cloud {environment.cloud_name}`)")


@contextmanager
def locked(environment: Environment, operation: str, ui: Interaction, deployment: Deployment) -> Iterator[None]:
    """The environment's lock for the operation; a run whose process died is recorded as interrupted and what it
    left pending is settled first."""
    check_same_cloud(environment)
    with lock.environment_lock(environment.database, environment.name, operation) as acquired:
        if acquired.broken is not None:
            ui.note(f"broke the stale lock of {acquired.broken.describe()}: its process is gone")
            ref = record_interrupted(environment, acquired.broken.operation, acquired.broken.since,
                                     acquired.broken.describe())
            ui.note(f"recorded the interrupted run as {ref}")
        check_state_against_ledger(environment)
        for note in deployment.settle_pending():
            ui.note(f"recovered: {note}")
        yield


def operation_error(result: DeploymentResult) -> EnvctlError:
    """The error a failed result is to the user: bad input (exit 2), interrupted (130) or failed (exit 1)."""
    if result.error_kind == BAD_INPUT:
        return BadInput(result.error or "bad input")
    if result.error_kind == INTERRUPTED:
        return Interrupted(result.error or "interrupted")
    return OperationFailed(result.error or "the operation failed")
