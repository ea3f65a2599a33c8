"""aws:ecs resource types: Cluster, TaskDefinition, Service, CapacityProvider and ClusterCapacityProviders; the
getCluster invoke."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from envctl.engine.properties import contains_unknown
from envctl.engine.provider import CheckResult
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext, lookup_context
from envctl.providers.aws.documents import document_from_cloud
from envctl.providers.aws.errors import error_code, one_found, remove
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until

_INACTIVE = "INACTIVE"
_CLUSTER_GONE = ("ClusterNotFoundException",)
# What a cluster delete waits out: its services draining after their own delete.
_CLUSTER_BUSY = ("ClusterContainsServicesException", "ClusterContainsTasksException", "UpdateInProgressException")
_SERVICE_GONE = ("ServiceNotFoundException", "ServiceNotActiveException", *_CLUSTER_GONE)
_STEADY_STATE_WAITER = {"Delay": 15, "MaxAttempts": 80}  # Terraform's 20 minutes


_TAG_KEYS = ("key", "value")  # ECS's names for a tag's key and value


def _ecs_tags(ctx: AwsContext, state: Props, pairs: Iterable[dict[str, str]] | None) -> Props:
    return tags_from_cloud(ctx, state, tag_dict(pairs, *_TAG_KEYS))


def _sync_ecs_tags(ecs: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(
        old, new,
        lambda tags: ecs.tag_resource(resourceArn=arn, tags=tag_list(tags, *_TAG_KEYS)),
        lambda keys: ecs.untag_resource(resourceArn=arn, tagKeys=keys),
    )


# ---- Cluster --------------------------------------------------------------------------------


# What a cluster without a configuration has: ECS Exec logs the AWS default way.
_DEFAULT_CONFIGURATION = {"executeCommandConfiguration": {"logging": "DEFAULT"}}


def _without_empty(value: Any) -> Any:
    """A block as the API takes it: unset fields left out, at every depth."""
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, {}, [])}
    return value


@resource_type
class Cluster(AwsResource):
    token = "aws:ecs/cluster:Cluster"
    name_property = "name"
    force_new = frozenset({"name"})
    handled = frozenset({"settings", "configuration", "serviceConnectDefaults"})
    outputs = frozenset({"arn"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"clusterName": inputs["name"]}
        if inputs.get("settings"):
            params["settings"] = inputs["settings"]
        if inputs.get("configuration"):
            params["configuration"] = _without_empty(inputs["configuration"])
        if inputs.get("serviceConnectDefaults"):
            params["serviceConnectDefaults"] = inputs["serviceConnectDefaults"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags, *_TAG_KEYS)
        arn = ctx.client("ecs").create_cluster(**params)["cluster"]["clusterArn"]
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = ctx.client("ecs").describe_clusters(clusters=[id], include=["CONFIGURATIONS", "SETTINGS", "TAGS"])
        if not found["clusters"] or found["clusters"][0]["status"] == _INACTIVE:  # deleted ones stay listed a while
            return None
        cluster = found["clusters"][0]
        namespace = (cluster.get("serviceConnectDefaults") or {}).get("namespace")
        return {
            "id": cluster["clusterArn"],
            "arn": cluster["clusterArn"],
            "name": cluster["clusterName"],
            "settings": [{"name": s["name"], "value": s["value"]} for s in cluster.get("settings") or []],
            "configuration": cluster.get("configuration") or None,
            "serviceConnectDefaults": {"namespace": namespace} if namespace else None,
            **_ecs_tags(ctx, state, cluster.get("tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ecs = ctx.client("ecs")
        if "settings" in diff.changed:
            # Removing the setting means the service default, which is Container Insights off.
            settings = news.get("settings") or [{"name": "containerInsights", "value": "disabled"}]
            ecs.update_cluster(cluster=id, settings=settings)
        if "configuration" in diff.changed:
            ecs.update_cluster(cluster=id, configuration=_without_empty(news.get("configuration"))
                               or _DEFAULT_CONFIGURATION)
        if "serviceConnectDefaults" in diff.changed:  # an empty namespace clears the default
            defaults = news.get("serviceConnectDefaults") or {"namespace": ""}
            ecs.update_cluster(cluster=id, serviceConnectDefaults=defaults)
        _sync_ecs_tags(ecs, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("ecs").delete_cluster, gone=_CLUSTER_GONE, busy=_CLUSTER_BUSY, cluster=id)


# ---- TaskDefinition -------------------------------------------------------------------------

# Inputs RegisterTaskDefinition takes under the same name and in the same form.
_TASK_FIELDS = (
    "cpu", "memory", "networkMode", "executionRoleArn", "taskRoleArn", "requiresCompatibilities",
    "runtimePlatform", "placementConstraints", "ipcMode", "pidMode",
)
# Inputs whose API form differs: ephemeral storage is sized in "GiB", proxy properties are a list of pairs.
_TASK_BLOCKS = ("ephemeralStorage", "proxyConfiguration")


def _task_blocks_to_api(inputs: Props) -> Props:
    api: Props = {}
    if inputs.get("ephemeralStorage"):
        api["ephemeralStorage"] = {"sizeInGiB": inputs["ephemeralStorage"]["sizeInGib"]}
    proxy = inputs.get("proxyConfiguration")
    if proxy:
        api["proxyConfiguration"] = {
            **{k: v for k, v in proxy.items() if k != "properties" and v is not None},
            "properties": [{"name": k, "value": v} for k, v in sorted((proxy.get("properties") or {}).items())],
        }
    return api


def _task_blocks_from_api(task: Props) -> Props:
    storage, proxy = task.get("ephemeralStorage"), task.get("proxyConfiguration")
    return {
        "ephemeralStorage": {"sizeInGib": storage["sizeInGiB"]} if storage else None,
        "proxyConfiguration": {
            "containerName": proxy["containerName"], "type": proxy.get("type", "APPMESH"),
            "properties": {pair["name"]: pair["value"] for pair in proxy.get("properties") or []},
        } if proxy else None,
    }
# Volume fields whose API name differs; the nested configurations have the API's names already.
_VOLUME_RENAMES = {"configureAtLaunch": "configuredAtLaunch"}
_HEALTH_CHECK_DEFAULTS = {"interval": 30, "retries": 3, "timeout": 5}


def container_definitions_equivalent(a: str, b: str, awsvpc: bool = False) -> bool:
    """Terraform's ContainerDefinitionsAreEquivalent: ignores container, environment and secret order, empty
    and zero fields, and the defaults ECS fills in (essential, health check timings, tcp, host ports)."""
    return _reduced_containers(a, awsvpc) == _reduced_containers(b, awsvpc)


def _reduced_containers(text: str, awsvpc: bool) -> list[Props]:
    containers = [_reduced_container(container, awsvpc) for container in json.loads(text)]
    return sorted(containers, key=lambda container: str(container.get("name", "")))


def _reduced_container(container: Props, awsvpc: bool) -> Props:
    reduced = {key: _compact(value) for key, value in container.items() if not _is_zero(_compact(value))}
    for key in ("environment", "secrets"):
        if key in reduced:
            reduced[key] = sorted(reduced[key], key=lambda pair: str(pair.get("name", "")))
    reduced.setdefault("essential", True)
    if "healthCheck" in reduced:
        reduced["healthCheck"] = {**_HEALTH_CHECK_DEFAULTS, **reduced["healthCheck"]}
    if "portMappings" in reduced:
        reduced["portMappings"] = [_reduced_port_mapping(mapping, awsvpc) for mapping in reduced["portMappings"]]
    return reduced


def _reduced_port_mapping(mapping: Props, awsvpc: bool) -> Props:
    reduced = {
        key: value for key, value in mapping.items()
        if not (key == "protocol" and value == "tcp") and not (key == "hostPort" and not value)
    }
    if awsvpc and "hostPort" not in reduced and "containerPort" in reduced:
        reduced["hostPort"] = reduced["containerPort"]  # awsvpc tasks always map the container port
    return reduced


def _compact(value: Any) -> Any:
    return [item for item in value if not _is_zero(item)] if isinstance(value, list) else value


def _is_zero(value: Any) -> bool:
    # `False` is a value (essential: false); an int 0 is not (ECS reports cpu 0 for "not set").
    return value is None or value in ("", [], {}) or (type(value) is int and value == 0)


def _volume_to_api(volume: Props) -> Props:
    api: Props = {}
    for key, value in volume.items():
        if value in (None, {}, []):
            continue
        if key == "hostPath":
            api["host"] = {"sourcePath": value}
        else:
            api[_VOLUME_RENAMES.get(key, key)] = value
    return api


def _volume_from_api(volume: Props) -> Props:
    wire_names = {api: wire for wire, api in _VOLUME_RENAMES.items()}
    wire: Props = {wire_names.get(key, key): value for key, value in volume.items() if key != "host"}
    source_path = (volume.get("host") or {}).get("sourcePath")
    if source_path:
        wire["hostPath"] = source_path
    return wire


@resource_type
class TaskDefinition(AwsResource):
    """An immutable revision of a family: every change but tags registers a new revision (a replacement),
    and the old revision is deregistered. The id is the family, as in Terraform."""

    token = "aws:ecs/taskDefinition:TaskDefinition"
    required = ("family", "containerDefinitions")
    defaults = {"skipDestroy": False, "trackLatest": False}
    force_new = frozenset({"family", "containerDefinitions", "volumes", "enableFaultInjection", *_TASK_FIELDS,
                           *_TASK_BLOCKS})
    handled = frozenset({*_TASK_FIELDS, *_TASK_BLOCKS, "volumes", "skipDestroy", "trackLatest"})
    unsupported = {"enableFaultInjection": "fault injection is not emulated by the local cloud (moto does not keep "
                                           "the setting)"}
    outputs = frozenset({"arn", "arnWithoutRevision", "revision"})
    documents = {"containerDefinitions": container_definitions_equivalent}
    set_properties = ("requiresCompatibilities",)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {
            "family": inputs["family"],
            "containerDefinitions": json.loads(inputs["containerDefinitions"]),
            **{key: inputs[key] for key in _TASK_FIELDS if inputs.get(key) not in (None, "", [], {})},
            **_task_blocks_to_api(inputs),
        }
        if inputs.get("volumes"):
            params["volumes"] = [_volume_to_api(volume) for volume in inputs["volumes"]]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags, *_TAG_KEYS)
        arn = ctx.client("ecs").register_task_definition(**params)["taskDefinition"]["taskDefinitionArn"]
        return inputs["family"], {**inputs, **self.read_back(ctx, inputs["family"], {**inputs, "arn": arn})}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """The revision in state, or the family's latest with trackLatest (or when importing by family)."""
        reference = id if state.get("trackLatest") or not state.get("arn") else state["arn"]
        try:
            described = ctx.client("ecs").describe_task_definition(taskDefinition=reference, include=["TAGS"])
        except ClientError as error:
            if error_code(error) == "ClientException" and "Unable to describe" in str(error):
                return None
            raise
        task = described["taskDefinition"]
        if task["status"] == _INACTIVE:  # deregistered revisions stay describable
            return None
        arn = task["taskDefinitionArn"]
        awsvpc = task.get("networkMode") == "awsvpc"
        return {
            "id": task["family"],
            "family": task["family"],
            "arn": arn,
            "arnWithoutRevision": arn.rpartition(":")[0],
            "revision": task["revision"],
            "containerDefinitions": document_from_cloud(
                state.get("containerDefinitions"), task["containerDefinitions"],
                partial(container_definitions_equivalent, awsvpc=awsvpc),
            ),
            **{key: task.get(key) or None for key in _TASK_FIELDS},
            **_task_blocks_from_api(task),
            "requiresCompatibilities": sorted(task.get("requiresCompatibilities") or []) or None,
            "volumes": [_volume_from_api(volume) for volume in task.get("volumes") or []] or None,
            "skipDestroy": state.get("skipDestroy"),  # envctl's own switches, not stored by AWS
            "trackLatest": state.get("trackLatest"),
            **_ecs_tags(ctx, state, described.get("tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Only tags and envctl's own switches change in place; everything else is a new revision."""
        _sync_ecs_tags(ctx.client("ecs"), olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, {**news, "arn": olds["arn"]})}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return  # the revision stays registered, as asked
        # The revision in state, even with trackLatest: a newer one belongs to whatever replaced this.
        current = self.read(ctx, id, {**state, "trackLatest": False})
        if current is not None:
            ctx.client("ecs").deregister_task_definition(taskDefinition=current["arn"])


# ---- Service --------------------------------------------------------------------------------

# Inputs CreateService and UpdateService take under the same name and in the same form.
_SERVICE_FIELDS = (
    "taskDefinition", "desiredCount", "launchType", "platformVersion", "schedulingStrategy",
    "healthCheckGracePeriodSeconds", "enableExecuteCommand", "propagateTags", "deploymentController",
    "availabilityZoneRebalancing",
)
# Inputs that make up the service's deploymentConfiguration, by their name in it.
_DEPLOYMENT_FIELDS = {
    "deploymentMaximumPercent": "maximumPercent",
    "deploymentMinimumHealthyPercent": "minimumHealthyPercent",
    "deploymentCircuitBreaker": "deploymentCircuitBreaker",
    "alarms": "alarms",
}
# Lists of blocks the API takes under another name, with the same fields.
_SERVICE_LISTS = {
    "capacityProviderStrategies": "capacityProviderStrategy",
    "orderedPlacementStrategies": "placementStrategy",
    "placementConstraints": "placementConstraints",
}
_UPDATABLE = frozenset({
    "taskDefinition", "desiredCount", "platformVersion", "healthCheckGracePeriodSeconds", "enableExecuteCommand",
    "propagateTags", "networkConfiguration", "loadBalancers", "enableEcsManagedTags", "availabilityZoneRebalancing",
    "serviceRegistries", *_DEPLOYMENT_FIELDS, *_SERVICE_LISTS,
})
_UNSET = (None, False, "", [], {})
_LOAD_BALANCER_NAMES = {"targetGroupArn": "targetGroupArn", "containerName": "containerName",
                        "containerPort": "containerPort", "elbName": "loadBalancerName"}
_DAEMON = "DAEMON"


def _service_params(inputs: Props, keys: Iterable[str]) -> dict[str, Any]:
    """CreateService/UpdateService parameters for the named inputs."""
    keys = set(keys)
    params: dict[str, Any] = {
        key: inputs[key] for key in _SERVICE_FIELDS if key in keys and inputs.get(key) is not None
    }
    if inputs.get("schedulingStrategy") == _DAEMON:
        params.pop("desiredCount", None)  # a daemon service runs one task per instance
    if "enableEcsManagedTags" in keys:
        params["enableECSManagedTags"] = bool(inputs.get("enableEcsManagedTags"))
    if keys & set(_DEPLOYMENT_FIELDS):
        params["deploymentConfiguration"] = {
            api: inputs[wire] for wire, api in _DEPLOYMENT_FIELDS.items() if inputs.get(wire) is not None
        }
    network = inputs.get("networkConfiguration")
    if "networkConfiguration" in keys and network:
        params["networkConfiguration"] = {"awsvpcConfiguration": {
            "subnets": list(network.get("subnets") or []),
            "securityGroups": list(network.get("securityGroups") or []),
            "assignPublicIp": "ENABLED" if network.get("assignPublicIp") else "DISABLED",
        }}
    if "loadBalancers" in keys:  # an empty list detaches them
        params["loadBalancers"] = [
            {api: lb[wire] for wire, api in _LOAD_BALANCER_NAMES.items() if lb.get(wire) is not None}
            for lb in inputs.get("loadBalancers") or []
        ]
    params.update({api: [_without_empty(block) for block in inputs.get(wire) or []]
                   for wire, api in _SERVICE_LISTS.items() if wire in keys})
    if "serviceRegistries" in keys:  # one registry in pulumi-aws, a list in the API
        registry = inputs.get("serviceRegistries")
        params["serviceRegistries"] = [_without_empty(registry)] if registry else []
    return params


def _task_definition_reference(arn: str | None, configured: Any) -> str | None:
    """Terraform keeps the form the program used: the ARN, or family:revision."""
    if arn is None or (isinstance(configured, str) and configured.startswith("arn:")):
        return arn
    return arn.rpartition("/")[2]


def _cluster_of(service_arn: str, state: Props) -> str:
    """The service's cluster: from state, else from a new-format ARN (service/<cluster>/<name>)."""
    if state.get("cluster"):
        return state["cluster"]
    path = service_arn.split(":", 5)[-1].split("/")
    return path[1] if len(path) == 3 else "default"


@resource_type
class Service(AwsResource):
    token = "aws:ecs/service:Service"
    name_property = "name"
    defaults = {
        "deploymentMaximumPercent": 200,
        "deploymentMinimumHealthyPercent": 100,
        "enableEcsManagedTags": False,
        "enableExecuteCommand": False,
        "schedulingStrategy": "REPLICA",
        "waitForSteadyState": False,
    }
    force_new = frozenset({"name", "cluster", "launchType", "iamRole", "schedulingStrategy", "deploymentController"})
    handled = frozenset({
        *_SERVICE_FIELDS, *_DEPLOYMENT_FIELDS, *_SERVICE_LISTS, "cluster", "iamRole", "networkConfiguration",
        "loadBalancers", "serviceRegistries", "enableEcsManagedTags", "waitForSteadyState", "forceNewDeployment",
        "forceDelete", "triggers",
    })
    unsupported = {
        "deploymentConfiguration": "blue/green, linear and canary deployments are not emulated by the local cloud; "
                                   "rolling deployments take deploymentMaximumPercent, "
                                   "deploymentMinimumHealthyPercent and deploymentCircuitBreaker",
        "serviceConnectConfiguration": "Service Connect is not emulated by the local cloud",
        "sigintRollback": "rolling back interrupted blue/green deployments is not implemented",
        "volumeConfiguration": "EBS volumes managed by ECS are not emulated by the local cloud",
        "vpcLatticeConfigurations": "VPC Lattice is not emulated by the local cloud",
    }
    outputs = frozenset({"arn"})
    set_properties = ("networkConfiguration.subnets", "networkConfiguration.securityGroups")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return unsupported_fields(self.token, "loadBalancers", inputs.get("loadBalancers") or [], _LOAD_BALANCER_NAMES,
                                  {"advancedConfiguration": "blue/green deployments are not emulated by the local "
                                                            "cloud"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = _service_params(inputs, set(inputs) | {"enableEcsManagedTags", "loadBalancers"})
        params["serviceName"] = inputs["name"]
        if inputs.get("schedulingStrategy") != _DAEMON:
            params.setdefault("desiredCount", 0)  # required by AWS for a replica service; Terraform sends 0
        if inputs.get("cluster"):
            params["cluster"] = inputs["cluster"]
        if inputs.get("iamRole"):
            params["role"] = inputs["iamRole"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags, *_TAG_KEYS)
        ecs = ctx.client("ecs")
        service = ecs.create_service(**params)["service"]
        arn, cluster = service["serviceArn"], service["clusterArn"]
        # moto's CreateService keeps none of these; they are kept by an update, as AWS keeps them from the create.
        kept = self.read_back(ctx, arn, inputs)
        dropped = [key for key in _UPDATABLE if inputs.get(key) not in _UNSET and kept.get(key) in _UNSET]
        if dropped:
            ecs.update_service(cluster=cluster, service=arn, **_service_params(inputs, dropped))
        if inputs.get("waitForSteadyState"):
            self._wait_for_steady_state(ctx, cluster, arn)
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        service = one_found(ctx.client("ecs").describe_services, "services", _CLUSTER_GONE,
                            cluster=_cluster_of(id, state), services=[id], include=["TAGS"])
        if service is None or service["status"] == _INACTIVE:  # a deleted service stays listed for a while
            return None
        deployment = service.get("deploymentConfiguration") or {}
        network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration")
        return {
            "id": service["serviceArn"],
            "arn": service["serviceArn"],
            "name": service["serviceName"],
            "cluster": service["clusterArn"],
            **{key: service.get(key) for key in _SERVICE_FIELDS},
            "taskDefinition": _task_definition_reference(service.get("taskDefinition"), state.get("taskDefinition")),
            **{wire: deployment.get(api) for wire, api in _DEPLOYMENT_FIELDS.items()},
            **{wire: service.get(api) or [] for wire, api in _SERVICE_LISTS.items()},
            "serviceRegistries": (service.get("serviceRegistries") or [None])[0],
            "networkConfiguration": {
                "subnets": sorted(network.get("subnets") or []),
                "securityGroups": sorted(network.get("securityGroups") or []),
                "assignPublicIp": network.get("assignPublicIp") == "ENABLED",
            } if network else None,
            "loadBalancers": [
                {wire: lb[api] for wire, api in _LOAD_BALANCER_NAMES.items() if api in lb}
                for lb in service.get("loadBalancers") or []
            ],
            "enableEcsManagedTags": bool(service.get("enableECSManagedTags")),
            "enableExecuteCommand": bool(service.get("enableExecuteCommand")),
            "iamRole": service.get("roleArn"),
            # envctl's own switches, not stored by AWS
            **{key: state.get(key) for key in ("waitForSteadyState", "forceNewDeployment", "forceDelete", "triggers")},
            **_ecs_tags(ctx, state, service.get("tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ecs = ctx.client("ecs")
        cluster = olds.get("cluster") or _cluster_of(id, olds)
        params = _service_params(news, set(diff.changed) & _UPDATABLE)
        # As Terraform: with forceNewDeployment, any change, and a change of triggers alone, redeploys the tasks.
        if news.get("forceNewDeployment") and (params or "triggers" in diff.changed):
            params["forceNewDeployment"] = True
        if params:
            ecs.update_service(cluster=cluster, service=id, **params)
        _sync_ecs_tags(ecs, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        if params and news.get("waitForSteadyState"):
            self._wait_for_steady_state(ctx, cluster, id)
        return {**news, **self.read_back(ctx, id, {**news, "cluster": cluster})}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Scale to zero, then delete; the service drains and turns INACTIVE."""
        current = self.read(ctx, id, state)
        if current is None:
            return
        ecs = ctx.client("ecs")
        cluster = current["cluster"]
        if current.get("schedulingStrategy") != _DAEMON and current.get("desiredCount"):
            remove(ecs.update_service, gone=_SERVICE_GONE, cluster=cluster, service=id, desiredCount=0)
        remove(ecs.delete_service, gone=_SERVICE_GONE, cluster=cluster, service=id, force=True)
        wait_until(lambda: self.read(ctx, id, current) is None, f"ECS service {id} to drain")

    @staticmethod
    def _wait_for_steady_state(ctx: AwsContext, cluster: str, arn: str) -> None:
        """As Terraform's waitForSteadyState: one deployment, with as many tasks running as desired."""
        ctx.client("ecs").get_waiter("services_stable").wait(
            cluster=cluster, services=[arn], WaiterConfig=_STEADY_STATE_WAITER
        )


# ---- CapacityProvider and ClusterCapacityProviders -----------------------------------------

_MANAGED_INSTANCES = "ECS Managed Instances are not emulated by the local cloud (moto); give autoScalingGroupProvider"
# The fields of autoScalingGroupProvider; all but the group's ARN change in place.
_ASG_PROVIDER_FIELDS = ("autoScalingGroupArn", "managedDraining", "managedScaling", "managedTerminationProtection")


def _capacity_provider(ecs: Any, name_or_arn: str) -> dict[str, Any] | None:
    found = ecs.describe_capacity_providers(capacityProviders=[name_or_arn], include=["TAGS"])["capacityProviders"]
    provider = next(iter(found), None)
    return None if provider is None or provider.get("status") == _INACTIVE else provider


@resource_type
class CapacityProvider(AwsResource):
    token = "aws:ecs/capacityProvider:CapacityProvider"
    name_property = "name"
    force_new = frozenset({"name", "cluster"})
    handled = frozenset({"autoScalingGroupProvider"})
    unsupported = {"managedInstancesProvider": _MANAGED_INSTANCES, "cluster": _MANAGED_INSTANCES}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        provider = inputs.get("autoScalingGroupProvider")
        if not provider:
            return [CheckFailure("autoScalingGroupProvider", "autoScalingGroupProvider is required: the local cloud "
                                                             "emulates only capacity providers of Auto Scaling groups")]
        return unsupported_fields(self.token, "autoScalingGroupProvider", provider, _ASG_PROVIDER_FIELDS)

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A capacity provider cannot move to another Auto Scaling group in place."""
        old_group = (olds.get("autoScalingGroupProvider") or {}).get("autoScalingGroupArn")
        new_group = (news.get("autoScalingGroupProvider") or {}).get("autoScalingGroupArn")
        return diff.replacing({"autoScalingGroupProvider"}) if old_group != new_group else diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"name": inputs["name"],
                                  "autoScalingGroupProvider": _without_empty(inputs["autoScalingGroupProvider"])}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags, *_TAG_KEYS)
        arn = ctx.client("ecs").create_capacity_provider(**params)["capacityProvider"]["capacityProviderArn"]
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        provider = _capacity_provider(ctx.client("ecs"), id)
        if provider is None:
            return None
        group = provider.get("autoScalingGroupProvider") or {}
        return {
            "id": provider["capacityProviderArn"],
            "arn": provider["capacityProviderArn"],
            "name": provider["name"],
            "autoScalingGroupProvider": {field: group.get(field) for field in _ASG_PROVIDER_FIELDS},
            "cluster": None,
            "managedInstancesProvider": None,
            **_ecs_tags(ctx, state, provider.get("tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ecs = ctx.client("ecs")
        if "autoScalingGroupProvider" in diff.changed:
            changes = {k: v for k, v in news["autoScalingGroupProvider"].items() if k != "autoScalingGroupArn"}
            ecs.update_capacity_provider(name=olds["name"], autoScalingGroupProvider=_without_empty(changes))
        _sync_ecs_tags(ecs, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ecs = ctx.client("ecs")
        if _capacity_provider(ecs, id) is not None:  # moto fails on a name it does not know
            ecs.delete_capacity_provider(capacityProvider=id)
            wait_until(lambda: _capacity_provider(ecs, id) is None, f"ECS capacity provider {id} to be deleted")


_STRATEGY_DEFAULTS = {"base": 0, "weight": 0}  # Terraform's defaults of a strategy's fields


def _strategies(blocks: Iterable[Props] | None) -> list[Props]:
    return [{**_STRATEGY_DEFAULTS, **{k: v for k, v in block.items() if v is not None}} for block in blocks or ()]


@resource_type
class ClusterCapacityProviders(AwsResource):
    token = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
    id_property = "clusterName"
    required = ("clusterName",)
    force_new = frozenset({"clusterName"})
    handled = frozenset({"capacityProviders", "defaultCapacityProviderStrategies"})
    taggable = False
    set_properties = ("capacityProviders",)

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        checked = super().check(logical_name, olds, news)
        strategies = checked.inputs.get("defaultCapacityProviderStrategies")
        if strategies and not contains_unknown(strategies):
            checked.inputs["defaultCapacityProviderStrategies"] = _strategies(strategies)
        return checked

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs["clusterName"], inputs)
        return inputs["clusterName"], {**inputs, **self.read_back(ctx, inputs["clusterName"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = ctx.client("ecs").describe_clusters(clusters=[id])["clusters"]
        cluster = next((c for c in found if c["status"] != _INACTIVE), None)
        if cluster is None:
            return None
        return {
            "id": cluster["clusterName"],
            "clusterName": cluster["clusterName"],
            "capacityProviders": sorted(cluster.get("capacityProviders") or []),
            "defaultCapacityProviderStrategies": _strategies(cluster.get("defaultCapacityProviderStrategy")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, id, news)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """As Terraform: the cluster stays, with no capacity providers."""
        if self.read(ctx, id, state) is not None:
            self._put(ctx, id, {})

    @staticmethod
    def _put(ctx: AwsContext, cluster: str, inputs: Props) -> None:
        ctx.client("ecs").put_cluster_capacity_providers(
            cluster=cluster, capacityProviders=list(inputs.get("capacityProviders") or []),
            defaultCapacityProviderStrategy=_strategies(inputs.get("defaultCapacityProviderStrategies")),
        )


# ---- Tasks that other services start ---------------------------------------------------------


def task_network_to_api(network: Props) -> dict[str, Any]:
    """The awsvpc network of a task that EventBridge or EventBridge Scheduler starts, in their APIs' form (the ECS
    API's, capitalised); without security groups the task gets its VPC's default one."""
    vpc: dict[str, Any] = {"Subnets": list(network.get("subnets") or []),
                           "AssignPublicIp": "ENABLED" if network.get("assignPublicIp") else "DISABLED"}
    if network.get("securityGroups"):  # the APIs take no empty list
        vpc["SecurityGroups"] = list(network["securityGroups"])
    return {"awsvpcConfiguration": vpc}


def task_network_from_api(api: dict[str, Any] | None) -> Props | None:
    vpc = (api or {}).get("awsvpcConfiguration")
    if not vpc:
        return None
    return {"subnets": sorted(vpc.get("Subnets") or []), "securityGroups": sorted(vpc.get("SecurityGroups") or []),
            "assignPublicIp": vpc.get("AssignPublicIp") == "ENABLED"}


# ---- Invokes --------------------------------------------------------------------------------


@invoke("aws:ecs/getCluster:getCluster")
def get_cluster(ctx: AwsContext, args: Props) -> Props:
    """Terraform's aws_ecs_cluster data source: an active cluster by name, with its task and instance counts."""
    ctx = lookup_context(ctx, args)
    name = args["clusterName"]
    found = ctx.client("ecs").describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    cluster = next((c for c in found if c["status"] != _INACTIVE), None)
    if cluster is None:
        raise BadInput(f"getCluster: ECS cluster {name!r} was not found; check the name and region")
    namespace = (cluster.get("serviceConnectDefaults") or {}).get("namespace")
    return {
        **args,
        "id": cluster["clusterArn"],
        "arn": cluster["clusterArn"],
        "clusterName": cluster["clusterName"],
        "status": cluster["status"],
        "pendingTasksCount": cluster.get("pendingTasksCount", 0),
        "runningTasksCount": cluster.get("runningTasksCount", 0),
        "registeredContainerInstancesCount": cluster.get("registeredContainerInstancesCount", 0),
        "settings": [{"name": s["name"], "value": s["value"]} for s in cluster.get("settings") or []],
        "serviceConnectDefaults": [{"namespace": namespace}] if namespace else [],
        "tags": {k: v for k, v in tag_dict(cluster.get("tags"), *_TAG_KEYS).items() if not k.startswith("aws:")},
        "region": ctx.region,
    }
