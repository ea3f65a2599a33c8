"""The resource monitor the Pulumi SDK talks to: an adapter from its protobuf requests to goals, steps and back.

Each registration becomes a goal, the generator decides its steps, and the sink takes them: the executor in an
apply, a preview sink (which takes nothing) in a preview. The SDK calls these methods from its thread pool, so
independent resources arrive in parallel: what is shared is guarded by a lock, and steps run outside it. A
registration the engine refuses (an unsupported type, inputs its provider rejects) is answered with its inputs so
that the program goes on and every refusal is named at once; nothing of it is taken.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from google.protobuf import empty_pb2
from pulumi.runtime.proto import resource_pb2

from envctl.engine import properties as props
from envctl.engine.executor import StepFailed
from envctl.engine.generator import InvalidInputs, Protected, Rejection, StepGenerator, UnsupportedType
from envctl.engine.goal import Goal
from envctl.engine.provider import package_of
from envctl.engine.providers import PROVIDER_TYPE_PREFIX, ProviderRegistry
from envctl.engine.secret_values import SecretValues
from envctl.engine.state import ResourceState
from envctl.engine.steps import Step
from envctl.engine.urn import STACK_TYPE, make_urn, stack_urn
from envctl.errors import EnvctlError

_FEATURES = [
    resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
]
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class StepSink(Protocol):
    """Who takes the steps: the executor (apply) or a preview sink (preview)."""

    def take(self, steps: list[Step]) -> ResourceState | None: ...

    def invoke(self, reference: str, token: str, args: dict[str, Any]) -> dict[str, Any]: ...

    def record_outputs(self, state: ResourceState) -> None: ...


class Refused(Exception):
    """The engine refused a request of the program; the message says which and why."""


@dataclass
class MonitorOutcome:
    """What the program registered, the steps decided for it, and what went wrong."""

    resources: dict[str, ResourceState] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)  # in registration order
    stack_outputs: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # steps that failed, requests refused
    unsupported: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    bad_input_errors: list[str] = field(default_factory=list)


class LocalMonitor:
    """Implements the ResourceMonitor service in-process, with the method names the SDK calls."""

    def __init__(self, *, stack: str, project: str, generator: StepGenerator, registry: ProviderRegistry,
                 sink: StepSink, secrets: SecretValues, dry_run: bool,
                 stack_outputs_of: Callable[[str], dict[str, Any] | None]) -> None:
        self.stack = stack
        self.project = project
        self.dry_run = dry_run
        self.outcome = MonitorOutcome()
        self._generator = generator
        self._registry = registry
        self._sink = sink
        self._secrets = secrets
        self._stack_outputs_of = stack_outputs_of
        self._lock = threading.Lock()
        self._default_lock = threading.Lock()
        self._defaults: dict[tuple[str, str], str] = {}  # (package, version) -> reference
        self._claimed: set[str] = set()
        self._stack_urn = stack_urn(stack, project)

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
        if request.type == STACK_TYPE:
            goal = Goal(urn=self._stack_urn, type=STACK_TYPE, name=request.name, custom=False)
        else:
            urn = make_urn(self.stack, self.project, request.parent or "", request.type, request.name)
            self._claim(urn)
            goal = self._goal(urn, request)
        state = self._registered(goal, request.object)
        return resource_pb2.RegisterResourceResponse(urn=goal.urn, id=state.id or "",
                                                     object=props.to_struct(state.outputs))

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:
        outputs = props.from_struct(request.outputs)
        self._secrets.add_wrapped(outputs)
        with self._lock:
            registered = self.outcome.resources.get(request.urn)
            if request.urn == self._stack_urn:
                self.outcome.stack_outputs = outputs
        if registered is not None:
            updated = replace(registered, outputs=outputs)
            with self._lock:
                self.outcome.resources[request.urn] = updated
            self._sink.record_outputs(updated)
        return empty_pb2.Empty()

    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:
        urn = make_urn(self.stack, self.project, request.parent or "", request.type, request.name)
        inputs = props.reveal(props.resolve_references(props.from_struct(request.properties)))
        if request.type == STACK_REFERENCE_TYPE:
            outputs = self._read_stack_reference(request.id, inputs)
            return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=props.to_struct(outputs))
        goal = Goal(urn=urn, type=request.type, name=request.name, custom=True, parent=request.parent or None,
                    provider=self._provider_reference(request), inputs=inputs, read_id=request.id,
                    additional_secret_outputs=tuple(request.additionalSecretOutputs))
        try:
            step = self._generator.read(goal)
        except UnsupportedType as refused:
            raise self._refused(refused, goal) from None
        state = self._taken(goal, [step])
        return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=props.to_struct(state.outputs))

    def Invoke(self, request: Any) -> resource_pb2.ResourceInvokeResponse:
        args = props.reveal(props.resolve_references(props.from_struct(request.args)))
        if request.tok == "pulumi:pulumi:getResource":
            return self._get_resource(args.get("urn", ""))
        if not self._registry.supports_invoke(request.tok):
            raise self._error(f"invoke {request.tok} is not supported by envctl's local engine", bad_input=True)
        reference = request.provider or self._default_reference(package_of(request.tok), request.version)
        try:
            result = self._sink.invoke(reference, request.tok, args)
        except StepFailed as failed:
            raise self._error(str(failed), bad_input=failed.bad_input) from None
        return resource_pb2.ResourceInvokeResponse(**{"return": props.to_struct(result)})

    def Call(self, request: Any) -> Any:
        raise self._error(f"method calls ({request.tok}) are not supported by envctl's local engine", bad_input=True)

    def RegisterStackTransform(self, _request: Any) -> Any:
        raise self._error("stack transforms are not supported by envctl's local engine", bad_input=True)

    def RegisterStackInvokeTransform(self, request: Any) -> Any:
        return self.RegisterStackTransform(request)

    def RegisterResourceHook(self, _request: Any) -> Any:
        raise self._error("resource hooks are not supported by envctl's local engine", bad_input=True)

    def RegisterErrorHook(self, request: Any) -> Any:
        return self.RegisterResourceHook(request)

    # ---- registrations ---------------------------------------------------------------------

    def _goal(self, urn: str, request: Any) -> Goal:
        inputs = props.resolve_references(props.from_struct(request.object))
        self._secrets.add_wrapped(inputs)
        provider = ""
        if request.custom and not request.type.startswith(PROVIDER_TYPE_PREFIX):
            provider = self._provider_reference(request)
        if request.type.startswith(PROVIDER_TYPE_PREFIX):
            inputs = {**inputs, "version": request.version or inputs.get("version", "")}
        return Goal(
            urn=urn, type=request.type, name=request.name, custom=request.custom, parent=request.parent or None,
            provider=provider, inputs=inputs, dependencies=tuple(request.dependencies),
            property_dependencies={k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            protect=request.protect, delete_before_replace=request.deleteBeforeReplace,
            retain_on_delete=bool(request.retainOnDelete), ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            additional_secret_outputs=tuple(request.additionalSecretOutputs), aliases=self._aliases(request),
        )

    def _registered(self, goal: Goal, raw_inputs: Any) -> ResourceState:
        try:
            steps = self._generator.register(goal)
        except EnvctlError as refused:  # e.g. a provider that cannot be configured (no credentials)
            raise self._error(f"{goal.type} {goal.name!r}: {refused}", bad_input=refused.exit_code == 2) from None
        except (UnsupportedType, InvalidInputs, Protected) as refused:
            if not isinstance(refused, Protected):
                # Answered with its inputs, so that the program goes on and every refusal is named at once.
                self._refused(refused, goal)
                return ResourceState(urn=goal.urn, type=goal.type, custom=goal.custom,
                                     outputs=props.from_struct(raw_inputs) if raw_inputs is not None else {})
            raise self._refused(refused, goal) from None
        state = self._taken(goal, steps)
        if goal.type.startswith(PROVIDER_TYPE_PREFIX):
            self._registry.add(state)
        return state

    def _taken(self, goal: Goal, steps: list[Step]) -> ResourceState:
        with self._lock:
            self.outcome.steps.extend(steps)
        try:
            state = self._sink.take(steps)
        except StepFailed as failed:
            raise self._error(str(failed), bad_input=failed.bad_input) from None
        assert state is not None
        with self._lock:
            self.outcome.resources[goal.urn] = state
        return state

    def _provider_reference(self, request: Any) -> str:
        """The provider of a custom resource: an explicit one, else its package's default provider."""
        return request.provider or self._default_reference(package_of(request.type), request.version)

    def _default_reference(self, package: str, version: str) -> str:
        """Register a package's default provider once, the first time something needs it."""
        with self._default_lock:
            reference = self._defaults.get((package, version))
            if reference is None:
                goal = self._registry.default_goal(package, version)
                self._claim(goal.urn)
                reference = self._registry.add(self._registered(goal, None))
                self._defaults[(package, version)] = reference
            return reference

    def _aliases(self, request: Any) -> tuple[str, ...]:
        found = []
        for alias in request.aliases:
            if alias.urn:
                found.append(alias.urn)
            elif alias.HasField("spec"):
                spec = alias.spec
                parent = "" if spec.noParent else (spec.parentUrn or request.parent or "")
                found.append(make_urn(spec.stack or self.stack, spec.project or self.project, parent,
                                      spec.type or request.type, spec.name or request.name))
        return tuple(found)

    def _get_resource(self, urn: str) -> resource_pb2.ResourceInvokeResponse:
        with self._lock:
            resource = self.outcome.resources.get(urn)
        if resource is None:
            raise self._error(f"unknown resource {urn}", bad_input=True)
        state = {"urn": urn, "id": resource.id or "", "state": resource.outputs}
        return resource_pb2.ResourceInvokeResponse(**{"return": props.to_struct(state)})

    def _read_stack_reference(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        stack_name = (inputs.get("name") or name).split("/")[-1]
        outputs = self._stack_outputs_of(stack_name)
        if outputs is None:
            raise self._error(f"StackReference: stack {stack_name!r} of project {self.project} has no state",
                              bad_input=True)
        self._secrets.add_wrapped(outputs)
        secret_names = sorted(props.secret_keys(outputs))
        wrapped = props.secret(props.reveal(outputs)) if secret_names else outputs
        return {"name": inputs.get("name") or name, "outputs": wrapped, "secretOutputNames": secret_names}

    def _claim(self, urn: str) -> None:
        """A URN names one resource per run, as in Pulumi."""
        with self._lock:
            if urn in self._claimed:
                self.outcome.duplicates.append(urn)
                raise Refused(f"duplicate resource URN {urn}: give each resource a unique name")
            self._claimed.add(urn)

    def _refused(self, refused: Exception, goal: Goal) -> Refused:
        with self._lock:
            if isinstance(refused, UnsupportedType):
                self.outcome.unsupported.add(refused.type)
            elif isinstance(refused, InvalidInputs):
                self.outcome.rejections.append(refused.rejection)
            elif isinstance(refused, Protected):
                self.outcome.protected.append(str(refused))
        return Refused(self._secrets.redact(f"{goal.type} {goal.name!r}: {refused}"))

    def _error(self, message: str, bad_input: bool = False) -> Refused:
        message = self._secrets.redact(message)
        with self._lock:
            (self.outcome.bad_input_errors if bad_input else self.outcome.errors).append(message)
        return Refused(message)
