"""CloudFront distributions, origin access controls and functions, the refused types the local cloud lacks, and the
managed-policy lookups, against the session's moto server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from engine_support import up, write_program
from provider_steps import Made, Provisioner, failures, invoke, provider, tag_map, unique

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
FUNCTION = "aws:cloudfront/function:Function"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def s3_origin(bucket: str) -> dict[str, Any]:
    return {"originId": "content", "domainName": f"{bucket}.s3.us-east-1.amazonaws.com",
            "s3OriginConfig": {"originAccessIdentity": ""}}


API_ORIGIN = {"originId": "api", "domainName": "api.example.com", "customOriginConfig": {
    "httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]}}


def site(bucket: str, **changes: Any) -> dict[str, Any]:
    """A static site's distribution as programs write it: an S3 origin behind a managed cache policy."""
    return {
        "enabled": True,
        "defaultRootObject": "index.html",
        "origins": [s3_origin(bucket)],
        "defaultCacheBehavior": {"targetOriginId": "content", "viewerProtocolPolicy": "redirect-to-https",
                                 "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"],
                                 "cachePolicyId": CACHING_OPTIMIZED, "compress": True},
        "restrictions": {"geoRestriction": {"restrictionType": "none"}},
        "viewerCertificate": {"cloudfrontDefaultCertificate": True},
        "tags": {"site": "docs"},
        **changes,
    }


def config_of(ctx: AwsContext, made: Made) -> dict[str, Any]:
    return ctx.client("cloudfront").get_distribution_config(Id=made.id)["DistributionConfig"]


