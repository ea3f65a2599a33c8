"""aws:apigateway RestApi (with an OpenAPI body imported as pulumi-aws does) and RestApiPolicy."""

from __future__ import annotations

import json
from typing import Any

import yaml

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.modules.apigateway.shared import (
    ApiGatewayResource,
    Patch,
    apigateway,
    execution_arn,
    list_changes,
    replace,
    replace_changed,
    resource_arn,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud
from envctl.providers.aws.wire import timestamp

_NO_TAG_CHANGES = "it tags a REST API only when creating it"
# Inputs UpdateRestApi changes by a replace operation on the path of the same name.
_REPLACED = {key: f"/{key}" for key in ("name", "description", "apiKeySource", "policy")}


def _definition(body: str) -> Any:
    """The OpenAPI definition a body holds, as JSON or YAML text (what API Gateway's import reads)."""
    try:
        return json.loads(body)
    except ValueError:
        return yaml.safe_load(body)


def _body_problem(body: str) -> str | None:
    try:
        definition = _definition(body)
    except yaml.YAMLError as error:
        return f"'body' is neither JSON nor YAML: {error}"
    if not isinstance(definition, dict) or not ({"openapi", "swagger"} & set(definition)):
        return "'body' is not an OpenAPI definition (it has no 'openapi' or 'swagger' version)"
    if "swagger" in definition or not str(definition["openapi"]).startswith("3"):
        return ("Swagger 2.0 definitions are not emulated by the local cloud, which imports OpenAPI 3 only; write "
                "the body as OpenAPI 3")
    for path, operations in (definition.get("paths") or {}).items():
        for method, operation in (operations or {}).items():
            integration = operation.get("x-amazon-apigateway-integration") if isinstance(operation, dict) else None
            if integration and not (integration.get("uri") and integration.get("httpMethod")):
                return (f"the integration of {method.upper()} {path} has no uri and httpMethod: importing such an "
                        "integration (e.g. MOCK) is not emulated by the local cloud; define it as an "
                        "aws.apigateway.Integration resource")
    return None


def _policy_from_cloud(configured: Any, answer: dict[str, Any]) -> str | None:
    """AWS keeps the policy with its quotes escaped; the configured text while it grants the same."""
    policy = answer.get("policy")
    if not policy:
        return None
    return document_from_cloud(configured, policy.replace('\\"', '"'), policies_equivalent)


@resource_type
class RestApi(ApiGatewayResource):
    token = "aws:apigateway/restApi:RestApi"
    name_property = "name"
    defaults = {"putRestApiMode": "overwrite"}
    handled = frozenset({
        "apiKeySource", "binaryMediaTypes", "body", "description", "disableExecuteApiEndpoint",
        "endpointConfiguration", "failOnWarnings", "minimumCompressionSize", "putRestApiMode",
    })
    unsupported = {
        "endpointAccessMode": "endpoint access modes are not emulated by the local cloud",
        "securityPolicy": "TLS security policies of REST APIs are not emulated by the local cloud",
        "parameters": "OpenAPI import parameters are not emulated by the local cloud (it ignores them)",
    }
    documents = {"policy": policies_equivalent}
    outputs = frozenset({"arn", "createdDate", "executionArn", "rootResourceId"})
    fixed_locally = {
        "tags": _NO_TAG_CHANGES,
        "minimumCompressionSize": "its UpdateRestApi ignores minimumCompressionSize",
        "disableExecuteApiEndpoint": "its UpdateRestApi turns disableExecuteApiEndpoint on whatever the value",
        "endpointConfiguration.vpcEndpointIds": "its UpdateRestApi changes only the endpoint type",
        "endpointConfiguration.ipAddressType": "its UpdateRestApi changes only the endpoint type",
    }

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = unsupported_fields(self.token, "endpointConfiguration", inputs.get("endpointConfiguration"),
                                      ("types", "vpcEndpointIds", "ipAddressType"))
        body = inputs.get("body")
        problem = _body_problem(body) if isinstance(body, str) and body and not contains_unknown(body) else None
        if problem:
            failures.append(CheckFailure("body", problem))
        if inputs.get("putRestApiMode") not in (None, "merge", "overwrite"):
            failures.append(CheckFailure("putRestApiMode", "must be merge or overwrite"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"name": inputs["name"], "tags": self.tags_all(ctx, urn, inputs)}
        for key in ("apiKeySource", "binaryMediaTypes", "description", "disableExecuteApiEndpoint", "policy"):
            if inputs.get(key) not in (None, "", []):
                params[key] = inputs[key]
        if inputs.get("endpointConfiguration"):
            params["endpointConfiguration"] = endpoint_configuration_to_api(inputs["endpointConfiguration"])
        size = inputs.get("minimumCompressionSize")
        if size not in (None, "", "-1"):
            params["minimumCompressionSize"] = int(size)
        created = apigateway(ctx).create_rest_api(**params)
        id = created["id"]
        missing = [t for t in inputs.get("binaryMediaTypes") or () if t not in (created.get("binaryMediaTypes") or ())]
        if missing:  # the local cloud's CreateRestApi ignores binary media types: they are added after it
            apigateway(ctx).update_rest_api(restApiId=id,
                                            patchOperations=list_changes("/binaryMediaTypes", [], missing))
        if inputs.get("body"):
            self._import(ctx, id, inputs)
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def _import(self, ctx: AwsContext, id: str, inputs: Props) -> None:
        """PutRestApi, then the configured settings over those the definition brought (as Terraform does)."""
        client = apigateway(ctx)
        api = client.put_rest_api(restApiId=id, mode=inputs.get("putRestApiMode") or "overwrite",
                                  failOnWarnings=bool(inputs.get("failOnWarnings")), body=inputs["body"].encode())
        operations = [replace(path, inputs[key]) for key, path in _REPLACED.items()
                      if inputs.get(key) not in (None, "") and api.get(key) != inputs[key]]
        endpoint_type = (inputs.get("endpointConfiguration") or {}).get("types")
        if endpoint_type and api.get("endpointConfiguration", {}).get("types") != [endpoint_type]:
            operations.append(replace("/endpointConfiguration/types/0", endpoint_type))
        if inputs.get("binaryMediaTypes"):
            operations += list_changes("/binaryMediaTypes", api.get("binaryMediaTypes"), inputs["binaryMediaTypes"])
        if operations:
            client.update_rest_api(restApiId=id, patchOperations=operations)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations: list[Patch] = replace_changed(diff.changed, news, _REPLACED)
        if "binaryMediaTypes" in diff.changed:
            operations += list_changes("/binaryMediaTypes", olds.get("binaryMediaTypes"), news.get("binaryMediaTypes"))
        endpoint_type = (news.get("endpointConfiguration") or {}).get("types")
        if "endpointConfiguration" in diff.changed and endpoint_type:
            operations.append(replace("/endpointConfiguration/types/0", endpoint_type))
        if operations:
            apigateway(ctx).update_rest_api(restApiId=id, patchOperations=operations)
        if news.get("body") and {"body", "putRestApiMode", "failOnWarnings"} & set(diff.changed):
            self._import(ctx, id, news)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_rest_api, restApiId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = apigateway(ctx)
        api = client.get_rest_api(restApiId=id)
        resources = client.get_resources(restApiId=id, limit=500)["items"]
        size = api.get("minimumCompressionSize")
        return {
            "name": api["name"],
            "description": api.get("description") or None,
            "apiKeySource": api.get("apiKeySource"),
            "binaryMediaTypes": api.get("binaryMediaTypes") or None,
            "disableExecuteApiEndpoint": api.get("disableExecuteApiEndpoint", False),
            "endpointConfiguration": _endpoint_configuration(state.get("endpointConfiguration"),
                                                             api.get("endpointConfiguration")),
            "minimumCompressionSize": None if size is None else str(size),
            "policy": _policy_from_cloud(state.get("policy"), api),
            "arn": resource_arn(ctx, f"/restapis/{id}"),
            "createdDate": timestamp(api["createdDate"]),
            "executionArn": execution_arn(ctx, id),
            "rootResourceId": next((r["id"] for r in resources if r.get("path") == "/"), None),
            **tags_from_cloud(ctx, state, api.get("tags") or {}),
        }


def endpoint_configuration_to_api(block: Props) -> dict[str, Any]:
    """pulumi-aws takes the one endpoint type as a string; the API takes a list of them."""
    return {**block, "types": [block["types"]]} if isinstance(block.get("types"), str) else dict(block)


def _endpoint_configuration(configured: Props | None, answer: dict[str, Any] | None) -> Props | None:
    """The endpoint configuration as Terraform reads it: its type, and VPC endpoints and address type when known."""
    if not answer:
        return None
    block: Props = {"types": next(iter(answer.get("types") or []), None)}
    for key in ("vpcEndpointIds", "ipAddressType"):
        value = answer.get(key) if answer.get(key) is not None else (configured or {}).get(key)
        if value is not None:
            block[key] = sorted(value) if key == "vpcEndpointIds" else value
    return block


@resource_type
class RestApiPolicy(ApiGatewayResource):
    """A REST API's resource policy, kept on the REST API itself (UpdateRestApi's /policy)."""

    token = "aws:apigateway/restApiPolicy:RestApiPolicy"
    required = ("policy", "restApiId")
    documents = {"policy": policies_equivalent}
    force_new = frozenset({"restApiId"})
    taggable = False
    handled = frozenset()

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs["restApiId"], inputs["policy"])
        return inputs["restApiId"], {**inputs, **self.describe(ctx, inputs["restApiId"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, id, news["policy"])
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            self._put(ctx, id, "")

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        outputs = super().read(ctx, id, state)
        return outputs if outputs and outputs.get("policy") else None

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        api = apigateway(ctx).get_rest_api(restApiId=id)
        return {"restApiId": id, "policy": _policy_from_cloud(state.get("policy"), api)}

    def _put(self, ctx: AwsContext, id: str, policy: str) -> None:
        apigateway(ctx).update_rest_api(restApiId=id, patchOperations=[replace("/policy", policy)])
