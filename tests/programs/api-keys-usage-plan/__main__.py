"""A reports API: callers need a token the authorizer function accepts and an API key of the usage plan."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
monthly_quota = config.get_int("monthlyQuota") or 10000

lambda_trust = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})
role = aws.iam.Role("functionsRole", assume_role_policy=lambda_trust)
aws.iam.RolePolicyAttachment("functionsLogs", role=role.name,
                             policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE)

code = pulumi.AssetArchive({".": pulumi.FileArchive("./app")})
authorizer_fn = aws.lambda_.Function("tokenAuthorizer", role=role.arn, runtime="python3.12",
                                     handler="authorizer.handler", code=code)
reports_fn = aws.lambda_.Function("reports", role=role.arn, runtime="python3.12", handler="reports.handler",
                                  code=code)

api = aws.apigateway.RestApi("reportsApi", api_key_source="HEADER", description="Reports for partners")

authorizer = aws.apigateway.Authorizer(
    "tokenAuthorizer",
    rest_api=api.id,
    type="TOKEN",
    authorizer_uri=authorizer_fn.invoke_arn,
    identity_source="method.request.header.Authorization",
    authorizer_result_ttl_in_seconds=60,
)

reports = aws.apigateway.Resource("reports", rest_api=api.id, parent_id=api.root_resource_id, path_part="reports")
get_reports = aws.apigateway.Method(
    "getReports",
    rest_api=api.id,
    resource_id=reports.id,
    http_method="GET",
    authorization="CUSTOM",
    authorizer_id=authorizer.id,
    api_key_required=True,
)
integration = aws.apigateway.Integration(
    "getReportsIntegration",
    rest_api=api.id,
    resource_id=reports.id,
    http_method=get_reports.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=reports_fn.invoke_arn,
)
aws.apigateway.MethodResponse(
    "getReportsOk",
    rest_api=api.id,
    resource_id=reports.id,
    http_method=get_reports.http_method,
    status_code="200",
)

deployment = aws.apigateway.Deployment("reportsDeployment", rest_api=api.id,
                                       opts=pulumi.ResourceOptions(depends_on=[integration]))
stage = aws.apigateway.Stage("live", rest_api=api.id, deployment=deployment.id, stage_name="live")

for name, fn in (("authorizer", authorizer_fn), ("reports", reports_fn)):
    aws.lambda_.Permission(
        f"{name}InvokedByApi",
        action="lambda:InvokeFunction",
        function=fn.name,
        principal="apigateway.amazonaws.com",
        source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*"),
    )

plan = aws.apigateway.UsagePlan(
    "partners",
    description="Partner access to the reports API",
    api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=api.id, stage=stage.stage_name)],
    quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(limit=monthly_quota, period="MONTH"),
    throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(burst_limit=20, rate_limit=10),
)

key = aws.apigateway.ApiKey("acme", description="ACME Corp")
aws.apigateway.UsagePlanKey("acmeOnPartners", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id)

pulumi.export("api_id", api.id)
pulumi.export("authorizer_id", authorizer.id)
pulumi.export("authorizer_function_arn", authorizer_fn.arn)
pulumi.export("usage_plan_id", plan.id)
pulumi.export("api_key_id", key.id)
pulumi.export("url", stage.invoke_url)
