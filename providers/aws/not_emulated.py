"""aws types envctl does not register because the local cloud cannot hold them through a lifecycle, each with the
reason, so that a program using one is told why rather than only that the type is unsupported (docs/coverage.md
lists them)."""

from __future__ import annotations

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
