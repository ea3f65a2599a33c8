"""aws:autoscaling groups and scaling policies, with pulumi-aws 7 wire names and terraform-provider-aws's rules
(a group waits for its capacity after a write, and drains its instances before it is deleted)."""

from __future__ import annotations

import re
from typing import Any

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.waiting import wait_until
from envctl.providers.aws.wire import api_keys, in_configured_order, wire_keys

_GROUP_GONE = ("ValidationError",)  # AWS's answer for a group name it does not know
_NOT_EMULATED = "not emulated by the local cloud (moto's Auto Scaling ignores it)"
_NOT_IMPLEMENTED = "not implemented by envctl's local engine for Auto Scaling groups"
# Inputs UpdateAutoScalingGroup changes in moto: input -> parameter.
_UPDATABLE = {"minSize": "MinSize", "maxSize": "MaxSize", "desiredCapacity": "DesiredCapacity",
              "launchConfiguration": "LaunchConfigurationName", "healthCheckType": "HealthCheckType",
              "healthCheckGracePeriod": "HealthCheckGracePeriod",
              "protectFromScaleIn": "NewInstancesProtectedFromScaleIn"}
# Inputs moto takes only when the group is created.
_CREATE_ONLY = {"defaultCooldown": "DefaultCooldown", "placementGroup": "PlacementGroup",
                "capacityRebalance": "CapacityRebalance", "terminationPolicies": "TerminationPolicies"}
# envctl's own waiting and deleting, as in Terraform: not AWS settings.
_BEHAVIOUR = ("forceDelete", "forceDeleteWarmPool", "waitForCapacityTimeout", "minElbCapacity", "waitForElbCapacity",
              "ignoreFailedScalingActivities")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def _seconds(duration: str) -> int:
    """Seconds of a Go duration such as "10m" or "1h30m" ("0" needs no unit)."""
    if duration == "0":
        return 0
    match = _DURATION.match(duration or "")
    if not match or not duration:
        raise BadInput(f"waitForCapacityTimeout {duration!r} is not a duration such as 10m")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _group_tags(name: str, tags: list[Props]) -> list[dict[str, Any]]:
    return [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": tag["key"], "Value": tag["value"],
             "PropagateAtLaunch": bool(tag.get("propagateAtLaunch"))} for tag in tags]


def _template_request(template: Props) -> dict[str, str]:
    request = {"LaunchTemplateId": template["id"]} if template.get("id") else {"LaunchTemplateName": template["name"]}
    return {**request, "Version": str(template.get("version") or "$Default")}


