"""aws:appautoscaling resource types: Target (a scalable dimension of a service, e.g. an ECS service's task count)
and Policy (how it scales: target tracking or steps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import has_code
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import api_keys, api_name, wire_keys

_GONE = ("ObjectNotFoundException",)
_NO_TAGS = ("tagging scalable targets is not emulated by the local cloud (moto has no TagResource for Application "
            "Auto Scaling)")
_NO_PREDICTIVE = "predictive scaling is not emulated by the local cloud (moto rejects PredictiveScaling policies)"
_TARGET_KEYS = ("serviceNamespace", "resourceId", "scalableDimension")
# Step bounds are strings in pulumi-aws (Terraform keeps them so that "" means unbounded) and numbers in the API.
_BOUNDS = ("metricIntervalLowerBound", "metricIntervalUpperBound")


def _pruned(value: Any) -> Any:
    """A block without its unset fields (boto3 takes no None)."""
    if isinstance(value, dict):
        return {key: _pruned(item) for key, item in value.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def _to_api(block: Props) -> Props:
    api = api_keys(_pruned(block))
    for step in api.get("StepAdjustments") or []:
        for bound in _BOUNDS:
            if api_name(bound) in step:
                step[api_name(bound)] = float(step[api_name(bound)])
    return api


def _from_api(block: dict) -> Props:
    wire = wire_keys(block)
    for step in wire.get("stepAdjustments") or []:
        for bound in _BOUNDS:
            if bound in step:
                step[bound] = _bound(step[bound])
    return wire


def _bound(value: Any) -> str:
    """Terraform's form of a step bound: the shortest text of the number."""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _removed(call: Callable[..., Any], **params: Any) -> None:
    """A delete that counts "not found" as done: AWS answers ObjectNotFoundException, moto a ValidationException
    that says so."""
    try:
        call(**params)
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        if not (has_code(error, _GONE) or (has_code(error, ("ValidationException",)) and "found" in message)):
            raise


def _target_of(inputs: Props) -> dict[str, str]:
    return {"ServiceNamespace": inputs["serviceNamespace"], "ResourceId": inputs["resourceId"],
            "ScalableDimension": inputs["scalableDimension"]}


@resource_type
class Target(AwsResource):
    """Its id is the resource id, as in Terraform."""

    token = "aws:appautoscaling/target:Target"
    required = ("maxCapacity", "minCapacity", *_TARGET_KEYS)
    id_property = "resourceId"
    force_new = frozenset(_TARGET_KEYS)
    handled = frozenset({"roleArn", "suspendedState"})
    unsupported = {"tags": _NO_TAGS}
    outputs = frozenset({"arn"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._register(ctx, inputs)
        return inputs["resourceId"], {**inputs, **self.read_back(ctx, inputs["resourceId"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        client = ctx.client("application-autoscaling")
        targets = client.describe_scalable_targets(ServiceNamespace=state["serviceNamespace"], ResourceIds=[id],
                                                   ScalableDimension=state["scalableDimension"])["ScalableTargets"]
        if not targets:
            return None
        target = targets[0]
        suspended = target.get("SuspendedState")
        return {
            "id": target["ResourceId"],
            "arn": target.get("ScalableTargetARN", ""),
            "serviceNamespace": target["ServiceNamespace"],
            "resourceId": target["ResourceId"],
            "scalableDimension": target["ScalableDimension"],
            "minCapacity": target["MinCapacity"],
            "maxCapacity": target["MaxCapacity"],
            "roleArn": target.get("RoleARN") or "",
            "suspendedState": _from_api(suspended) if suspended else None,
            "tags": None,
            "tagsAll": {},  # the local cloud keeps no tags on scalable targets
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._register(ctx, news)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        _removed(ctx.client("application-autoscaling").deregister_scalable_target, **_target_of(state))

    def tags_all(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, str]:
        return {}

    def _register(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {**_target_of(inputs), "MinCapacity": inputs["minCapacity"],
                                  "MaxCapacity": inputs["maxCapacity"]}
        if inputs.get("roleArn"):
            params["RoleARN"] = inputs["roleArn"]
        if inputs.get("suspendedState"):
            params["SuspendedState"] = _to_api(inputs["suspendedState"])
        ctx.client("application-autoscaling").register_scalable_target(**params)


_CONFIGURATIONS = {"StepScaling": "stepScalingPolicyConfiguration",
                   "TargetTrackingScaling": "targetTrackingScalingPolicyConfiguration"}


@resource_type
class Policy(AwsResource):
    """Its id is the policy name, as in Terraform."""

    token = "aws:appautoscaling/policy:Policy"
    taggable = False
    name_property = "name"
    name_max_length = 255
    id_property = "name"
    required = _TARGET_KEYS
    defaults = {"policyType": "StepScaling"}
    force_new = frozenset({"name", *_TARGET_KEYS})
    handled = frozenset({"policyType", *_CONFIGURATIONS.values()})
    unsupported = {"predictiveScalingPolicyConfiguration": _NO_PREDICTIVE}
    outputs = frozenset({"alarmArns", "arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        kind = inputs.get("policyType")
        if isinstance(kind, str) and kind not in _CONFIGURATIONS:
            reason = _NO_PREDICTIVE if kind == "PredictiveScaling" else f"must be one of {sorted(_CONFIGURATIONS)}"
            return [CheckFailure("policyType", f"policyType '{kind}': {reason}")]
        if kind in _CONFIGURATIONS and not inputs.get(_CONFIGURATIONS[kind]):
            return [CheckFailure(_CONFIGURATIONS[kind], f"a {kind} policy needs {_CONFIGURATIONS[kind]}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        return inputs["name"], {**inputs, **self.read_back(ctx, inputs["name"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        policies = ctx.client("application-autoscaling").describe_scaling_policies(
            ServiceNamespace=state["serviceNamespace"], ResourceId=state["resourceId"],
            ScalableDimension=state["scalableDimension"], PolicyNames=[id])["ScalingPolicies"]
        found = next((p for p in policies if p["PolicyName"] == id), None)
        if found is None:
            return None
        kind = found["PolicyType"]
        configuration = found.get(f"{kind}PolicyConfiguration")
        return {
            "id": found["PolicyName"],
            "name": found["PolicyName"],
            "arn": found["PolicyARN"],
            "policyType": kind,
            "serviceNamespace": found["ServiceNamespace"],
            "resourceId": found["ResourceId"],
            "scalableDimension": found["ScalableDimension"],
            **{key: (_from_api(configuration) if configuration and k == kind else None)
               for k, key in _CONFIGURATIONS.items()},
            "alarmArns": [alarm["AlarmARN"] for alarm in found.get("Alarms") or []],
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        _removed(ctx.client("application-autoscaling").delete_scaling_policy, PolicyName=id, **_target_of(state))

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        kind = inputs["policyType"]
        ctx.client("application-autoscaling").put_scaling_policy(
            PolicyName=inputs["name"], PolicyType=kind, **_target_of(inputs),
            **{f"{kind}PolicyConfiguration": _to_api(inputs[_CONFIGURATIONS[kind]])})
