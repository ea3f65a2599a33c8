"""Orders behind an HTTP API: GET /orders needs a JWT issued for one of the configured audiences, GET /health
is public, and partners post to the same function through a function URL with CORS. Failed asynchronous
invocations are not retried."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
issuer = config.require("issuer")
audiences = config.require_object("audiences")

role = aws.iam.Role(
    "orders-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)

aws.iam.RolePolicyAttachment(
    "orders-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

orders = aws.lambda_.Function(
    "orders",
    role=role.arn,
    runtime="python3.12",
    handler="orders.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
    memory_size=256,
)

aws.lambda_.FunctionEventInvokeConfig("orders-async", function_name=orders.name, maximum_retry_attempts=0)

api = aws.apigatewayv2.Api("orders-api", protocol_type="HTTP")

authorizer = aws.apigatewayv2.Authorizer(
    "orders-jwt",
    api_id=api.id,
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(audiences=audiences, issuer=issuer),
)

integration = aws.apigatewayv2.Integration(
    "orders-integration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=orders.invoke_arn,
    payload_format_version="2.0",
)

target = integration.id.apply(lambda id: f"integrations/{id}")
list_orders = aws.apigatewayv2.Route(
    "list-orders",
    api_id=api.id,
    route_key="GET /orders",
    target=target,
    authorization_type="JWT",
    authorizer_id=authorizer.id,
)
health = aws.apigatewayv2.Route("health", api_id=api.id, route_key="GET /health", target=target)

stage = aws.apigatewayv2.Stage(
    "default",
    api_id=api.id,
    name="$default",
    auto_deploy=True,
    opts=pulumi.ResourceOptions(depends_on=[list_orders, health]),
)

aws.lambda_.Permission(
    "api-invokes-orders",
    action="lambda:InvokeFunction",
    function=orders.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

webhook = aws.lambda_.FunctionUrl(
    "orders-webhook",
    function_name=orders.name,
    authorization_type="NONE",
    cors=aws.lambda_.FunctionUrlCorsArgs(
        allow_origins=["https://partners.example.com"], allow_methods=["POST"], max_age=3600
    ),
)

aws.lambda_.Permission(
    "public-webhook",
    action="lambda:InvokeFunctionUrl",
    function=orders.name,
    principal="*",
    function_url_auth_type="NONE",
)

pulumi.export("api_id", api.id)
pulumi.export("api_url", stage.invoke_url)
pulumi.export("authorizer_id", authorizer.id)
pulumi.export("function_name", orders.name)
pulumi.export("webhook_url", webhook.function_url)
