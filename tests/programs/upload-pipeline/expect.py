"""upload-pipeline: an upload reaches the work queue, poison messages reach the dead-letter queue, and the
policies let only the bucket send; then the dead-letter threshold is raised."""

import json
from urllib.parse import unquote

from program_cases import Cloud, Edit, Outputs, ProgramCase, queue_arn, set_config, statements

REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy"


def queued_keys(sqs, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [unquote(record["s3"]["object"]["key"]) for m in messages
            for record in json.loads(m["Body"]).get("Records", ())]


def redrive(sqs, url: str) -> dict:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    return json.loads(attributes["RedrivePolicy"])


def verify(cloud: Cloud, out: Outputs) -> None:
    s3, sqs, sns = cloud.client("s3"), cloud.client("sqs"), cloud.client("sns")
    bucket, work, dead = out["bucket"], out["work_queue_url"], out["dead_letter_queue_url"]
    bucket_arn = f"arn:aws:s3:::{bucket}"
    assert redrive(sqs, work) == {"deadLetterTargetArn": queue_arn(sqs, dead), "maxReceiveCount": 3}
    [allowed] = statements(sqs.get_queue_attributes(QueueUrl=work, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert allowed["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allowed["Condition"] == {"ArnEquals": {"aws:SourceArn": bucket_arn}}
    topic_policy = sns.get_topic_attributes(TopicArn=out["deletions_topic_arn"])["Attributes"]["Policy"]
    assert statements(topic_policy)[0]["Action"] == "SNS:Publish"

    configuration = s3.get_bucket_notification_configuration(Bucket=bucket)
    [queue] = configuration["QueueConfigurations"]
    assert queue["QueueArn"] == queue_arn(sqs, work) and queue["Events"] == ["s3:ObjectCreated:*"]
    [topic] = configuration["TopicConfigurations"]
    assert topic["TopicArn"] == out["deletions_topic_arn"]

    queued_keys(sqs, work)  # the test event S3 sends when notifications are configured
    s3.put_object(Bucket=bucket, Key="incoming/day-1.csv", Body=b"id,total\n1,42\n")
    s3.put_object(Bucket=bucket, Key="incoming/notes.txt", Body=b"not for the pipeline")
    s3.put_object(Bucket=bucket, Key="archive/day-0.csv", Body=b"id,total\n")
    assert queued_keys(sqs, work) == ["incoming/day-1.csv"]

    item = cloud.client("dynamodb").get_item(TableName=out["settings_table"], Key={"pipeline": {"S": "uploads"}})
    assert item["Item"]["bucket"] == {"S": bucket} and item["Item"]["queueUrl"] == {"S": work}


def verify_higher_threshold(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    sqs = cloud.client("sqs")
    assert redrive(sqs, after["work_queue_url"])["maxReceiveCount"] == 5
    assert "Policy" in sqs.get_queue_attributes(QueueUrl=after["work_queue_url"],
                                                AttributeNames=["Policy"])["Attributes"]  # the policy stays
    assert after == before


CASE = ProgramCase(
    "upload-pipeline",
    verify,
    Edit(set_config("test", maxReceiveCount=5), (("update", REDRIVE_POLICY),), verify_higher_threshold),
)
