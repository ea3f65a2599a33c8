"""DNS for an app served from two regions: Route 53 sends app.<domain> to the primary while its health check passes
and to the standby otherwise, and api.<domain> splits traffic between the stable and the canary release."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
primary_host = config.require("primaryHost")
standby_host = config.require("standbyHost")
canary_weight = config.get_int("canaryWeight") or 0

zone = aws.route53.Zone("zone", name=domain, tags={"Environment": pulumi.get_stack()})


def health_check(name: str, host: str) -> aws.route53.HealthCheck:
    return aws.route53.HealthCheck(
        f"{name}-health",
        type="HTTPS",
        fqdn=host,
        port=443,
        resource_path="/healthz",
        failure_threshold=3,
        request_interval=30,
        tags={"Name": f"{name}-{domain}"},
    )


primary_health = health_check("primary", primary_host)
standby_health = health_check("standby", standby_host)

for role, host, check in (("PRIMARY", primary_host, primary_health), ("SECONDARY", standby_host, standby_health)):
    aws.route53.Record(
        f"app-{role.lower()}",
        zone_id=zone.zone_id,
        name=f"app.{domain}",
        type="CNAME",
        ttl=60,
        records=[host],
        set_identifier=role.lower(),
        failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=role)],
        health_check_id=check.id,
    )

for release, weight in (("stable", 100 - canary_weight), ("canary", canary_weight)):
    aws.route53.Record(
        f"api-{release}",
        zone_id=zone.zone_id,
        name="api",
        type="CNAME",
        ttl=60,
        records=[f"{release}.{primary_host}"],
        set_identifier=release,
        weighted_routing_policies=[aws.route53.RecordWeightedRoutingPolicyArgs(weight=weight)],
    )

aws.route53.Record("txt-owner", zone_id=zone.zone_id, name=domain, type="TXT", ttl=300,
                   records=[f"owner=platform-team stack={pulumi.get_stack()}"])

looked_up = aws.route53.get_zone_output(name=zone.name, private_zone=False)

pulumi.export("zone_id", zone.zone_id)
pulumi.export("zone_name", looked_up.name)
pulumi.export("looked_up_zone_id", looked_up.zone_id)
pulumi.export("name_servers", looked_up.name_servers)
pulumi.export("primary_health_check", primary_health.id)
pulumi.export("standby_health_check", standby_health.id)
