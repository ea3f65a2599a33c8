"""Lambda event source mappings (SQS, Kinesis, DynamoDB streams), layer versions, aliases, function URLs, the
asynchronous invocation settings and getFunction, against the session's moto server."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pulumi
import pytest

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import LAMBDA_TRUST, Provisioner, failures, invoke, provider, sdk_wire, unique

MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
LAYER = "aws:lambda/layerVersion:LayerVersion"
ALIAS = "aws:lambda/alias:Alias"
URL = "aws:lambda/functionUrl:FunctionUrl"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


@pytest.fixture
def lam(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("lambda")


@pytest.fixture
def function(aws_ctx: AwsContext, lam: Any) -> str:
    """A function made with boto3, as the program's other resources would have made it."""
    role = aws_ctx.client("iam").create_role(RoleName=unique("sources-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)
    name = unique("worker")
    lam.create_function(FunctionName=name, Runtime="python3.12", Handler="index.handler",
                        Role=role["Role"]["Arn"], Code={"ZipFile": zipped("def handler(e, c):\n    return 1\n")})
    return name


@pytest.fixture
def queue_arn(aws_ctx: AwsContext) -> str:
    sqs = aws_ctx.client("sqs")
    url = sqs.create_queue(QueueName=unique("jobs"))["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


# ---- EventSourceMapping ------------------------------------------------------------------------


def test_sqs_event_source_mapping_lifecycle(provisioner: Provisioner, lam: Any, function: str, queue_arn: str,
                                            aws_ctx: AwsContext) -> None:
    pattern = json.dumps({"body": {"kind": ["order"]}})
    made = provisioner.create(MAPPING, "jobs", {
        "functionName": function, "eventSourceArn": queue_arn, "batchSize": 5,
        "filterCriteria": {"filters": [{"pattern": pattern}]}, "scalingConfig": {"maximumConcurrency": 4},
        "functionResponseTypes": ["ReportBatchItemFailures"], "tags": {"team": "jobs"}})

    mapping = lam.get_event_source_mapping(UUID=made.id)
    function_arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    assert made.outputs["uuid"] == made.id and made.outputs["arn"] == mapping["EventSourceMappingArn"]
    assert (mapping["EventSourceArn"], mapping["FunctionArn"], mapping["BatchSize"]) == (queue_arn, function_arn, 5)
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": pattern}]}
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 4} and mapping["State"] == "Enabled"
    assert lam.list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]["team"] == "jobs"
    assert (made.outputs["functionArn"], made.outputs["state"]) == (function_arn, "Enabled")
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    assert not provisioner.plan(made, {"functionName": function_arn}).has_changes  # the same function

    made = provisioner.update(made, {"batchSize": 8, "enabled": False, "filterCriteria": None,
                                     "tags": {"team": "batch"}})
    mapping = lam.get_event_source_mapping(UUID=made.id)
    assert (mapping["BatchSize"], mapping["State"]) == (8, "Disabled")
    assert not (mapping.get("FilterCriteria") or {}).get("Filters")
    assert made.outputs["filterCriteria"] is None and made.outputs["enabled"] is False
    assert lam.list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]["team"] == "batch"
    assert provisioner.plan(made, {"eventSourceArn": queue_arn + "-other"}).replaces == ("eventSourceArn",)

    provisioner.assert_deleted(made)
    assert lam.list_event_source_mappings(EventSourceArn=queue_arn)["EventSourceMappings"] == []


def test_kinesis_event_source_mapping(provisioner: Provisioner, lam: Any, function: str, queue_arn: str,
                                      aws_ctx: AwsContext) -> None:
    kinesis, stream = aws_ctx.client("kinesis"), unique("clicks")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    made = provisioner.create(MAPPING, "clicks", {
        "functionName": function, "eventSourceArn": stream_arn, "startingPosition": "LATEST",
        "parallelizationFactor": 2, "maximumRetryAttempts": 3, "bisectBatchOnFunctionError": True,
        "destinationConfig": {"onFailure": {"destinationArn": queue_arn}}})
    mapping = lam.get_event_source_mapping(UUID=made.id)
    assert (mapping["StartingPosition"], mapping["BatchSize"], mapping["ParallelizationFactor"]) == ("LATEST", 100, 2)
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": queue_arn}}
    assert made.outputs["destinationConfig"] == {"onFailure": {"destinationArn": queue_arn}}
    assert provisioner.read(made) == made.outputs
    assert provisioner.plan(made, {"startingPosition": "TRIM_HORIZON"}).replaces == ("startingPosition",)
    provisioner.assert_deleted(made)