@resource_type
class Group(AwsResource):
    token = "aws:autoscaling/group:Group"
    taggable = False  # its tags are a list with propagateAtLaunch, not a map
    name_property = "name"
    name_prefix_property = "namePrefix"
    id_property = "name"
    required = ("maxSize", "minSize")
    defaults = {"forceDelete": False, "forceDeleteWarmPool": False, "waitForCapacityTimeout": "10m",
                "metricsGranularity": "1Minute", "ignoreFailedScalingActivities": False}
    force_new = frozenset({"name", "namePrefix"})
    set_properties = ("vpcZoneIdentifiers", "availabilityZones", "targetGroupArns", "loadBalancers",
                      "suspendedProcesses", "enabledMetrics")
    handled = frozenset({*_UPDATABLE, *_CREATE_ONLY, *_BEHAVIOUR, "launchTemplate", "vpcZoneIdentifiers",
                         "availabilityZones", "targetGroupArns", "loadBalancers", "tags", "suspendedProcesses",
                         "enabledMetrics", "metricsGranularity"})
    unsupported = {
        **{key: _NOT_EMULATED for key in ("maxInstanceLifetime", "defaultInstanceWarmup", "serviceLinkedRoleArn",
                                          "context", "desiredCapacityType", "capacityReservationSpecification",
                                          "availabilityZoneDistribution", "instanceMaintenancePolicy",
                                          "instanceLifecyclePolicy")},
        **{key: _NOT_IMPLEMENTED for key in ("mixedInstancesPolicy", "warmPool", "initialLifecycleHooks",
                                             "instanceRefresh", "trafficSources")},
    }
    outputs = frozenset({"arn", "predictedCapacity", "warmPoolSize"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        sources = [key for key in ("launchConfiguration", "launchTemplate") if inputs.get(key)]
        failures = [] if len(sources) == 1 else [CheckFailure(
            "launchConfiguration", "set one of launchConfiguration or launchTemplate (mixed instances policies are "
                                   f"{_NOT_IMPLEMENTED})")]
        if isinstance(inputs.get("launchTemplate"), dict):
            failures += unsupported_fields(self.token, "launchTemplate", inputs["launchTemplate"],
                                           ("id", "name", "version"))
        for tag in inputs.get("tags") or []:
            failures += unsupported_fields(self.token, "tags", tag, ("key", "value", "propagateAtLaunch"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client, name = ctx.client("autoscaling"), self.physical_name(inputs)
        request: dict[str, Any] = {"AutoScalingGroupName": name, **_placement(inputs)}
        for table in (_UPDATABLE, _CREATE_ONLY):
            request.update({api: inputs[key] for key, api in table.items() if inputs.get(key) not in (None, "", [])})
        if inputs.get("launchTemplate"):
            request["LaunchTemplate"] = _template_request(inputs["launchTemplate"])
        for key, api in (("targetGroupArns", "TargetGroupARNs"), ("loadBalancers", "LoadBalancerNames")):
            if inputs.get(key):
                request[api] = list(inputs[key])
        if inputs.get("tags"):
            request["Tags"] = _group_tags(name, inputs["tags"])
        client.create_auto_scaling_group(**request)
        if inputs.get("suspendedProcesses"):
            client.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=list(inputs["suspendedProcesses"]))
        if inputs.get("enabledMetrics"):
            client.enable_metrics_collection(AutoScalingGroupName=name, Metrics=list(inputs["enabledMetrics"]),
                                             Granularity=inputs.get("metricsGranularity") or "1Minute")
        _wait_for_capacity(ctx, name, inputs)
        return name, self.read_back(ctx, name, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group = _group(ctx, id)
        if group is None or group.get("Status") == "Delete in progress":
            return None
        template = group.get("LaunchTemplate")
        subnets = [s for s in (group.get("VPCZoneIdentifier") or "").split(",") if s]
        return {
            "id": id,
            "arn": group["AutoScalingGroupARN"],
            "name": group["AutoScalingGroupName"],
            "namePrefix": state.get("namePrefix") or "",
            "minSize": group["MinSize"],
            "maxSize": group["MaxSize"],
            "desiredCapacity": group["DesiredCapacity"],
            "launchConfiguration": group.get("LaunchConfigurationName") or "",
            "launchTemplate": {"id": template.get("LaunchTemplateId", ""), "name": template.get(
                "LaunchTemplateName", ""), "version": template.get("Version", "")} if template else None,
            "vpcZoneIdentifiers": in_configured_order(state.get("vpcZoneIdentifiers"), subnets),
            "availabilityZones": in_configured_order(state.get("availabilityZones"),
                                                     group.get("AvailabilityZones") or []),
            "healthCheckType": group.get("HealthCheckType") or "EC2",
            "healthCheckGracePeriod": group.get("HealthCheckGracePeriod") or 0,
            "defaultCooldown": group.get("DefaultCooldown") or 0,
            "placementGroup": group.get("PlacementGroup") or "",
            "capacityRebalance": bool(group.get("CapacityRebalance")),
            "protectFromScaleIn": bool(group.get("NewInstancesProtectedFromScaleIn")),
            "terminationPolicies": list(group.get("TerminationPolicies") or []),
            "targetGroupArns": in_configured_order(state.get("targetGroupArns"), group.get("TargetGroupARNs") or []),
            "loadBalancers": in_configured_order(state.get("loadBalancers"), group.get("LoadBalancerNames") or []),
            "suspendedProcesses": in_configured_order(state.get("suspendedProcesses"), [
                p["ProcessName"] for p in group.get("SuspendedProcesses") or []]),
            "enabledMetrics": in_configured_order(state.get("enabledMetrics"), [
                m["Metric"] for m in group.get("EnabledMetrics") or []]),
            "metricsGranularity": next((m.get("Granularity") for m in group.get("EnabledMetrics") or []),
                                       state.get("metricsGranularity") or "1Minute"),
            "tags": [{"key": t["Key"], "value": t["Value"], "propagateAtLaunch": bool(t.get("PropagateAtLaunch"))}
                     for t in sorted(group.get("Tags") or [], key=lambda t: t["Key"])],
            **{key: state.get(key) for key in _BEHAVIOUR},
            **{key: None for key in self.unsupported},
            "predictedCapacity": group.get("PredictedCapacity") or 0,
            "warmPoolSize": group.get("WarmPoolSize") or 0,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client, changed = ctx.client("autoscaling"), set(diff.changed)
        stuck = sorted(changed & set(_CREATE_ONLY))
        if stuck:
            raise OperationFailed(f"the local cloud (moto) cannot change an Auto Scaling group's {', '.join(stuck)} "
                                  "after it is created (UpdateAutoScalingGroup ignores it); replace the group")
        request: dict[str, Any] = {api: news[key] for key, api in _UPDATABLE.items()
                                   if key in changed and news.get(key) not in (None, "")}
        if "launchTemplate" in changed and news.get("launchTemplate"):
            request["LaunchTemplate"] = _template_request(news["launchTemplate"])
        if changed & {"vpcZoneIdentifiers", "availabilityZones"}:
            request.update(_placement(news))
        if request:
            client.update_auto_scaling_group(AutoScalingGroupName=id, **request)
        _sync_attachments(client, id, olds, news, changed)
        if "tags" in changed:
            old_tags = _group_tags(id, olds.get("tags") or [])
            new_keys = {tag["key"] for tag in news.get("tags") or []}
            gone = [tag for tag in old_tags if tag["Key"] not in new_keys]
            if gone:
                client.delete_tags(Tags=gone)
            if news.get("tags"):
                client.create_or_update_tags(Tags=_group_tags(id, news["tags"]))
        if "suspendedProcesses" in changed:
            _sync_processes(client, id, olds.get("suspendedProcesses") or [], news.get("suspendedProcesses") or [])
        if "enabledMetrics" in changed and news.get("enabledMetrics"):
            client.enable_metrics_collection(AutoScalingGroupName=id, Metrics=list(news["enabledMetrics"]),
                                             Granularity=news.get("metricsGranularity") or "1Minute")
        _wait_for_capacity(ctx, id, news)
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("autoscaling")
        if _group(ctx, id) is None:
            return
        if not state.get("forceDelete"):
            # As in Terraform: drain the group first, so that its instances end before it does.
            client.update_auto_scaling_group(AutoScalingGroupName=id, MinSize=0, MaxSize=0, DesiredCapacity=0)
            wait_until(lambda: not (_group(ctx, id) or {}).get("Instances"), f"Auto Scaling group {id} to drain")
        remove(client.delete_auto_scaling_group, gone=_GROUP_GONE, AutoScalingGroupName=id,
               ForceDelete=bool(state.get("forceDelete")))


def _group(ctx: AwsContext, name: str) -> dict | None:
    return one_found(ctx.client("autoscaling").describe_auto_scaling_groups, "AutoScalingGroups", _GROUP_GONE,
                     AutoScalingGroupNames=[name])


def _placement(inputs: Props) -> dict[str, Any]:
    placement: dict[str, Any] = {}
    if inputs.get("vpcZoneIdentifiers"):
        placement["VPCZoneIdentifier"] = ",".join(inputs["vpcZoneIdentifiers"])
    if inputs.get("availabilityZones"):
        placement["AvailabilityZones"] = list(inputs["availabilityZones"])
    return placement


def _sync_attachments(client: Any, name: str, olds: Props, news: Props, changed: set[str]) -> None:
    calls = {"targetGroupArns": ("attach_load_balancer_target_groups", "detach_load_balancer_target_groups",
                                 "TargetGroupARNs"),
             "loadBalancers": ("attach_load_balancers", "detach_load_balancers", "LoadBalancerNames")}
    for key, (attach, detach, parameter) in calls.items():
        if key not in changed:
            continue
        old, new = set(olds.get(key) or []), set(news.get(key) or [])
        if old - new:
            getattr(client, detach)(AutoScalingGroupName=name, **{parameter: sorted(old - new)})
        if new - old:
            getattr(client, attach)(AutoScalingGroupName=name, **{parameter: sorted(new - old)})


def _sync_processes(client: Any, name: str, olds: list[str], news: list[str]) -> None:
    if set(olds) - set(news):
        client.resume_processes(AutoScalingGroupName=name, ScalingProcesses=sorted(set(olds) - set(news)))
    if set(news) - set(olds):
        client.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=sorted(set(news) - set(olds)))


def _wait_for_capacity(ctx: AwsContext, name: str, inputs: Props) -> None:
    """Terraform's wait: until as many instances are in service as the group wants ("0" does not wait)."""
    timeout = _seconds(str(inputs.get("waitForCapacityTimeout") or "10m"))
    if timeout == 0:
        return
    wanted = int(inputs.get("desiredCapacity") or inputs.get("minSize") or 0)

    def in_service() -> bool:
        instances = (_group(ctx, name) or {}).get("Instances") or []
        return sum(1 for i in instances if i.get("LifecycleState") == "InService") >= wanted

    wait_until(in_service, f"Auto Scaling group {name} to have {wanted} instances in service", timeout)


@invoke("aws:autoscaling/getGroup:getGroup")
def get_group(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_autoscaling_group data source: the group of that name, in the data source's forms."""
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"getGroup for region {args['region']} is not supported; envctl's local engine works in the "
                       f"provider's region {ctx.region}")
    group = _group(ctx, str(args.get("name") or ""))
    if group is None:
        raise BadInput(f"getGroup: no Auto Scaling group named {args.get('name')!r}")
    template = group.get("LaunchTemplate")
    return {
        **args,
        "id": group["AutoScalingGroupName"],
        "name": group["AutoScalingGroupName"],
        "arn": group["AutoScalingGroupARN"],
        "availabilityZones": list(group.get("AvailabilityZones") or []),
        "defaultCooldown": group.get("DefaultCooldown") or 0,
        "desiredCapacity": group["DesiredCapacity"],
        "desiredCapacityType": group.get("DesiredCapacityType") or "",
        "enabledMetrics": [m["Metric"] for m in group.get("EnabledMetrics") or []],
        "healthCheckGracePeriod": group.get("HealthCheckGracePeriod") or 0,
        "healthCheckType": group.get("HealthCheckType") or "",
        "launchConfiguration": group.get("LaunchConfigurationName") or "",
        "launchTemplates": [{"id": template.get("LaunchTemplateId", ""), "name": template.get(
            "LaunchTemplateName", ""), "version": template.get("Version", "")}] if template else [],
        "loadBalancers": list(group.get("LoadBalancerNames") or []),
        "maxInstanceLifetime": group.get("MaxInstanceLifetime") or 0,
        "maxSize": group["MaxSize"],
        "minSize": group["MinSize"],
        "newInstancesProtectedFromScaleIn": bool(group.get("NewInstancesProtectedFromScaleIn")),
        "placementGroup": group.get("PlacementGroup") or "",
        "predictedCapacity": group.get("PredictedCapacity") or 0,
        "serviceLinkedRoleArn": group.get("ServiceLinkedRoleARN") or "",
        "status": group.get("Status") or "",
        "suspendedProcesses": [p["ProcessName"] for p in group.get("SuspendedProcesses") or []],
        "tags": [{"key": t["Key"], "value": t["Value"], "propagateAtLaunch": bool(t.get("PropagateAtLaunch"))}
                 for t in group.get("Tags") or []],
        "targetGroupArns": list(group.get("TargetGroupARNs") or []),
        "terminationPolicies": list(group.get("TerminationPolicies") or []),
        "vpcZoneIdentifier": group.get("VPCZoneIdentifier") or "",
        "warmPoolSize": group.get("WarmPoolSize") or 0,
        # Not emulated by the local cloud: none of these exists there.
        "instanceMaintenancePolicies": [], "mixedInstancesPolicies": [], "trafficSources": [], "warmPools": [],
        "region": ctx.region,
    }


# ---- scaling policy -------------------------------------------------------------------------

_POLICY_SCALARS = {"adjustmentType": "AdjustmentType", "policyType": "PolicyType",
                   "scalingAdjustment": "ScalingAdjustment", "cooldown": "Cooldown",
                   "estimatedInstanceWarmup": "EstimatedInstanceWarmup",
                   "metricAggregationType": "MetricAggregationType",
                   "minAdjustmentMagnitude": "MinAdjustmentMagnitude", "enabled": "Enabled"}
_POLICY_TYPES = ("SimpleScaling", "StepScaling", "TargetTrackingScaling")
# Step bounds: Terraform keeps them as text ("" for none); the API takes numbers.
_STEP_BOUNDS = {"metricIntervalLowerBound": "MetricIntervalLowerBound",
                "metricIntervalUpperBound": "MetricIntervalUpperBound"}


def _steps_to_api(steps: list[Props]) -> list[dict[str, Any]]:
    api = []
    for step in steps:
        entry: dict[str, Any] = {"ScalingAdjustment": int(step["scalingAdjustment"])}
        entry.update({name: float(step[key]) for key, name in _STEP_BOUNDS.items() if step.get(key) not in (None, "")})
        api.append(entry)
    return api


def _steps_to_wire(steps: list[dict[str, Any]]) -> list[Props]:
    return [{"scalingAdjustment": step["ScalingAdjustment"],
             **{key: _bound_text(step.get(name)) for key, name in _STEP_BOUNDS.items()}} for step in steps]


def _bound_text(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


@resource_type
class Policy(AwsResource):
    token = "aws:autoscaling/policy:Policy"
    taggable = False
    name_property = "name"
    required = ("autoscalingGroupName",)
    defaults = {"policyType": "SimpleScaling", "enabled": True}
    force_new = frozenset({"autoscalingGroupName", "name"})
    handled = frozenset({*_POLICY_SCALARS, "stepAdjustments", "targetTrackingConfiguration"})
    unsupported = {"predictiveScalingConfiguration": "predictive scaling is " + _NOT_EMULATED}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        kind = inputs.get("policyType")
        failures = [] if kind in _POLICY_TYPES else [CheckFailure(
            "policyType", f"policyType must be one of {', '.join(_POLICY_TYPES)} (predictive scaling is "
                          f"{_NOT_EMULATED})")]
        if kind == "SimpleScaling" and inputs.get("scalingAdjustment") is None:
            failures.append(CheckFailure("scalingAdjustment", "a SimpleScaling policy needs scalingAdjustment"))
        if kind == "StepScaling" and not inputs.get("stepAdjustments"):
            failures.append(CheckFailure("stepAdjustments", "a StepScaling policy needs stepAdjustments"))
        if kind == "TargetTrackingScaling" and not inputs.get("targetTrackingConfiguration"):
            failures.append(CheckFailure("targetTrackingConfiguration",
                                         "a TargetTrackingScaling policy needs targetTrackingConfiguration"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = str(inputs["name"])
        self._put(ctx, name, inputs)
        return name, self.read_back(ctx, name, inputs)

    def _put(self, ctx: AwsContext, name: str, inputs: Props) -> None:
        request: dict[str, Any] = {"AutoScalingGroupName": inputs["autoscalingGroupName"], "PolicyName": name}
        request.update({api: inputs[key] for key, api in _POLICY_SCALARS.items()
                        if inputs.get(key) not in (None, "")})
        if inputs.get("stepAdjustments"):
            request["StepAdjustments"] = _steps_to_api(inputs["stepAdjustments"])
        if inputs.get("targetTrackingConfiguration"):
            request["TargetTrackingConfiguration"] = api_keys(_without_empty(inputs["targetTrackingConfiguration"]))
        ctx.client("autoscaling").put_scaling_policy(**request)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        policies = ctx.client("autoscaling").describe_policies(
            AutoScalingGroupName=state["autoscalingGroupName"], PolicyNames=[id])["ScalingPolicies"]
        if not policies:
            return None
        policy = policies[0]
        tracking = policy.get("TargetTrackingConfiguration")
        return {
            "id": id,
            "arn": policy["PolicyARN"],
            "name": policy["PolicyName"],
            "autoscalingGroupName": policy["AutoScalingGroupName"],
            **{key: policy.get(api) for key, api in _POLICY_SCALARS.items()},
            "adjustmentType": policy.get("AdjustmentType") or "",
            "metricAggregationType": policy.get("MetricAggregationType") or "",
            "enabled": policy.get("Enabled", True),
            "stepAdjustments": _steps_to_wire(policy.get("StepAdjustments") or []),
            "targetTrackingConfiguration": wire_keys(tracking) if tracking else None,
            "predictiveScalingConfiguration": None,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, id, news)  # PutScalingPolicy replaces the policy's settings in place
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            ctx.client("autoscaling").delete_policy(AutoScalingGroupName=state["autoscalingGroupName"], PolicyName=id)


def _without_empty(value: Any) -> Any:
    """A block without its unset fields (the API refuses empty strings where it takes structures)."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value
