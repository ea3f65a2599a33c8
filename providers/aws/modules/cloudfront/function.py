"""aws:cloudfront functions (viewer request and response code at the edge), as far as the local cloud keeps them:
created and deleted, never published or changed in place."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.cloudfront.tagging import change_tags, cloud_tags, tag_items
from envctl.providers.aws.registry import resource_type

_GONE = ("NoSuchFunctionExists",)
_NOT_EMULATED = "is not emulated by the local cloud"
# What UpdateFunction changes, which the local cloud lacks.
_CHANGED_BY_UPDATE = ("code", "comment", "runtime", "keyValueStoreAssociations")


@resource_type
class Function(AwsResource):
    token = "aws:cloudfront/function:Function"
    regional = False
    name_property = "name"
    name_max_length = 64
    required = ("code", "runtime")
    defaults = {"publish": True}
    force_new = frozenset({"name"})
    id_property = "name"
    handled = frozenset({"comment", "publish", "keyValueStoreAssociations"})
    outputs = frozenset({"arn", "etag", "liveStageEtag", "status"})
    set_properties = ("keyValueStoreAssociations",)
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """A change of code, comment or runtime is refused at preview: the local cloud has no UpdateFunction."""
        result = super().check(logical_name, olds, news)
        if not olds or olds.get("name") != result.inputs.get("name"):
            return result
        changed = [key for key in _CHANGED_BY_UPDATE if (olds.get(key) or None) != (result.inputs.get(key) or None)
                   and not contains_unknown(result.inputs.get(key))]
        failures = [CheckFailure(key, f"changing a CloudFront function's {key} in place {_NOT_EMULATED} (it has no "
                                      "UpdateFunction); give the function a new name to replace it")
                    for key in changed]
        return CheckResult(result.inputs, (*result.failures, *failures))

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("publish") is True:
            return [CheckFailure("publish", f"publishing a CloudFront function {_NOT_EMULATED} (it has no "
                                            "PublishFunction); set publish to false")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = inputs["name"]
        ctx.client("cloudfront").create_function(
            Name=name, FunctionCode=inputs["code"].encode(),
            FunctionConfig=_function_config(inputs),
            Tags=tag_items(self.tags_all(ctx, urn, inputs)))
        return name, {**inputs, **self.describe(ctx, name, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        change_tags(ctx, str(olds["arn"]), olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("cloudfront")
        current = found_or_none(client.describe_function, _GONE, Name=id)
        if current is not None:
            found_or_none(client.delete_function, _GONE, Name=id, IfMatch=current["ETag"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("cloudfront")
        answer = client.describe_function(Name=id)
        summary = answer["FunctionSummary"]
        config = summary.get("FunctionConfig") or {}
        code = client.get_function(Name=id)["FunctionCode"].read().decode()
        arn = summary["FunctionMetadata"]["FunctionARN"]
        return {
            "name": summary["Name"],
            "code": code,
            "comment": config.get("Comment") or None,
            "runtime": config.get("Runtime"),
            "keyValueStoreAssociations": sorted(
                a["KeyValueStoreARN"] for a in (config.get("KeyValueStoreAssociations") or {}).get("Items") or []
            ) or None,
            "publish": state.get("publish", False),
            "arn": arn,
            "etag": answer.get("ETag", ""),
            "liveStageEtag": "",  # never published
            "status": summary.get("Status", ""),
            **cloud_tags(ctx, arn, state),
        }


def _function_config(inputs: Props) -> dict[str, Any]:
    config: dict[str, Any] = {"Comment": inputs.get("comment") or "", "Runtime": inputs["runtime"]}
    stores = inputs.get("keyValueStoreAssociations") or []
    if stores:
        config["KeyValueStoreAssociations"] = {"Quantity": len(stores),
                                               "Items": [{"KeyValueStoreARN": arn} for arn in stores]}
    return config
