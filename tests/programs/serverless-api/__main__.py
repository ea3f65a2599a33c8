"""An HTTP API in front of a Lambda function that counts hits per path in a DynamoDB table."""

import pulumi
import pulumi_aws as aws
from iam import lambda_role

config = pulumi.Config()
stage_name = config.get("stageName") or "$default"

hits = aws.dynamodb.Table(
    "hits",
    attributes=[aws.dynamodb.TableAttributeArgs(name="path", type="S")],
    hash_key="path",
    billing_mode="PAY_PER_REQUEST",
)

role = lambda_role(hits)

hit_counter = aws.lambda_.Function(
    "hitCounter",
    role=role.arn,
    runtime="python3.12",
    handler="handler.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE_NAME": hits.name}),
)

# Lambda writes to this group; keep the logs when the stack goes away.
aws.cloudwatch.LogGroup(
    "hitCounterLogs",
    name=hit_counter.name.apply(lambda name: f"/aws/lambda/{name}"),
    retention_in_days=14,
    opts=pulumi.ResourceOptions(retain_on_delete=True),
)

api = aws.apigatewayv2.Api("hitCounterApi", protocol_type="HTTP")

integration = aws.apigatewayv2.Integration(
    "hitCounterIntegration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_method="POST",
    integration_uri=hit_counter.arn,
    payload_format_version="2.0",
)

route = aws.apigatewayv2.Route(
    "hitCounterRoute",
    api_id=api.id,
    route_key="ANY /{proxy+}",
    target=integration.id.apply(lambda id: f"integrations/{id}"),
)

stage = aws.apigatewayv2.Stage(
    "hitCounterStage",
    api_id=api.id,
    name=stage_name,
    auto_deploy=True,
    opts=pulumi.ResourceOptions(depends_on=[route]),
)

aws.lambda_.Permission(
    "apiInvokesHitCounter",
    action="lambda:InvokeFunction",
    function=hit_counter.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("table_name", hits.name)
pulumi.export("function_name", hit_counter.name)
pulumi.export("api_id", api.id)
pulumi.export("url", pulumi.Output.concat(api.api_endpoint, "/", stage.name, "/"))
pulumi.export("code_sha256", hit_counter.code_sha256)
