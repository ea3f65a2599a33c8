"""Probes of API Gateway v2 authorizers, custom domain names and API mappings."""

from __future__ import annotations

from probing import Probe, present

_GONE = "NotFoundException"

PROBES: dict[str, Probe] = {
    "aws:apigatewayv2/authorizer:Authorizer": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_authorizer(ApiId=o["apiId"], AuthorizerId=id), _GONE),
    "aws:apigatewayv2/domainName:DomainName": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_domain_name(DomainName=id), _GONE),
    "aws:apigatewayv2/apiMapping:ApiMapping": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_api_mapping(ApiMappingId=id, DomainName=o["domainName"]), _GONE),
}
