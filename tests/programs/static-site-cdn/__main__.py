"""A static site: S3 holds the content, CloudFront serves it and Route 53 names it."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")

content_bucket = aws.s3.Bucket("content-bucket")

aws.s3.BucketObject(
    "index.html",
    bucket=content_bucket.id,
    content_type="text/html",
    source=pulumi.FileAsset("www/index.html"),
)

cdn = aws.cloudfront.Distribution(
    "cdn",
    enabled=True,
    aliases=[domain],
    default_root_object="index.html",
    origins=[
        aws.cloudfront.DistributionOriginArgs(
            origin_id=content_bucket.arn,
            domain_name=content_bucket.bucket_regional_domain_name,
        )
    ],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id=content_bucket.arn,
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
        forwarded_values=aws.cloudfront.DistributionDefaultCacheBehaviorForwardedValuesArgs(
            query_string=False, cookies={"forward": "none"}
        ),
    ),
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
    ),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
)

aws.route53.Record(
    "www",
    zone_id=config.require("zoneId"),
    name=domain,
    type="A",
    aliases=[
        aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=cdn.hosted_zone_id, evaluate_target_health=True)
    ],
)

pulumi.export("bucket_name", content_bucket.id)
pulumi.export("cdn_domain", cdn.domain_name)
