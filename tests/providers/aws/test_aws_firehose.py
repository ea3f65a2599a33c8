"""The Firehose provider (delivery streams to S3) against the session's moto server."""

from __future__ import annotations

import json

from envctl.providers.aws.context import AwsContext

from provider_steps import LAMBDA_TRUST, Provision, failures, tag_map

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FIREHOSE_TRUST = LAMBDA_TRUST.replace("lambda.amazonaws.com", "firehose.amazonaws.com")


def test_delivery_stream_to_s3_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    client, s3 = aws_ctx.client("firehose"), aws_ctx.client("s3")
    bucket = provision("aws:s3/bucket:Bucket", "events", forceDestroy=True)
    role = provision("aws:iam/role:Role", "firehose", assumeRolePolicy=FIREHOSE_TRUST)
    stream = provision(STREAM, "clicks", destination="extended_s3", tags={"team": "data"},
                       extendedS3Configuration={"bucketArn": bucket.outputs["arn"], "roleArn": role.outputs["arn"],
                                                "prefix": "clicks/", "bufferingInterval": 60,
                                                "compressionFormat": "GZIP"})
    name = stream.inputs["name"]
    assert name.startswith("clicks-") and stream.id == f"arn:aws:firehose:us-east-1:123456789012:deliverystream/{name}"
    described = client.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    s3_destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert s3_destination["BucketARN"] == bucket.outputs["arn"] and s3_destination["Prefix"] == "clicks/"
    assert s3_destination["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 5}
    assert s3_destination["CompressionFormat"] == "GZIP"
    assert tag_map(client.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"])["team"] == "data"
    assert stream.outputs["destinationId"] == described["Destinations"][0]["DestinationId"]
    assert stream.read() == stream.outputs
    assert stream.resource.find(aws_ctx, stream.urn, stream.inputs, set())[0] == stream.id

    client.put_record(DeliveryStreamName=name, Record={"Data": json.dumps({"click": 1}).encode()})
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket.id).get("Contents", [])]
    assert keys and all(key.startswith("clicks/") for key in keys)

    assert stream.diff(name="renamed").replaces == ("name",)
    stream.update(extendedS3Configuration={**stream.inputs["extendedS3Configuration"], "prefix": "v2/",
                                           "bufferingSize": 64},
                  tags={"team": "analytics"})
    described = client.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    s3_destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert s3_destination["Prefix"] == "v2/" and s3_destination["BufferingHints"]["SizeInMBs"] == 64
    assert tag_map(client.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"])["team"] == "analytics"
    assert stream.read() == stream.outputs
    stream.assert_deleted(lambda: name in client.list_delivery_streams()["DeliveryStreamNames"])


def test_check_refuses_other_destinations_and_format_conversion() -> None:
    assert "extended_s3 destination only" in failures(STREAM, destination="redshift")["destination"]
    refused = failures(STREAM, destination="extended_s3", extendedS3Configuration={
        "bucketArn": "arn:aws:s3:::b", "roleArn": "arn:aws:iam::123456789012:role/r",
        "dataFormatConversionConfiguration": {"enabled": True}})
    assert "format conversion" in refused["extendedS3Configuration"]
    assert "extendedS3Configuration" in failures(STREAM, destination="extended_s3")
