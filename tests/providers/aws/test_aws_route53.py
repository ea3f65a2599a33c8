"""Route 53 hosted zones, record sets (simple, alias, weighted, failover) and health checks, and the getZone lookup,
against the session's moto server."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Made, Provisioner, checked, failures, invoke, provider, tag_map, unique

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


def record_sets(ctx: AwsContext, zone_id: str, name: str) -> list[dict[str, Any]]:
    listed = ctx.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return [r for r in listed if r["Name"].rstrip(".") == name]


@pytest.fixture
def zone(provisioner: Provisioner) -> Made:
    return provisioner.create(ZONE, "site-zone", {"name": f"{unique('site')}.example.com"})


# ---- Zone -----------------------------------------------------------------------------------


def test_zone_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    route53 = aws_ctx.client("route53")
    domain = f"{unique('shop')}.example.com"
    zone = provisioner.create(ZONE, "shop", {"name": domain, "tags": {"team": "web"}})

    answer = route53.get_hosted_zone(Id=zone.id)
    assert answer["HostedZone"]["Name"] == f"{domain}." and not zone.id.startswith("/")
    assert answer["HostedZone"]["Config"]["Comment"] == "Managed by Pulumi"
    assert zone.outputs["zoneId"] == zone.id and zone.outputs["arn"] == f"arn:aws:route53:::hostedzone/{zone.id}"
    assert zone.outputs["nameServers"] == sorted(answer["DelegationSet"]["NameServers"])
    assert zone.outputs["primaryNameServer"] in zone.outputs["nameServers"]
    cloud_tags = tag_map(route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone.id)
                         ["ResourceTagSet"]["Tags"])
    assert cloud_tags["team"] == "web" and cloud_tags["envctl:urn"] == zone.urn
    assert provisioner.read(zone)["name"] == domain
    assert not provisioner.plan(zone, {}).has_changes
    assert not provisioner.plan(zone, {"name": f"{domain.upper()}."}).has_changes  # the same zone
    assert provisioner.plan(zone, {"name": f"other-{domain}"}).replaces == ("name",)

    zone = provisioner.update(zone, {"comment": "storefront", "tags": {"team": "shop"}})
    assert route53.get_hosted_zone(Id=zone.id)["HostedZone"]["Config"]["Comment"] == "storefront"
    assert provisioner.read(zone)["tags"] == {"team": "shop"}

    provisioner.assert_deleted(zone)
    assert zone.id not in [z["Id"].rsplit("/", 1)[-1] for z in route53.list_hosted_zones()["HostedZones"]]


def test_a_zone_is_auto_named_and_refuses_what_the_local_cloud_cannot_emulate() -> None:
    assert checked(ZONE, "apex", {})["name"].startswith("apex-")
    assert "not emulated by the local cloud" in failures(ZONE, name="a.example.com",
                                                         enableAcceleratedRecovery=True)["enableAcceleratedRecovery"]


def test_a_private_zone_follows_its_vpcs(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    ec2, route53 = aws_ctx.client("ec2"), aws_ctx.client("route53")
    first, second = (ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"] for cidr in ("10.61.0.0/16", "10.62.0.0/16"))
    try:
        zone = provisioner.create(ZONE, "internal", {"name": f"{unique('corp')}.internal",
                                                      "vpcs": [{"vpcId": first}]})
        answer = route53.get_hosted_zone(Id=zone.id)
        assert answer["HostedZone"]["Config"]["PrivateZone"] is True
        assert [v["VPCId"] for v in answer["VPCs"]] == [first]
        found = invoke("aws:route53/getZone:getZone", aws_ctx, {"name": zone.inputs["name"], "vpcId": first})
        assert found["zoneId"] == zone.id and found["privateZone"] is True and found["vpcId"] == first
        with pytest.raises(BadInput, match="no Route 53 hosted zone"):
            invoke("aws:route53/getZone:getZone", aws_ctx, {"name": zone.inputs["name"]})  # a public one
        zone = provisioner.update(zone, {"vpcs": [{"vpcId": second, "vpcRegion": "us-east-1"}]})
        assert [v["VPCId"] for v in route53.get_hosted_zone(Id=zone.id)["VPCs"]] == [second]
        assert zone.outputs["vpcs"] == [{"vpcId": second, "vpcRegion": "us-east-1"}]
        provisioner.assert_deleted(zone)
    finally:
        for vpc in (first, second):
            ec2.delete_vpc(VpcId=vpc)


def test_a_zone_with_records_is_deleted_only_when_force_destroy_is_set(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    route53 = aws_ctx.client("route53")
    zone = provisioner.create(ZONE, "busy", {"name": f"{unique('busy')}.example.com"})
    name = f"made-by-hand.{zone.inputs['name']}"
    route53.change_resource_record_sets(HostedZoneId=zone.id, ChangeBatch={"Changes": [{
        "Action": "CREATE",
        "ResourceRecordSet": {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
    with pytest.raises(ClientError, match="HostedZoneNotEmpty"):
        provider(ZONE).delete(aws_ctx, zone.id, zone.outputs)
    zone = provisioner.update(zone, {"forceDestroy": True})
    provisioner.assert_deleted(zone)


# ---- Record ---------------------------------------------------------------------------------


def test_a_simple_record_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext, zone: Made) -> None:
    domain = zone.inputs["name"]
    record = provisioner.create(RECORD, "www", {"zoneId": zone.id, "name": "www", "type": "A", "ttl": 300,
                                                "records": ["192.0.2.20", "192.0.2.10"]})

    [found] = record_sets(aws_ctx, zone.id, f"www.{domain}")
    assert (found["Type"], found["TTL"]) == ("A", 300)
    assert sorted(r["Value"] for r in found["ResourceRecords"]) == ["192.0.2.10", "192.0.2.20"]
    assert record.id == f"{zone.id}_www_A" and record.outputs["fqdn"] == f"www.{domain}"
    assert provisioner.read(record)["records"] == ["192.0.2.10", "192.0.2.20"]
    assert not provisioner.plan(record, {"records": ["192.0.2.10", "192.0.2.20"]}).has_changes
    assert not provisioner.plan(record, {"ttl": "300"}).has_changes  # as pulumi-aws sends a string
    assert provisioner.plan(record, {"name": "api"}).replaces == ("name",)

    record = provisioner.update(record, {"ttl": 60, "records": ["192.0.2.30"]})
    [found] = record_sets(aws_ctx, zone.id, f"www.{domain}")
    assert found["TTL"] == 60 and found["ResourceRecords"] == [{"Value": "192.0.2.30"}]

    provisioner.assert_deleted(record)
    assert record_sets(aws_ctx, zone.id, f"www.{domain}") == []


def test_a_new_type_swaps_the_record_set_in_place(provisioner: Provisioner, aws_ctx: AwsContext, zone: Made) -> None:
    domain = zone.inputs["name"]
    record = provisioner.create(RECORD, "docs", {"zoneId": zone.id, "name": "docs", "type": "A", "ttl": 60,
                                                 "records": ["192.0.2.40"]})
    resource = provider(RECORD)
    news = checked(RECORD, "docs", {**record.inputs, "type": "CNAME", "records": ["docs.example.net"]}, record.inputs)
    diff = resource.diff(record.inputs, news)
    assert diff.has_changes and not diff.needs_replace
    outputs = resource.update(aws_ctx, record.urn, record.id, record.outputs, news, diff)
    assert outputs["id"] == f"{zone.id}_docs_CNAME"
    [found] = record_sets(aws_ctx, zone.id, f"docs.{domain}")
    assert (found["Type"], found["ResourceRecords"]) == ("CNAME", [{"Value": "docs.example.net"}])
    resource.delete(aws_ctx, outputs["id"], outputs)
    assert record_sets(aws_ctx, zone.id, f"docs.{domain}") == []


def test_txt_values_are_quoted_as_route53_takes_them(provisioner: Provisioner, aws_ctx: AwsContext,
                                                     zone: Made) -> None:
    record = provisioner.create(RECORD, "spf", {"zoneId": zone.id, "name": zone.inputs["name"], "type": "TXT",
                                                "ttl": 300, "records": ["v=spf1 -all"]})
    [found] = [r for r in record_sets(aws_ctx, zone.id, zone.inputs["name"]) if r["Type"] == "TXT"]
    assert found["ResourceRecords"] == [{"Value": '"v=spf1 -all"'}]
    assert provisioner.read(record)["records"] == ["v=spf1 -all"]


def test_an_alias_record_names_its_target(provisioner: Provisioner, aws_ctx: AwsContext, zone: Made) -> None:
    alias = {"name": "D111111ABCDEF8.cloudfront.net.", "zoneId": CLOUDFRONT_ZONE, "evaluateTargetHealth": False}
    record = provisioner.create(RECORD, "apex", {"zoneId": zone.id, "name": zone.inputs["name"], "type": "A",
                                                 "aliases": [alias]})
    [found] = [r for r in record_sets(aws_ctx, zone.id, zone.inputs["name"]) if r["Type"] == "A"]
    assert found["AliasTarget"]["DNSName"].rstrip(".") == "d111111abcdef8.cloudfront.net"
    assert found["AliasTarget"]["HostedZoneId"] == CLOUDFRONT_ZONE and "TTL" not in found
    assert provisioner.read(record)["aliases"] == [{**alias, "name": "d111111abcdef8.cloudfront.net"}]
    assert not provisioner.plan(record, {"aliases": [alias]}).has_changes
    assert "aliases" in failures(RECORD, zoneId=zone.id, name="x", type="A", ttl=60, records=["192.0.2.1"],
                                 aliases=[alias])


def test_an_existing_record_is_taken_over_only_with_allow_overwrite(
    provisioner: Provisioner, aws_ctx: AwsContext, zone: Made
) -> None:
    name = f"legacy.{zone.inputs['name']}"
    aws_ctx.client("route53").change_resource_record_sets(HostedZoneId=zone.id, ChangeBatch={"Changes": [{
        "Action": "CREATE",
        "ResourceRecordSet": {"Name": name, "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": "old.test"}]}}]})
    inputs = {"zoneId": zone.id, "name": name, "type": "CNAME", "ttl": 120, "records": ["new.test"]}
    with pytest.raises(OperationFailed, match="already exists"):
        provisioner.create(RECORD, "legacy", inputs)
    record = provisioner.create(RECORD, "legacy", {**inputs, "allowOverwrite": True})
    [found] = record_sets(aws_ctx, zone.id, name)
    assert found["ResourceRecords"] == [{"Value": "new.test"}] and found["TTL"] == 120
    assert not provisioner.plan(record, {}).has_changes
    provisioner.assert_deleted(record)


def test_weighted_records_share_a_name(provisioner: Provisioner, aws_ctx: AwsContext, zone: Made) -> None:
    name = f"api.{zone.inputs['name']}"
    blue, green = (provisioner.create(RECORD, color, {
        "zoneId": zone.id, "name": name, "type": "CNAME", "ttl": 60, "records": [f"{color}.test"],
        "setIdentifier": color, "weightedRoutingPolicies": [{"weight": weight}]})
        for color, weight in (("blue", 90), ("green", 10)))
    weights = {r["SetIdentifier"]: r["Weight"] for r in record_sets(aws_ctx, zone.id, name)}
    assert weights == {"blue": 90, "green": 10} and blue.id == f"{zone.id}_{name}_CNAME_blue"
    assert provisioner.read(green)["weightedRoutingPolicies"] == [{"weight": 10}]
    assert not provisioner.plan(blue, {"setIdentifier": "cyan"}).needs_replace

    green = provisioner.update(green, {"weightedRoutingPolicies": [{"weight": 50}]})
    assert {r["SetIdentifier"]: r["Weight"] for r in record_sets(aws_ctx, zone.id, name)}["green"] == 50
    provisioner.assert_deleted(green)
    assert [r["SetIdentifier"] for r in record_sets(aws_ctx, zone.id, name)] == ["blue"]
    assert "setIdentifier" in failures(RECORD, zoneId=zone.id, name=name, type="A", ttl=60, records=["192.0.2.1"],
                                       weightedRoutingPolicies=[{"weight": 1}])
    assert "not emulated by the local cloud" in failures(
        RECORD, zoneId=zone.id, name=name, type="A", cidrRoutingPolicy={"collectionId": "c", "locationName": "l"}
    )["cidrRoutingPolicy"]


# ---- HealthCheck and failover ---------------------------------------------------------------


def test_a_health_check_lifecycle_and_failover_records(provisioner: Provisioner, aws_ctx: AwsContext,
                                                       zone: Made) -> None:
    route53 = aws_ctx.client("route53")
    check = provisioner.create(HEALTH_CHECK, "primary", {
        "type": "HTTPS", "fqdn": "primary.example.net", "port": 443, "resourcePath": "/health",
        "failureThreshold": 3, "requestInterval": 30, "tags": {"Name": "primary"}})
    config = route53.get_health_check(HealthCheckId=check.id)["HealthCheck"]["HealthCheckConfig"]
    assert (config["Type"], config["FullyQualifiedDomainName"], config["ResourcePath"]) == \
        ("HTTPS", "primary.example.net", "/health")
    assert check.outputs["arn"] == f"arn:aws:route53:::healthcheck/{check.id}"
    cloud_tags = tag_map(route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check.id)
                         ["ResourceTagSet"]["Tags"])
    assert cloud_tags["Name"] == "primary"
    assert not provisioner.plan(check, {}).has_changes
    assert provisioner.plan(check, {"type": "HTTP"}).replaces == ("type",)
    assert not provisioner.plan(check, {"type": "https"}).has_changes
    assert "regions" in failures(HEALTH_CHECK, type="HTTP", fqdn="a.example.net", regions=["us-east-1"])

    check = provisioner.update(check, {"resourcePath": "/ready", "failureThreshold": 5})
    config = route53.get_health_check(HealthCheckId=check.id)["HealthCheck"]["HealthCheckConfig"]
    assert (config["ResourcePath"], config["FailureThreshold"]) == ("/ready", 5)

    name = f"app.{zone.inputs['name']}"
    primary = provisioner.create(RECORD, "app-primary", {
        "zoneId": zone.id, "name": name, "type": "CNAME", "ttl": 60, "records": ["primary.example.net"],
        "setIdentifier": "primary", "failoverRoutingPolicies": [{"type": "PRIMARY"}], "healthCheckId": check.id})
    provisioner.create(RECORD, "app-secondary", {
        "zoneId": zone.id, "name": name, "type": "CNAME", "ttl": 60, "records": ["standby.example.net"],
        "setIdentifier": "secondary", "failoverRoutingPolicies": [{"type": "SECONDARY"}]})
    by_role = {r["Failover"]: r for r in record_sets(aws_ctx, zone.id, name)}
    assert by_role["PRIMARY"]["HealthCheckId"] == check.id and "HealthCheckId" not in by_role["SECONDARY"]
    assert provisioner.read(primary)["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]

    provisioner.assert_deleted(primary)
    provisioner.assert_deleted(check)
    assert check.id not in [c["Id"] for c in route53.list_health_checks()["HealthChecks"]]
    assert "not emulated by the local cloud" in failures(HEALTH_CHECK, type="CLOUDWATCH_METRIC",
                                                         cloudwatchAlarmName="cpu")["cloudwatchAlarmName"]


# ---- getZone --------------------------------------------------------------------------------


def test_get_zone_by_name_and_by_id(aws_ctx: AwsContext, zone: Made) -> None:
    by_name = invoke("aws:route53/getZone:getZone", aws_ctx, {"name": zone.inputs["name"] + "."})
    assert by_name["zoneId"] == by_name["id"] == zone.id and by_name["name"] == zone.inputs["name"]
    assert by_name["nameServers"] and by_name["privateZone"] is False
    assert by_name["tags"]["envctl:urn"] == zone.urn
    assert invoke("aws:route53/getZone:getZone", aws_ctx, {"zoneId": zone.id})["name"] == zone.inputs["name"]
    with pytest.raises(BadInput, match="no Route 53 hosted zone"):
        invoke("aws:route53/getZone:getZone", aws_ctx, {"name": zone.inputs["name"], "privateZone": True})


def test_what_a_create_made_is_found_again_after_a_crash(provisioner: Provisioner, aws_ctx: AwsContext,
                                                         zone: Made) -> None:
    """A create whose outcome a crash left unknown: the zone and health check by their URN tag, the record by its
    identity."""
    record = provisioner.create(RECORD, "found", {"zoneId": zone.id, "name": "found", "type": "A", "ttl": 60,
                                                  "records": ["192.0.2.7"]})
    check = provisioner.create(HEALTH_CHECK, "found", {"type": "TCP", "ipAddress": "192.0.2.7", "port": 22})
    for made in (zone, record, check):
        found = provider(made.token).find(aws_ctx, made.urn, made.inputs, set())
        assert found is not None and found[0] == made.id, made.token
        assert provider(made.token).find(aws_ctx, made.urn, made.inputs, {made.id}) is None


@pytest.mark.parametrize(("policy", "cloud_field", "cloud_value"), [
    ({"latencyRoutingPolicies": [{"region": "eu-west-1"}]}, "Region", "eu-west-1"),
    ({"geolocationRoutingPolicies": [{"continent": "EU"}]}, "GeoLocation", {"ContinentCode": "EU"}),
    ({"multivalueAnswerRoutingPolicy": True}, "MultiValueAnswer", True),
])
def test_routed_records_keep_their_policy(provisioner: Provisioner, aws_ctx: AwsContext, zone: Made,
                                          policy: dict[str, Any], cloud_field: str, cloud_value: Any) -> None:
    record = provisioner.create(RECORD, "eu", {"zoneId": zone.id, "name": "eu", "type": "A", "ttl": 60,
                                               "records": ["192.0.2.50"], "setIdentifier": "eu", **policy})
    [found] = record_sets(aws_ctx, zone.id, f"eu.{zone.inputs['name']}")
    assert found[cloud_field] == cloud_value
    read = provisioner.read(record)
    assert {key: read[key] for key in policy} == policy
    assert not provisioner.plan(record, {}).has_changes


def test_a_calculated_health_check_follows_its_children(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    children = [provisioner.create(HEALTH_CHECK, f"child-{n}", {"type": "TCP", "ipAddress": f"192.0.2.{n}",
                                                                 "port": 443}) for n in (1, 2)]
    parent = provisioner.create(HEALTH_CHECK, "parent", {"type": "calculated", "childHealthThreshold": 1,
                                                          "childHealthchecks": [c.id for c in children]})
    config = aws_ctx.client("route53").get_health_check(HealthCheckId=parent.id)["HealthCheck"]["HealthCheckConfig"]
    assert config["Type"] == "CALCULATED" and config["HealthThreshold"] == 1
    assert sorted(config["ChildHealthChecks"]) == sorted(c.id for c in children)
    parent = provisioner.update(parent, {"childHealthThreshold": 2})
    assert provisioner.read(parent)["childHealthThreshold"] == 2
    assert not provisioner.plan(parent, {}).has_changes
