"""certified-site: the certificate is issued once its DNS records are in the program's zone, the distribution serves
the private bucket under both names with that certificate, and only the distribution may read the bucket; a wider
price class is an in-place change of the distribution."""

from __future__ import annotations

import json
from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

DOMAIN = "shop.example.org"
NAMES = [DOMAIN, f"www.{DOMAIN}"]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def records(cloud: Cloud, out: Outputs) -> list[dict[str, Any]]:
    return cloud.client("route53").list_resource_record_sets(HostedZoneId=out["zone_id"])["ResourceRecordSets"]


def distribution(cloud: Cloud, out: Outputs) -> dict[str, Any]:
    return cloud.client("cloudfront").get_distribution(Id=out["cdn_id"])["Distribution"]


def verify_certified_site(cloud: Cloud, out: Outputs) -> None:
    zone = cloud.client("route53").get_hosted_zone(Id=out["zone_id"])
    assert zone["HostedZone"]["Name"] == f"{DOMAIN}." and out["name_servers"]

    certificate = cloud.client("acm").describe_certificate(CertificateArn=out["certificate_arn"])["Certificate"]
    assert certificate["Status"] == "ISSUED" and certificate["DomainName"] == DOMAIN
    assert set(certificate["SubjectAlternativeNames"]) == set(NAMES)
    in_zone = {(r["Name"], r["Type"]): r for r in records(cloud, out)}
    for option in certificate["DomainValidationOptions"]:
        wanted = option["ResourceRecord"]
        record = in_zone[(wanted["Name"], "CNAME")]
        assert record["ResourceRecords"] == [{"Value": wanted["Value"]}]

    cdn = distribution(cloud, out)
    config = cdn["DistributionConfig"]
    assert cdn["DomainName"] == out["cdn_domain"] and sorted(config["Aliases"]["Items"]) == sorted(NAMES)
    assert config["ViewerCertificate"]["ACMCertificateArn"] == out["certificate_arn"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["PriceClass"] == "PriceClass_100" and config["IsIPV6Enabled"] is True
    behaviour = config["DefaultCacheBehavior"]
    assert (behaviour["CachePolicyId"], behaviour["ResponseHeadersPolicyId"]) == (CACHING_OPTIMIZED, SECURITY_HEADERS)
    assert config["CustomErrorResponses"]["Items"][0]["ResponsePagePath"] == "/404.html"
    [origin] = config["Origins"]["Items"]
    assert origin["DomainName"] == f"{out['bucket_name']}.s3.us-east-1.amazonaws.com"

    s3 = cloud.client("s3")
    assert all(s3.get_public_access_block(Bucket=out["bucket_name"])["PublicAccessBlockConfiguration"].values())
    [statement] = json.loads(s3.get_bucket_policy(Bucket=out["bucket_name"])["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["AWS:SourceArn"] == cdn["ARN"]
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=out["bucket_name"])["Contents"]) == \
        ["404.html", "index.html"]

    for name in NAMES:
        for record_type in ("A", "AAAA"):
            alias = in_zone[(f"{name}.", record_type)]["AliasTarget"]
            assert alias["DNSName"].rstrip(".") == out["cdn_domain"] and alias["HostedZoneId"] == "Z2FDTNDATAQYW2"


def verify_all_edge_locations(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["cdn_id"] == before["cdn_id"]
    assert distribution(cloud, after)["DistributionConfig"]["PriceClass"] == "PriceClass_All"


CASE = ProgramCase(
    "certified-site", verify_certified_site,
    Edit(set_config("test", priceClass="PriceClass_All"), (("update", "aws:cloudfront/distribution:Distribution"),),
         verify_all_edge_locations),
)
