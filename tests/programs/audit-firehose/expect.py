"""audit-firehose: the trail logging to its bucket, and events put to the stream landing under the prefix; then a
new prefix, changed in place."""

import json

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


def delivered_keys(cloud: Cloud, out: Outputs) -> list[str]:
    cloud.client("firehose").put_record(DeliveryStreamName=out["delivery_stream_name"],
                                        Record={"Data": json.dumps({"event": "signup"}).encode()})
    return [o["Key"] for o in cloud.client("s3").list_objects_v2(Bucket=out["events_bucket"]).get("Contents", [])]


def verify(cloud: Cloud, out: Outputs) -> None:
    cloudtrail = cloud.client("cloudtrail")
    trail = cloudtrail.get_trail(Name=out["trail_arn"])["Trail"]
    assert (trail["S3BucketName"], trail["S3KeyPrefix"]) == (out["trail_bucket"], "audit")
    assert trail["IsMultiRegionTrail"] is True and trail["LogFileValidationEnabled"] is True
    assert cloudtrail.get_trail_status(Name=out["trail_arn"])["IsLogging"] is True
    [selector] = cloudtrail.get_event_selectors(TrailName=out["trail_arn"])["EventSelectors"]
    assert selector["ReadWriteType"] == "WriteOnly"
    statements = json.loads(cloud.client("s3").get_bucket_policy(Bucket=out["trail_bucket"])["Policy"])["Statement"]
    assert {s["Sid"] for s in statements} == {"AWSCloudTrailAclCheck", "AWSCloudTrailWrite"}
    stream = cloud.client("firehose").describe_delivery_stream(
        DeliveryStreamName=out["delivery_stream_name"])["DeliveryStreamDescription"]
    s3 = stream["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert s3["BucketARN"] == f"arn:aws:s3:::{out['events_bucket']}" and s3["CompressionFormat"] == "GZIP"
    keys = delivered_keys(cloud, out)
    assert keys and all(key.startswith("events/") for key in keys)


def verify_new_prefix(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["delivery_stream_name"] == before["delivery_stream_name"]
    assert any(key.startswith("events-v2/") for key in delivered_keys(cloud, after))


CASE = ProgramCase("audit-firehose", verify,
                   Edit(set_config("test", eventsPrefix="events-v2/"), (("update", STREAM),), verify_new_prefix))
