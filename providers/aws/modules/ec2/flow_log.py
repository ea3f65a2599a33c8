"""aws:ec2 flow logs: a VPC's, subnet's or network interface's traffic records, sent to CloudWatch Logs or S3."""

from __future__ import annotations

from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    exactly_one,
    failure_unless,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type

# What is logged: input -> CreateFlowLogs resource type, and the id prefix that tells them apart in a read.
_SOURCES = {"vpcId": ("VPC", "vpc-"), "subnetId": ("Subnet", "subnet-"), "eniId": ("NetworkInterface", "eni-")}
_NO_TRANSIT = "transit gateway flow logs are not emulated by envctl's local engine"
_UNEMULATED_SOURCES = {
    "transitGatewayId": _NO_TRANSIT,
    "transitGatewayAttachmentId": _NO_TRANSIT,
    "regionalNatGatewayId": "regional NAT gateways are not emulated by the local cloud",
}
_DESTINATION_TYPES = ("cloud-watch-logs", "s3", "kinesis-data-firehose")


def _s3_folder(inputs: Props) -> bool:
    """Whether an S3 destination names a folder in the bucket (arn:aws:s3:::bucket/folder/)."""
    destination = str(inputs.get("logDestination") or "")
    return inputs.get("logDestinationType") == "s3" and "/" in destination.split(":::", 1)[-1].rstrip("/")


@resource_type
class FlowLog(Ec2Resource):
    token = "aws:ec2/flowLog:FlowLog"
    tagged_type = "vpc-flow-log"
    defaults = {"logDestinationType": "cloud-watch-logs", "maxAggregationInterval": 600}
    force_new = frozenset({*_SOURCES, *_UNEMULATED_SOURCES, "deliverCrossAccountRole", "destinationOptions",
                           "iamRoleArn", "logDestination", "logDestinationType", "logFormat",
                           "maxAggregationInterval", "trafficType"})
    handled = frozenset({*_SOURCES, "iamRoleArn", "logDestination", "logDestinationType", "logFormat",
                         "maxAggregationInterval", "trafficType"})
    unsupported = {
        **_UNEMULATED_SOURCES,
        "deliverCrossAccountRole": "cross-account delivery is not emulated by the local cloud",
        "destinationOptions": "the local cloud (moto) does not keep S3 destination options",
        "tagFieldSpecifications": "the local cloud (moto) does not keep a flow log's tag fields",
    }
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return (
            exactly_one(inputs, (*_SOURCES, *_UNEMULATED_SOURCES), "vpcId")
            + failure_unless(inputs.get("logDestinationType") in _DESTINATION_TYPES, "logDestinationType",
                             f"logDestinationType must be one of {', '.join(_DESTINATION_TYPES)}")
            + failure_unless(inputs.get("trafficType") in ("ACCEPT", "REJECT", "ALL"), "trafficType",
                             "trafficType (ACCEPT, REJECT or ALL) is required for a VPC, subnet or interface")
            + failure_unless(bool(inputs.get("logDestination")), "logDestination",
                             "set logDestination, the ARN of the log group, bucket or delivery stream")
            + failure_unless(not _s3_folder(inputs), "logDestination",
                             "a folder in an S3 destination is not emulated by the local cloud (moto takes the "
                             "bucket's ARN only)")
        )

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # By tag filter rather than DescribeTags, whose resource type for flow logs differs in moto.
        urn_tag = ctx.envctl_tags(urn).get("envctl:urn")
        if not urn_tag:
            return []
        flow_logs = ctx.client("ec2").describe_flow_logs(Filters=[{"Name": "tag:envctl:urn", "Values": [urn_tag]}])
        return [flow_log["FlowLogId"] for flow_log in flow_logs["FlowLogs"]]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        source = next(key for key in _SOURCES if inputs.get(key))
        request = {
            "ResourceType": _SOURCES[source][0],
            "ResourceIds": [inputs[source]],
            "TrafficType": inputs["trafficType"],
            "LogDestinationType": inputs["logDestinationType"],
            "LogDestination": inputs["logDestination"],
            "MaxAggregationInterval": int(inputs["maxAggregationInterval"]),
        }
        if inputs.get("iamRoleArn"):
            request["DeliverLogsPermissionArn"] = inputs["iamRoleArn"]
        if inputs.get("logFormat"):
            request["LogFormat"] = inputs["logFormat"]
        answer = ctx.client("ec2").create_flow_logs(
            TagSpecifications=tag_specifications("vpc-flow-log", self.tags_all(ctx, urn, inputs)), **request)
        if answer.get("Unsuccessful"):
            problem = answer["Unsuccessful"][0]["Error"]
            raise OperationFailed(f"creating the flow log failed: {problem['Message']}")
        flow_log_id = answer["FlowLogIds"][0]
        return flow_log_id, self.read_back(ctx, flow_log_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        flow_log = one_found(ctx.client("ec2").describe_flow_logs, "FlowLogs", EC2_GONE, FlowLogIds=[id])
        if flow_log is None:
            return None
        resource_id = flow_log["ResourceId"]
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"vpc-flow-log/{id}"),
            **{key: resource_id if resource_id.startswith(prefix) else "" for key, (_, prefix) in _SOURCES.items()},
            **{key: "" for key in _UNEMULATED_SOURCES},
            "trafficType": flow_log.get("TrafficType", ""),
            "iamRoleArn": flow_log.get("DeliverLogsPermissionArn") or "",
            "logDestinationType": flow_log.get("LogDestinationType", "cloud-watch-logs"),
            "logDestination": flow_log.get("LogDestination") or state.get("logDestination", ""),
            "logFormat": flow_log.get("LogFormat", ""),
            "maxAggregationInterval": flow_log.get("MaxAggregationInterval", 600),
            "deliverCrossAccountRole": "",
            **ec2_tags(ctx, flow_log.get("Tags"), state),
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_flow_logs, FlowLogIds=[id])
