"""Does the cloud still hold a Route 53 zone, record set or health check a program made?"""

from __future__ import annotations

from typing import Any

from probing import Probe, listed, present

ZONE_GONE = "NoSuchHostedZone"


def _record_listed(c: Any, id: str, o: dict[str, Any]) -> bool:
    def found(answer: dict[str, Any]) -> bool:
        return any(r["Name"].rstrip(".") == o["fqdn"] and r["Type"] == o["type"]
                   and r.get("SetIdentifier") == o.get("setIdentifier") for r in answer["ResourceRecordSets"])
    return listed(lambda: c("route53").list_resource_record_sets(HostedZoneId=o["zoneId"]), found, ZONE_GONE)


PROBES: dict[str, Probe] = {
    "aws:route53/zone:Zone": lambda c, id, o: present(lambda: c("route53").get_hosted_zone(Id=id), ZONE_GONE),
    "aws:route53/record:Record": _record_listed,
    "aws:route53/healthCheck:HealthCheck": lambda c, id, o: present(
        lambda: c("route53").get_health_check(HealthCheckId=id), "NoSuchHealthCheck"),
}
