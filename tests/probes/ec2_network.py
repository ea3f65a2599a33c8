"""Probes of the aws:ec2 network and compute types beyond VPCs, subnets, route tables and instances."""

from __future__ import annotations

from typing import Any

from probing import Probe, present


def _nat_gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_nat_gateways(Filters=[{"Name": "nat-gateway-id", "Values": [id]}])["NatGateways"]
    return any(g["State"] not in ("deleted", "failed") for g in gateways)


PROBES: dict[str, Probe] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    # moto ignores this describe's filters, so the gateway is asked for by id.
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": lambda c, id, o: bool(
        c("ec2").describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[id])["EgressOnlyInternetGateways"]),
    "aws:ec2/keyPair:KeyPair": lambda c, id, o: present(
        lambda: c("ec2").describe_key_pairs(KeyNames=[id]), "InvalidKeyPair.NotFound"),
}
