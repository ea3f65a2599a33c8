"""aws:apigatewayv2 DomainName and ApiMapping: an API's stage served under a custom domain name."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.modules.apigatewayv2.shared import GONE
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud
from envctl.providers.aws.wire import api_keys, wire_keys

_ROUTING_MODE = "API_MAPPING_ONLY"  # the only routing the local cloud serves: by API mappings
_CONFIGURATION_INPUTS = ("certificateArn", "endpointType", "securityPolicy", "ownershipVerificationCertificateArn",
                         "ipAddressType")  # the rest of the block (hosted zone, target name) is AWS's


def _cannot_update(token: str, id: str, changed: tuple[str, ...], missing: str) -> OperationFailed:
    return OperationFailed(f"{token} {id}: the local cloud cannot change {', '.join(changed)} in place ({missing} "
                           "is not emulated); replace the resource instead (e.g. with replaceOnChanges)")


@resource_type
class DomainName(AwsResource):
    token = "aws:apigatewayv2/domainName:DomainName"
    id_property = "domainName"
    required = ("domainName", "domainNameConfiguration")
    force_new = frozenset({"domainName"})
    handled = frozenset({"mutualTlsAuthentication", "routingMode"})
    outputs = frozenset({"apiMappingSelectionExpression", "arn"})
    gone_codes = GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        mode = inputs.get("routingMode")
        if mode not in (None, _ROUTING_MODE) and not contains_unknown(mode):
            return [CheckFailure("routingMode", f"routing rules are not emulated by the local cloud; routingMode "
                                                f"must be {_ROUTING_MODE}, got {mode!r}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        configuration = inputs["domainNameConfiguration"]
        params: dict[str, Any] = {
            "DomainName": inputs["domainName"],
            "DomainNameConfigurations": [api_keys({k: configuration[k] for k in _CONFIGURATION_INPUTS
                                                   if configuration.get(k)})],
        }
        if inputs.get("mutualTlsAuthentication"):
            params["MutualTlsAuthentication"] = api_keys(inputs["mutualTlsAuthentication"])
        if tags := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tags
        ctx.client("apigatewayv2").create_domain_name(**params)
        return inputs["domainName"], self.describe(ctx, inputs["domainName"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # moto has no UpdateDomainName, and reads a domain's tags only as they were at its creation.
        tags_changed = ("tags",) if self.tags_all(ctx, urn, news) != (olds.get("tagsAll") or {}) else ()
        changed = tuple(k for k in diff.changed if k != "tags") + tags_changed
        if changed:
            raise _cannot_update(self.token, id, changed, "UpdateDomainName, and retagging a domain name,")
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("apigatewayv2").delete_domain_name, gone=GONE, DomainName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        domain = ctx.client("apigatewayv2").get_domain_name(DomainName=id)
        configurations = domain.get("DomainNameConfigurations") or [{}]
        configuration = wire_keys(configurations[0])
        return {
            **state,
            "id": domain["DomainName"],
            "domainName": domain["DomainName"],
            "arn": domain.get("DomainNameArn") or ctx.arn("apigateway", f"/domainnames/{id}", account=""),
            "apiMappingSelectionExpression": domain.get("ApiMappingSelectionExpression"),
            "domainNameConfiguration": {**dict.fromkeys(("hostedZoneId", "targetDomainName")), **configuration},
            "mutualTlsAuthentication": wire_keys(domain["MutualTlsAuthentication"])
            if domain.get("MutualTlsAuthentication") else None,
            "routingMode": domain.get("RoutingMode") or _ROUTING_MODE,
            **tags_from_cloud(ctx, state, domain.get("Tags") or {}),
        }


@resource_type
class ApiMapping(AwsResource):
    token = "aws:apigatewayv2/apiMapping:ApiMapping"
    required = ("apiId", "domainName", "stage")
    force_new = frozenset({"domainName"})
    handled = frozenset({"apiMappingKey"})
    taggable = False
    gone_codes = GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {"DomainName": inputs["domainName"], "ApiId": inputs["apiId"], "Stage": inputs["stage"]}
        if inputs.get("apiMappingKey"):
            params["ApiMappingKey"] = inputs["apiMappingKey"]
        id = ctx.client("apigatewayv2").create_api_mapping(**params)["ApiMappingId"]
        return id, self.describe(ctx, id, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        raise _cannot_update(self.token, id, diff.changed, "UpdateApiMapping")

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("apigatewayv2").delete_api_mapping, gone=GONE, ApiMappingId=id,
               DomainName=state["domainName"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        mapping = ctx.client("apigatewayv2").get_api_mapping(ApiMappingId=id, DomainName=state["domainName"])
        return {**state, "id": id, "apiId": mapping["ApiId"], "stage": mapping["Stage"],
                "apiMappingKey": mapping.get("ApiMappingKey") or None, "domainName": state["domainName"]}
