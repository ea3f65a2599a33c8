"""dns-failover: the failover pair is tied to its health checks, the weighted pair splits api.<domain>, and moving
more traffic to the canary changes the two weights in place."""

from __future__ import annotations

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

DOMAIN = "status.example.net"


def record_sets(cloud: Cloud, out: Outputs, name: str) -> list[dict[str, Any]]:
    listed = cloud.client("route53").list_resource_record_sets(HostedZoneId=out["zone_id"])["ResourceRecordSets"]
    return [r for r in listed if r["Name"] == f"{name}."]


def weights(cloud: Cloud, out: Outputs) -> dict[str, int]:
    return {r["SetIdentifier"]: r["Weight"] for r in record_sets(cloud, out, f"api.{DOMAIN}")}


def verify_failover(cloud: Cloud, out: Outputs) -> None:
    route53 = cloud.client("route53")
    assert out["zone_name"] == DOMAIN and out["looked_up_zone_id"] == out["zone_id"] and out["name_servers"]
    by_role = {r["Failover"]: r for r in record_sets(cloud, out, f"app.{DOMAIN}")}
    assert by_role["PRIMARY"]["HealthCheckId"] == out["primary_health_check"]
    assert by_role["SECONDARY"]["HealthCheckId"] == out["standby_health_check"]
    assert by_role["PRIMARY"]["ResourceRecords"] == [{"Value": "app-us-east-1.example.net"}]
    for key, host in (("primary_health_check", "app-us-east-1.example.net"),
                      ("standby_health_check", "app-us-west-2.example.net")):
        config = route53.get_health_check(HealthCheckId=out[key])["HealthCheck"]["HealthCheckConfig"]
        assert (config["Type"], config["FullyQualifiedDomainName"], config["ResourcePath"]) == \
            ("HTTPS", host, "/healthz")
    assert weights(cloud, out) == {"stable": 90, "canary": 10}
    [txt] = [r for r in record_sets(cloud, out, DOMAIN) if r["Type"] == "TXT"]
    assert txt["ResourceRecords"] == [{"Value": '"owner=platform-team stack=test"'}]
    tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=out["zone_id"])["ResourceTagSet"]
    assert {"Key": "Environment", "Value": "test"} in tags["Tags"]


def verify_half_canary(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["zone_id"] == before["zone_id"]
    assert weights(cloud, after) == {"stable": 50, "canary": 50}


RECORD = "aws:route53/record:Record"
CASE = ProgramCase(
    "dns-failover", verify_failover,
    Edit(set_config("test", canaryWeight="50"), (("update", RECORD), ("update", RECORD)), verify_half_canary),
)
