"""aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream: a Firehose delivery stream to an S3 bucket (the
extended_s3 destination), fed by direct puts or by a Kinesis stream."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import (
    AwsResource,
    CheckFailure,
    CheckResult,
    DiffResult,
    Props,
    unsupported_fields,
)
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import api_keys, wire_keys

_GONE = ("ResourceNotFoundException",)
_S3 = "extendedS3Configuration"
_OTHER_DESTINATIONS = ("elasticsearchConfiguration", "httpEndpointConfiguration", "icebergConfiguration",
                       "opensearchConfiguration", "opensearchserverlessConfiguration", "redshiftConfiguration",
                       "snowflakeConfiguration", "splunkConfiguration")
_ONLY_S3 = "envctl implements the extended_s3 destination only"
# The S3 destination's fields and the API's names, where they are not the field with a capital first letter.
_S3_RENAMES = {"bucketArn": "BucketARN", "roleArn": "RoleARN"}
_S3_DEFAULTS = {"bufferingInterval": 300, "bufferingSize": 5, "compressionFormat": "UNCOMPRESSED",
                "customTimeZone": "UTC", "s3BackupMode": "Disabled"}
_S3_FIELDS = ("bucketArn", "roleArn", "prefix", "errorOutputPrefix", "bufferingInterval", "bufferingSize",
              "compressionFormat", "kmsKeyArn", "cloudwatchLoggingOptions", "customTimeZone", "fileExtension",
              "processingConfiguration", "dynamicPartitioningConfiguration", "s3BackupMode", "s3BackupConfiguration")
_S3_HINTS = {"dataFormatConversionConfiguration": "record format conversion (Parquet, ORC) is not implemented"}


def _s3_param(block: Props) -> dict[str, Any]:
    """A pulumi-aws S3 destination (or backup) block as the API's S3 destination configuration."""
    param: dict[str, Any] = {api: block[wire] for wire, api in _S3_RENAMES.items() if block.get(wire)}
    for key in ("prefix", "errorOutputPrefix", "compressionFormat", "customTimeZone", "fileExtension",
                "s3BackupMode"):
        if block.get(key):
            param[key[0].upper() + key[1:]] = block[key]
    param["BufferingHints"] = {"IntervalInSeconds": block.get("bufferingInterval", 300),
                               "SizeInMBs": block.get("bufferingSize", 5)}
    param["EncryptionConfiguration"] = ({"KMSEncryptionConfig": {"AWSKMSKeyARN": block["kmsKeyArn"]}}
                                        if block.get("kmsKeyArn") else {"NoEncryptionConfig": "NoEncryption"})
    if block.get("cloudwatchLoggingOptions"):
        param["CloudWatchLoggingOptions"] = api_keys(block["cloudwatchLoggingOptions"])
    if block.get("processingConfiguration"):
        param["ProcessingConfiguration"] = api_keys(block["processingConfiguration"])
    partitioning = block.get("dynamicPartitioningConfiguration")
    if partitioning:
        param["DynamicPartitioningConfiguration"] = {
            "Enabled": bool(partitioning.get("enabled")),
            "RetryOptions": {"DurationInSeconds": partitioning.get("retryDuration", 300)}}
    if block.get("s3BackupConfiguration"):
        param["S3BackupConfiguration"] = _s3_param(block["s3BackupConfiguration"])
    return param


def _s3_block(described: dict, backup: bool = False) -> Props:
    """The API's S3 destination description as pulumi-aws's block."""
    hints = described.get("BufferingHints") or {}
    kms = (described.get("EncryptionConfiguration") or {}).get("KMSEncryptionConfig") or {}
    block: Props = {
        "bucketArn": described.get("BucketARN", ""),
        "roleArn": described.get("RoleARN", ""),
        "prefix": described.get("Prefix", ""),
        "errorOutputPrefix": described.get("ErrorOutputPrefix", ""),
        "bufferingInterval": hints.get("IntervalInSeconds", 300),
        "bufferingSize": hints.get("SizeInMBs", 5),
        "compressionFormat": described.get("CompressionFormat", "UNCOMPRESSED"),
        "kmsKeyArn": kms.get("AWSKMSKeyARN", ""),
        "cloudwatchLoggingOptions": wire_keys(described.get("CloudWatchLoggingOptions") or {}) or None,
    }
    if backup:
        return block
    partitioning = described.get("DynamicPartitioningConfiguration")
    backup_description = described.get("S3BackupDescription") or described.get("S3BackupConfiguration")
    return {
        **block,
        "customTimeZone": described.get("CustomTimeZone", "UTC"),
        "fileExtension": described.get("FileExtension", ""),
        "processingConfiguration": wire_keys(described.get("ProcessingConfiguration") or {}) or None,
        "dynamicPartitioningConfiguration": {
            "enabled": bool(partitioning.get("Enabled")),
            "retryDuration": (partitioning.get("RetryOptions") or {}).get("DurationInSeconds", 300),
        } if partitioning else None,
        "s3BackupMode": described.get("S3BackupMode", "Disabled"),
        "s3BackupConfiguration": _s3_block(backup_description, backup=True) if backup_description else None,
    }


def _stream_name(id: str) -> str:
    """The name in the id (the stream's ARN, `arn:...:deliverystream/<name>`)."""
    return id.rsplit("deliverystream/", 1)[-1]