def test_dynamodb_stream_event_source_mapping(provisioner: Provisioner, lam: Any, function: str,
                                              aws_ctx: AwsContext) -> None:
    table = aws_ctx.client("dynamodb").create_table(
        TableName=unique("orders"), AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    made = provisioner.create(MAPPING, "orders", {"functionName": function, "eventSourceArn":
                                                  table["LatestStreamArn"], "startingPosition": "TRIM_HORIZON"})
    mapping = lam.get_event_source_mapping(UUID=made.id)
    assert (mapping["EventSourceArn"], mapping["StartingPosition"]) == (table["LatestStreamArn"], "TRIM_HORIZON")
    provisioner.assert_deleted(made)


def test_event_source_mapping_refuses_sources_the_local_cloud_does_not_poll() -> None:
    assert "eventSourceArn is required" in failures(MAPPING, functionName="f", topics=["t"])["eventSourceArn"]
    assert failures(MAPPING, functionName="f", eventSourceArn="arn:aws:sqs:us-east-1:123456789012:q",
                    queues=["q"])["queues"].startswith("'queues' is not supported")
    kafka = "arn:aws:kafka:us-east-1:123456789012:cluster/c/1"
    assert "not emulated" in failures(MAPPING, functionName="f", eventSourceArn=kafka)["eventSourceArn"]


# ---- LayerVersion ------------------------------------------------------------------------------


def layer_code(text: str) -> Any:
    return sdk_wire(pulumi.AssetArchive({"python/shared.py": pulumi.StringAsset(text)}))


def test_layer_version_lifecycle(provisioner: Provisioner, lam: Any, aws_ctx: AwsContext) -> None:
    name = unique("shared")
    made = provisioner.create(LAYER, "shared", {"layerName": name, "code": layer_code("VALUE = 1\n"),
                                                "compatibleRuntimes": ["python3.12", "python3.11"],
                                                "description": "shared helpers"})
    assert made.id == made.outputs["arn"] == f"{made.outputs['layerArn']}:1" and made.outputs["version"] == "1"
    layer = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert (layer["Description"], sorted(layer["CompatibleRuntimes"])) == ("shared helpers",
                                                                          ["python3.11", "python3.12"])
    assert made.outputs["codeSha256"] == layer["Content"]["CodeSha256"] and made.outputs["sourceCodeSize"] > 0
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {"compatibleRuntimes": ["python3.11", "python3.12"]}).has_changes
    assert provisioner.plan(made, {"code": layer_code("VALUE = 2\n")}).replaces == ("code",)
    assert provisioner.plan(made, {"description": "other"}).replaces == ("description",)

    made = provisioner.update(made, {"skipDestroy": True})  # envctl's alone: nothing changes in the cloud
    provider(LAYER).delete(aws_ctx, made.id, made.outputs)
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=name)["LayerVersions"]] == [1]
    lam.delete_layer_version(LayerName=name, VersionNumber=1)


def test_layer_version_delete_leaves_no_version(provisioner: Provisioner, lam: Any) -> None:
    name = unique("gone")
    made = provisioner.create(LAYER, "gone", {"layerName": name, "code": layer_code("A = 2\n"),
                                              "compatibleArchitectures": ["arm64"], "licenseInfo": "MIT"})
    layer = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert (layer["CompatibleArchitectures"], layer["LicenseInfo"]) == (["arm64"], "MIT")
    provisioner.assert_deleted(made)
    assert lam.list_layer_versions(LayerName=name)["LayerVersions"] == []
    assert failures(LAYER, layerName="x")["code"] == "set exactly one of code or s3Bucket"


# ---- Alias -------------------------------------------------------------------------------------


