"""The getLoadBalancer invoke (aws:lb and its aws:alb twin): one load balancer by ARN, name or tags."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext, lookup_context
from envctl.providers.aws.errors import items_found
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.lb.load_balancing import LB_GONE, LoadBalancer
from envctl.providers.aws.registry import invoke
from envctl.providers.aws.tags import tag_dict

Args = dict[str, Any]
_NO_LOGS = {"bucket": "", "enabled": False, "prefix": ""}


def _matching_arns(ctx: AwsContext, args: Args) -> list[str]:
    """The load balancers the lookup names: by ARN, else by name, else every one that has all its tags."""
    elb = ctx.client("elbv2")
    if args.get("arn"):
        found = items_found(elb.describe_load_balancers, "LoadBalancers", LB_GONE, LoadBalancerArns=[args["arn"]])
    elif args.get("name"):
        found = items_found(elb.describe_load_balancers, "LoadBalancers", LB_GONE, Names=[args["name"]])
    else:
        found = list(listed(elb, "describe_load_balancers", "LoadBalancers"))
    arns = [lb["LoadBalancerArn"] for lb in found]
    wanted = args.get("tags") or {}
    if not wanted or not arns:
        return arns
    described = elb.describe_tags(ResourceArns=arns)["TagDescriptions"]
    return [d["ResourceArn"] for d in described if wanted.items() <= tag_dict(d.get("Tags")).items()]


def _subnet_mapping(zone: dict[str, Any]) -> dict[str, str]:
    address = next(iter(zone.get("LoadBalancerAddresses") or []), {})
    return {
        "subnetId": zone["SubnetId"],
        "allocationId": address.get("AllocationId", ""),
        "privateIpv4Address": address.get("PrivateIPv4Address", ""),
        "ipv6Address": address.get("IPv6Address", ""),
        "outpostId": zone.get("OutpostId", ""),
    }


@invoke("aws:lb/getLoadBalancer:getLoadBalancer")
@invoke("aws:alb/getLoadBalancer:getLoadBalancer")
def get_load_balancer(ctx: AwsContext, args: Args) -> Args:
    """Terraform's aws_lb data source: exactly one load balancer, with the attributes the resource has."""
    ctx = lookup_context(ctx, args)
    arns = _matching_arns(ctx, args)
    if len(arns) != 1:
        problem = "no load balancer matched" if not arns else f"{len(arns)} load balancers matched"
        raise BadInput(f"getLoadBalancer: {problem}; give the arn or name of exactly one")
    outputs = LoadBalancer().read(ctx, arns[0], {})
    if outputs is None:
        raise OperationFailed(f"load balancer {arns[0]} disappeared while it was looked up; run the program again")
    zones = ctx.client("elbv2").describe_load_balancers(LoadBalancerArns=arns)["LoadBalancers"][0]
    return {
        **{key: value for key, value in outputs.items() if key not in ("namePrefix", "tags", "tagsAll")},
        "accessLogs": outputs["accessLogs"] or _NO_LOGS,
        "connectionLogs": [outputs["connectionLogs"]] if outputs["connectionLogs"] else [],
        "healthCheckLogs": [],
        "ipamPools": [],
        "subnetMappings": [_subnet_mapping(zone) for zone in zones.get("AvailabilityZones") or []],
        "customerOwnedIpv4Pool": "",
        "enablePrefixForIpv6SourceNat": "",
        "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "",
        "tags": outputs["tagsAll"],
        "region": ctx.region,
    }
