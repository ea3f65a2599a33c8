"""A boto3 probe per resource type: does the cloud still hold the resource a program made? The probes of the
first types are here; each family added later keeps its own in tests/probes/<family>.py (a PROBES dict), merged
below, so families never edit one shared table."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

Probe = Callable[[Callable[[str], Any], str, dict[str, Any]], bool]  # client, id, outputs -> still exists


def present(call: Callable[[], Any], *gone: str) -> bool:
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] in gone:
            return False
        raise
    return True


def listed(call: Callable[[], Any], found: Callable[[Any], bool], *gone: str) -> bool:
    try:
        return found(call())
    except ClientError as error:
        if error.response["Error"]["Code"] in gone:
            return False
        raise


def ec2_filtered(describe: str, key: str, name: str) -> Probe:
    return lambda c, id, o: bool(getattr(c("ec2"), describe)(Filters=[{"Name": name, "Values": [id]}])[key])


def iam_attached(kind: str) -> Probe:
    def probe(c: Callable[[str], Any], id: str, o: dict[str, Any]) -> bool:
        list_attached = getattr(c("iam"), f"list_attached_{kind}_policies")
        return listed(lambda: list_attached(**{f"{kind.title()}Name": o[kind]})["AttachedPolicies"],
                      lambda policies: o["policyArn"] in [p["PolicyArn"] for p in policies], "NoSuchEntity")
    return probe


NO_BUCKET = ("404", "NoSuchBucket")
SQS_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]

PROBES: dict[str, Probe] = {
    "aws:s3/bucket:Bucket": lambda c, id, o: present(lambda: c("s3").head_bucket(Bucket=id), *NO_BUCKET),
    "aws:s3/bucketObject:BucketObject": lambda c, id, o: present(
        lambda: c("s3").head_object(Bucket=o["bucket"], Key=o["key"]), *NO_BUCKET, "NoSuchKey"),
    "aws:s3/bucketPolicy:BucketPolicy": lambda c, id, o: present(
        lambda: c("s3").get_bucket_policy(Bucket=o["bucket"]), *NO_BUCKET, "NoSuchBucketPolicy"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": lambda c, id, o: present(
        lambda: c("s3").get_public_access_block(Bucket=o["bucket"]), *NO_BUCKET,
        "NoSuchPublicAccessBlockConfiguration"),
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": lambda c, id, o: present(
        lambda: c("s3").get_bucket_website(Bucket=o["bucket"]), *NO_BUCKET, "NoSuchWebsiteConfiguration"),
    "aws:ec2/vpc:Vpc": ec2_filtered("describe_vpcs", "Vpcs", "vpc-id"),
    "aws:ec2/subnet:Subnet": ec2_filtered("describe_subnets", "Subnets", "subnet-id"),
    "aws:ec2/internetGateway:InternetGateway": ec2_filtered(
        "describe_internet_gateways", "InternetGateways", "internet-gateway-id"),
    "aws:ec2/routeTable:RouteTable": ec2_filtered("describe_route_tables", "RouteTables", "route-table-id"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2_filtered(
        "describe_route_tables", "RouteTables", "association.route-table-association-id"),
    "aws:ec2/securityGroup:SecurityGroup": ec2_filtered("describe_security_groups", "SecurityGroups", "group-id"),
    "aws:ec2/eip:Eip": ec2_filtered("describe_addresses", "Addresses", "allocation-id"),
    "aws:ec2/instance:Instance": lambda c, id, o: bool(c("ec2").describe_instances(Filters=[
        {"Name": "instance-id", "Values": [id]},
        {"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}])["Reservations"]),
    "aws:iam/role:Role": lambda c, id, o: present(lambda: c("iam").get_role(RoleName=id), "NoSuchEntity"),
    "aws:iam/rolePolicy:RolePolicy": lambda c, id, o: present(
        lambda: c("iam").get_role_policy(RoleName=o["role"], PolicyName=o["name"]), "NoSuchEntity"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": iam_attached("role"),
    "aws:iam/user:User": lambda c, id, o: present(lambda: c("iam").get_user(UserName=id), "NoSuchEntity"),
    "aws:iam/accessKey:AccessKey": lambda c, id, o: listed(
        lambda: c("iam").list_access_keys(UserName=o["user"])["AccessKeyMetadata"],
        lambda keys: id in [k["AccessKeyId"] for k in keys], "NoSuchEntity"),
    "aws:iam/group:Group": lambda c, id, o: present(lambda: c("iam").get_group(GroupName=id), "NoSuchEntity"),
    "aws:iam/groupMembership:GroupMembership": lambda c, id, o: listed(
        lambda: c("iam").get_group(GroupName=o["group"])["Users"],
        lambda users: bool({u["UserName"] for u in users} & set(o["users"])), "NoSuchEntity"),
    "aws:iam/policy:Policy": lambda c, id, o: present(lambda: c("iam").get_policy(PolicyArn=o["arn"]), "NoSuchEntity"),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": iam_attached("group"),
    "aws:dynamodb/table:Table": lambda c, id, o: present(
        lambda: c("dynamodb").describe_table(TableName=id), "ResourceNotFoundException"),
    "aws:lambda/function:Function": lambda c, id, o: present(
        lambda: c("lambda").get_function(FunctionName=id), "ResourceNotFoundException"),
    "aws:lambda/permission:Permission": lambda c, id, o: listed(
        lambda: json.loads(c("lambda").get_policy(FunctionName=o["function"])["Policy"])["Statement"],
        lambda found: o["statementId"] in [s["Sid"] for s in found], "ResourceNotFoundException"),
    "aws:cloudwatch/logGroup:LogGroup": lambda c, id, o: id in [
        g["logGroupName"] for g in c("logs").describe_log_groups(logGroupNamePrefix=id)["logGroups"]],
    "aws:apigatewayv2/api:Api": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_api(ApiId=id), "NotFoundException"),
    "aws:apigatewayv2/integration:Integration": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_integration(ApiId=o["apiId"], IntegrationId=id), "NotFoundException"),
    "aws:apigatewayv2/route:Route": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_route(ApiId=o["apiId"], RouteId=id), "NotFoundException"),
    "aws:apigatewayv2/stage:Stage": lambda c, id, o: present(
        lambda: c("apigatewayv2").get_stage(ApiId=o["apiId"], StageName=o["name"]), "NotFoundException"),
    "aws:sfn/stateMachine:StateMachine": lambda c, id, o: present(
        lambda: c("stepfunctions").describe_state_machine(stateMachineArn=id), "StateMachineDoesNotExist"),
    "aws:ecs/cluster:Cluster": lambda c, id, o: any(
        x["status"] == "ACTIVE" for x in c("ecs").describe_clusters(clusters=[o["arn"]])["clusters"]),
    "aws:ecs/taskDefinition:TaskDefinition": lambda c, id, o: c("ecs").describe_task_definition(
        taskDefinition=o["arn"])["taskDefinition"]["status"] == "ACTIVE",
    "aws:ecs/service:Service": lambda c, id, o: listed(
        lambda: c("ecs").describe_services(cluster=o["cluster"], services=[o["name"]])["services"],
        lambda services: any(s["status"] != "INACTIVE" for s in services), "ClusterNotFoundException"),
    "aws:lb/loadBalancer:LoadBalancer": lambda c, id, o: present(
        lambda: c("elbv2").describe_load_balancers(LoadBalancerArns=[id]), "LoadBalancerNotFound"),
    "aws:lb/targetGroup:TargetGroup": lambda c, id, o: present(
        lambda: c("elbv2").describe_target_groups(TargetGroupArns=[id]), "TargetGroupNotFound"),
    "aws:lb/listener:Listener": lambda c, id, o: present(
        lambda: c("elbv2").describe_listeners(ListenerArns=[id]), "ListenerNotFound"),
    "aws:sns/topic:Topic": lambda c, id, o: present(lambda: c("sns").get_topic_attributes(TopicArn=id), "NotFound"),
    "aws:sns/topicSubscription:TopicSubscription": lambda c, id, o: present(
        lambda: c("sns").get_subscription_attributes(SubscriptionArn=id), "NotFound"),
    "aws:sqs/queue:Queue": lambda c, id, o: present(lambda: c("sqs").get_queue_attributes(QueueUrl=id), *SQS_GONE),
    "aws:cloudwatch/eventBus:EventBus": lambda c, id, o: present(
        lambda: c("events").describe_event_bus(Name=o["name"]), "ResourceNotFoundException"),
    "aws:cloudwatch/eventRule:EventRule": lambda c, id, o: present(
        lambda: c("events").describe_rule(Name=o["name"], EventBusName=o["eventBusName"]),
        "ResourceNotFoundException"),
    "aws:cloudwatch/eventTarget:EventTarget": lambda c, id, o: listed(
        lambda: c("events").list_targets_by_rule(Rule=o["rule"], EventBusName=o["eventBusName"])["Targets"],
        lambda targets: o["targetId"] in [t["Id"] for t in targets], "ResourceNotFoundException"),
    "aws:ssm/parameter:Parameter": lambda c, id, o: present(
        lambda: c("ssm").get_parameter(Name=id), "ParameterNotFound"),
    "aws:secretsmanager/secret:Secret": lambda c, id, o: listed(
        lambda: c("secretsmanager").describe_secret(SecretId=o["arn"]),
        lambda secret: "DeletedDate" not in secret, "ResourceNotFoundException"),
    "aws:secretsmanager/secretVersion:SecretVersion": lambda c, id, o: present(
        lambda: c("secretsmanager").get_secret_value(SecretId=o["secretId"], VersionId=o["versionId"]),
        "ResourceNotFoundException", "InvalidRequestException"),
    "aws:rds/subnetGroup:SubnetGroup": lambda c, id, o: present(
        lambda: c("rds").describe_db_subnet_groups(DBSubnetGroupName=id), "DBSubnetGroupNotFoundFault"),
    "aws:rds/instance:Instance": lambda c, id, o: present(
        lambda: c("rds").describe_db_instances(DBInstanceIdentifier=o["identifier"]), "DBInstanceNotFound"),
}


def _family_probes() -> dict[str, Probe]:
    found: dict[str, Probe] = {}
    for file in sorted((Path(__file__).resolve().parent / "probes").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"probes_{file.stem}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        twice = found.keys() & module.PROBES.keys() | PROBES.keys() & module.PROBES.keys()
        assert not twice, f"{file}: probes already defined elsewhere: {sorted(twice)}"
        found.update(module.PROBES)
    return found


PROBES.update(_family_probes())
