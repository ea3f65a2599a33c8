"""aws:ec2 Tag: one tag on an EC2 resource that another program (or AWS) made, known as `<resource id>,<key>`."""

from __future__ import annotations

from envctl.providers.aws.base import DiffResult, Props, as_string
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.ec2.shared import Ec2Resource
from envctl.providers.aws.registry import resource_type


@resource_type
class Tag(Ec2Resource):
    token = "aws:ec2/tag:Tag"
    taggable = False
    required = ("key", "resourceId", "value")
    force_new = frozenset({"key", "resourceId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        tag_id = f"{inputs['resourceId']},{inputs['key']}"
        return tag_id, self.read_back(ctx, tag_id, inputs)

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        ctx.client("ec2").create_tags(Resources=[inputs["resourceId"]],
                                      Tags=[{"Key": inputs["key"], "Value": as_string(inputs["value"])}])

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        resource_id, key = id.split(",", 1)
        tags = ctx.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]},
                                                        {"Name": "key", "Values": [key]}])["Tags"]
        if not tags:
            return None
        return {"id": id, "resourceId": resource_id, "key": key, "value": tags[0].get("Value", "")}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # a new value for the same key
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        resource_id, key = id.split(",", 1)
        ctx.client("ec2").delete_tags(Resources=[resource_id], Tags=[{"Key": key}])
