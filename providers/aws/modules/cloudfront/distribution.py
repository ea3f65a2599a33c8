"""aws:cloudfront distributions: S3 and custom origins, origin groups, default and ordered cache behaviours, viewer
certificate, aliases, error responses, logging and geo restrictions."""

from __future__ import annotations

import uuid
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.cloudfront import distribution_shapes as shapes
from envctl.providers.aws.modules.cloudfront.api_shapes import (
    Field,
    Shape,
    from_api,
    items,
    listed_items,
    refused_fields,
    to_api,
)
from envctl.providers.aws.modules.cloudfront.tagging import change_tags, cloud_tags, tag_items, tagged_with_urn
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import wait_until

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # the hosted zone of every distribution's domain, for alias records
_GONE = ("NoSuchDistribution",)
_DEPLOY_TIMEOUT = 90 * 60.0  # Terraform's create and update timeouts
_NOT_EMULATED = "is not emulated by the local cloud"
_BEHAVIOUR_DEFAULTS = {"compress": False, "smoothStreaming": False, "minTtl": 0}
_POLICY_TTLS = ("minTtl", "defaultTtl", "maxTtl")


@resource_type
class Distribution(AwsResource):
    token = "aws:cloudfront/distribution:Distribution"
    regional = False
    required = ("defaultCacheBehavior", "enabled", "origins", "restrictions", "viewerCertificate")
    defaults = {"httpVersion": "http2", "isIpv6Enabled": False, "priceClass": "PriceClass_All",
                "retainOnDelete": False, "waitForDeployment": True, "staging": False}
    force_new = frozenset({"staging"})
    handled = frozenset({"aliases", "comment", "customErrorResponses", "defaultRootObject", "httpVersion",
                         "originGroups", "isIpv6Enabled", "loggingConfig", "orderedCacheBehaviors", "priceClass",
                         "retainOnDelete", "waitForDeployment", "webAclId", "staging"})
    unsupported = {
        "anycastIpListId": f"anycast static IPs {_NOT_EMULATED}",
        "cacheTagConfig": f"cache tags {_NOT_EMULATED}",
        "connectionFunctionAssociation": f"connection functions {_NOT_EMULATED}",
        "continuousDeploymentPolicyId": f"continuous deployment {_NOT_EMULATED}",
        "viewerMtlsConfig": f"viewer mTLS {_NOT_EMULATED}",
    }
    outputs = frozenset({"arn", "callerReference", "domainName", "etag", "hostedZoneId",
                         "inProgressValidationBatches", "lastModifiedTime", "loggingV1Enabled", "status",
                         "trustedKeyGroups", "trustedSigners"})
    set_properties = ("aliases",)
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = _refused_fields(self.token, inputs)
        if inputs.get("staging") is True:
            failures.append(CheckFailure("staging", f"staging distributions {_NOT_EMULATED}"))
        for index, origin in enumerate(inputs.get("origins") or []):
            s3 = origin.get("s3OriginConfig") if isinstance(origin, dict) else None
            if isinstance(s3, dict) and s3.get("originAccessIdentity"):
                failures.append(CheckFailure("origins", f"'origins[{index}].s3OriginConfig.originAccessIdentity': "
                                                        f"origin access identities {_NOT_EMULATED}", unsupported=True))
        default = inputs.get("defaultCacheBehavior")
        target = default.get("targetOriginId") if isinstance(default, dict) else None
        groups = [g.get("originId") for g in inputs.get("originGroups") or [] if isinstance(g, dict)]
        if isinstance(target, str) and target in groups:
            failures.append(CheckFailure("defaultCacheBehavior", f"a default cache behaviour that targets an origin "
                                                                 f"group {_NOT_EMULATED} (it takes only an origin "
                                                                 "there); target the group from an ordered behaviour"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        config = {**_config(inputs), "CallerReference": str(uuid.uuid4())}
        answer = ctx.client("cloudfront").create_distribution_with_tags(DistributionConfigWithTags={
            "DistributionConfig": config, "Tags": tag_items(self.tags_all(ctx, urn, inputs))})
        id = answer["Distribution"]["Id"]
        if inputs.get("waitForDeployment"):
            _wait_deployed(ctx, id)
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        pages = ctx.client("cloudfront").get_paginator("list_distributions").paginate()
        return [d["Id"] for d in pages.search("DistributionList.Items[]") if tagged_with_urn(ctx, d["ARN"], urn)]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("cloudfront")
        local_only = {"retainOnDelete", "waitForDeployment", "tags"}
        if set(diff.changed) - local_only:
            current = client.get_distribution_config(Id=id)
            config = {**_config(news), "CallerReference": current["DistributionConfig"]["CallerReference"]}
            client.update_distribution(Id=id, IfMatch=current["ETag"], DistributionConfig=config)
            if news.get("waitForDeployment"):
                _wait_deployed(ctx, id)
        arn = ctx.arn("cloudfront", f"distribution/{id}", region="")
        change_tags(ctx, arn, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """As Terraform: disabled first (CloudFront deletes only disabled distributions), then deleted, unless
        retainOnDelete keeps it disabled."""
        client = ctx.client("cloudfront")
        current = found_or_none(client.get_distribution_config, _GONE, Id=id)
        if current is None:
            return
        if current["DistributionConfig"].get("Enabled"):
            disabled = {**current["DistributionConfig"], "Enabled": False}
            answer = client.update_distribution(Id=id, IfMatch=current["ETag"], DistributionConfig=disabled)
            _wait_deployed(ctx, id)
            etag = answer["ETag"]
        else:
            etag = current["ETag"]
        if not state.get("retainOnDelete"):
            found_or_none(client.delete_distribution, _GONE, Id=id, IfMatch=etag)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = ctx.client("cloudfront").get_distribution(Id=id)
        distribution, config = answer["Distribution"], answer["Distribution"]["DistributionConfig"]
        logging = config.get("Logging") or {}
        return {
            **_inputs_from(config, state),
            "arn": distribution["ARN"],
            "callerReference": config.get("CallerReference", ""),
            "domainName": distribution["DomainName"],
            "etag": answer.get("ETag", ""),
            "hostedZoneId": CLOUDFRONT_ZONE_ID,
            "inProgressValidationBatches": distribution.get("InProgressInvalidationBatches", 0),
            "lastModifiedTime": str(distribution.get("LastModifiedTime", "")),
            "loggingV1Enabled": bool(logging.get("Enabled")),
            "status": distribution.get("Status", ""),
            "trustedKeyGroups": [_active_signers(distribution.get("ActiveTrustedKeyGroups"), "KeyGroupId")],
            "trustedSigners": [_active_signers(distribution.get("ActiveTrustedSigners"), "AwsAccountNumber")],
            "retainOnDelete": state.get("retainOnDelete", False),  # envctl's, not CloudFront's
            "waitForDeployment": state.get("waitForDeployment", True),
            "staging": config.get("Staging", False),
            **cloud_tags(ctx, distribution["ARN"], state),
        }


# The block inputs, their shapes, and the fields of each that the distribution maps itself.
_BLOCKS = (
    ("origins", shapes.ORIGIN, ("s3OriginConfig",)),
    ("defaultCacheBehavior", shapes.DEFAULT_BEHAVIOUR, shapes.BEHAVIOUR_METHODS),
    ("orderedCacheBehaviors", shapes.ORDERED_BEHAVIOUR, shapes.BEHAVIOUR_METHODS),
    ("customErrorResponses", shapes.ERROR_RESPONSE, ()),
    ("viewerCertificate", shapes.VIEWER_CERTIFICATE, ()),
    ("loggingConfig", shapes.LOGGING, ()),
    ("originGroups", shapes.ORIGIN_GROUP, ()),
    ("restrictions", shapes.RESTRICTIONS, ()),
)


def _refused_fields(token: str, inputs: Props) -> list[CheckFailure]:
    """The block fields, at any depth, that envctl does not map (each refused, with why where the local cloud is
    the reason)."""
    failures: list[CheckFailure] = []
    for key, shape, mapped_apart in _BLOCKS:
        value = inputs.get(key)
        if isinstance(value, dict | list) and not contains_unknown(value):
            failures.extend(refused_fields(token, key, value, _with(shape, mapped_apart), shapes.FIELD_HINTS))
    return failures


def _with(shape: Shape, wires: tuple[str, ...]) -> Shape:
    """The shape with fields that the distribution maps itself, so that refusal checks know them."""
    return Shape((*shape.fields, *(Field(wire, wire) for wire in wires)))


def _wait_deployed(ctx: AwsContext, id: str) -> None:
    client = ctx.client("cloudfront")
    wait_until(lambda: client.get_distribution(Id=id)["Distribution"]["Status"] == "Deployed",
               f"CloudFront distribution {id} to be deployed", _DEPLOY_TIMEOUT)


def _active_signers(active: dict[str, Any] | None, key: str) -> dict[str, Any]:
    active = active or {}
    return {"enabled": bool(active.get("Enabled")),
            "items": [{key[0].lower() + key[1:]: item.get(key, ""), "keyPairIds": listed_items(item.get("KeyPairIds"))}
                      for item in listed_items(active)]}


# ---- inputs -> DistributionConfig -----------------------------------------------------------


def _config(inputs: Props) -> dict[str, Any]:
    logging = inputs.get("loggingConfig")
    geo = (inputs.get("restrictions") or {}).get("geoRestriction") or {"restrictionType": "none"}
    return {
        "Aliases": items(list(inputs.get("aliases") or [])),
        "DefaultRootObject": inputs.get("defaultRootObject") or "",
        "Origins": items([_origin(origin) for origin in inputs["origins"]]),
        "OriginGroups": items([to_api(shapes.ORIGIN_GROUP, g) for g in inputs.get("originGroups") or []]),
        "DefaultCacheBehavior": _behaviour(shapes.DEFAULT_BEHAVIOUR, inputs["defaultCacheBehavior"]),
        "CacheBehaviors": items([_behaviour(shapes.ORDERED_BEHAVIOUR, b) for b in inputs.get("orderedCacheBehaviors")
                                 or []]),
        "CustomErrorResponses": items([to_api(shapes.ERROR_RESPONSE, r) for r in inputs.get("customErrorResponses")
                                       or []]),
        "Comment": inputs.get("comment") or "",
        "Logging": {"Enabled": bool(logging), "IncludeCookies": bool((logging or {}).get("includeCookies")),
                    "Bucket": (logging or {}).get("bucket") or "", "Prefix": (logging or {}).get("prefix") or ""},
        "PriceClass": inputs.get("priceClass") or "PriceClass_All",
        "Enabled": bool(inputs["enabled"]),
        "ViewerCertificate": _viewer_certificate(inputs["viewerCertificate"]),
        "Restrictions": {"GeoRestriction": {"RestrictionType": geo["restrictionType"],
                                            **items(sorted(geo.get("locations") or []))}},
        "WebACLId": inputs.get("webAclId") or "",
        "HttpVersion": inputs.get("httpVersion") or "http2",
        "IsIPV6Enabled": bool(inputs.get("isIpv6Enabled")),
    }


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    request = to_api(shapes.ORIGIN, {"connectionAttempts": 3, "connectionTimeout": 10, **origin})
    if not origin.get("customOriginConfig"):  # an origin is either a custom one or an S3 bucket
        request.pop("CustomOriginConfig", None)
        request["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    return request


def _behaviour(shape: Shape, behaviour: dict[str, Any]) -> dict[str, Any]:
    """A cache behaviour; with a cache policy, CloudFront takes neither forwarded values nor TTLs."""
    block = {**_BEHAVIOUR_DEFAULTS, **{k: v for k, v in behaviour.items() if v is not None}}
    if block.get("cachePolicyId"):
        block = {k: v for k, v in block.items() if k not in ("forwardedValues", *_POLICY_TTLS)}
    request = to_api(shape, block)
    request["AllowedMethods"] = {**items(list(behaviour["allowedMethods"])),
                                 "CachedMethods": items(list(behaviour["cachedMethods"]))}
    return request


def _viewer_certificate(certificate: dict[str, Any]) -> dict[str, Any]:
    request = to_api(shapes.VIEWER_CERTIFICATE, certificate)
    request["CloudFrontDefaultCertificate"] = bool(certificate.get("cloudfrontDefaultCertificate"))
    request.setdefault("MinimumProtocolVersion", "TLSv1")
    return request


# ---- DistributionConfig -> inputs -----------------------------------------------------------


def _inputs_from(config: dict[str, Any], state: Props) -> Props:
    logging = config.get("Logging") or {}
    geo = (config.get("Restrictions") or {}).get("GeoRestriction") or {}
    return {
        "aliases": sorted(listed_items(config.get("Aliases"))) or None,
        "comment": config.get("Comment") or None,
        "defaultRootObject": config.get("DefaultRootObject") or None,
        "enabled": config.get("Enabled", False),
        "httpVersion": config.get("HttpVersion"),
        "isIpv6Enabled": config.get("IsIPV6Enabled", False),
        "priceClass": config.get("PriceClass"),
        "webAclId": config.get("WebACLId") or None,
        "origins": [_origin_from(o, state) for o in listed_items(config.get("Origins"))],
        "originGroups": [from_api(shapes.ORIGIN_GROUP, g) for g in listed_items(config.get("OriginGroups"))] or None,
        "defaultCacheBehavior": _behaviour_from(shapes.DEFAULT_BEHAVIOUR, config["DefaultCacheBehavior"]),
        "orderedCacheBehaviors": [_behaviour_from(shapes.ORDERED_BEHAVIOUR, b)
                                  for b in listed_items(config.get("CacheBehaviors"))] or None,
        "customErrorResponses": [from_api(shapes.ERROR_RESPONSE, r)
                                 for r in listed_items(config.get("CustomErrorResponses"))] or None,
        "loggingConfig": {"bucket": logging.get("Bucket"), "includeCookies": bool(logging.get("IncludeCookies")),
                          "prefix": logging.get("Prefix") or ""} if logging.get("Enabled") else None,
        "viewerCertificate": _viewer_certificate_from(config.get("ViewerCertificate") or {}),
        "restrictions": {"geoRestriction": {"restrictionType": geo.get("RestrictionType", "none"),
                                            "locations": sorted(listed_items(geo)) or None}},
    }


def _origin_from(answer: dict[str, Any], state: Props) -> dict[str, Any]:
    origin = from_api(shapes.ORIGIN, answer)
    if origin.get("originShield") and not origin["originShield"].get("enabled"):
        origin["originShield"] = None
    # The local cloud does not report S3OriginConfig: an origin without a custom config is an S3 one, recorded as
    # the program wrote it (the only S3 config envctl sends is one without an origin access identity).
    given = next((o for o in state.get("origins") or [] if o.get("originId") == origin["originId"]), {})
    origin["s3OriginConfig"] = given.get("s3OriginConfig") if not origin.get("customOriginConfig") else None
    return origin


def _behaviour_from(shape: Shape, answer: dict[str, Any]) -> dict[str, Any]:
    behaviour = from_api(shape, answer)
    methods = answer.get("AllowedMethods") or {}
    behaviour["allowedMethods"] = sorted(listed_items(methods))
    behaviour["cachedMethods"] = sorted(listed_items(methods.get("CachedMethods")))
    if behaviour.get("cachePolicyId"):  # the local cloud reports default forwarded values even then
        behaviour["forwardedValues"] = None
    for key in ("cachePolicyId", "originRequestPolicyId", "responseHeadersPolicyId", "fieldLevelEncryptionId",
                "realtimeLogConfigArn"):
        behaviour[key] = behaviour.get(key) or None
    return behaviour


def _viewer_certificate_from(answer: dict[str, Any]) -> dict[str, Any]:
    certificate = from_api(shapes.VIEWER_CERTIFICATE, answer)
    custom = bool(certificate.get("acmCertificateArn") or certificate.get("iamCertificateId"))
    certificate["cloudfrontDefaultCertificate"] = not custom and bool(certificate.get("cloudfrontDefaultCertificate"))
    for key in ("acmCertificateArn", "iamCertificateId"):
        certificate[key] = certificate.get(key) or None
    if not custom:
        certificate["sslSupportMethod"] = None
    return certificate
