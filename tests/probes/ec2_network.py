"""Probes of the aws:ec2 network and compute types beyond VPCs, subnets, route tables and instances."""

from __future__ import annotations

from typing import Any

from probing import Probe, ec2_filtered


def _nat_gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_nat_gateways(Filters=[{"Name": "nat-gateway-id", "Values": [id]}])["NatGateways"]
    return any(g["State"] not in ("deleted", "failed") for g in gateways)


PROBES: dict[str, Probe] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": ec2_filtered(
        "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways", "egress-only-internet-gateway-id"),
}
