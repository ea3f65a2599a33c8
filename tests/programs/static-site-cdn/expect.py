"""static-site-cdn: the bucket's content served by a CloudFront distribution under a name in an existing Route 53
zone; renaming the site moves the distribution's alias in place and replaces the record."""

from __future__ import annotations

from typing import Any

from moto.route53.models import HostedZoneIdentifier
from moto.utilities.id_generator import moto_id_manager

from program_cases import ACCOUNT, PROGRAMS, Cloud, Edit, Outputs, ProgramCase, set_config

ZONE_ID = "Z0123456789EXAMPLE"  # the zone the stack's config names, as the user's account has it
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"


def create_example_zone(cloud: Cloud) -> None:
    """The user's example.com zone, with the id their stack config names (the local cloud takes the id it is given
    for a zone it has been told about)."""
    route53 = cloud.client("route53")
    if any(z["Id"].endswith(ZONE_ID) for z in route53.list_hosted_zones()["HostedZones"]):
        return
    identifier = HostedZoneIdentifier(ACCOUNT, "example.com.", None)
    moto_id_manager.set_custom_id(identifier, ZONE_ID)
    try:
        route53.create_hosted_zone(Name="example.com", CallerReference="static-site-cdn-setup")
    finally:
        moto_id_manager.unset_custom_id(identifier)


def distribution_named(cloud: Cloud, domain_name: str) -> dict[str, Any]:
    cloudfront = cloud.client("cloudfront")
    [summary] = [d for d in cloudfront.list_distributions()["DistributionList"]["Items"]
                 if d["DomainName"] == domain_name]
    return cloudfront.get_distribution(Id=summary["Id"])["Distribution"]


def alias_of(cloud: Cloud, name: str) -> dict[str, Any] | None:
    records = cloud.client("route53").list_resource_record_sets(HostedZoneId=ZONE_ID)["ResourceRecordSets"]
    found = [r for r in records if r["Name"].rstrip(".") == name and r["Type"] == "A"]
    return found[0].get("AliasTarget") if found else None


def verify_static_site(cloud: Cloud, out: Outputs) -> None:
    s3, bucket = cloud.client("s3"), out["bucket_name"]
    index = s3.get_object(Bucket=bucket, Key="index.html")
    assert index["ContentType"] == "text/html"
    assert index["Body"].read() == (PROGRAMS / "static-site-cdn" / "www" / "index.html").read_bytes()
    distribution = distribution_named(cloud, out["cdn_domain"])
    config = distribution["DistributionConfig"]
    assert distribution["Status"] == "Deployed" and config["Enabled"] is True
    assert config["Aliases"]["Items"] == ["www.example.com"] and config["DefaultRootObject"] == "index.html"
    [origin] = config["Origins"]["Items"]
    assert origin["DomainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["TargetOriginId"] == origin["Id"] == f"arn:aws:s3:::{bucket}"
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["ForwardedValues"]["QueryString"] is False
    alias = alias_of(cloud, "www.example.com")
    assert alias is not None and alias["DNSName"].rstrip(".") == out["cdn_domain"]
    assert alias["HostedZoneId"] == CLOUDFRONT_ZONE_ID and alias["EvaluateTargetHealth"] is True


def verify_renamed(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["cdn_domain"] == before["cdn_domain"]  # the same distribution, changed in place
    config = distribution_named(cloud, after["cdn_domain"])["DistributionConfig"]
    assert config["Aliases"]["Items"] == ["docs.example.com"]
    assert alias_of(cloud, "www.example.com") is None
    alias = alias_of(cloud, "docs.example.com")
    assert alias is not None and alias["DNSName"].rstrip(".") == after["cdn_domain"]


CASE = ProgramCase(
    "static-site-cdn", verify_static_site,
    Edit(set_config("test", domain="docs.example.com"),
         (("update", "aws:cloudfront/distribution:Distribution"), ("replace", "aws:route53/record:Record")),
         verify_renamed),
    setup=create_example_zone,
)
