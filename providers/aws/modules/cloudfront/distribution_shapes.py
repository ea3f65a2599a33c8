"""The blocks of a CloudFront distribution's config, as pulumi-aws 7 names them and CloudFront's API holds them, and
the block fields the local cloud does not keep (refused, with the reason)."""

from __future__ import annotations

from envctl.providers.aws.modules.cloudfront.api_shapes import Field, Shape

NOT_KEPT = "the local cloud does not keep it on a distribution (not emulated by the local cloud)"

CUSTOM_HEADER = Shape((Field("name", "HeaderName"), Field("value", "HeaderValue")))
CUSTOM_ORIGIN = Shape((
    Field("httpPort", "HTTPPort"),
    Field("httpsPort", "HTTPSPort"),
    Field("originProtocolPolicy", "OriginProtocolPolicy"),
    Field("originSslProtocols", "OriginSslProtocols", "items"),
    Field("originKeepaliveTimeout", "OriginKeepaliveTimeout"),
    Field("originReadTimeout", "OriginReadTimeout"),
))
ORIGIN_SHIELD = Shape((Field("enabled", "Enabled"), Field("originShieldRegion", "OriginShieldRegion")))
ORIGIN = Shape((
    Field("originId", "Id"),
    Field("domainName", "DomainName"),
    Field("originPath", "OriginPath"),
    Field("connectionAttempts", "ConnectionAttempts"),
    Field("connectionTimeout", "ConnectionTimeout"),
    Field("customHeaders", "CustomHeaders", "blocks", CUSTOM_HEADER),
    Field("customOriginConfig", "CustomOriginConfig", "block", CUSTOM_ORIGIN),
    Field("originShield", "OriginShield", "block", ORIGIN_SHIELD),
    # s3OriginConfig is sent by the distribution itself: the local cloud does not report it back.
))
ORIGIN_GROUP = Shape((
    Field("originId", "Id"),
    Field("failoverCriteria", "FailoverCriteria", "block", Shape((Field("statusCodes", "StatusCodes", "items"),))),
    Field("members", "Members", "blocks", Shape((Field("originId", "OriginId"),))),
))
COOKIES = Shape((Field("forward", "Forward"), Field("whitelistedNames", "WhitelistedNames", "items")))
FORWARDED_VALUES = Shape((
    Field("queryString", "QueryString"),
    Field("queryStringCacheKeys", "QueryStringCacheKeys", "items"),
    Field("headers", "Headers", "items"),
    Field("cookies", "Cookies", "block", COOKIES),
))
_BEHAVIOUR_FIELDS = (
    Field("targetOriginId", "TargetOriginId"),
    Field("viewerProtocolPolicy", "ViewerProtocolPolicy"),
    Field("cachePolicyId", "CachePolicyId"),
    Field("originRequestPolicyId", "OriginRequestPolicyId"),
    Field("responseHeadersPolicyId", "ResponseHeadersPolicyId"),
    Field("compress", "Compress"),
    Field("smoothStreaming", "SmoothStreaming"),
    Field("fieldLevelEncryptionId", "FieldLevelEncryptionId"),
    Field("realtimeLogConfigArn", "RealtimeLogConfigArn"),
    Field("minTtl", "MinTTL"),
    Field("defaultTtl", "DefaultTTL"),
    Field("maxTtl", "MaxTTL"),
    Field("forwardedValues", "ForwardedValues", "block", FORWARDED_VALUES),
    Field("trustedSigners", "TrustedSigners", "enabled_items"),
    Field("trustedKeyGroups", "TrustedKeyGroups", "enabled_items"),
    # allowedMethods and cachedMethods are one nested API block: the distribution maps them itself.
)
BEHAVIOUR_METHODS = ("allowedMethods", "cachedMethods")
DEFAULT_BEHAVIOUR = Shape(_BEHAVIOUR_FIELDS)
ORDERED_BEHAVIOUR = Shape((Field("pathPattern", "PathPattern"), *_BEHAVIOUR_FIELDS))
ERROR_RESPONSE = Shape((
    Field("errorCode", "ErrorCode"),
    Field("errorCachingMinTtl", "ErrorCachingMinTTL"),
    Field("responseCode", "ResponseCode", to_api=str, from_api=int),
    Field("responsePagePath", "ResponsePagePath"),
))
# CloudFront holds the locations in the geo restriction's own Quantity and Items: the distribution maps these two
# itself, the shapes name the fields that exist.
GEO_RESTRICTION = Shape((Field("restrictionType", "RestrictionType"), Field("locations", "Items")))
RESTRICTIONS = Shape((Field("geoRestriction", "GeoRestriction", "block", GEO_RESTRICTION),))
VIEWER_CERTIFICATE = Shape((
    Field("acmCertificateArn", "ACMCertificateArn"),
    Field("cloudfrontDefaultCertificate", "CloudFrontDefaultCertificate"),
    Field("iamCertificateId", "IAMCertificateId"),
    Field("minimumProtocolVersion", "MinimumProtocolVersion"),
    Field("sslSupportMethod", "SSLSupportMethod"),
))
LOGGING = Shape((Field("bucket", "Bucket"), Field("includeCookies", "IncludeCookies"), Field("prefix", "Prefix")))

# Block fields pulumi-aws has that envctl refuses, with why (by field name, at any depth).
FIELD_HINTS = {
    "originAccessControlId": NOT_KEPT,
    "functionAssociations": NOT_KEPT,
    "lambdaFunctionAssociations": NOT_KEPT,
    "vpcOriginConfig": f"VPC origins are {NOT_KEPT}",
    "responseCompletionTimeout": NOT_KEPT,
    "grpcConfig": NOT_KEPT,
    "ipAddressType": NOT_KEPT,
    "originMtlsConfig": NOT_KEPT,
}
