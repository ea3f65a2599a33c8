"""aws:route53 record sets: simple, alias and routed (weighted, failover, latency, geolocation, multivalue)."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.route53.shared import ZONE_GONE, without_trailing_dot
from envctl.providers.aws.registry import resource_type

_QUOTED_TYPES = ("TXT", "SPF")  # whose values Route 53 takes in double quotes, which Terraform adds
_ROUTING_FIELDS = {  # the routing policy blocks and their fields
    "weightedRoutingPolicies": ("weight",),
    "failoverRoutingPolicies": ("type",),
    "latencyRoutingPolicies": ("region",),
    "geolocationRoutingPolicies": ("continent", "country", "subdivision"),
}
_ROUTING = tuple(_ROUTING_FIELDS)
_ALIAS_FIELDS = ("name", "zoneId", "evaluateTargetHealth")
_GEOLOCATION = (("continent", "ContinentCode"), ("country", "CountryCode"), ("subdivision", "SubdivisionCode"))


@resource_type
class Record(AwsResource):
    token = "aws:route53/record:Record"
    regional = False
    taggable = False
    required = ("name", "type", "zoneId")
    # A new type or set identifier is changed in place, as Terraform does: the old record set is swapped for the
    # new one in one change batch, and the id (which names both) changes with it.
    force_new = frozenset({"zoneId", "name"})
    handled = frozenset({"ttl", "records", "aliases", "setIdentifier", "healthCheckId", "allowOverwrite",
                         "multivalueAnswerRoutingPolicy", *_ROUTING})
    unsupported = {
        "cidrRoutingPolicy": "CIDR routing (CIDR collections) is not emulated by the local cloud",
        "geoproximityRoutingPolicy": "geoproximity routing is not emulated by the local cloud",
    }
    outputs = frozenset({"fqdn"})
    set_properties = ("records",)

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Names as Terraform keeps them (lower case, no trailing dot), and ttl as a number."""
        news = dict(news)
        if isinstance(news.get("name"), str):
            news["name"] = without_trailing_dot(news["name"])
        if isinstance(news.get("ttl"), str) and news["ttl"].isdigit():
            news["ttl"] = int(news["ttl"])
        if isinstance(news.get("aliases"), list):
            news["aliases"] = [_normal_alias(alias) for alias in news["aliases"]]
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        for key, fields in (("aliases", _ALIAS_FIELDS), *_ROUTING_FIELDS.items()):
            if isinstance(inputs.get(key), list):
                failures.extend(unsupported_fields(self.token, key, inputs[key], fields))
        known = not contains_unknown([inputs.get(k) for k in ("aliases", "ttl", "records", "setIdentifier")])
        if known and inputs.get("aliases") and (inputs.get("ttl") is not None or inputs.get("records")):
            failures.append(CheckFailure("aliases", "an alias record takes neither ttl nor records"))
        if known and not inputs.get("aliases") and inputs.get("records") and inputs.get("ttl") is None:
            failures.append(CheckFailure("ttl", "ttl is required for a record with records"))
        routed = [key for key in (*_ROUTING, "multivalueAnswerRoutingPolicy") if inputs.get(key)]
        if len(routed) > 1:
            failures.append(CheckFailure(routed[1], f"only one routing policy may be set, got {', '.join(routed)}"))
        if known and routed and not inputs.get("setIdentifier"):
            failures.append(CheckFailure("setIdentifier", f"{routed[0]} needs setIdentifier"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("route53")
        record = _record_set(inputs, _zone_name(ctx, inputs["zoneId"]))
        if not inputs.get("allowOverwrite") and _find(ctx, inputs["zoneId"], record) is not None:
            raise OperationFailed(
                f"Route 53 record set {record['Name']} ({record['Type']}) already exists in zone {inputs['zoneId']}; "
                "import it, or set allowOverwrite to manage it")
        action = "UPSERT" if inputs.get("allowOverwrite") else "CREATE"
        _change(client, inputs["zoneId"], action, record)
        id = record_id(inputs)
        return id, self.read_back(ctx, id, inputs)

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [record_id(inputs)]  # read finds the record set by its inputs

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        zone_name = _zone_name(ctx, news["zoneId"])
        record = _record_set(news, zone_name)
        client = ctx.client("route53")
        if {"type", "setIdentifier"} & set(diff.changed):
            old = _find(ctx, olds["zoneId"], _record_set(olds, zone_name))
            changes = [{"Action": "CREATE", "ResourceRecordSet": record}]
            if old is not None:
                changes.insert(0, {"Action": "DELETE", "ResourceRecordSet": {**old, "Name": old["Name"].rstrip(".")}})
            client.change_resource_record_sets(HostedZoneId=news["zoneId"], ChangeBatch={"Changes": changes})
        elif set(diff.changed) - {"allowOverwrite"}:
            _change(client, news["zoneId"], "UPSERT", record)
        new_id = record_id(news)
        return {**self.read_back(ctx, new_id, news), "id": new_id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        zone_name = _zone_name(ctx, state["zoneId"], missing_ok=True)
        found = _find(ctx, state["zoneId"], _record_set(state, zone_name)) if zone_name is not None else None
        if found is not None:  # deleted as Route 53 holds it: a delete must repeat every value
            _change(ctx.client("route53"), state["zoneId"], "DELETE", {**found, "Name": found["Name"].rstrip(".")})

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        zone_id = state.get("zoneId") or id.split("_", 1)[0]
        zone_name = _zone_name(ctx, zone_id, missing_ok=True)
        if zone_name is None or not state.get("name"):
            return None
        found = _find(ctx, zone_id, _record_set(state, zone_name))
        return None if found is None else {**state, **_from_cloud(found, state), "id": id}


def record_id(inputs: Props) -> str:
    """Terraform's id of a record set: zone, name, type and, for a routed one, its set identifier."""
    return "_".join(part for part in (inputs["zoneId"], inputs["name"], inputs["type"], inputs.get("setIdentifier"))
                    if part)


def _normal_alias(alias: Any) -> Any:
    if isinstance(alias, dict) and isinstance(alias.get("name"), str):
        return {**alias, "name": without_trailing_dot(alias["name"])}
    return alias


def _zone_name(ctx: AwsContext, zone_id: str, missing_ok: bool = False) -> str | None:
    answer = found_or_none(ctx.client("route53").get_hosted_zone, ZONE_GONE, Id=zone_id)
    if answer is None and not missing_ok:
        raise OperationFailed(f"Route 53 hosted zone {zone_id} does not exist")
    return None if answer is None else without_trailing_dot(answer["HostedZone"]["Name"])


def full_name(name: str, zone_name: str) -> str:
    """Terraform's expandRecordName: a name outside the zone's domain is taken relative to it."""
    name = without_trailing_dot(name)
    if not name:
        return zone_name
    return name if name == zone_name or name.endswith("." + zone_name) else f"{name}.{zone_name}"


def _record_set(inputs: Props, zone_name: str) -> dict[str, Any]:
    """The ResourceRecordSet the inputs describe."""
    record: dict[str, Any] = {"Name": full_name(inputs["name"], zone_name), "Type": inputs["type"]}
    if inputs.get("setIdentifier"):
        record["SetIdentifier"] = inputs["setIdentifier"]
    if inputs.get("aliases"):
        alias = inputs["aliases"][0]
        record["AliasTarget"] = {"HostedZoneId": alias["zoneId"], "DNSName": alias["name"],
                                 "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth"))}
    else:
        record["TTL"] = int(inputs.get("ttl") or 0)
        record["ResourceRecords"] = [{"Value": _quoted(inputs["type"], value)} for value in inputs.get("records") or []]
    routing = {key: (inputs.get(key) or [None])[0] for key in _ROUTING}
    if routing["weightedRoutingPolicies"]:
        record["Weight"] = int(routing["weightedRoutingPolicies"]["weight"])
    if routing["failoverRoutingPolicies"]:
        record["Failover"] = routing["failoverRoutingPolicies"]["type"]
    if routing["latencyRoutingPolicies"]:
        record["Region"] = routing["latencyRoutingPolicies"]["region"]
    if routing["geolocationRoutingPolicies"]:
        geo = routing["geolocationRoutingPolicies"]
        record["GeoLocation"] = {api: geo[wire] for wire, api in _GEOLOCATION if geo.get(wire)}
    if inputs.get("multivalueAnswerRoutingPolicy"):
        record["MultiValueAnswer"] = True
    if inputs.get("healthCheckId"):
        record["HealthCheckId"] = inputs["healthCheckId"]
    return record


def _quoted(type_: str, value: str) -> str:
    if type_ in _QUOTED_TYPES and not (value.startswith('"') and value.endswith('"')):
        return f'"{value}"'
    return value


def _unquoted(type_: str, value: str) -> str:
    if type_ in _QUOTED_TYPES and len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return value


def _change(client: Any, zone_id: str, action: str, record: dict[str, Any]) -> None:
    client.change_resource_record_sets(HostedZoneId=zone_id,
                                       ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]})


