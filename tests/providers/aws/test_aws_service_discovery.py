"""Cloud Map private DNS namespaces and services, against the session's moto server."""

from __future__ import annotations

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioned, Provisioner, provider, unique

NAMESPACE = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
SERVICE = "aws:servicediscovery/service:Service"


def test_private_dns_namespace_and_service(provisioner: Provisioner, aws_ctx: AwsContext, vpc: Provisioned) -> None:
    cloud_map = aws_ctx.client("servicediscovery")
    name = f"{unique('internal')}.local"
    namespace = provisioner.create(NAMESPACE, "internal", {"name": name, "vpc": vpc.id, "description": "services",
                                                           "tags": {"team": "platform"}})
    described = cloud_map.get_namespace(Id=namespace.id)["Namespace"]
    assert described["Name"] == name and described["Type"] == "DNS_PRIVATE"
    zone = described["Properties"]["DnsProperties"]["HostedZoneId"]
    assert namespace.outputs["hostedZone"] == zone and namespace.outputs["arn"] == described["Arn"]
    assert namespace.outputs["tags"] == {"team": "platform"}
    assert provisioner.read(namespace) == namespace.outputs
    imported = provider(NAMESPACE).read(aws_ctx, f"{namespace.id}:{vpc.id}", {})
    assert imported is not None and imported["vpc"] == vpc.id and imported["name"] == name
    assert provisioner.plan(namespace, {"vpc": "vpc-0123456789abcdef0"}).replaces == ("vpc",)
    namespace = provisioner.update(namespace, {"description": "internal services",
                                               "tags": {"team": "platform", "tier": "core"}})
    assert cloud_map.get_namespace(Id=namespace.id)["Namespace"]["Description"] == "internal services"
    assert namespace.outputs["tagsAll"]["tier"] == "core"

    dns = {"namespaceId": namespace.id, "routingPolicy": "MULTIVALUE", "dnsRecords": [{"ttl": 10, "type": "A"}]}
    service = provisioner.create(SERVICE, "api", {"dnsConfig": dns, "healthCheckCustomConfig": {"failureThreshold": 1}})
    described = cloud_map.get_service(Id=service.id)["Service"]
    assert described["Name"] == service.inputs["name"]
    assert described["DnsConfig"]["DnsRecords"] == [{"TTL": 10, "Type": "A"}]
    assert service.outputs["dnsConfig"] == dns and service.outputs["namespaceId"] == namespace.id
    assert provisioner.read(service) == service.outputs
    assert provisioner.plan(service, {"dnsConfig": {**dns, "routingPolicy": "WEIGHTED"}}).replaces == ("dnsConfig",)
    service = provisioner.update(service, {"description": "the API",
                                           "dnsConfig": {**dns, "dnsRecords": [{"ttl": 60, "type": "A"}]}})
    described = cloud_map.get_service(Id=service.id)["Service"]
    assert described["Description"] == "the API"
    assert described["DnsConfig"]["DnsRecords"] == [{"TTL": 60, "Type": "A"}]
    provisioner.assert_deleted(service)
    assert service.id not in {s["Id"] for s in cloud_map.list_services()["Services"]}
    provisioner.assert_deleted(namespace)
    assert namespace.id not in {n["Id"] for n in cloud_map.list_namespaces()["Namespaces"]}
