"""aws:apigateway Deployment (a snapshot of a REST API, redeployed when its triggers change) and Stage."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.modules.apigateway.shared import (
    GONE,
    ApiGatewayResource,
    Patch,
    apigateway,
    escaped,
    execution_arn,
    found,
    replace,
    replace_changed,
    resource_arn,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.wire import timestamp


@resource_type
class Deployment(ApiGatewayResource):
    token = "aws:apigateway/deployment:Deployment"
    required = ("restApi",)
    force_new = frozenset({"restApi", "triggers", "variables"})
    taggable = False
    handled = frozenset({"description", "triggers", "variables"})
    outputs = frozenset({"createdDate"})
    fixed_locally = {"description": "it has no UpdateDeployment"}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"restApiId": inputs["restApi"], "description": inputs.get("description") or ""}
        if inputs.get("variables"):
            params["variables"] = inputs["variables"]
        id = apigateway(ctx).create_deployment(**params)["id"]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news, **self.read_back(ctx, id, news)}  # check refuses every change the local cloud cannot make

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_deployment, restApiId=state["restApi"],
                            deploymentId=id)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # Listed, not got: the local cloud fails on getting a deployment that is gone.
        listed = found(apigateway(ctx).get_deployments, restApiId=state["restApi"], limit=500) or {}
        answer = next((item for item in listed.get("items", []) if item["id"] == id), None)
        if answer is None:
            return None
        return {"restApi": state["restApi"], "description": answer.get("description") or None,
                "triggers": state.get("triggers"), "variables": state.get("variables"),  # not reported by AWS
                "createdDate": timestamp(answer["createdDate"])}


_STAGE_SETTINGS = {"deployment": "/deploymentId", "description": "/description",
                   "cacheClusterEnabled": "/cacheClusterEnabled", "cacheClusterSize": "/cacheClusterSize",
                   "xrayTracingEnabled": "/tracingEnabled"}
_CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


@resource_type
class Stage(ApiGatewayResource):
    token = "aws:apigateway/stage:Stage"
    required = ("deployment", "restApi", "stageName")
    force_new = frozenset({"restApi", "stageName"})
    handled = frozenset({"accessLogSettings", "cacheClusterEnabled", "cacheClusterSize", "description", "variables",
                         "xrayTracingEnabled"})
    unsupported = {
        "canarySettings": "canary releases are not emulated by the local cloud",
        "clientCertificateId": "client certificates of stages are not emulated by the local cloud (it ignores them)",
        "documentationVersion": "documentation versions are not emulated by the local cloud",
    }
    outputs = frozenset({"arn", "executionArn", "invokeUrl", "webAclArn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = unsupported_fields(self.token, "accessLogSettings", inputs.get("accessLogSettings"),
                                      ("destinationArn", "format"))
        size = inputs.get("cacheClusterSize")
        if isinstance(size, str) and size and size not in _CACHE_SIZES:
            failures.append(CheckFailure("cacheClusterSize", f"must be one of {', '.join(_CACHE_SIZES)}"))
        return failures

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [f"ags-{inputs['restApi']}-{inputs['stageName']}"]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"restApiId": inputs["restApi"], "stageName": inputs["stageName"],
                                  "deploymentId": inputs["deployment"], "tags": self.tags_all(ctx, urn, inputs)}
        for key, api in (("description", "description"), ("variables", "variables"),
                         ("cacheClusterEnabled", "cacheClusterEnabled"), ("cacheClusterSize", "cacheClusterSize"),
                         ("xrayTracingEnabled", "tracingEnabled")):
            if inputs.get(key) not in (None, "", {}):
                params[api] = inputs[key]
        apigateway(ctx).create_stage(**params)
        if inputs.get("accessLogSettings"):  # CreateStage takes no access log settings
            self._patch(ctx, inputs, _access_log_changes(inputs["accessLogSettings"]))
        id = self.candidate_ids(ctx, urn, inputs)[0]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations: list[Patch] = replace_changed(diff.changed, news, _STAGE_SETTINGS)
        if "variables" in diff.changed:
            operations += _variable_changes(olds.get("variables") or {}, news.get("variables") or {})
        if "accessLogSettings" in diff.changed:
            operations += _access_log_changes(news.get("accessLogSettings"))
        self._patch(ctx, news, operations)
        client, arn = apigateway(ctx), self._arn(ctx, news)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(resourceArn=arn, tags=tags),
                  lambda keys: client.untag_resource(resourceArn=arn, tagKeys=keys))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(apigateway(ctx).delete_stage, gone=GONE, restApiId=state["restApi"], stageName=state["stageName"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        api_id, name = state["restApi"], state["stageName"]
        answer = apigateway(ctx).get_stage(restApiId=api_id, stageName=name)
        logs = answer.get("accessLogSettings") or {}
        return {
            "restApi": api_id,
            "stageName": answer["stageName"],
            "deployment": answer.get("deploymentId"),
            "description": answer.get("description") or None,
            "variables": answer.get("variables") or None,
            "cacheClusterEnabled": bool(answer.get("cacheClusterEnabled")),
            "cacheClusterSize": answer.get("cacheClusterSize") if answer.get("cacheClusterEnabled") else None,
            "xrayTracingEnabled": bool(answer.get("tracingEnabled")),
            "accessLogSettings": {"destinationArn": logs.get("destinationArn"), "format": logs.get("format")}
            if logs else None,
            "arn": self._arn(ctx, state),
            "executionArn": f"{execution_arn(ctx, api_id)}/{name}",
            "invokeUrl": f"https://{api_id}.execute-api.{ctx.region}.amazonaws.com/{name}",
            "webAclArn": answer.get("webAclArn"),
            **tags_from_cloud(ctx, state, answer.get("tags") or {}),
        }

    def _arn(self, ctx: AwsContext, props: Props) -> str:
        return resource_arn(ctx, f"/restapis/{props['restApi']}/stages/{props['stageName']}")

    def _patch(self, ctx: AwsContext, props: Props, operations: list[Patch]) -> None:
        if operations:
            apigateway(ctx).update_stage(restApiId=props["restApi"], stageName=props["stageName"],
                                         patchOperations=operations)


def _variable_changes(old: dict[str, str], new: dict[str, str]) -> list[Patch]:
    return ([{"op": "remove", "path": f"/variables/{escaped(key)}"} for key in old if key not in new]
            + [replace(f"/variables/{escaped(key)}", value) for key, value in new.items() if old.get(key) != value])


def _access_log_changes(settings: Props | None) -> list[Patch]:
    if not settings:
        return [{"op": "remove", "path": "/accessLogSettings"}]
    return [replace("/accessLogSettings/destinationArn", settings.get("destinationArn")),
            replace("/accessLogSettings/format", settings.get("format"))]
