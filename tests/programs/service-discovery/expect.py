"""service-discovery: the namespace, its service's DNS records, and the ECS service registered in it; a new TTL
updates the discovery service in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

DISCOVERY_SERVICE = "aws:servicediscovery/service:Service"


def _discovery(cloud: Cloud, out: Outputs) -> dict:
    return cloud.client("servicediscovery").get_service(Id=out["discovery_service_id"])["Service"]


def verify(cloud: Cloud, out: Outputs) -> None:
    cloud_map = cloud.client("servicediscovery")
    namespace = cloud_map.get_namespace(Id=out["namespace_id"])["Namespace"]
    assert namespace["Name"] == "test.internal" and namespace["Type"] == "DNS_PRIVATE"
    assert namespace["Properties"]["DnsProperties"]["HostedZoneId"] == out["hosted_zone"]
    discovery = _discovery(cloud, out)
    assert discovery["Name"] == "api" and discovery["DnsConfig"]["DnsRecords"] == [{"TTL": 10, "Type": "A"}]
    assert discovery["DnsConfig"]["RoutingPolicy"] == "MULTIVALUE"
    [service] = cloud.client("ecs").describe_services(cluster=out["cluster_arn"], services=[out["service_name"]])[
        "services"]
    assert service["serviceRegistries"] == [{"registryArn": discovery["Arn"]}]


def verify_new_ttl(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert _discovery(cloud, after)["DnsConfig"]["DnsRecords"] == [{"TTL": 60, "Type": "A"}]
    assert after["discovery_service_id"] == before["discovery_service_id"]


CASE = ProgramCase("service-discovery", verify,
                   Edit(set_config("test", dnsTtl="60"), (("update", DISCOVERY_SERVICE),), verify_new_ttl))
