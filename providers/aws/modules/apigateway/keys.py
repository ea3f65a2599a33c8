"""aws:apigateway ApiKey, UsagePlan and UsagePlanKey: who may call a REST API's stages, and how much."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, CheckResult, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigateway.shared import (
    ApiGatewayResource,
    Patch,
    apigateway,
    dotted,
    replace,
    replace_changed,
    resource_arn,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud
from envctl.providers.aws.wire import timestamp

_NO_TAG_CHANGES = "it tags API keys and usage plans only when creating them"


@resource_type
class ApiKey(ApiGatewayResource):
    token = "aws:apigateway/apiKey:ApiKey"
    name_property = "name"
    defaults = {"description": "Managed by Pulumi", "enabled": True}
    force_new = frozenset({"value"})
    handled = frozenset({"customerId", "description", "enabled", "value"})
    outputs = frozenset({"arn", "createdDate", "lastUpdatedDate"})
    secret = frozenset({"value"})
    fixed_locally = {"tags": _NO_TAG_CHANGES}
    _REPLACED = {"name": "/name", "customerId": "/customerId", "description": "/description", "enabled": "/enabled"}

    def validate(self, inputs: Props) -> list[CheckFailure]:
        value = inputs.get("value")
        if isinstance(value, str) and value and not 20 <= len(value) <= 128:
            return [CheckFailure("value", "must be 20 to 128 characters long")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"name": inputs["name"], "enabled": bool(inputs.get("enabled")),
                                  "tags": self.tags_all(ctx, urn, inputs)}
        for key in ("customerId", "description", "value"):
            if inputs.get(key):
                params[key] = inputs[key]
        id = apigateway(ctx).create_api_key(**params)["id"]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations = replace_changed(diff.changed, news, self._REPLACED)
        if operations:
            apigateway(ctx).update_api_key(apiKey=id, patchOperations=operations)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_api_key, apiKey=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        key = apigateway(ctx).get_api_key(apiKey=id, includeValue=True)
        return {
            "name": key["name"],
            "customerId": key.get("customerId") or None,
            "description": key.get("description") or None,
            "enabled": bool(key.get("enabled")),
            "value": key["value"],
            "arn": resource_arn(ctx, f"/apikeys/{id}"),
            "createdDate": timestamp(key["createdDate"]),
            "lastUpdatedDate": timestamp(key["lastUpdatedDate"]),
            **tags_from_cloud(ctx, state, key.get("tags") or {}),
        }


_QUOTA = ("limit", "offset", "period")
_THROTTLE = ("burstLimit", "rateLimit")


@resource_type
class UsagePlan(ApiGatewayResource):
    token = "aws:apigateway/usagePlan:UsagePlan"
    name_property = "name"
    handled = frozenset({"apiStages", "description", "productCode", "quotaSettings", "throttleSettings"})
    outputs = frozenset({"arn"})
    fixed_locally = {"tags": _NO_TAG_CHANGES}
    _REPLACED = {"name": "/name", "description": "/description", "productCode": "/productCode"}

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = unsupported_fields(self.token, "apiStages", inputs.get("apiStages") or [], ("apiId", "stage"),
                                      {"throttles": "per-method throttling of a plan's stages is not emulated by the "
                                                    "local cloud"})
        failures += unsupported_fields(self.token, "quotaSettings", inputs.get("quotaSettings"), _QUOTA)
        failures += unsupported_fields(self.token, "throttleSettings", inputs.get("throttleSettings"), _THROTTLE)
        return failures

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        result = super().check(logical_name, olds, news)
        rate, path = dotted(result.inputs, "throttleSettings.rateLimit"), "throttleSettings.rateLimit"
        if olds and isinstance(rate, float) and not rate.is_integer() and rate != dotted(olds, path):
            refused = self._fixed(path, "its UpdateUsagePlan takes whole rate limits only")
            return CheckResult(result.inputs, (*result.failures, refused))
        return result

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"name": inputs["name"], "tags": self.tags_all(ctx, urn, inputs)}
        for key in ("description", "productCode"):
            if inputs.get(key):
                params[key] = inputs[key]
        if inputs.get("apiStages"):
            params["apiStages"] = [{"apiId": s["apiId"], "stage": s["stage"]} for s in inputs["apiStages"]]
        if inputs.get("quotaSettings"):
            params["quota"] = _present(inputs["quotaSettings"], _QUOTA)
        if inputs.get("throttleSettings"):
            params["throttle"] = _present(inputs["throttleSettings"], _THROTTLE)
        id = apigateway(ctx).create_usage_plan(**params)["id"]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations: list[Patch] = replace_changed(diff.changed, news, self._REPLACED)
        if "productCode" in diff.changed and not news.get("productCode"):
            operations = [op for op in operations if op["path"] != "/productCode"]
            operations.append({"op": "remove", "path": "/productCode"})
        if "apiStages" in diff.changed:
            old, new = _stage_keys(olds.get("apiStages")), _stage_keys(news.get("apiStages"))
            operations += [{"op": "remove", "path": "/apiStages", "value": key} for key in old if key not in new]
            operations += [{"op": "add", "path": "/apiStages", "value": key} for key in new if key not in old]
        for key, path, fields in (("quotaSettings", "/quota", _QUOTA), ("throttleSettings", "/throttle", _THROTTLE)):
            if key in diff.changed:
                operations += _block_changes(path, olds.get(key), news.get(key), fields)
        if operations:
            apigateway(ctx).update_usage_plan(usagePlanId=id, patchOperations=operations)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_usage_plan, usagePlanId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        plan = apigateway(ctx).get_usage_plan(usagePlanId=id)
        quota, throttle = plan.get("quota") or {}, plan.get("throttle") or {}
        return {
            "name": plan["name"],
            "description": plan.get("description") or None,
            "productCode": plan.get("productCode") or None,
            "apiStages": [{"apiId": s["apiId"], "stage": s["stage"]} for s in plan.get("apiStages") or []] or None,
            # The local cloud keeps patched numbers as text.
            "quotaSettings": {"limit": int(quota["limit"]), "offset": int(quota.get("offset") or 0),
                              "period": quota.get("period")} if quota else None,
            "throttleSettings": {"burstLimit": int(throttle.get("burstLimit") or 0),
                                 "rateLimit": float(throttle.get("rateLimit") or 0)} if throttle else None,
            "arn": resource_arn(ctx, f"/usageplans/{id}"),
            **tags_from_cloud(ctx, state, plan.get("tags") or {}),
        }


def _present(block: Props, fields: tuple[str, ...]) -> Props:
    return {key: block[key] for key in fields if block.get(key) is not None}


def _stage_keys(stages: list[Props] | None) -> list[str]:
    return [f"{s['apiId']}:{s['stage']}" for s in stages or ()]


def _block_changes(path: str, old: Props | None, new: Props | None, fields: tuple[str, ...]) -> list[Patch]:
    """A quota or throttle block: removed whole, or each field added or replaced (as Terraform patches them)."""
    if not new:
        return [{"op": "remove", "path": path}]
    op = "replace" if old else "add"
    return [{**replace(f"{path}/{key}", new[key]), "op": op} for key in fields if new.get(key) is not None]


@resource_type
class UsagePlanKey(ApiGatewayResource):
    token = "aws:apigateway/usagePlanKey:UsagePlanKey"
    required = ("keyId", "keyType", "usagePlanId")
    force_new = frozenset(required)
    taggable = False
    handled = frozenset()
    outputs = frozenset({"name", "value"})
    id_property = "keyId"

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        apigateway(ctx).create_usage_plan_key(usagePlanId=inputs["usagePlanId"], keyId=inputs["keyId"],
                                              keyType=inputs["keyType"])
        return inputs["keyId"], {**inputs, **self.describe(ctx, inputs["keyId"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news, **self.describe(ctx, id, news)}  # every input forces a replacement

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_usage_plan_key, usagePlanId=state["usagePlanId"],
                            keyId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        key = apigateway(ctx).get_usage_plan_key(usagePlanId=state["usagePlanId"], keyId=id)
        return {"usagePlanId": state["usagePlanId"], "keyId": key["id"], "keyType": key["type"],
                "name": key.get("name"), "value": key.get("value")}
