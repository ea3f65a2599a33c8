"""A REST API with two routes, /hello and /items/{id}, each proxied to one Lambda function."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
stage_name = config.get("stageName") or "dev"
release = config.get("release") or "1"

role = aws.iam.Role(
    "handlerRole",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }),
)
aws.iam.RolePolicyAttachment(
    "handlerLogs",
    role=role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
)

handler = aws.lambda_.Function(
    "handler",
    role=role.arn,
    runtime="python3.12",
    handler="handler.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
)

api = aws.apigateway.RestApi(
    "api",
    description="Routes proxied to a Lambda function",
    endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
)


def proxied_route(name, parent_id, path_part, http_method):
    """A resource under `parent_id` whose method hands every request to the handler."""
    resource = aws.apigateway.Resource(name, rest_api=api.id, parent_id=parent_id, path_part=path_part)
    method = aws.apigateway.Method(
        f"{name}{http_method.title()}",
        rest_api=api.id,
        resource_id=resource.id,
        http_method=http_method,
        authorization="NONE",
    )
    integration = aws.apigateway.Integration(
        f"{name}{http_method.title()}Integration",
        rest_api=api.id,
        resource_id=resource.id,
        http_method=method.http_method,
        integration_http_method="POST",
        type="AWS_PROXY",
        uri=handler.invoke_arn,
    )
    return resource, integration


hello, hello_integration = proxied_route("hello", api.root_resource_id, "hello", "GET")
items = aws.apigateway.Resource("items", rest_api=api.id, parent_id=api.root_resource_id, path_part="items")
item, item_integration = proxied_route("item", items.id, "{id}", "GET")

deployment = aws.apigateway.Deployment(
    "deployment",
    rest_api=api.id,
    description="managed by Pulumi",
    # A new deployment whenever a route or the release changes.
    triggers={"release": release, "routes": pulumi.Output.all(hello.id, item.id).apply(json.dumps)},
    opts=pulumi.ResourceOptions(depends_on=[hello_integration, item_integration]),
)

stage = aws.apigateway.Stage(
    "stage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name=stage_name,
    variables={"release": release},
    tags={"stage": stage_name},
)

aws.lambda_.Permission(
    "apiInvokesHandler",
    action="lambda:InvokeFunction",
    function=handler.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("api_id", api.id)
pulumi.export("function_arn", handler.arn)
pulumi.export("deployment_id", deployment.id)
pulumi.export("url", stage.invoke_url)
