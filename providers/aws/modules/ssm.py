"""aws ssm: Parameter (Parameter Store); the getParameter invoke."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import UNKNOWN, secret
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud

_SECURE = "SecureString"
_INTELLIGENT_TIERING = "Intelligent-Tiering"  # AWS picks the tier and reports the one it picked
# Properties that PutParameter does not carry; changing only these needs no PutParameter call.
_NOT_PUT = frozenset({"overwrite", "tags"})
_GONE = ("ParameterNotFound",)


@resource_type
class Parameter(AwsResource):
    token = "aws:ssm/parameter:Parameter"
    id_property = "name"
    name_property = "name"
    name_max_length = 2048
    required = ("type",)
    defaults = {"tier": "Standard", "dataType": "text"}
    force_new = frozenset({"name", "dataType", "region"})
    handled = frozenset({"allowedPattern", "dataType", "description", "insecureValue", "keyId", "overwrite", "tier",
                         "value"})
    unsupported = {
        **dict.fromkeys(("valueWo", "valueWoVersion"), "write-only values are not supported (the ledger records "
                                                       "every input); use 'value', which the ledger keeps encrypted"),
        "arn": "a parameter's ARN follows from its name; leave it out and read the 'arn' output",
    }
    outputs = frozenset({"version", "hasValueWo"})
    secret = frozenset({"value", "valueWo"})
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        given = [key for key in ("value", "insecureValue") if inputs.get(key) is not None]
        if len(given) != 1:
            return [CheckFailure("value", "exactly one of 'value' and 'insecureValue' must be set")]
        if given == ["insecureValue"] and inputs.get("type") == _SECURE:
            return [CheckFailure("insecureValue", "'insecureValue' cannot be used with type SecureString")]
        if inputs.get("keyId") and inputs.get("type") not in (_SECURE, UNKNOWN):
            # Terraform drops the key of a plain parameter without a word; here it is refused.
            return [CheckFailure("keyId", "'keyId' only applies to parameters of type SecureString")]
        return []

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        # Intelligent-Tiering lets AWS choose the tier: no change once the parameter has one (Terraform's rule).
        if "tier" in diff.changed and news.get("tier") == _INTELLIGENT_TIERING and olds.get("tier"):
            return diff.without(["tier"])
        # AWS cannot downgrade an Advanced parameter to Standard: Terraform replaces it instead.
        if olds.get("tier") == "Advanced" and news.get("tier") == "Standard":
            return diff.replacing(["tier"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ssm = ctx.client("ssm")
        name = inputs["name"]
        tags_all = self.tags_all(ctx, urn, inputs)
        overwrite = bool(inputs.get("overwrite"))
        params = _put_params(inputs, overwrite)
        # PutParameter takes tags only when it does not overwrite.
        if tags_all and not overwrite:
            params["Tags"] = tag_list(tags_all)
        ssm.put_parameter(**params)
        if tags_all and overwrite:
            ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=tag_list(tags_all))
        return name, self.describe(ctx, name, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ssm = ctx.client("ssm")
        if set(diff.changed) - _NOT_PUT:
            # An explicit overwrite=false is honoured (and fails), as Terraform does.
            overwrite = news["overwrite"] if news.get("overwrite") is not None else True
            params = _put_params({**news, "name": id}, overwrite)
            if "description" in diff.changed:
                params.setdefault("Description", "")  # an empty description clears it
            ssm.put_parameter(**params)
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        parameter = {"ResourceType": "Parameter", "ResourceId": id}
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: ssm.add_tags_to_resource(**parameter, Tags=tag_list(tags)),
                  lambda keys: ssm.remove_tags_from_resource(**parameter, TagKeys=keys))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("ssm").delete_parameter, gone=_GONE, Name=state.get("name") or id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        ssm = ctx.client("ssm")
        parameter = ssm.get_parameter(Name=id, WithDecryption=True)["Parameter"]
        found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [id]}])
        metadata = next(iter(found["Parameters"]), {})
        tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=id)["TagList"]
        # The value is recorded under the property the program used for it.
        insecure = state.get("insecureValue") is not None and parameter["Type"] != _SECURE
        value_key = "insecureValue" if insecure else "value"
        return {
            **state,
            "id": parameter["Name"],
            "name": parameter["Name"],
            "arn": parameter["ARN"],
            "region": ctx.region,
            "type": parameter["Type"],
            value_key: parameter["Value"],
            "version": int(parameter["Version"]),
            "hasValueWo": False,  # write-only values are refused
            "dataType": parameter.get("DataType", metadata.get("DataType")),
            "description": metadata.get("Description"),
            "allowedPattern": metadata.get("AllowedPattern"),
            "keyId": metadata.get("KeyId"),
            "tier": metadata.get("Tier"),
            **tags_from_cloud(ctx, state, tag_dict(tags)),
        }


def _put_params(inputs: Props, overwrite: bool) -> dict[str, Any]:
    """PutParameter's arguments for the inputs (KeyId only for SecureString, as AWS requires)."""
    value = inputs["insecureValue"] if inputs.get("insecureValue") is not None else inputs["value"]
    params: dict[str, Any] = {"Name": inputs["name"], "Type": inputs["type"], "Value": value, "Overwrite": overwrite}
    optional = {
        "Description": "description",
        "Tier": "tier",
        "DataType": "dataType",
        "AllowedPattern": "allowedPattern",
    }
    if inputs["type"] == _SECURE:
        optional["KeyId"] = "keyId"
    params.update({arg: inputs[key] for arg, key in optional.items() if inputs.get(key) is not None})
    return params


# ---- getParameter --------------------------------------------------------------------------


@invoke("aws:ssm/getParameter:getParameter")
def get_parameter(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_ssm_parameter data source. `value` is secret, as pulumi-aws marks it; `insecureValue` holds
    the plain value of a parameter that is not a SecureString."""
    in_provider_region(ctx, args, "getParameter")
    decrypt = args.get("withDecryption") is not False  # true unless the program says otherwise
    found = found_or_none(ctx.client("ssm").get_parameter, _GONE, Name=args["name"], WithDecryption=decrypt)
    if not found:
        raise BadInput(f"getParameter: no SSM parameter named {args['name']!r} in {ctx.region}")
    parameter = found["Parameter"]
    return {
        "id": parameter["Name"],
        "name": parameter["Name"],
        "arn": parameter["ARN"],
        "type": parameter["Type"],
        "version": parameter["Version"],
        "value": secret(parameter["Value"]),
        "insecureValue": parameter["Value"] if parameter["Type"] != _SECURE else None,
        "withDecryption": decrypt,
        "region": ctx.region,
    }
