"""The real-world programs under tests/programs/, as a table: what a user checks in the cloud after the first
`up`, the edit they then make, what the next `up` must do about it, and what they check afterwards."""

from __future__ import annotations

import base64
import fnmatch
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import ClientError

from engine_support import aws

PROGRAMS = Path(__file__).resolve().parent / "programs"
PASSPHRASE = "envctl-programs"  # opens the encryptionsalt of the stacks that have secrets
ACCOUNT = "123456789012"  # moto's default account
WORKLOAD_ACCOUNT = "111111111111"  # the account assume-role deploys into
DB_PASSWORD = "correct-horse-battery-staple-42"  # multi-tier's `secure:` dbPassword, in plaintext

Outputs = dict[str, Any]


@dataclass(frozen=True)
class Cloud:
    """boto3 clients on the moto server, in the default account or, through its admin role, in another one."""

    endpoint: str

    def client(self, service: str, account: str = ACCOUNT) -> Any:
        if account == ACCOUNT:
            return aws(self.endpoint, service)
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        credentials = aws(self.endpoint, "sts").assume_role(RoleArn=role, RoleSessionName="tests")["Credentials"]
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])


@dataclass(frozen=True)
class Edit:
    """A change the user makes to the program or its config, and the steps the next `up` takes because of
    it: (op, type) pairs; every other resource stays the same."""

    apply: Callable[[Path], None]
    steps: tuple[tuple[str, str], ...]
    verify: Callable[[Cloud, Outputs, Outputs], None]  # the outputs before and after the edit


@dataclass(frozen=True)
class ProgramCase:
    name: str  # directory under tests/programs
    verify: Callable[[Cloud, Outputs], None]  # after the first up, with the plain outputs of every stack
    edit: Edit
    stacks: tuple[str, ...] = ("test",)  # upped in this order, destroyed in reverse; the last one is edited
    secret_outputs: tuple[str, ...] = ()  # outputs that must come back secret (at any depth)
    setup: Callable[[Cloud], None] | None = None  # what exists before the program runs
    unprotect: Callable[[Path], None] | None = None  # set: destroy is refused until this edit is applied


# ---- edits -----------------------------------------------------------------------------------------------


def set_config(stack: str, **values: Any) -> Callable[[Path], None]:
    """Set project config keys in the stack's file, as `envctl config set` would."""

    def apply(project: Path) -> None:
        path = project / f"Pulumi.{stack}.yaml"
        document = yaml.safe_load(path.read_text())
        document["config"].update({f"{project.name}:{key}": value for key, value in values.items()})
        path.write_text(yaml.safe_dump(document))

    return apply


