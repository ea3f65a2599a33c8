"""The aws:apigateway lookups programs make: getRestApi (by name) and getResource (by path)."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.apigateway.shared import apigateway
from envctl.providers.aws.registry import invoke, lookup_resource


def _in_provider_region(ctx: AwsContext, args: dict[str, Any], name: str) -> None:
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"{name} for region {args['region']} is not supported; envctl's local engine works in the "
                       f"provider's region {ctx.region}")


@invoke("aws:apigateway/getRestApi:getRestApi")
def get_rest_api(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_api_gateway_rest_api data source: the one REST API of that name."""
    _in_provider_region(ctx, args, "getRestApi")
    name = args.get("name")
    if not name:
        raise BadInput("getRestApi: name is required")
    matches = [api for api in listed(apigateway(ctx), "get_rest_apis", "items") if api.get("name") == name]
    if not matches:
        raise BadInput(f"getRestApi: no REST API with name {name!r} found")
    if len(matches) > 1:
        raise BadInput(f"getRestApi: multiple REST APIs with name {name!r} found")
    id = matches[0]["id"]
    provider = lookup_resource("aws:apigateway/restApi:RestApi")
    outputs = provider.read(ctx, id, {}) if provider else None
    if outputs is None:
        raise OperationFailed(f"REST API {id} disappeared while it was looked up; run the program again")
    configuration = outputs.get("endpointConfiguration") or {}
    return {
        "id": id,
        "name": outputs["name"],
        "description": outputs.get("description") or "",
        "apiKeySource": outputs.get("apiKeySource") or "",
        "arn": outputs["arn"],
        "binaryMediaTypes": outputs.get("binaryMediaTypes") or [],
        "endpointAccessMode": "",
        "endpointConfigurations": [{"types": [configuration["types"]] if configuration.get("types") else [],
                                    "vpcEndpointIds": configuration.get("vpcEndpointIds") or [],
                                    "ipAddressType": configuration.get("ipAddressType") or ""}],
        "executionArn": outputs["executionArn"],
        "minimumCompressionSize": outputs.get("minimumCompressionSize") or "",
        "policy": outputs.get("policy") or "",
        "rootResourceId": outputs.get("rootResourceId") or "",
        "securityPolicy": "",
        "tags": outputs.get("tagsAll") or {},
        "region": ctx.region,
    }


@invoke("aws:apigateway/getResource:getResource")
def get_resource(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_api_gateway_resource data source: the resource at that path of a REST API."""
    _in_provider_region(ctx, args, "getResource")
    api_id, path = args.get("restApiId"), args.get("path")
    if not api_id or not path:
        raise BadInput("getResource: restApiId and path are required")
    resources = listed(apigateway(ctx), "get_resources", "items", restApiId=api_id)
    match = next((r for r in resources if r.get("path") == path), None)
    if match is None:
        raise BadInput(f"getResource: no resource with path {path!r} found for REST API {api_id}")
    return {"id": match["id"], "restApiId": api_id, "path": match["path"], "pathPart": match.get("pathPart", ""),
            "parentId": match.get("parentId", ""), "region": ctx.region}
