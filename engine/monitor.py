"""The resource monitor the Pulumi SDK talks to: every registration becomes a step.

The SDK calls these methods from its thread pool, so independent resources arrive in parallel: shared
structures are guarded by one lock and cloud calls run outside it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from google.protobuf import empty_pb2
from pulumi.runtime.proto import resource_pb2

from envctl.engine import properties as props
from envctl.engine.providers import AWS_PROVIDER_TYPE, ProviderSet
from envctl.engine.state import ResourceState, StateStore, now_iso
from envctl.engine.steps import CREATE, READ, REPLACE, SAME, UPDATE, StepPlan, plan_step
from envctl.engine.urn import STACK_TYPE, make_urn, stack_urn
from envctl.providers.aws.base import AwsResource
from envctl.providers.aws.registry import lookup_invoke, lookup_resource

_FEATURES = [
    resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
]
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class StepError(Exception):
    """A step failed; the message names the resource and the cause."""


@dataclass
class StepEvent:
    """Progress of one step, for the live display."""

    op: str
    urn: str
    type: str
    status: str  # "started", "done" or "failed"
    detail: str = ""
    seconds: float = 0.0


@dataclass
class MonitorOutcome:
    """What the program registered, and what happened to it."""

    resources: dict[str, ResourceState] = field(default_factory=dict)
    stack_outputs: dict[str, Any] = field(default_factory=dict)
    changes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    unsupported: set[str] = field(default_factory=set)
    check_failures: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    ops: dict[str, str] = field(default_factory=dict)  # urn -> step taken
    adopted: set[str] = field(default_factory=set)  # old URNs matched by this run (aliases included)


class LocalMonitor:
    """Implements the ResourceMonitor service in-process, with the method names the SDK calls."""

    def __init__(
        self,
        *,
        stack: str,
        project: str,
        old: list[ResourceState],
        store: StateStore | None,
        providers_factory: Callable[[Callable[[ResourceState], None]], ProviderSet],
        dry_run: bool,
        on_event: Callable[[StepEvent], None],
        stack_outputs_of: Callable[[str], dict[str, Any] | None],
    ) -> None:
        self.stack = stack
        self.project = project
        self.dry_run = dry_run
        self.outcome = MonitorOutcome()
        self._old = {r.urn: r for r in old if not r.delete}
        self._store = store
        self._on_event = on_event
        self._stack_outputs_of = stack_outputs_of
        self._lock = threading.Lock()
        self._claimed: set[str] = set()
        self._stack_urn = stack_urn(stack, project)
        self.providers = providers_factory(self._record_provider)

    # ---- what the SDK calls ----------------------------------------------------------------

    def GetDeploymentInfo(self, _request: Any) -> resource_pb2.DeploymentInfo:
        return resource_pb2.DeploymentInfo(
            project=self.project, stack=self.stack, dryRun=self.dry_run, supportedFeatures=_FEATURES
        )

    def SupportsFeature(self, request: Any) -> Any:
        supported = request.id in {"secrets", "resourceReferences", "aliasSpecs"}
        return resource_pb2.SupportsFeatureResponse(hasSupport=supported)

    def RegisterPackage(self, request: Any) -> resource_pb2.RegisterPackageResponse:
        return resource_pb2.RegisterPackageResponse(ref=f"{request.name}-{request.version}")

    def SignalAndWaitForShutdown(self, _request: Any) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:
        parent = request.parent or ""
        if request.type == STACK_TYPE:
            self._register_component(self._stack_urn, STACK_TYPE, None)
            return resource_pb2.RegisterResourceResponse(urn=self._stack_urn)
        urn = make_urn(self.stack, self.project, parent, request.type, request.name)
        self._claim(urn)
        if not request.custom:
            self._register_component(urn, request.type, parent or None)
            return resource_pb2.RegisterResourceResponse(urn=urn, object=props.to_struct({}))
        inputs = props.from_struct(request.object)
        if request.type.startswith("pulumi:providers:"):
            return self._register_provider(urn, request, inputs)
        return self._register_custom(urn, request, inputs)

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:
        outputs = props.from_struct(request.outputs)
        with self._lock:
            resource = self.outcome.resources.get(request.urn)
            if resource is not None:
                resource.outputs = outputs
            if request.urn == self._stack_urn:
                self.outcome.stack_outputs = outputs
        if resource is not None and not self.dry_run and self._store is not None:
            self._store.settle(None, put=resource)
        return empty_pb2.Empty()

    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:
        urn = make_urn(self.stack, self.project, request.parent or "", request.type, request.name)
        inputs = props.reveal(props.resolve_references(props.from_struct(request.properties)))
        if request.type == STACK_REFERENCE_TYPE:
            outputs = self._read_stack_reference(request.id, inputs)
            self._remember(ResourceState(urn=urn, type=request.type, custom=True, id=request.id,
                                         parent=request.parent or None, inputs=inputs, outputs=outputs,
                                         external=True), READ)
            return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=props.to_struct(outputs))
        provider = self._provider_for(request.type, urn)
        if provider is None:
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props.to_struct(inputs))
        reference, ctx = self.providers.resolve(request.provider, request.version)
        started = time.monotonic()
        try:
            found = provider.read(ctx, request.id, inputs)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(READ, urn, request.type, f"reading {request.id}: {aws_message(exc)}") from None
        if found is None:
            raise self._fail(READ, urn, request.type, f"no {request.type} with id {request.id!r} exists")
        outputs = props.mark_secrets(found, set(request.additionalSecretOutputs))
        resource = ResourceState(urn=urn, type=request.type, custom=True, id=request.id,
                                 parent=request.parent or None, provider=reference, inputs=inputs,
                                 outputs=outputs, external=True, created=now_iso(), modified=now_iso())
        self._remember(resource, READ)
        self._emit(READ, urn, request.type, "done", seconds=time.monotonic() - started)
        return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=props.to_struct(outputs))

    def Invoke(self, request: Any) -> resource_pb2.ResourceInvokeResponse:
        args = props.reveal(props.resolve_references(props.from_struct(request.args)))
        if request.tok == "pulumi:pulumi:getResource":
            return self._get_resource(args.get("urn", ""))
        invoke = lookup_invoke(request.tok)
        if invoke is None:
            raise self._fail("invoke", "", request.tok,
                             f"invoke {request.tok} is not supported by envctl's local engine")
        _, ctx = self.providers.resolve(request.provider, request.version)
        try:
            result = invoke(ctx, args)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("invoke", "", request.tok, f"{request.tok}: {aws_message(exc)}") from None
        return resource_pb2.ResourceInvokeResponse(**{"return": props.to_struct(result)})

    def Call(self, request: Any) -> Any:
        raise self._fail("call", "", request.tok, f"method calls ({request.tok}) are not supported")

    def RegisterStackTransform(self, _request: Any) -> Any:
        raise self._fail("transform", "", "", "stack transforms are not supported by envctl's local engine")

    def RegisterStackInvokeTransform(self, request: Any) -> Any:
        return self.RegisterStackTransform(request)

    def RegisterResourceHook(self, _request: Any) -> Any:
        raise self._fail("hook", "", "", "resource hooks are not supported by envctl's local engine")

    def RegisterErrorHook(self, request: Any) -> Any:
        return self.RegisterResourceHook(request)

    # ---- registrations ---------------------------------------------------------------------

    def _register_component(self, urn: str, type_: str, parent: str | None) -> None:
        old = self._old.get(urn)
        resource = ResourceState(urn=urn, type=type_, custom=False, parent=parent,
                                 outputs=old.outputs if old else {},
                                 created=old.created if old else now_iso(), modified=now_iso())
        self._remember(resource, SAME if old else CREATE)
        if not self.dry_run and self._store is not None:
            self._store.settle(None, put=resource)

    def _register_provider(self, urn: str, request: Any, inputs: dict[str, Any]) -> Any:
        if request.type != AWS_PROVIDER_TYPE:
            with self._lock:
                self.outcome.unsupported.add(request.type)
            raise self._fail(CREATE, urn, request.type, f"provider {request.type} is not supported")
        inputs = {**inputs, "version": request.version or inputs.get("version", "")}
        provider_id, outputs = self.providers.register_explicit(urn, inputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=provider_id, object=props.to_struct(outputs))

    def _record_provider(self, resource: ResourceState) -> None:
        old = self._old.get(resource.urn)
        changed = old is not None and props.reveal(old.inputs) != props.reveal(resource.inputs)
        self._remember(resource, (UPDATE if changed else SAME) if old else CREATE, counted=False)
        if not self.dry_run and self._store is not None:
            self._store.settle(None, put=resource)

    def _register_custom(self, urn: str, request: Any, raw_inputs: dict[str, Any]) -> Any:
        provider = self._provider_for(request.type, urn)
        if provider is None:
            # Preview goes on so that every unsupported type is named at once.
            return resource_pb2.RegisterResourceResponse(urn=urn, object=props.to_struct(raw_inputs))
        reference, ctx = self.providers.resolve(request.provider, request.version)
        old = self._find_old(urn, request)
        secret_keys = props.secret_keys(raw_inputs)
        news = props.reveal(props.resolve_references(raw_inputs))
        old_inputs = props.reveal(old.inputs) if old else None
        plan = plan_step(provider, request.name, old_inputs, news, list(request.ignoreChanges),
                         list(request.replaceOnChanges))
        if plan.failures:
            message = "; ".join(f"{f.property}: {f.reason}" for f in plan.failures)
            with self._lock:
                self.outcome.check_failures.append(f"{request.type} '{request.name}': {message}")
            if self.dry_run:
                return resource_pb2.RegisterResourceResponse(urn=urn, object=props.to_struct(plan.inputs))
            raise self._fail(plan.op, urn, request.type, message)
        if plan.op == REPLACE and old is not None and old.protect:
            raise self._fail(REPLACE, urn, request.type,
                             f"cannot replace {urn}: it is protected (changed: {', '.join(plan.diff.replaces)}); "
                             "remove `protect` first")
        resource = ResourceState(
            urn=urn, type=request.type, custom=True, parent=request.parent or None, provider=reference,
            inputs=props.mark_secrets(plan.inputs, secret_keys),
            # The SDK sends these in no particular order; sorted, equal registrations give equal state.
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())},
            protect=request.protect, retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=request.deleteBeforeReplace,
            ignore_changes=list(request.ignoreChanges), replace_on_changes=list(request.replaceOnChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            created=old.created if old and plan.op != REPLACE else now_iso(), modified=now_iso(),
        )
        outputs_secret = secret_keys | set(request.additionalSecretOutputs)
        if self.dry_run:
            self._preview_outputs(resource, old, plan, outputs_secret)
        else:
            self._execute(provider, ctx, resource, old, plan, outputs_secret)
        self._remember(resource, plan.op)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource.id or "", object=props.to_struct(resource.outputs)
        )

    def _preview_outputs(self, resource: ResourceState, old: ResourceState | None, plan: StepPlan,
                         secret_keys: set[str]) -> None:
        if plan.op == SAME and old is not None:
            resource.id, resource.outputs = old.id, old.outputs
            return
        base = dict(old.outputs) if old is not None and plan.op == UPDATE else {}
        resource.id = old.id if old is not None and plan.op == UPDATE else None
        resource.outputs = props.mark_secrets({**base, **plan.inputs}, secret_keys)

    def _execute(self, provider: AwsResource, ctx: Any, resource: ResourceState, old: ResourceState | None,
                 plan: StepPlan, secret_keys: set[str]) -> None:
        assert self._store is not None
        if plan.op == SAME and old is not None:
            resource.id, resource.outputs = old.id, old.outputs
            self._store.settle(None, put=resource, remove=old if old.urn != resource.urn else None)
            return
        self._emit(plan.op, resource.urn, resource.type, "started")
        started = time.monotonic()
        try:
            if plan.op == UPDATE and old is not None:
                pending = self._store.begin(UPDATE, old)
                outputs = provider.update(ctx, resource.urn, str(old.id), props.reveal(old.outputs),
                                          plan.inputs, plan.diff)
                # Some updates give the resource a new id (a moved route table association).
                resource.id = str(outputs.get("id") or old.id)
            else:
                if plan.op == REPLACE and old is not None and old.delete_before_replace:
                    self._delete_now(provider, ctx, old)
                elif plan.op == REPLACE and old is not None:
                    self._store.doom(old)
                pending = self._store.begin(CREATE, resource)
                resource.id, outputs = provider.create(ctx, resource.urn, plan.inputs)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(plan.op, resource.urn, resource.type, aws_message(exc)) from None
        resource.outputs = props.mark_secrets(outputs, secret_keys)
        alias_old = old if old is not None and old.urn != resource.urn else None
        self._store.settle(pending, put=resource, remove=alias_old)
        self._emit(plan.op, resource.urn, resource.type, "done", seconds=time.monotonic() - started)

    def _delete_now(self, provider: AwsResource, ctx: Any, old: ResourceState) -> None:
        assert self._store is not None
        pending = self._store.begin("delete", old)
        provider.delete(ctx, str(old.id), props.reveal(old.outputs))
        self._store.settle(pending, remove=old)

    # ---- helpers ---------------------------------------------------------------------------

    def _provider_for(self, type_: str, urn: str) -> AwsResource | None:
        provider = lookup_resource(type_)
        if provider is None:
            with self._lock:
                self.outcome.unsupported.add(type_)
            if not self.dry_run:
                raise self._fail(CREATE, urn, type_, f"resource type {type_} is not supported")
        return provider

    def _find_old(self, urn: str, request: Any) -> ResourceState | None:
        candidates = [urn]
        for alias in request.aliases:
            if alias.urn:
                candidates.append(alias.urn)
            elif alias.HasField("spec"):
                spec = alias.spec
                parent = "" if spec.noParent else (spec.parentUrn or request.parent or "")
                candidates.append(make_urn(spec.stack or self.stack, spec.project or self.project, parent,
                                           spec.type or request.type, spec.name or request.name))
        with self._lock:
            for candidate in candidates:
                old = self._old.get(candidate)
                if old is not None and candidate not in self.outcome.adopted:
                    self.outcome.adopted.add(candidate)
                    return old
        return None

    def _get_resource(self, urn: str) -> resource_pb2.ResourceInvokeResponse:
        with self._lock:
            resource = self.outcome.resources.get(urn) or self._old.get(urn)
        if resource is None:
            raise self._fail("invoke", urn, "", f"unknown resource {urn}")
        state = {"urn": urn, "id": resource.id or "", "state": resource.outputs}
        return resource_pb2.ResourceInvokeResponse(**{"return": props.to_struct(state)})

    def _read_stack_reference(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        stack_name = (inputs.get("name") or name).split("/")[-1]
        outputs = self._stack_outputs_of(stack_name)
        if outputs is None:
            raise self._fail(READ, "", STACK_REFERENCE_TYPE,
                             f"StackReference: stack {stack_name!r} of project {self.project} has no state")
        secret_names = sorted(props.secret_keys(outputs))
        wrapped = props.secret(props.reveal(outputs)) if secret_names else outputs
        return {"name": inputs.get("name") or name, "outputs": wrapped, "secretOutputNames": secret_names}

    def _claim(self, urn: str) -> None:
        """A URN names one resource per run, as in Pulumi."""
        with self._lock:
            if urn in self._claimed:
                self.outcome.duplicates.append(urn)
                raise StepError(f"duplicate resource URN {urn}: give each resource a unique name")
            self._claimed.add(urn)

    def _remember(self, resource: ResourceState, op: str, counted: bool = True) -> None:
        with self._lock:
            self.outcome.resources[resource.urn] = resource
            self.outcome.ops[resource.urn] = op
            if counted:
                self.outcome.changes[op] += 1

    def _emit(self, op: str, urn: str, type_: str, status: str, detail: str = "", seconds: float = 0.0) -> None:
        self._on_event(StepEvent(op, urn, type_, status, detail, seconds))

    def _fail(self, op: str, urn: str, type_: str, message: str) -> StepError:
        where = f"{type_} {urn.split('::')[-1]!r}" if urn else type_
        full = f"{op} {where}: {message}" if where else message
        with self._lock:
            self.outcome.errors.append(full)
        self._emit(op, urn, type_, "failed", message)
        return StepError(full)


def aws_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', str(exc))}"
    return str(exc)
