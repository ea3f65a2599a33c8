"""The AWS-managed CloudFront policies (Managed-CachingOptimized and the like) and their lookups.

AWS defines these policies once, with the same ids and settings in every account; programs look them up by name to
put their ids on cache behaviours. The local cloud has no CloudFront policy API at all, so the managed policies are
known here, as AWS documents them, and a lookup of any other policy is refused naming why.
"""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import invoke

_NOT_EMULATED = ("the local cloud has no CloudFront policy API, so only the AWS-managed policies can be looked up "
                 "(not emulated by the local cloud)")
_NO_ITEMS: list[dict[str, Any]] = []


def _names(*items: str) -> list[dict[str, list[str]]]:
    """Terraform's nested `{items: [...]}` list, empty when there are no names."""
    return [{"items": list(items)}] if items else _NO_ITEMS


def _cache_policy(id: str, name: str, comment: str, ttls: tuple[int, int, int], compressed: bool) -> dict[str, Any]:
    min_ttl, default_ttl, max_ttl = ttls
    return {
        "id": id, "name": name, "comment": comment, "etag": "",
        "minTtl": min_ttl, "defaultTtl": default_ttl, "maxTtl": max_ttl,
        "parametersInCacheKeyAndForwardedToOrigins": [{
            "cookiesConfigs": [{"cookieBehavior": "none", "cookies": _NO_ITEMS}],
            "headersConfigs": [{"headerBehavior": "none", "headers": _NO_ITEMS}],
            "queryStringsConfigs": [{"queryStringBehavior": "none", "queryStrings": _NO_ITEMS}],
            "enableAcceptEncodingGzip": compressed, "enableAcceptEncodingBrotli": compressed,
        }],
    }


CACHE_POLICIES = [
    _cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6", "Managed-CachingOptimized",
                  "Policy with caching enabled. Supports Gzip and Brotli compression.", (1, 86400, 31536000), True),
    _cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled",
                  "Policy with caching disabled", (0, 0, 0), False),
    _cache_policy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "Managed-CachingOptimizedForUncompressedObjects",
                  "Default policy when compression is disabled", (1, 86400, 31536000), False),
]


def _origin_request_policy(id: str, name: str, comment: str, headers: tuple[str, tuple[str, ...]],
                           cookies: str, query_strings: str) -> dict[str, Any]:
    header_behavior, header_names = headers
    return {
        "id": id, "name": name, "comment": comment, "etag": "",
        "headersConfigs": [{"headerBehavior": header_behavior, "headers": _names(*header_names)}],
        "cookiesConfigs": [{"cookieBehavior": cookies, "cookies": _NO_ITEMS}],
        "queryStringsConfigs": [{"queryStringBehavior": query_strings, "queryStrings": _NO_ITEMS}],
    }


ORIGIN_REQUEST_POLICIES = [
    _origin_request_policy("216adef6-5c7f-47e4-b989-5492eafa07d3", "Managed-AllViewer",
                           "Policy to forward all parameters in viewer requests", ("allViewer", ()), "all", "all"),
    _origin_request_policy("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "Managed-CORS-S3Origin",
                           "Policy for origin request to enable CORS on S3",
                           ("whitelist", ("origin", "access-control-request-headers",
                                          "access-control-request-method")), "none", "none"),
    _origin_request_policy("59781a5b-3903-41f3-afcb-af62929ccde1", "Managed-CORS-CustomOrigin",
                           "Policy for origin request to enable CORS on custom origins", ("whitelist", ("origin",)),
                           "none", "none"),
    _origin_request_policy("acba4595-bd28-49b8-b9fe-13317c0390fa", "Managed-UserAgentRefererHeaders",
                           "Policy to forward user-agent and referer headers to origin",
                           ("whitelist", ("user-agent", "referer")), "none", "none"),
]

RESPONSE_HEADERS_POLICIES = [{
    "id": "67f7725c-6f97-4210-82d7-5512b31e9d03", "name": "Managed-SecurityHeadersPolicy", "etag": "",
    "comment": "Adds a set of security headers to every response",
    "corsConfigs": [], "customHeadersConfigs": [], "removeHeadersConfigs": [], "serverTimingHeadersConfigs": [],
    "securityHeadersConfigs": [{
        "contentSecurityPolicies": [],
        "contentTypeOptions": [{"override": True}],
        "frameOptions": [{"frameOption": "SAMEORIGIN", "override": False}],
        "referrerPolicies": [{"referrerPolicy": "strict-origin-when-cross-origin", "override": False}],
        "strictTransportSecurities": [{"accessControlMaxAgeSec": 31536000, "includeSubdomains": False,
                                       "override": False, "preload": False}],
        "xssProtections": [{"modeBlock": True, "override": False, "protection": True, "reportUri": ""}],
    }],
}]


def _managed(policies: list[dict[str, Any]], kind: str, resource: str, ctx: AwsContext,
             args: dict[str, Any]) -> dict[str, Any]:
    """The managed policy with the lookup's id or name (Terraform takes either)."""
    if not args.get("id") and not args.get("name"):
        raise BadInput(f"looking up a CloudFront {kind} needs its id or its name")
    for policy in policies:
        if args.get("id") in (None, "", policy["id"]) and args.get("name") in (None, "", policy["name"]):
            return {**policy, "arn": ctx.arn("cloudfront", f"{resource}/{policy['id']}", region="")}
    wanted = args.get("name") or args.get("id")
    known = ", ".join(p["name"] for p in policies)
    raise BadInput(f"no AWS-managed CloudFront {kind} {wanted!r} ({known} are); {_NOT_EMULATED}")


@invoke("aws:cloudfront/getCachePolicy:getCachePolicy")
def get_cache_policy(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    return _managed(CACHE_POLICIES, "cache policy", "cache-policy", ctx, args)


@invoke("aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy")
def get_origin_request_policy(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    return _managed(ORIGIN_REQUEST_POLICIES, "origin request policy", "origin-request-policy", ctx, args)


@invoke("aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy")
def get_response_headers_policy(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    return _managed(RESPONSE_HEADERS_POLICIES, "response headers policy", "response-headers-policy", ctx, args)
