"""Error logs of an application forwarded to a Lambda function that could page someone, with a CloudWatch
dashboard showing the function's invocations and errors."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
error_pattern = config.get("errorPattern") or "ERROR"
region = aws.get_region()

app_logs = aws.cloudwatch.LogGroup("app-logs", retention_in_days=7)

role = aws.iam.Role("forwarder-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicyAttachment(
    "forwarder-logs",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

forwarder = aws.lambda_.Function(
    "forwarder",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(
        "import base64, gzip, json\n\n"
        "def handler(event, context):\n"
        "    data = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))\n"
        "    return {'errors': len(data['logEvents'])}\n"
    )}),
)

allow_logs = aws.lambda_.Permission(
    "logs-invoke-forwarder",
    action="lambda:InvokeFunction",
    function=forwarder.name,
    principal=f"logs.{region.region}.amazonaws.com",
    source_arn=app_logs.arn.apply(lambda arn: f"{arn}:*"),
)

aws.cloudwatch.LogSubscriptionFilter(
    "errors-to-forwarder",
    log_group=app_logs.name,
    filter_pattern=error_pattern,
    destination_arn=forwarder.arn,
    opts=pulumi.ResourceOptions(depends_on=[allow_logs]),
)

dashboard = aws.cloudwatch.Dashboard(
    "operations",
    dashboard_name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
    dashboard_body=forwarder.name.apply(lambda name: json.dumps({
        "widgets": [
            {
                "type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
                "properties": {
                    "title": "Forwarded errors",
                    "metrics": [["AWS/Lambda", "Invocations", "FunctionName", name],
                                ["AWS/Lambda", "Errors", "FunctionName", name]],
                    "period": 300, "stat": "Sum", "region": region.region,
                },
            },
        ],
    })),
)

pulumi.export("log_group", app_logs.name)
pulumi.export("function_arn", forwarder.arn)
pulumi.export("dashboard_name", dashboard.dashboard_name)
