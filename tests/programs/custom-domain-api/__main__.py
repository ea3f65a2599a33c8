"""A status API answered by API Gateway itself (mock integrations), with a validated POST, friendly 4XX answers and
blue/green stages, one of which is served at https://<domain>/status."""

import hashlib
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
certificate_arn = config.require("certificateArn")
live_stage = config.get("liveStage") or "blue"

api = aws.apigateway.RestApi(
    "statusApi",
    description="Service status",
    endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
)

aws.apigateway.RestApiPolicy(
    "statusApiPolicy",
    rest_api_id=api.id,
    policy=api.execution_arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                       "Resource": f"{arn}/*"}],
    })),
)

status = aws.apigateway.Resource("status", rest_api=api.id, parent_id=api.root_resource_id, path_part="status")

get_status = aws.apigateway.Method("getStatus", rest_api=api.id, resource_id=status.id, http_method="GET",
                                   authorization="NONE")
get_status_mock = aws.apigateway.Integration(
    "getStatusMock",
    rest_api=api.id,
    resource_id=status.id,
    http_method=get_status.http_method,
    type="MOCK",
    request_templates={"application/json": json.dumps({"statusCode": 200})},
)
get_status_ok = aws.apigateway.MethodResponse(
    "getStatusOk",
    rest_api=api.id,
    resource_id=status.id,
    http_method=get_status.http_method,
    status_code="200",
    response_models={"application/json": "Empty"},
)
aws.apigateway.IntegrationResponse(
    "getStatusOkResponse",
    rest_api=api.id,
    resource_id=status.id,
    http_method=get_status.http_method,
    status_code=get_status_ok.status_code,
    response_templates={"application/json": json.dumps({"status": "ok"})},
    opts=pulumi.ResourceOptions(depends_on=[get_status_mock]),
)

report = aws.apigateway.Model(
    "report",
    rest_api=api.id,
    name="StatusReport",
    content_type="application/json",
    schema=json.dumps({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["component", "healthy"],
        "properties": {"component": {"type": "string"}, "healthy": {"type": "boolean"}},
    }),
)
body_validator = aws.apigateway.RequestValidator("bodyValidator", rest_api=api.id, validate_request_body=True)
post_status = aws.apigateway.Method(
    "postStatus",
    rest_api=api.id,
    resource_id=status.id,
    http_method="POST",
    authorization="NONE",
    request_models={"application/json": report.name},
    request_validator_id=body_validator.id,
)
post_status_mock = aws.apigateway.Integration(
    "postStatusMock",
    rest_api=api.id,
    resource_id=status.id,
    http_method=post_status.http_method,
    type="MOCK",
    request_templates={"application/json": json.dumps({"statusCode": 202})},
)

aws.apigateway.Response(
    "badRequestBody",
    rest_api_id=api.id,
    response_type="BAD_REQUEST_BODY",
    status_code="400",
    response_templates={"application/json": '{"message": "$context.error.validationErrorString"}'},
)

deployment = aws.apigateway.Deployment(
    "statusDeployment",
    rest_api=api.id,
    triggers={"methods": hashlib.sha1(b"GET /status, POST /status").hexdigest()},
    opts=pulumi.ResourceOptions(depends_on=[get_status_mock, post_status_mock]),
)
stages = {
    color: aws.apigateway.Stage(color, rest_api=api.id, deployment=deployment.id, stage_name=color,
                                variables={"color": color})
    for color in ("blue", "green")
}

custom_domain = aws.apigateway.DomainName(
    "customDomain",
    domain_name=domain,
    regional_certificate_arn=certificate_arn,
    endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
)
aws.apigateway.BasePathMapping(
    "liveMapping",
    domain_name=custom_domain.domain_name,
    rest_api=api.id,
    stage_name=stages[live_stage].stage_name,
    base_path="status",
)

pulumi.export("api_id", api.id)
pulumi.export("status_resource_id", status.id)
pulumi.export("validator_id", body_validator.id)
pulumi.export("domain", custom_domain.domain_name)
pulumi.export("regional_domain_name", custom_domain.regional_domain_name)
pulumi.export("regional_zone_id", custom_domain.regional_zone_id)
