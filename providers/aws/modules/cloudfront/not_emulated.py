"""The aws:cloudfront types whose API the local cloud lacks altogether: origin access identities and the cache,
origin request and response headers policies. Each is declared with pulumi-aws's schema, every input refused, so
that a program using one stops at preview with the reason, before anything is created. The AWS-managed policies
can still be looked up (managed_policies.py)."""

from __future__ import annotations

from typing import ClassVar

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import resource_type


class NotEmulated(AwsResource):
    """A type the local cloud cannot hold: its check refuses it, so no step ever calls AWS for it."""

    regional = False
    taggable = False
    handled = frozenset()
    api: ClassVar[str]  # what the local cloud lacks
    inputs: ClassVar[tuple[str, ...]]

    @classmethod
    def reason(cls) -> str:
        return f"{cls.token} is not emulated by the local cloud: it has no {cls.api} API"

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.unsupported = {key: f"{cls.api} is not emulated by the local cloud" for key in cls.inputs}

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        return CheckResult(dict(news), (CheckFailure(self.inputs[0], self.reason(), unsupported=True),))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        raise OperationFailed(self.reason())

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        raise OperationFailed(self.reason())

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        raise OperationFailed(self.reason())


@resource_type
class OriginAccessIdentity(NotEmulated):
    token = "aws:cloudfront/originAccessIdentity:OriginAccessIdentity"
    api = "CloudFront origin access identity"
    inputs = ("comment",)
    outputs = frozenset({"arn", "callerReference", "cloudfrontAccessIdentityPath", "etag", "iamArn",
                         "s3CanonicalUserId"})


@resource_type
class CachePolicy(NotEmulated):
    token = "aws:cloudfront/cachePolicy:CachePolicy"
    api = "CloudFront cache policy"
    required = ("parametersInCacheKeyAndForwardedToOrigin",)
    inputs = ("parametersInCacheKeyAndForwardedToOrigin", "name", "comment", "defaultTtl", "maxTtl", "minTtl")
    outputs = frozenset({"arn", "etag"})


@resource_type
class OriginRequestPolicy(NotEmulated):
    token = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
    api = "CloudFront origin request policy"
    required = ("cookiesConfig", "headersConfig", "queryStringsConfig")
    inputs = ("cookiesConfig", "headersConfig", "queryStringsConfig", "name", "comment")
    outputs = frozenset({"arn", "etag"})


@resource_type
class ResponseHeadersPolicy(NotEmulated):
    token = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
    api = "CloudFront response headers policy"
    inputs = ("name", "comment", "corsConfig", "customHeadersConfig", "removeHeadersConfig",
              "securityHeadersConfig", "serverTimingHeadersConfig")
    outputs = frozenset({"arn", "etag"})
