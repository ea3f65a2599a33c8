"""Internal service discovery: a VPC with a private DNS namespace, and a Fargate service whose tasks register
under api.<namespace> so that other services find them by name."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
dns_ttl = config.get_int("dnsTtl") or 10

vpc = aws.ec2.Vpc("apps", cidr_block="10.40.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
subnet = aws.ec2.Subnet("apps-a", vpc_id=vpc.id, cidr_block="10.40.1.0/24", availability_zone="us-east-1a")

namespace = aws.servicediscovery.PrivateDnsNamespace(
    "internal",
    name=f"{pulumi.get_stack()}.internal",
    description="Services of the apps VPC",
    vpc=vpc.id,
    tags={"team": "platform"},
)

api_discovery = aws.servicediscovery.Service(
    "api",
    name="api",
    dns_config=aws.servicediscovery.ServiceDnsConfigArgs(
        namespace_id=namespace.id,
        routing_policy="MULTIVALUE",
        dns_records=[aws.servicediscovery.ServiceDnsConfigDnsRecordArgs(ttl=dns_ttl, type="A")],
    ),
    health_check_custom_config=aws.servicediscovery.ServiceHealthCheckCustomConfigArgs(failure_threshold=1),
)

cluster = aws.ecs.Cluster("apps")
task = aws.ecs.TaskDefinition(
    "api",
    family="api",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps([{
        "name": "api",
        "image": "public.ecr.aws/nginx/nginx:1.27",
        "portMappings": [{"containerPort": 80}],
    }]),
)

service = aws.ecs.Service(
    "api",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(subnets=[subnet.id]),
    service_registries=aws.ecs.ServiceServiceRegistriesArgs(registry_arn=api_discovery.arn),
)

pulumi.export("namespace_id", namespace.id)
pulumi.export("hosted_zone", namespace.hosted_zone)
pulumi.export("discovery_service_id", api_discovery.id)
pulumi.export("cluster_arn", cluster.arn)
pulumi.export("service_name", service.name)