def _find(ctx: AwsContext, zone_id: str, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The record set with the wanted name, type and set identifier, as Route 53 lists it."""
    name = without_trailing_dot(wanted["Name"])
    for record in listed(ctx.client("route53"), "list_resource_record_sets", "ResourceRecordSets",
                         HostedZoneId=zone_id):
        if (without_trailing_dot(record["Name"]) == name and record["Type"] == wanted["Type"]
                and record.get("SetIdentifier") == wanted.get("SetIdentifier")):
            return record
    return None


def _from_cloud(record: dict[str, Any], state: Props) -> Props:
    alias = record.get("AliasTarget")
    type_ = record["Type"]
    return {
        "type": type_,
        "fqdn": without_trailing_dot(record["Name"]),
        "ttl": record.get("TTL") if not alias else None,
        "records": sorted(_unquoted(type_, r["Value"]) for r in record.get("ResourceRecords") or []) or None,
        "aliases": [{"name": without_trailing_dot(alias["DNSName"]), "zoneId": alias["HostedZoneId"],
                     "evaluateTargetHealth": bool(alias.get("EvaluateTargetHealth"))}] if alias else None,
        "setIdentifier": record.get("SetIdentifier"),
        "healthCheckId": record.get("HealthCheckId"),
        "weightedRoutingPolicies": [{"weight": record["Weight"]}] if record.get("Weight") is not None else None,
        "failoverRoutingPolicies": [{"type": record["Failover"]}] if record.get("Failover") else None,
        "latencyRoutingPolicies": [{"region": record["Region"]}] if record.get("Region") else None,
        "geolocationRoutingPolicies": [_geolocation(record["GeoLocation"])] if record.get("GeoLocation") else None,
        "multivalueAnswerRoutingPolicy": record.get("MultiValueAnswer") or None,
        "allowOverwrite": state.get("allowOverwrite"),  # how envctl writes, not part of the record
    }


def _geolocation(geo: dict[str, str]) -> dict[str, str]:
    return {wire: geo[api] for wire, api in _GEOLOCATION if geo.get(api)}
