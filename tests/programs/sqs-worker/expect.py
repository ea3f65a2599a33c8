"""sqs-worker: the queue triggers the worker's live alias in batches; a larger batch size is an update."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, queue_arn, set_config

MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"


def mapping_of(cloud: Cloud, out: Outputs) -> dict:
    sqs = cloud.client("sqs")
    [mapping] = cloud.client("lambda").list_event_source_mappings(
        EventSourceArn=queue_arn(sqs, out["queue_url"]))["EventSourceMappings"]
    return mapping


def verify(cloud: Cloud, out: Outputs) -> None:
    lambda_ = cloud.client("lambda")
    function = lambda_.get_function(FunctionName=out["function_name"])["Configuration"]
    assert [layer["Arn"] for layer in function["Layers"]] == [out["layer_arn"]]
    layer_name, version = out["layer_arn"].split(":")[-2:]
    layer = lambda_.get_layer_version(LayerName=layer_name, VersionNumber=int(version))
    assert (layer_name, layer["CompatibleRuntimes"]) == ("receipts", ["python3.12"])
    alias = lambda_.get_alias(FunctionName=out["function_name"], Name="live")
    assert alias["AliasArn"] == out["alias_arn"] and alias["FunctionVersion"] == "1"
    mapping = mapping_of(cloud, out)
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"], mapping["State"]) == (5, 5, "Enabled")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    role = function["Role"].split("/")[-1]
    attached = cloud.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaSQSQueueExecutionRole"]
    sqs = cloud.client("sqs")
    redrive = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["RedrivePolicy"])["Attributes"]
    assert queue_arn(sqs, out["dead_letter_queue_url"]) in redrive["RedrivePolicy"]


def verify_larger_batches(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert mapping_of(cloud, after)["BatchSize"] == 8


CASE = ProgramCase("sqs-worker", verify, Edit(set_config("test", batchSize="8"), (("update", MAPPING),),
                                              verify_larger_batches))
