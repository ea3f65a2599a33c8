"""aws types the local cloud cannot hold: those declared with pulumi-aws's schema and refused at preview
(`NotEmulated`, for types whose API moto lacks altogether), and those envctl leaves unregistered because moto
cannot take them through a lifecycle, each with the reason, so that a program using one is told why rather than
only that the type is unsupported (docs/coverage.md lists them all)."""

from __future__ import annotations

from typing import ClassVar

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext


class NotEmulated(AwsResource):
    """A type the local cloud cannot hold: its check refuses it, so no step ever calls AWS for it."""

    regional = False
    taggable = False
    handled = frozenset()
    api: ClassVar[str]  # what the local cloud lacks
    inputs: ClassVar[tuple[str, ...]]
    refused: ClassVar[str | None] = None  # the input the refusal names (default: the first)

    @classmethod
    def reason(cls) -> str:
        return f"{cls.token} is not emulated by the local cloud: moto has no {cls.api}"

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.unsupported = {key: f"not emulated by the local cloud: moto has no {cls.api}" for key in cls.inputs}

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        return CheckResult(dict(news), (CheckFailure(self.refused or self.inputs[0], self.reason(), unsupported=True),))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        raise OperationFailed(self.reason())

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        raise OperationFailed(self.reason())

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        raise OperationFailed(self.reason())


_ELASTICACHE = "the local cloud cannot emulate it: moto never finishes deleting ElastiCache clusters"
UNREGISTERED: dict[str, str] = {
    "aws:elasticache/cluster:Cluster": _ELASTICACHE,
    "aws:elasticache/replicationGroup:ReplicationGroup": _ELASTICACHE,
    "aws:elasticache/subnetGroup:SubnetGroup": "the local cloud cannot emulate it: moto has no DeleteCacheSubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup": "the local cloud cannot emulate it: moto has no cache parameter "
                                                      "group API",
    "aws:apigatewayv2/deployment:Deployment": "the local cloud cannot emulate it: moto has no API Gateway v2 "
                                               "deployments; a Stage with autoDeploy deploys instead",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "the local cloud cannot emulate it: moto keeps the rules "
                                                               "but never copies an object",
    "aws:s3/bucketRequestPaymentConfiguration:BucketRequestPaymentConfiguration": "the local cloud cannot emulate it: "
                                                                                   "moto has no request-payment API",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": "the local cloud cannot emulate it: moto "
                                                                          "cannot take an attachment off its "
                                                                          "default route table",
    "aws:ec2/vpnConnection:VpnConnection": "the local cloud cannot emulate it: moto's VPN connections have no tunnels",
}
