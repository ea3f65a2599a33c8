"""A Step Functions state machine whose one task is a Lambda function."""

import json

import iam
import pulumi
from pulumi_aws import lambda_, sfn

config = pulumi.Config()

hello_world_fn = lambda_.Function(
    "helloWorldFunction",
    role=iam.lambda_role.arn,
    runtime="python3.12",
    handler="hello.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./step_hello")}),
)

state_machine = sfn.StateMachine(
    "stateMachine",
    # Operators find the workflow by this name, so it is fixed: a replacement must delete the old one first.
    name=f"{pulumi.get_project()}-{pulumi.get_stack()}-hello",
    type=config.get("workflowType") or "STANDARD",
    role_arn=iam.sfn_role.arn,
    definition=hello_world_fn.arn.apply(
        lambda arn: json.dumps(
            {
                "Comment": "A Hello World example of the Amazon States Language using an AWS Lambda Function",
                "StartAt": "HelloWorld",
                "States": {"HelloWorld": {"Type": "Task", "Resource": arn, "End": True}},
            }
        )
    ),
    opts=pulumi.ResourceOptions(delete_before_replace=True, depends_on=[iam.sfn_role_policy]),
)

pulumi.export("state_machine_arn", state_machine.id)
pulumi.export("function_arn", hello_world_fn.arn)
