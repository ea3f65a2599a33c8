"""A site on its own domain: a Route 53 zone for it, an ACM certificate validated through DNS records in that zone,
a private S3 bucket that only the CloudFront distribution may read, and apex and www alias records."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
www_domain = f"www.{domain}"
price_class = config.get("priceClass") or "PriceClass_100"

zone = aws.route53.Zone("site-zone", name=domain, comment=f"Public zone for {domain}", force_destroy=True)

certificate = aws.acm.Certificate(
    "site-certificate",
    domain_name=domain,
    subject_alternative_names=[www_domain],
    validation_method="DNS",
    tags={"Site": domain},
)

# One validation record per name on the certificate.
validation_records = [
    aws.route53.Record(
        f"site-certificate-validation-{index}",
        zone_id=zone.zone_id,
        name=certificate.domain_validation_options[index].resource_record_name,
        type=certificate.domain_validation_options[index].resource_record_type,
        records=[certificate.domain_validation_options[index].resource_record_value],
        ttl=60,
        allow_overwrite=True,
    )
    for index in range(2)
]

validation = aws.acm.CertificateValidation(
    "site-certificate-validation",
    certificate_arn=certificate.arn,
    validation_record_fqdns=[record.fqdn for record in validation_records],
)

content = aws.s3.Bucket("site-content", force_destroy=True, tags={"Site": domain})

aws.s3.BucketPublicAccessBlock(
    "site-content-private",
    bucket=content.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)

for page in ("index.html", "404.html"):
    aws.s3.BucketObject(page, bucket=content.id, key=page, source=pulumi.FileAsset(f"www/{page}"),
                        content_type="text/html")

caching_optimized = aws.cloudfront.get_cache_policy(name="Managed-CachingOptimized")
security_headers = aws.cloudfront.get_response_headers_policy(name="Managed-SecurityHeadersPolicy")

cdn = aws.cloudfront.Distribution(
    "site-cdn",
    enabled=True,
    is_ipv6_enabled=True,
    comment=f"{domain} storefront",
    aliases=[domain, www_domain],
    default_root_object="index.html",
    price_class=price_class,
    origins=[
        aws.cloudfront.DistributionOriginArgs(
            origin_id="site-content",
            domain_name=content.bucket_regional_domain_name,
            s3_origin_config=aws.cloudfront.DistributionOriginS3OriginConfigArgs(origin_access_identity=""),
        )
    ],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="site-content",
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD", "OPTIONS"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id=caching_optimized.id,
        response_headers_policy_id=security_headers.id,
        compress=True,
    ),
    custom_error_responses=[
        aws.cloudfront.DistributionCustomErrorResponseArgs(error_code=404, response_code=404,
                                                           response_page_path="/404.html"),
    ],
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
    ),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=validation.certificate_arn,
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.2_2021",
    ),
    tags={"Site": domain},
)

# Only this distribution may read the bucket.
aws.s3.BucketPolicy(
    "site-content-policy",
    bucket=content.id,
    policy=pulumi.Output.all(content.arn, cdn.arn).apply(
        lambda args: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowCloudFrontRead",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{args[0]}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": args[1]}},
            }],
        })
    ),
)

for name in (domain, www_domain):
    for record_type in ("A", "AAAA"):
        aws.route53.Record(
            f"{name}-{record_type.lower()}",
            zone_id=zone.zone_id,
            name=name,
            type=record_type,
            aliases=[aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=cdn.hosted_zone_id,
                                                 evaluate_target_health=False)],
        )

pulumi.export("zone_id", zone.zone_id)
pulumi.export("name_servers", zone.name_servers)
pulumi.export("certificate_arn", validation.certificate_arn)
pulumi.export("bucket_name", content.id)
pulumi.export("cdn_id", cdn.id)
pulumi.export("cdn_domain", cdn.domain_name)
pulumi.export("url", f"https://{www_domain}")