@resource_type
class FirehoseDeliveryStream(AwsResource):
    """Its id is the delivery stream's ARN, as in Terraform."""

    token = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
    name_property = "name"
    name_max_length = 64
    required = ("destination",)
    force_new = frozenset({"name", "destination", "kinesisSourceConfiguration", "mskSourceConfiguration"})
    handled = frozenset({_S3, "kinesisSourceConfiguration", "serverSideEncryption"})
    unsupported = {
        **dict.fromkeys(_OTHER_DESTINATIONS, _ONLY_S3),
        "mskSourceConfiguration": "Amazon MSK sources are not implemented",
        "arn": "the ARN is computed by AWS, not an input",
        "destinationId": "the destination id is computed by AWS, not an input",
        "versionId": "the version id is computed by AWS, not an input",
    }
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Terraform's defaults of the S3 destination's fields, so that state and diffs carry them."""
        news = dict(news)
        block = news.get(_S3)
        if isinstance(block, dict) and not contains_unknown(block):
            news[_S3] = {**_S3_DEFAULTS, **{k: v for k, v in block.items() if v is not None}}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        destination = inputs.get("destination")
        failures = []
        if isinstance(destination, str) and destination != "extended_s3":
            failures.append(CheckFailure("destination", f"destination '{destination}': {_ONLY_S3}"))
        elif destination == "extended_s3" and not inputs.get(_S3):
            failures.append(CheckFailure(_S3, "the extended_s3 destination needs extendedS3Configuration"))
        block = inputs.get(_S3)
        if isinstance(block, dict):
            failures.extend(unsupported_fields(self.token, _S3, block, _S3_FIELDS, _S3_HINTS))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("firehose")
        params: dict[str, Any] = {"DeliveryStreamName": inputs["name"], "DeliveryStreamType": "DirectPut",
                                  "ExtendedS3DestinationConfiguration": _s3_param(inputs[_S3])}
        source = inputs.get("kinesisSourceConfiguration")
        if source:
            params["DeliveryStreamType"] = "KinesisStreamAsSource"
            params["KinesisStreamSourceConfiguration"] = {"KinesisStreamARN": source["kinesisStreamArn"],
                                                          "RoleARN": source["roleArn"]}
        encryption = inputs.get("serverSideEncryption")
        if encryption and encryption.get("enabled"):
            params["DeliveryStreamEncryptionConfigurationInput"] = self._encryption_param(encryption)
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = client.create_delivery_stream(**params)["DeliveryStreamARN"]
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [ctx.arn("firehose", f"deliverystream/{inputs['name']}")]

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("firehose")
        name = _stream_name(id)
        stream = client.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        [destination] = stream.get("Destinations") or [{}]
        source = (stream.get("Source") or {}).get("KinesisStreamSourceDescription")
        encryption = stream.get("DeliveryStreamEncryptionConfiguration") or {}
        tags = client.list_tags_for_delivery_stream(DeliveryStreamName=name).get("Tags") or []
        s3 = destination.get("ExtendedS3DestinationDescription") or {}
        return {
            "id": stream["DeliveryStreamARN"],
            "arn": stream["DeliveryStreamARN"],
            "name": stream["DeliveryStreamName"],
            "destination": "extended_s3" if s3 else state.get("destination"),
            "destinationId": destination.get("DestinationId", ""),
            "versionId": stream.get("VersionId", ""),
            _S3: _s3_block(s3) if s3 else None,
            "kinesisSourceConfiguration": {"kinesisStreamArn": source.get("KinesisStreamARN", ""),
                                           "roleArn": source.get("RoleARN", "")} if source else None,
            "serverSideEncryption": self._encryption(encryption, state.get("serverSideEncryption")),
            **tags_from_cloud(ctx, state, tag_dict(tags)),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("firehose")
        name = _stream_name(id)
        if _S3 in diff.changed:
            client.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId=olds["versionId"],
                                      DestinationId=olds["destinationId"],
                                      ExtendedS3DestinationUpdate=_s3_param(news[_S3]))
        if "serverSideEncryption" in diff.changed:
            encryption = news.get("serverSideEncryption") or {}
            if encryption.get("enabled"):
                client.start_delivery_stream_encryption(
                    DeliveryStreamName=name,
                    DeliveryStreamEncryptionConfigurationInput=self._encryption_param(encryption))
            else:
                client.stop_delivery_stream_encryption(DeliveryStreamName=name)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_delivery_stream(DeliveryStreamName=name, Tags=tag_list(tags)),
                  lambda keys: client.untag_delivery_stream(DeliveryStreamName=name, TagKeys=keys))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("firehose").delete_delivery_stream, gone=_GONE, DeliveryStreamName=_stream_name(id))

    @staticmethod
    def _encryption_param(encryption: Props) -> dict[str, Any]:
        param = {"KeyType": encryption.get("keyType") or "AWS_OWNED_CMK"}
        if encryption.get("keyArn"):
            param["KeyARN"] = encryption["keyArn"]
        return param

    @staticmethod
    def _encryption(reported: dict, configured: Props | None) -> Props | None:
        if reported.get("Status") in ("ENABLED", "ENABLING"):
            return {"enabled": True, "keyType": reported.get("KeyType", "AWS_OWNED_CMK"),
                    "keyArn": reported.get("KeyARN", "")}
        return configured if configured and not configured.get("enabled") else None
