"""aws:route53 hosted zones: the Zone type and the getZone lookup."""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import has_code, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.route53.shared import (
    ZONE_GONE,
    bare_zone_id,
    change_tags,
    cloud_tags,
    tagged_with_urn,
    without_trailing_dot,
)
from envctl.providers.aws.registry import invoke, resource_type

_APEX_TYPES = ("NS", "SOA")  # the records Route 53 makes with a zone and deletes with it


@resource_type
class Zone(AwsResource):
    token = "aws:route53/zone:Zone"
    regional = False
    name_property = "name"
    name_lowercase = True  # DNS names are compared in lower case
    defaults = {"comment": "Managed by Pulumi", "forceDestroy": False}
    force_new = frozenset({"name", "delegationSetId"})
    handled = frozenset({"comment", "forceDestroy", "delegationSetId", "vpcs"})
    unsupported = {"enableAcceleratedRecovery": "accelerated recovery is not emulated by the local cloud"}
    outputs = frozenset({"arn", "nameServers", "primaryNameServer", "zoneId"})
    gone_codes = ZONE_GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """The name as Route 53 compares it: `example.com.` and `Example.com` are the zone example.com."""
        if isinstance(news.get("name"), str):
            news = {**news, "name": without_trailing_dot(news["name"])}
        return super().check(logical_name, olds, news)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("route53")
        vpcs = inputs.get("vpcs") or []
        params: dict[str, Any] = {
            "Name": inputs["name"],
            "CallerReference": str(uuid.uuid4()),
            "HostedZoneConfig": {"Comment": inputs.get("comment") or "", "PrivateZone": bool(vpcs)},
        }
        if inputs.get("delegationSetId"):
            params["DelegationSetId"] = inputs["delegationSetId"]
        if vpcs:
            params["VPC"] = _vpc(ctx, vpcs[0])
        zone_id = bare_zone_id(client.create_hosted_zone(**params)["HostedZone"]["Id"])
        for vpc in vpcs[1:]:
            client.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC=_vpc(ctx, vpc))
        change_tags(ctx, "hostedzone", zone_id, {}, self.tags_all(ctx, urn, inputs))
        return zone_id, {**inputs, **self.describe(ctx, zone_id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # Zone names are not unique: the one a create made carries its URN tag.
        zones = ctx.client("route53").list_hosted_zones_by_name(DNSName=inputs["name"])["HostedZones"]
        ids = [bare_zone_id(z["Id"]) for z in zones if without_trailing_dot(z["Name"]) == inputs["name"]]
        return [id for id in ids if tagged_with_urn(ctx, "hostedzone", id, urn)]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("route53")
        if "comment" in diff.changed:
            client.update_hosted_zone_comment(Id=id, Comment=news.get("comment") or "")
        if "vpcs" in diff.changed:
            old = {_vpc(ctx, v)["VPCId"]: _vpc(ctx, v) for v in olds.get("vpcs") or []}
            new = {_vpc(ctx, v)["VPCId"]: _vpc(ctx, v) for v in news.get("vpcs") or []}
            for vpc_id in new.keys() - old.keys():  # associated first: a private zone keeps at least one VPC
                client.associate_vpc_with_hosted_zone(HostedZoneId=id, VPC=new[vpc_id])
            for vpc_id in old.keys() - new.keys():
                client.disassociate_vpc_from_hosted_zone(HostedZoneId=id, VPC=old[vpc_id])
        change_tags(ctx, "hostedzone", id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("route53")
        if state.get("forceDestroy"):
            try:
                _delete_records(client, id, state.get("name") or "")
            except ClientError as error:
                if has_code(error, ZONE_GONE):
                    return
                raise
        remove(client.delete_hosted_zone, gone=ZONE_GONE, Id=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = ctx.client("route53").get_hosted_zone(Id=id)
        zone, servers = answer["HostedZone"], (answer.get("DelegationSet") or {}).get("NameServers") or []
        name = without_trailing_dot(zone["Name"])
        return {
            "name": name,
            "comment": zone.get("Config", {}).get("Comment", ""),
            "delegationSetId": state.get("delegationSetId") or answer.get("DelegationSet", {}).get("Id") or None,
            "forceDestroy": state.get("forceDestroy", False),  # envctl's, not Route 53's
            "vpcs": [{"vpcId": v["VPCId"], "vpcRegion": v.get("VPCRegion") or ctx.region}
                     for v in answer.get("VPCs") or []],
            "zoneId": id,
            "arn": f"arn:{ctx.partition}:route53:::hostedzone/{id}",
            "nameServers": sorted(servers),
            "primaryNameServer": servers[0] if servers else "",
            **cloud_tags(ctx, "hostedzone", id, state),
        }


def _vpc(ctx: AwsContext, block: dict[str, Any]) -> dict[str, str]:
    return {"VPCId": block["vpcId"], "VPCRegion": block.get("vpcRegion") or ctx.region}


def _delete_records(client: Any, zone_id: str, zone_name: str) -> None:
    """forceDestroy: every record set but the zone's own NS and SOA, deleted as listed."""
    apex = without_trailing_dot(zone_name)
    changes = [{"Action": "DELETE", "ResourceRecordSet": {**record, "Name": record["Name"].rstrip(".")}}
               for record in listed(client, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
               if not (record["Type"] in _APEX_TYPES and without_trailing_dot(record["Name"]) == apex)]
    if changes:
        client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


@invoke("aws:route53/getZone:getZone")
def get_zone(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_route53_zone data source: by zoneId, or by name (public unless privateZone), with vpcId and
    tags narrowing the matches to exactly one."""
    client = ctx.client("route53")
    if args.get("zoneId"):
        candidates = [bare_zone_id(args["zoneId"])]
    elif args.get("name"):
        wanted = without_trailing_dot(args["name"])
        private = bool(args.get("privateZone") or args.get("vpcId"))
        candidates = [bare_zone_id(z["Id"]) for z in listed(client, "list_hosted_zones", "HostedZones")
                      if without_trailing_dot(z["Name"]) == wanted and z["Config"].get("PrivateZone", False) == private]
    else:
        raise BadInput("getZone needs either zoneId or name")
    zones = [zone for zone in (_zone_lookup(ctx, candidate, args) for candidate in candidates) if zone]
    if len(zones) != 1:
        raise BadInput(f"getZone: {'no' if not zones else 'multiple'} Route 53 hosted zone(s) matched "
                       f"{ {k: v for k, v in args.items() if v not in (None, '', {}, False)} }")
    return zones[0]


def _zone_lookup(ctx: AwsContext, zone_id: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """The zone's attributes, or None when its VPCs or tags do not match the lookup's."""
    answer = ctx.client("route53").get_hosted_zone(Id=zone_id)
    zone, servers = answer["HostedZone"], (answer.get("DelegationSet") or {}).get("NameServers") or []
    tags = cloud_tags(ctx, "hostedzone", zone_id, {})["tagsAll"]
    if args.get("vpcId") and args["vpcId"] not in [v["VPCId"] for v in answer.get("VPCs") or []]:
        return None
    if any(tags.get(key) != value for key, value in (args.get("tags") or {}).items()):
        return None
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:{ctx.partition}:route53:::hostedzone/{zone_id}",
        "name": without_trailing_dot(zone["Name"]),
        "callerReference": zone.get("CallerReference", ""),
        "comment": zone.get("Config", {}).get("Comment", ""),
        "privateZone": zone.get("Config", {}).get("PrivateZone", False),
        "resourceRecordSetCount": zone.get("ResourceRecordSetCount", 0),
        "nameServers": servers,
        "primaryNameServer": servers[0] if servers else "",
        "linkedServiceDescription": zone.get("LinkedService", {}).get("Description", ""),
        "linkedServicePrincipal": zone.get("LinkedService", {}).get("ServicePrincipal", ""),
        "enableAcceleratedRecovery": False,
        "vpcId": args.get("vpcId") or "",
        "tags": tags,
    }
