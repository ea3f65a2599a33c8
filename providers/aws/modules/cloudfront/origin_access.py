"""aws:cloudfront origin access controls: how CloudFront signs its requests to an S3 (or other AWS) origin."""

from __future__ import annotations

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.registry import resource_type

_GONE = ("NoSuchOriginAccessControl",)
_CONFIG = {  # input -> OriginAccessControlConfig field
    "name": "Name",
    "description": "Description",
    "originAccessControlOriginType": "OriginAccessControlOriginType",
    "signingBehavior": "SigningBehavior",
    "signingProtocol": "SigningProtocol",
}


@resource_type
class OriginAccessControl(AwsResource):
    token = "aws:cloudfront/originAccessControl:OriginAccessControl"
    regional = False
    taggable = False
    name_property = "name"
    name_max_length = 64
    required = ("originAccessControlOriginType", "signingBehavior", "signingProtocol")
    defaults = {"description": "Managed by Pulumi"}
    handled = frozenset({"description"})
    outputs = frozenset({"arn", "etag"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        answer = ctx.client("cloudfront").create_origin_access_control(OriginAccessControlConfig=_config(inputs))
        id = answer["OriginAccessControl"]["Id"]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        controls = ctx.client("cloudfront").list_origin_access_controls()["OriginAccessControlList"]
        return [c["Id"] for c in controls.get("Items") or [] if c.get("Name") == inputs["name"]]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("cloudfront")
        etag = client.get_origin_access_control(Id=id)["ETag"]
        client.update_origin_access_control(Id=id, IfMatch=etag, OriginAccessControlConfig=_config(news))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("cloudfront")
        current = found_or_none(client.get_origin_access_control, _GONE, Id=id)
        if current is not None:
            found_or_none(client.delete_origin_access_control, _GONE, Id=id, IfMatch=current["ETag"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = ctx.client("cloudfront").get_origin_access_control(Id=id)
        config = answer["OriginAccessControl"]["OriginAccessControlConfig"]
        return {
            **{wire: config.get(api) for wire, api in _CONFIG.items()},
            "arn": ctx.arn("cloudfront", f"origin-access-control/{id}", region=""),
            "etag": answer.get("ETag", ""),
        }


def _config(inputs: Props) -> dict[str, str]:
    return {api: inputs.get(wire) or "" for wire, api in _CONFIG.items()}