def write_file(relative: str, text: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        assert (project / relative).is_file(), relative
        (project / relative).write_text(text)

    return apply


# ---- shared checks ---------------------------------------------------------------------------------------


def statements(document: str | dict[str, Any]) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    return parsed["Statement"]


def queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def received(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [m["Body"] for m in messages]


def instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def user_data(ec2: Any, instance_id: str) -> str:
    value = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    return base64.b64decode(value).decode()


def load_balancer_named_by(elbv2: Any, dns_name: str) -> dict[str, Any]:
    balancers = elbv2.describe_load_balancers()["LoadBalancers"]
    return next(b for b in balancers if b["DNSName"] == dns_name)


def forwards_to(elbv2: Any, balancer_arn: str) -> dict[int, str]:
    """Listener port -> target group the listener forwards to."""
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer_arn)["Listeners"]
    return {lis["Port"]: lis["DefaultActions"][0]["TargetGroupArn"] for lis in listeners}


# ---- s3-website ------------------------------------------------------------------------------------------

NEW_INDEX = "<!DOCTYPE html>\n<html><body><h1>Hello again, world!</h1></body></html>\n"


def verify_s3_website(cloud: Cloud, out: Outputs) -> None:
    s3, bucket = cloud.client("s3"), out["bucket_name"]
    assert out["website_url"] == f"{bucket}.s3-website-us-east-1.amazonaws.com"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == ["config.json", "error.html", "index.html", "site.css"]
    index = s3.get_object(Bucket=bucket, Key="index.html")
    assert index["ContentType"] == "text/html"
    assert index["Body"].read() == (PROGRAMS / "s3-website" / "www" / "index.html").read_bytes()
    assert s3.get_object(Bucket=bucket, Key="site.css")["ContentType"] == "text/css"
    settings = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert settings == {"stack": "test", "apiUrl": "https://api.example.com"}
    website = s3.get_bucket_website(Bucket=bucket)
    assert (website["IndexDocument"]["Suffix"], website["ErrorDocument"]["Key"]) == ("index.html", "error.html")
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is False
    [statement] = statements(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert (statement["Effect"], statement["Principal"]) == ("Allow", "*")
    assert (statement["Action"], statement["Resource"]) == ("s3:GetObject", f"arn:aws:s3:::{bucket}/*")


def verify_new_index(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    body = cloud.client("s3").get_object(Bucket=after["bucket_name"], Key="index.html")["Body"].read()
    assert body.decode() == NEW_INDEX


# ---- webserver -------------------------------------------------------------------------------------------


def verify_webserver(cloud: Cloud, out: Outputs) -> None:
    ec2 = cloud.client("ec2")
    server = instance(ec2, out["instance_id"])
    assert (server["State"]["Name"], server["InstanceType"], server["VpcId"]) == ("running", "t3.micro", out["vpc_id"])
    assert server["ImageId"] == out["ami_id"]
    [image] = ec2.describe_images(ImageIds=[out["ami_id"]])["Images"]
    assert fnmatch.fnmatch(image["Name"], "amzn2-ami-hvm-*-x86_64-gp2")
    assert 'echo "Hello, World!" > index.html' in user_data(ec2, out["instance_id"])
    [group] = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in server["SecurityGroups"]])["SecurityGroups"]
    assert [(p["FromPort"], p["IpRanges"][0]["CidrIp"]) for p in group["IpPermissions"]] == [(80, "0.0.0.0/0")]
    [address] = ec2.describe_addresses(PublicIps=[out["public_ip"]])["Addresses"]
    assert address["InstanceId"] == out["instance_id"]
    [table] = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [server["SubnetId"]]}])["RouteTables"]
    internet = [r for r in table["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"]
    assert internet[0]["GatewayId"].startswith("igw-")


def verify_new_server(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    ec2 = cloud.client("ec2")
    assert after["instance_id"] != before["instance_id"]
    assert instance(ec2, before["instance_id"])["State"]["Name"] == "terminated"
    assert 'echo "Hello, Pulumi!" > index.html' in user_data(ec2, after["instance_id"])
    assert after["public_ip"] == before["public_ip"]  # the same Elastic IP, moved to the new server
    [address] = ec2.describe_addresses(PublicIps=[after["public_ip"]])["Addresses"]
    assert address["InstanceId"] == after["instance_id"]


# ---- serverless-api --------------------------------------------------------------------------------------

NEW_HANDLER = (PROGRAMS / "serverless-api" / "app" / "handler.py").read_text().replace(
    '"hits": int(', '"version": 2, "hits": int(')


def verify_serverless_api(cloud: Cloud, out: Outputs) -> None:
    table = cloud.client("dynamodb").describe_table(TableName=out["table_name"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "path", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    lambda_ = cloud.client("lambda")
    function = lambda_.get_function(FunctionName=out["function_name"])["Configuration"]
    assert (function["Runtime"], function["Handler"]) == ("python3.12", "handler.handler")
    assert function["Environment"]["Variables"] == {"TABLE_NAME": out["table_name"]}
    assert function["CodeSha256"] == out["code_sha256"]
    iam, role = cloud.client("iam"), function["Role"].split("/")[-1]
    [inline] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    [grant] = statements(iam.get_role_policy(RoleName=role, PolicyName=inline)["PolicyDocument"])
    assert grant["Resource"] == table["TableArn"] and "dynamodb:UpdateItem" in grant["Action"]
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    api, api_id = cloud.client("apigatewayv2"), out["api_id"]
    [integration] = api.get_integrations(ApiId=api_id)["Items"]
    assert (integration["IntegrationType"], integration["IntegrationUri"]) == ("AWS_PROXY", function["FunctionArn"])
    [route] = api.get_routes(ApiId=api_id)["Items"]
    assert (route["RouteKey"], route["Target"]) == ("ANY /{proxy+}", f"integrations/{integration['IntegrationId']}")
    assert api.get_stage(ApiId=api_id, StageName="v1")["AutoDeploy"] is True
    assert out["url"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/v1/"
    [permission] = statements(lambda_.get_policy(FunctionName=out["function_name"])["Policy"])
    assert permission["Principal"] == {"Service": "apigateway.amazonaws.com"}
    source = permission["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/*/*"
    group_name = f"/aws/lambda/{out['function_name']}"
    [group] = cloud.client("logs").describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
    assert group["retentionInDays"] == 14


def verify_new_code(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    function = cloud.client("lambda").get_function(FunctionName=after["function_name"])["Configuration"]
    assert function["CodeSha256"] == after["code_sha256"] != before["code_sha256"]
    assert after["function_name"] == before["function_name"]


# ---- stepfunctions ---------------------------------------------------------------------------------------


def verify_stepfunctions(cloud: Cloud, out: Outputs) -> None:
    machine = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=out["state_machine_arn"])
    assert (machine["name"], machine["type"]) == ("stepfunctions-test-hello", "STANDARD")
    definition = json.loads(machine["definition"])
    assert definition["States"]["HelloWorld"] == {"Type": "Task", "Resource": out["function_arn"], "End": True}
    trust = cloud.client("iam").get_role(RoleName=machine["roleArn"].split("/")[-1])["Role"]["AssumeRolePolicyDocument"]
    assert statements(trust)[0]["Principal"] == {"Service": "states.us-east-1.amazonaws.com"}
    function = cloud.client("lambda").get_function(FunctionName=out["function_arn"])["Configuration"]
    assert function["Handler"] == "hello.handler"


def verify_express(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["state_machine_arn"] == before["state_machine_arn"]  # same fixed name, so deleted first
    machine = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=after["state_machine_arn"])
    assert machine["type"] == "EXPRESS"


# ---- fargate ---------------------------------------------------------------------------------------------


def service_of(cloud: Cloud, out: Outputs) -> dict[str, Any]:
    return cloud.client("ecs").describe_services(cluster=out["cluster_arn"], services=[out["service_name"]])[
        "services"][0]


def verify_fargate(cloud: Cloud, out: Outputs) -> None:
    ec2, ecs, elbv2 = cloud.client("ec2"), cloud.client("ecs"), cloud.client("elbv2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"]
    service = service_of(cloud, out)
    assert (service["desiredCount"], service["launchType"]) == (2, "FARGATE")
    assert service["taskDefinition"] == out["task_definition_arn"]
    [balanced] = service["loadBalancers"]
    assert (balanced["targetGroupArn"], balanced["containerName"], balanced["containerPort"]) == (
        out["target_group_arn"], "my-app", 80)
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert sorted(network["subnets"]) == sorted(s["SubnetId"] for s in subnets)
    task = ecs.describe_task_definition(taskDefinition=out["task_definition_arn"])["taskDefinition"]
    assert (task["cpu"], task["memory"], task["requiresCompatibilities"]) == ("256", "512", ["FARGATE"])
    assert task["containerDefinitions"][0]["image"] == "nginx:1.25"
    role = task["executionRoleArn"].split("/")[-1]
    attached = cloud.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonECSTaskExecutionRolePolicy"]
    balancer = load_balancer_named_by(elbv2, out["url"])
    assert balancer["VpcId"] == default_vpc and balancer["Type"] == "application"
    assert forwards_to(elbv2, balancer["LoadBalancerArn"]) == {80: out["target_group_arn"]}
    [group] = elbv2.describe_target_groups(TargetGroupArns=[out["target_group_arn"]])["TargetGroups"]
    assert (group["TargetType"], group["Port"], group["VpcId"]) == ("ip", 80, default_vpc)


def verify_new_image(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    ecs = cloud.client("ecs")
    # The next revision of the family (other tests on the shared cloud may have registered earlier ones).
    family, revision = before["task_definition_arn"].rsplit(":", 1)
    assert after["task_definition_arn"] == f"{family}:{int(revision) + 1}"
    task = ecs.describe_task_definition(taskDefinition=after["task_definition_arn"])["taskDefinition"]
    assert task["containerDefinitions"][0]["image"] == "nginx:1.27"
    old = ecs.describe_task_definition(taskDefinition=before["task_definition_arn"])["taskDefinition"]
    assert old["status"] == "INACTIVE"
    service = service_of(cloud, after)
    # desiredCount is in ignore_changes: the config edit does not reach the service.
    assert (service["taskDefinition"], service["desiredCount"]) == (after["task_definition_arn"], 2)


# ---- sns-sqs-fanout --------------------------------------------------------------------------------------


def verify_fan_out(cloud: Cloud, out: Outputs, consumers: tuple[str, ...] = ("billing", "shipping")) -> None:
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    urls = {c: out[f"{c}_queue_url"] for c in consumers}
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=out["topic_arn"])["Subscriptions"]
    assert sorted(s["Endpoint"] for s in subscriptions) == sorted(queue_arn(sqs, u) for u in urls.values())
    for subscription in subscriptions:
        attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
        assert attributes["RawMessageDelivery"] == "true"
    dead_letters = queue_arn(sqs, out["dead_letter_queue_url"])
    for url in urls.values():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dead_letters, "maxReceiveCount": 5}
        [statement] = statements(attributes["Policy"])
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": out["topic_arn"]}}
    order = json.dumps({"order": 42, "consumers": list(consumers)})
    sns.publish(TopicArn=out["topic_arn"], Message=order)
    assert {c: received(sqs, u) for c, u in urls.items()} == {c: [order] for c in consumers}


def verify_new_consumer(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    verify_fan_out(cloud, after, ("audit", "billing", "shipping"))


# ---- eventbridge -----------------------------------------------------------------------------------------


def schedule_of(cloud: Cloud, out: Outputs) -> str:
    return cloud.client("events").describe_rule(Name=out["schedule_rule"])["ScheduleExpression"]


def verify_eventbridge(cloud: Cloud, out: Outputs) -> None:
    events, sqs, bus = cloud.client("events"), cloud.client("sqs"), out["bus_name"]
    [rule] = events.list_rules(EventBusName=bus)["Rules"]
    [target] = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
    assert target["Arn"] == queue_arn(sqs, out["queue_url"])
    [statement] = statements(sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["Policy"])[
        "Attributes"]["Policy"])
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rule["Arn"]}}
    orders = [{"id": "small", "total": 20}, {"id": "large", "total": 1500}]
    events.put_events(Entries=[{"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(o),
                                "EventBusName": bus} for o in orders])
    assert [json.loads(body)["detail"]["id"] for body in received(sqs, out["queue_url"])] == ["large"]
    assert schedule_of(cloud, out) == "rate(1 day)"
    function = cloud.client("lambda").get_function(FunctionName=out["function_name"])["Configuration"]
    [cleanup] = events.list_targets_by_rule(Rule=out["schedule_rule"])["Targets"]
    assert cleanup["Arn"] == function["FunctionArn"]
    [permission] = statements(cloud.client("lambda").get_policy(FunctionName=out["function_name"])["Policy"])
    assert permission["Principal"] == {"Service": "events.amazonaws.com"}


def verify_new_schedule(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert schedule_of(cloud, after) == "rate(12 hours)"


# ---- iam-users -------------------------------------------------------------------------------------------


def verify_iam_users(cloud: Cloud, out: Outputs) -> None:
    iam = cloud.client("iam")
    user = iam.get_user(UserName="ci-deployer")["User"]
    assert (out["user"]["arn"], out["user"]["path"]) == (user["Arn"], "/ci/")  # the whole resource, exported
    assert {t["Key"]: t["Value"] for t in user["Tags"]}["purpose"] == "continuous-delivery"
    [key] = iam.list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"]
    assert (key["AccessKeyId"], key["Status"]) == (out["accessKeyId"], "Active")
    as_user = boto3.client("sts", endpoint_url=cloud.endpoint, region_name="us-east-1",
                           aws_access_key_id=out["accessKeyId"], aws_secret_access_key=out["secretAccessKey"])
    assert as_user.get_caller_identity()["Arn"] == user["Arn"]
    group = iam.get_group(GroupName=out["groupName"])
    assert [u["UserName"] for u in group["Users"]] == ["ci-deployer"]
    attached = iam.list_attached_group_policies(GroupName=out["groupName"])["AttachedPolicies"]
    assert [p["PolicyName"].rsplit("-", 1)[0] for p in attached] == ["assume-deployer-roles"]
    role_name = out["roleArn"].split("/")[-1]
    assert role_name.startswith("deploy-s3-")
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert statements(trust)[0]["Principal"] == {"AWS": user["Arn"]}
    [inline] = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    [grant] = statements(iam.get_role_policy(RoleName=role_name, PolicyName=inline)["PolicyDocument"])
    assert grant["Action"] == "s3:*"


def verify_key_inactive(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    [key] = cloud.client("iam").list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"]
    assert (key["AccessKeyId"], key["Status"]) == (before["accessKeyId"], "Inactive")
    assert after["secretAccessKey"] == before["secretAccessKey"]


# ---- assume-role -----------------------------------------------------------------------------------------


def create_deployment_role(cloud: Cloud) -> None:
    """What the workload account's administrators set up beforehand: a role the management account may assume
    with the agreed external id."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "PulumiApplication"}}}]}
    iam = cloud.client("iam", WORKLOAD_ACCOUNT)
    try:
        iam.create_role(RoleName="deploy-workloads", AssumeRolePolicyDocument=json.dumps(trust))
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise


def retention_of(cloud: Cloud, out: Outputs) -> int:
    sqs = cloud.client("sqs", WORKLOAD_ACCOUNT)
    attributes = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["MessageRetentionPeriod"])
    return int(attributes["Attributes"]["MessageRetentionPeriod"])


def verify_assume_role(cloud: Cloud, out: Outputs) -> None:
    assert out["workload_account_id"] == WORKLOAD_ACCOUNT
    assert f"/{WORKLOAD_ACCOUNT}/" in out["queue_url"]
    queue_name = out["queue_url"].rsplit("/", 1)[-1]
    assert cloud.client("sqs", WORKLOAD_ACCOUNT).list_queues(QueueNamePrefix=queue_name)["QueueUrls"] == [
        out["queue_url"]]
    assert "QueueUrls" not in cloud.client("sqs").list_queues(QueueNamePrefix=queue_name)
    assert retention_of(cloud, out) == 4 * 24 * 3600
    buckets = cloud.client("s3", WORKLOAD_ACCOUNT).list_buckets()["Buckets"]
    assert out["bucket_name"] in [b["Name"] for b in buckets]
    pointers = cloud.client("ssm").describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["jobs-queue-pointer"]}])["Parameters"]
    [pointer] = pointers
    assert cloud.client("ssm").get_parameter(Name=pointer["Name"])["Parameter"]["Value"] == out["queue_url"]


def verify_longer_retention(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["queue_url"] == before["queue_url"]
    assert retention_of(cloud, after) == 7 * 24 * 3600


# ---- multi-tier ------------------------------------------------------------------------------------------


def db_instance(cloud: Cloud, out: Outputs) -> dict[str, Any]:
    identifier = out["database"]["identifier"]
    return cloud.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def verify_multi_tier(cloud: Cloud, out: Outputs) -> None:
    ec2, elbv2 = cloud.client("ec2"), cloud.client("elbv2")
    assert ec2.describe_vpcs(VpcIds=[out["vpcId"]])["Vpcs"][0]["CidrBlock"] == "10.20.0.0/16"
    public = ec2.describe_subnets(SubnetIds=out["publicSubnetIds"])["Subnets"]
    private = ec2.describe_subnets(SubnetIds=out["privateSubnetIds"])["Subnets"]
    assert len({s["AvailabilityZone"] for s in public}) == len({s["AvailabilityZone"] for s in private}) == 2
    assert all(s["MapPublicIpOnLaunch"] for s in public) and not any(s["MapPublicIpOnLaunch"] for s in private)
    balancer = load_balancer_named_by(elbv2, out["url"].removeprefix("http://").rstrip("/"))
    assert sorted(z["SubnetId"] for z in balancer["AvailabilityZones"]) == sorted(out["publicSubnetIds"])
    [target_group] = forwards_to(elbv2, balancer["LoadBalancerArn"]).values()
    [group] = elbv2.describe_target_groups(TargetGroupArns=[target_group])["TargetGroups"]
    assert (group["Port"], group["HealthCheckPath"]) == (8080, "/health")
    db = db_instance(cloud, out)
    assert (db["Engine"], db["DBInstanceClass"], db["DBInstanceStatus"]) == ("postgres", "db.t3.micro", "available")
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == sorted(out["privateSubnetIds"])
    [db_group] = ec2.describe_security_groups(GroupIds=[g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]])[
        "SecurityGroups"]
    [rule] = db_group["IpPermissions"]
    assert (rule["FromPort"], rule["UserIdGroupPairs"][0]["GroupId"]) == (5432, balancer["SecurityGroups"][0])
    assert out["database"]["password"] == DB_PASSWORD and out["database"]["address"] == db["Endpoint"]["Address"]
    connection = cloud.client("secretsmanager").get_secret_value(SecretId=out["connectionSecretArn"])
    assert json.loads(connection["SecretString"]) == {
        "host": db["Endpoint"]["Address"], "port": 5432, "dbname": "app", "username": "app", "password": DB_PASSWORD}


def verify_bigger_db(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert db_instance(cloud, after)["DBInstanceClass"] == "db.t3.small"
    assert after["database"]["identifier"] == before["database"]["identifier"]


# ---- the table -------------------------------------------------------------------------------------------

BUCKET_OBJECT = "aws:s3/bucketObject:BucketObject"
INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
FUNCTION = "aws:lambda/function:Function"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
QUEUE = "aws:sqs/queue:Queue"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
DB_INSTANCE = "aws:rds/instance:Instance"

CASES = [
    ProgramCase("s3-website", verify_s3_website,
                Edit(write_file("www/index.html", NEW_INDEX), (("update", BUCKET_OBJECT),), verify_new_index)),
    ProgramCase("webserver", verify_webserver,
                Edit(set_config("test", greeting="Hello, Pulumi!"), (("replace", INSTANCE), ("update", EIP)),
                     verify_new_server)),
    ProgramCase("serverless-api", verify_serverless_api,
                Edit(write_file("app/handler.py", NEW_HANDLER), (("update", FUNCTION),), verify_new_code)),
    ProgramCase("stepfunctions", verify_stepfunctions,
                Edit(set_config("test", workflowType="EXPRESS"), (("replace", STATE_MACHINE),), verify_express)),
    ProgramCase("fargate", verify_fargate,
                Edit(set_config("test", image="nginx:1.27", desiredCount="4"),
                     (("replace", TASK_DEFINITION), ("update", SERVICE)), verify_new_image)),
    ProgramCase("sns-sqs-fanout", verify_fan_out,
                Edit(set_config("test", consumers=["billing", "shipping", "audit"]),
                     (("create", QUEUE), ("create", SUBSCRIPTION)), verify_new_consumer)),
    ProgramCase("eventbridge", verify_eventbridge,
                Edit(set_config("test", cleanupSchedule="rate(12 hours)"), (("update", EVENT_RULE),),
                     verify_new_schedule)),
    ProgramCase("iam-users", verify_iam_users,
                Edit(set_config("test", keyStatus="Inactive"), (("update", ACCESS_KEY),), verify_key_inactive),
                secret_outputs=("secretAccessKey",)),
    ProgramCase("assume-role", verify_assume_role,
                Edit(set_config("test", messageRetentionDays="7"), (("update", QUEUE),), verify_longer_retention),
                setup=create_deployment_role),
    ProgramCase("multi-tier", verify_multi_tier,
                Edit(set_config("test", dbInstanceClass="db.t3.small"), (("update", DB_INSTANCE),),
                     verify_bigger_db),
                stacks=("shared", "test"), secret_outputs=("database",),
                unprotect=set_config("test", protectDatabase=False)),
]


def _expected() -> list[ProgramCase]:
    """The cases kept beside their programs: tests/programs/<name>/expect.py defines CASE (a ProgramCase)."""
    cases = []
    for file in sorted(PROGRAMS.glob("*/expect.py")):
        spec = importlib.util.spec_from_file_location(f"expect_{file.parent.name.replace('-', '_')}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        case = module.CASE
        assert case.name == file.parent.name, f"{file}: CASE names {case.name!r}"
        cases.append(case)
    return cases


CASES += _expected()