def test_alias_lifecycle(provisioner: Provisioner, lam: Any, function: str) -> None:
    first = lam.publish_version(FunctionName=function)["Version"]
    made = provisioner.create(ALIAS, "live", {"functionName": function, "functionVersion": first,
                                              "name": "live", "description": "serving"})
    alias = lam.get_alias(FunctionName=function, Name="live")
    assert made.id == made.outputs["arn"] == alias["AliasArn"] and alias["AliasArn"].endswith(f":{function}:live")
    assert (alias["FunctionVersion"], alias["Description"]) == (first, "serving")
    assert made.outputs["invokeArn"].endswith(f"/functions/{alias['AliasArn']}/invocations")
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes

    lam.update_function_code(FunctionName=function, ZipFile=zipped("def handler(e, c):\n    return 2\n"))
    second = lam.publish_version(FunctionName=function)["Version"]
    made = provisioner.update(made, {"functionVersion": second,
                                     "routingConfig": {"additionalVersionWeights": {first: 0.25}}})
    alias = lam.get_alias(FunctionName=function, Name="live")
    assert (alias["FunctionVersion"], alias["RoutingConfig"]) == (second, {"AdditionalVersionWeights": {first: 0.25}})
    made = provisioner.update(made, {"routingConfig": None, "description": None})
    alias = lam.get_alias(FunctionName=function, Name="live")
    assert not (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") and not alias.get("Description")
    assert provisioner.plan(made, {"name": "canary"}).replaces == ("name",)

    provisioner.assert_deleted(made)
    assert lam.list_aliases(FunctionName=function)["Aliases"] == []


# ---- FunctionUrl -------------------------------------------------------------------------------


def test_function_url_lifecycle(provisioner: Provisioner, lam: Any, function: str) -> None:
    cors = {"allowOrigins": ["https://example.com"], "allowMethods": ["GET"], "maxAge": 300}
    made = provisioner.create(URL, "public", {"functionName": function, "authorizationType": "NONE", "cors": cors})
    config = lam.get_function_url_config(FunctionName=function)
    assert made.id == function and made.outputs["functionUrl"].rstrip("/") == config["FunctionUrl"].rstrip("/")
    assert made.outputs["urlId"] == config["FunctionUrl"].split("//")[1].split(".")[0]
    assert (config["AuthType"], config["Cors"]["AllowOrigins"], config["Cors"]["MaxAge"]) == (
        "NONE", ["https://example.com"], 300)
    assert made.outputs["invokeMode"] == "BUFFERED"
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes

    made = provisioner.update(made, {"authorizationType": "AWS_IAM", "cors": {**cors, "allowMethods": ["*"]}})
    config = lam.get_function_url_config(FunctionName=function)
    assert (config["AuthType"], config["Cors"]["AllowMethods"]) == ("AWS_IAM", ["*"])
    with pytest.raises(OperationFailed, match="invoke mode"):
        provisioner.update(made, {"invokeMode": "RESPONSE_STREAM"})
    assert provisioner.plan(made, {"functionName": "other"}).replaces == ("functionName",)

    provisioner.assert_deleted(made)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_url_config(FunctionName=function)


def test_function_url_and_invoke_config_refuse_a_qualifier() -> None:
    assert "one per function" in failures(URL, functionName="f", authorizationType="NONE", qualifier="live")[
        "qualifier"]
    assert "one per function" in failures(INVOKE_CONFIG, functionName="f", qualifier="live")["qualifier"]


# ---- FunctionEventInvokeConfig -----------------------------------------------------------------


def test_function_event_invoke_config_lifecycle(provisioner: Provisioner, lam: Any, function: str,
                                                queue_arn: str) -> None:
    made = provisioner.create(INVOKE_CONFIG, "async", {
        "functionName": function, "maximumEventAgeInSeconds": 600,
        "destinationConfig": {"onFailure": {"destination": queue_arn}}})
    config = lam.get_function_event_invoke_config(FunctionName=function)
    assert made.id == function
    assert (config["MaximumEventAgeInSeconds"], config["MaximumRetryAttempts"]) == (600, 2)  # Terraform's default
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes

    made = provisioner.update(made, {"maximumRetryAttempts": 0, "destinationConfig": {
        "onSuccess": {"destination": queue_arn}}})
    config = lam.get_function_event_invoke_config(FunctionName=function)
    assert config["MaximumRetryAttempts"] == 0
    assert made.outputs["destinationConfig"] == {"onSuccess": {"destination": queue_arn}}

    provisioner.assert_deleted(made)
    assert lam.list_function_event_invoke_configs(FunctionName=function)["FunctionEventInvokeConfigs"] == []


# ---- getFunction -------------------------------------------------------------------------------


def test_get_function_latest_and_a_version(aws_ctx: AwsContext, lam: Any, function: str) -> None:
    lam.update_function_configuration(FunctionName=function, Environment={"Variables": {"MODE": "batch"}})
    config = lam.get_function(FunctionName=function)["Configuration"]
    found = invoke("aws:lambda/getFunction:getFunction", aws_ctx, {"functionName": function})
    assert (found["id"], found["arn"], found["version"]) == (function, config["FunctionArn"], "$LATEST")
    assert (found["handler"], found["runtime"], found["role"]) == ("index.handler", "python3.12", config["Role"])
    assert found["environment"] == {"variables": {"MODE": "batch"}}
    assert found["qualifiedArn"] == f"{config['FunctionArn']}:$LATEST"
    assert found["invokeArn"].endswith(f"/functions/{config['FunctionArn']}/invocations")

    version = lam.publish_version(FunctionName=function)["Version"]
    pinned = invoke("aws:lambda/getFunction:getFunction", aws_ctx, {"functionName": function, "qualifier": version})
    assert (pinned["version"], pinned["qualifiedArn"], pinned["arn"]) == (
        version, f"{config['FunctionArn']}:{version}", config["FunctionArn"])
    with pytest.raises(BadInput, match="no Lambda function"):
        invoke("aws:lambda/getFunction:getFunction", aws_ctx, {"functionName": unique("missing")})
