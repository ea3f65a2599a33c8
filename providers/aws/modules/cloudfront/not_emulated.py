"""The aws:cloudfront types whose API the local cloud lacks altogether: origin access identities and the cache,
origin request and response headers policies. Each is declared with pulumi-aws's schema, every input refused, so
that a program using one stops at preview with the reason, before anything is created. The AWS-managed policies
can still be looked up (managed_policies.py)."""

from __future__ import annotations

from envctl.providers.aws.not_emulated import NotEmulated
from envctl.providers.aws.registry import resource_type


@resource_type
class OriginAccessIdentity(NotEmulated):
    token = "aws:cloudfront/originAccessIdentity:OriginAccessIdentity"
    api = "CloudFront origin access identity API"
    inputs = ("comment",)
    outputs = frozenset({"arn", "callerReference", "cloudfrontAccessIdentityPath", "etag", "iamArn",
                         "s3CanonicalUserId"})


@resource_type
class CachePolicy(NotEmulated):
    token = "aws:cloudfront/cachePolicy:CachePolicy"
    api = "CloudFront cache policy API"
    required = ("parametersInCacheKeyAndForwardedToOrigin",)
    inputs = ("parametersInCacheKeyAndForwardedToOrigin", "name", "comment", "defaultTtl", "maxTtl", "minTtl")
    outputs = frozenset({"arn", "etag"})


@resource_type
class OriginRequestPolicy(NotEmulated):
    token = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
    api = "CloudFront origin request policy API"
    required = ("cookiesConfig", "headersConfig", "queryStringsConfig")
    inputs = ("cookiesConfig", "headersConfig", "queryStringsConfig", "name", "comment")
    outputs = frozenset({"arn", "etag"})


@resource_type
class ResponseHeadersPolicy(NotEmulated):
    token = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
    api = "CloudFront response headers policy API"
    inputs = ("name", "comment", "corsConfig", "customHeadersConfig", "removeHeadersConfig",
              "securityHeadersConfig", "serverTimingHeadersConfig")
    outputs = frozenset({"arn", "etag"})