def test_a_distribution_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    cloudfront = aws_ctx.client("cloudfront")
    bucket = unique("docs")
    cdn = provisioner.create(DISTRIBUTION, "cdn", site(bucket))

    distribution = cloudfront.get_distribution(Id=cdn.id)["Distribution"]
    config = distribution["DistributionConfig"]
    assert distribution["Status"] == "Deployed" == cdn.outputs["status"]  # waitForDeployment
    assert cdn.outputs["domainName"] == distribution["DomainName"] and cdn.outputs["domainName"].endswith(
        ".cloudfront.net")
    assert cdn.outputs["hostedZoneId"] == "Z2FDTNDATAQYW2" and cdn.outputs["etag"]
    assert cdn.outputs["arn"] == f"arn:aws:cloudfront::123456789012:distribution/{cdn.id}"
    assert config["Origins"]["Items"][0]["DomainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED
    assert config["DefaultRootObject"] == "index.html" and config["PriceClass"] == "PriceClass_All"
    assert config["Enabled"] is True and config["IsIPV6Enabled"] is False and config["HttpVersion"] == "http2"
    assert tag_map(cloudfront.list_tags_for_resource(Resource=cdn.outputs["arn"])["Tags"]["Items"])["site"] == "docs"
    read = provisioner.read(cdn)
    assert read["origins"][0]["s3OriginConfig"] == {"originAccessIdentity": ""}
    assert read["defaultCacheBehavior"]["cachePolicyId"] == CACHING_OPTIMIZED
    assert read["viewerCertificate"]["cloudfrontDefaultCertificate"] is True
    assert not provisioner.plan(cdn, {}).has_changes
    assert not provisioner.plan(cdn, {"aliases": []}).has_changes

    ordered = {"pathPattern": "/api/*", "targetOriginId": "api", "viewerProtocolPolicy": "https-only",
               "allowedMethods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
               "cachedMethods": ["GET", "HEAD"], "minTtl": 0, "defaultTtl": 0, "maxTtl": 0,
               "forwardedValues": {"queryString": True, "headers": ["Authorization"], "cookies": {"forward": "all"}}}
    cdn = provisioner.update(cdn, {
        "origins": [s3_origin(bucket), API_ORIGIN], "orderedCacheBehaviors": [ordered], "comment": "docs and api",
        "priceClass": "PriceClass_100", "customErrorResponses": [
            {"errorCode": 404, "responseCode": 200, "responsePagePath": "/index.html", "errorCachingMinTtl": 10}],
        "restrictions": {"geoRestriction": {"restrictionType": "whitelist", "locations": ["US", "CA"]}},
        "tags": {"site": "all"}})
    config = config_of(aws_ctx, cdn)
    [api] = [o for o in config["Origins"]["Items"] if o["Id"] == "api"]
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    [behaviour] = config["CacheBehaviors"]["Items"]
    assert behaviour["PathPattern"] == "/api/*"
    assert behaviour["ForwardedValues"]["Headers"]["Items"] == ["Authorization"]
    assert config["CustomErrorResponses"]["Items"][0]["ResponseCode"] == "200"
    assert config["Restrictions"]["GeoRestriction"]["Items"] == ["CA", "US"] and config["Comment"] == "docs and api"
    read = provisioner.read(cdn)
    cookies = read["orderedCacheBehaviors"][0]["forwardedValues"]["cookies"]
    assert cookies == {"forward": "all", "whitelistedNames": None}
    assert read["customErrorResponses"][0]["responseCode"] == 200
    assert read["restrictions"]["geoRestriction"]["locations"] == ["CA", "US"]
    assert not provisioner.plan(cdn, {}).has_changes

    provisioner.assert_deleted(cdn)  # disabled, then deleted
    assert cdn.id not in [d["Id"] for d in cloudfront.list_distributions()["DistributionList"].get("Items") or []]


def test_a_distribution_with_an_acm_certificate_and_aliases(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    cdn = provisioner.create(DISTRIBUTION, "www", site(unique("www"), aliases=["www.example.com", "example.com"],
                                                        viewerCertificate={"acmCertificateArn": arn,
                                                                           "sslSupportMethod": "sni-only",
                                                                           "minimumProtocolVersion": "TLSv1.2_2021"}))
    config = config_of(aws_ctx, cdn)
    assert sorted(config["Aliases"]["Items"]) == ["example.com", "www.example.com"]
    certificate = config["ViewerCertificate"]
    assert (certificate["ACMCertificateArn"], certificate["SSLSupportMethod"]) == (arn, "sni-only")
    assert certificate["CloudFrontDefaultCertificate"] is False
    read = provisioner.read(cdn)
    assert read["aliases"] == ["example.com", "www.example.com"]
    assert read["viewerCertificate"]["cloudfrontDefaultCertificate"] is False
    assert read["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"


def test_a_distribution_logs_and_is_retained_disabled(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    cloudfront = aws_ctx.client("cloudfront")
    bucket = unique("logged")
    api = {"pathPattern": "/api/*", "targetOriginId": "api", "viewerProtocolPolicy": "https-only",
           "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"],
           "cachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
           "originRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"}
    cdn = provisioner.create(DISTRIBUTION, "logged", site(bucket, origins=[s3_origin(bucket), API_ORIGIN],
                                                          orderedCacheBehaviors=[api], retainOnDelete=True,
                                                          loggingConfig={"bucket": "logs.s3.amazonaws.com",
                                                                         "prefix": "cdn/"}))
    config = config_of(aws_ctx, cdn)
    assert config["Logging"] == {"Enabled": True, "IncludeCookies": False, "Bucket": "logs.s3.amazonaws.com",
                                 "Prefix": "cdn/"}
    [behaviour] = config["CacheBehaviors"]["Items"]
    assert behaviour["OriginRequestPolicyId"] == "216adef6-5c7f-47e4-b989-5492eafa07d3"
    assert cdn.outputs["loggingV1Enabled"] is True
    read = provisioner.read(cdn)
    assert read["loggingConfig"] == {"bucket": "logs.s3.amazonaws.com", "includeCookies": False, "prefix": "cdn/"}
    assert read["orderedCacheBehaviors"][0]["forwardedValues"] is None
    assert not provisioner.plan(cdn, {}).has_changes

    diff = provisioner.plan(cdn, {"tags": {"site": "logs"}})
    assert diff.changed == ("tags",)
    provider(DISTRIBUTION).delete(aws_ctx, cdn.id, cdn.outputs)  # retained: disabled, not deleted
    assert cloudfront.get_distribution_config(Id=cdn.id)["DistributionConfig"]["Enabled"] is False
    cdn = provisioner.update(cdn, {"retainOnDelete": False})
    provisioner.assert_deleted(cdn)


def test_an_ordered_behaviour_fails_over_between_the_origins_of_a_group(provisioner: Provisioner,
                                                                          aws_ctx: AwsContext) -> None:
    primary, standby = unique("primary"), unique("standby")
    origins = [s3_origin(primary), {**s3_origin(standby), "originId": "standby"}]
    group = {"originId": "failover", "failoverCriteria": {"statusCodes": [500, 502, 503]},
             "members": [{"originId": "content"}, {"originId": "standby"}]}
    behaviour = {**site(primary)["defaultCacheBehavior"], "pathPattern": "/assets/*", "targetOriginId": "failover"}
    cdn = provisioner.create(DISTRIBUTION, "failover", site(primary, origins=origins, originGroups=[group],
                                                            orderedCacheBehaviors=[behaviour]))
    [cloud_group] = config_of(aws_ctx, cdn)["OriginGroups"]["Items"]
    assert cloud_group["FailoverCriteria"]["StatusCodes"]["Items"] == [500, 502, 503]
    assert [m["OriginId"] for m in cloud_group["Members"]["Items"]] == ["content", "standby"]
    assert provisioner.read(cdn)["originGroups"] == [group]
    assert not provisioner.plan(cdn, {}).has_changes
    to_group = {**site(primary)["defaultCacheBehavior"], "targetOriginId": "failover"}
    assert "not emulated by the local cloud" in failures(DISTRIBUTION, **site(
        primary, origins=origins, originGroups=[group], defaultCacheBehavior=to_group))["defaultCacheBehavior"]


def test_what_a_distribution_cannot_keep_in_the_local_cloud_is_refused() -> None:
    refused = failures(DISTRIBUTION, **site("b", origins=[{**s3_origin("b"), "originAccessControlId": "E2ABC"}]))
    assert "originAccessControlId" in refused["origins"] and "not emulated by the local cloud" in refused["origins"]
    behaviour = {**site("b")["defaultCacheBehavior"],
                 "functionAssociations": [{"eventType": "viewer-request", "functionArn": "arn:f"}]}
    assert "functionAssociations" in failures(DISTRIBUTION, **site("b", defaultCacheBehavior=behaviour))[
        "defaultCacheBehavior"]
    oai = [{**s3_origin("b"), "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"}}]
    assert "origin access identities" in failures(DISTRIBUTION, **site("b", origins=oai))["origins"]
    assert "not emulated" in failures(DISTRIBUTION, **site("b", staging=True))["staging"]
    assert "continuousDeploymentPolicyId" in failures(DISTRIBUTION, **site("b", continuousDeploymentPolicyId="p"))


# ---- OriginAccessControl --------------------------------------------------------------------


def test_an_origin_access_control_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    cloudfront = aws_ctx.client("cloudfront")
    oac = provisioner.create(OAC, "site-oac", {"originAccessControlOriginType": "s3", "signingBehavior": "always",
                                               "signingProtocol": "sigv4"})
    config = cloudfront.get_origin_access_control(Id=oac.id)["OriginAccessControl"]["OriginAccessControlConfig"]
    assert config["Name"] == oac.inputs["name"] and oac.inputs["name"].startswith("site-oac-")
    assert (config["SigningBehavior"], config["Description"]) == ("always", "Managed by Pulumi")
    assert oac.outputs["arn"] == f"arn:aws:cloudfront::123456789012:origin-access-control/{oac.id}"
    assert oac.outputs["etag"] and not provisioner.plan(oac, {}).has_changes

    oac = provisioner.update(oac, {"signingBehavior": "no-override", "description": "docs bucket"})
    config = cloudfront.get_origin_access_control(Id=oac.id)["OriginAccessControl"]["OriginAccessControlConfig"]
    assert (config["SigningBehavior"], config["Description"]) == ("no-override", "docs bucket")
    assert provisioner.read(oac)["signingBehavior"] == "no-override"
    provisioner.assert_deleted(oac)


# ---- managed policies -----------------------------------------------------------------------


@pytest.mark.parametrize(("token", "name"), [
    ("aws:cloudfront/getCachePolicy:getCachePolicy", "Managed-CachingOptimized"),
    ("aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy", "Managed-CORS-S3Origin"),
    ("aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy", "Managed-SecurityHeadersPolicy"),
])
def test_the_aws_managed_policies_are_found_by_name_and_by_id(aws_ctx: AwsContext, token: str, name: str) -> None:
    by_name = invoke(token, aws_ctx, {"name": name})
    assert by_name["name"] == name and by_name["arn"].endswith(by_name["id"])
    assert invoke(token, aws_ctx, {"id": by_name["id"]}) == by_name
    with pytest.raises(BadInput, match="not emulated by the local cloud"):
        invoke(token, aws_ctx, {"name": "my-own-policy"})


def test_the_caching_optimized_policy_is_as_aws_defines_it(aws_ctx: AwsContext) -> None:
    policy = invoke("aws:cloudfront/getCachePolicy:getCachePolicy", aws_ctx, {"name": "Managed-CachingOptimized"})
    assert policy["id"] == CACHING_OPTIMIZED
    assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (1, 86400, 31536000)
    [parameters] = policy["parametersInCacheKeyAndForwardedToOrigins"]
    assert parameters["enableAcceptEncodingGzip"] and parameters["enableAcceptEncodingBrotli"]


# ---- Function -------------------------------------------------------------------------------

REWRITE = "function handler(event) { var request = event.request; request.uri = '/index.html'; return request; }"


def test_a_function_is_kept_unpublished_and_never_changed_in_place(provisioner: Provisioner,
                                                                    aws_ctx: AwsContext) -> None:
    cloudfront = aws_ctx.client("cloudfront")
    function = provisioner.create(FUNCTION, "rewrite", {"code": REWRITE, "runtime": "cloudfront-js-2.0",
                                                        "comment": "SPA rewrite", "publish": False,
                                                        "tags": {"app": "spa"}})
    summary = cloudfront.describe_function(Name=function.id)["FunctionSummary"]
    assert function.id == function.inputs["name"] and function.id.startswith("rewrite-")
    assert summary["FunctionConfig"] == {"Comment": "SPA rewrite", "Runtime": "cloudfront-js-2.0"}
    assert cloudfront.get_function(Name=function.id)["FunctionCode"].read().decode() == REWRITE
    assert function.outputs["status"] == "UNPUBLISHED" and function.outputs["arn"].endswith(f"function/{function.id}")
    assert provisioner.read(function)["code"] == REWRITE and not provisioner.plan(function, {}).has_changes

    function = provisioner.update(function, {"tags": {"app": "site"}})
    tags = cloudfront.list_tags_for_resource(Resource=function.outputs["arn"])["Tags"]["Items"]
    assert tag_map(tags)["app"] == "site"
    changed = provider(FUNCTION).check("rewrite", function.inputs, {**function.inputs, "code": "function x() {}"})
    assert "not emulated by the local cloud" in {f.property: f.reason for f in changed.failures}["code"]
    provisioner.assert_deleted(function)
    assert "not emulated by the local cloud" in failures(FUNCTION, code=REWRITE, runtime="cloudfront-js-2.0")["publish"]


def test_a_function_reads_its_key_value_store(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    cloudfront = aws_ctx.client("cloudfront")
    store = cloudfront.create_key_value_store(Name=unique("redirects"))["KeyValueStore"]
    try:
        function = provisioner.create(FUNCTION, "redirect", {"code": REWRITE, "runtime": "cloudfront-js-2.0",
                                                             "publish": False,
                                                             "keyValueStoreAssociations": [store["ARN"]]})
        config = cloudfront.describe_function(Name=function.id)["FunctionSummary"]["FunctionConfig"]
        assert config["KeyValueStoreAssociations"]["Items"] == [{"KeyValueStoreARN": store["ARN"]}]
        assert provisioner.read(function)["keyValueStoreAssociations"] == [store["ARN"]]
        provisioner.assert_deleted(function)
    finally:
        etag = cloudfront.describe_key_value_store(Name=store["Name"])["ETag"]
        cloudfront.delete_key_value_store(Name=store["Name"], IfMatch=etag)


# ---- types the local cloud lacks ------------------------------------------------------------


@pytest.mark.parametrize(("token", "inputs"), [
    ("aws:cloudfront/originAccessIdentity:OriginAccessIdentity", {"comment": "site"}),
    ("aws:cloudfront/originAccessIdentity:OriginAccessIdentity", {}),
    ("aws:cloudfront/cachePolicy:CachePolicy", {"name": "site", "parametersInCacheKeyAndForwardedToOrigin": {}}),
    ("aws:cloudfront/originRequestPolicy:OriginRequestPolicy", {"cookiesConfig": {"cookieBehavior": "none"}}),
    ("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", {"name": "site"}),
])
def test_a_type_without_an_api_in_the_local_cloud_stops_at_check(aws_ctx: AwsContext, token: str,
                                                                  inputs: dict[str, Any]) -> None:
    [failure] = provider(token).check("site", None, inputs).failures
    assert failure.unsupported and failure.reason.startswith(f"{token} is not emulated by the local cloud")
    assert all("not emulated by the local cloud" in hint for hint in provider(token).schema().unimplemented.values())
    assert not provider(token).schema().implemented


OAI_PROGRAM = """
import pulumi_aws as aws

bucket = aws.s3.Bucket("site")
aws.cloudfront.OriginAccessIdentity("site-identity", comment="site")
"""


def test_a_program_with_an_origin_access_identity_is_refused_before_anything_is_made(
    tmp_path: Path, moto_endpoint: str, aws_ctx: AwsContext
) -> None:
    before = {b["Name"] for b in aws_ctx.client("s3").list_buckets()["Buckets"]}
    result = up(write_program(tmp_path / "oai", OAI_PROGRAM), "test", moto_endpoint)
    assert not result.succeeded and result.error is not None
    assert "OriginAccessIdentity is not emulated by the local cloud" in result.error
    assert {b["Name"] for b in aws_ctx.client("s3").list_buckets()["Buckets"]} == before


def test_what_a_create_made_is_found_again_after_a_crash(provisioner: Provisioner) -> None:
    """A create whose outcome a crash left unknown: the distribution by its URN tag, the origin access control and
    the function by their names."""
    made = [
        provisioner.create(DISTRIBUTION, "found", site(unique("found"), waitForDeployment=False)),
        provisioner.create(OAC, "found", {"originAccessControlOriginType": "s3", "signingBehavior": "always",
                                          "signingProtocol": "sigv4"}),
        provisioner.create(FUNCTION, "found", {"code": REWRITE, "runtime": "cloudfront-js-2.0", "publish": False}),
    ]
    for item in made:
        found = provider(item.token).find(provisioner.ctx, item.urn, item.inputs, set())
        assert found is not None and found[0] == item.id, item.token
