"""A pet store REST API imported from openapi.yaml, its integrations pointing at one Lambda function."""

import hashlib
import json
from pathlib import Path
from string import Template

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
stage_name = config.get("stageName") or "prod"

role = aws.iam.Role(
    "petsRole",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }),
    managed_policy_arns=[aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE],
)

pets = aws.lambda_.Function(
    "pets",
    role=role.arn,
    runtime="python3.12",
    handler="pets.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
)

definition = Path("openapi.yaml").read_text()
body = pets.invoke_arn.apply(lambda arn: Template(definition).substitute(pets_invoke_arn=arn))

api = aws.apigateway.RestApi("petStore", body=body, description="The pet store")

deployment = aws.apigateway.Deployment(
    "petStoreDeployment",
    rest_api=api.id,
    # Redeploy whenever the definition changes.
    triggers={"body": body.apply(lambda text: hashlib.sha1(text.encode()).hexdigest())},
)

stage = aws.apigateway.Stage(
    "petStoreStage",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name=stage_name,
)

aws.lambda_.Permission(
    "petStoreInvokesPets",
    action="lambda:InvokeFunction",
    function=pets.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("api_id", api.id)
pulumi.export("root_resource_id", api.root_resource_id)
pulumi.export("function_arn", pets.arn)
pulumi.export("deployment_id", deployment.id)
pulumi.export("url", stage.invoke_url)
