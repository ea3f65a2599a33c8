"""Audit and event collection: a CloudTrail trail writing to its own bucket (with the bucket policy CloudTrail
needs), and a Firehose delivery stream batching application events into a data bucket."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
events_prefix = config.get("eventsPrefix") or "events/"
caller = aws.get_caller_identity()

trail_bucket = aws.s3.Bucket("trail-logs", force_destroy=True)

trail_bucket_policy = aws.s3.BucketPolicy(
    "trail-logs-policy",
    bucket=trail_bucket.id,
    policy=trail_bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": arn},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"{arn}/audit/AWSLogs/{caller.account_id}/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        ],
    })),
)

trail = aws.cloudtrail.Trail(
    "account-trail",
    s3_bucket_name=trail_bucket.id,
    s3_key_prefix="audit",
    include_global_service_events=True,
    is_multi_region_trail=True,
    enable_log_file_validation=True,
    event_selectors=[{"read_write_type": "WriteOnly", "include_management_events": True}],
    opts=pulumi.ResourceOptions(depends_on=[trail_bucket_policy]),
)

events_bucket = aws.s3.Bucket("app-events", force_destroy=True)

firehose_role = aws.iam.Role(
    "firehose-role",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }),
)
aws.iam.RolePolicy(
    "firehose-to-s3",
    role=firehose_role.id,
    policy=events_bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
                                  "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
                       "Resource": [arn, f"{arn}/*"]}],
    })),
)

events = aws.kinesis.FirehoseDeliveryStream(
    "app-events",
    destination="extended_s3",
    extended_s3_configuration={
        "bucket_arn": events_bucket.arn,
        "role_arn": firehose_role.arn,
        "prefix": events_prefix,
        "error_output_prefix": "errors/",
        "buffering_interval": 60,
        "buffering_size": 5,
        "compression_format": "GZIP",
    },
    tags={"pipeline": "app-events"},
)

pulumi.export("trail_arn", trail.arn)
pulumi.export("trail_bucket", trail_bucket.id)
pulumi.export("events_bucket", events_bucket.id)
pulumi.export("delivery_stream_name", events.name)
