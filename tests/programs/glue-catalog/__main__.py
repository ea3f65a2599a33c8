"""A data lake's raw zone: events land in S3 and the Glue catalog describes them for Athena."""

import pulumi
import pulumi_aws as aws

raw = aws.s3.Bucket("raw-events", force_destroy=True)

catalog = aws.glue.CatalogDatabase("analytics", name="analytics")

aws.glue.CatalogTable(
    "events",
    name="events",
    database_name=catalog.name,
    table_type="EXTERNAL_TABLE",
    storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
        location=raw.bucket.apply(lambda name: f"s3://{name}/events/"),
        input_format="org.apache.hadoop.mapred.TextInputFormat",
        output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        columns=[
            aws.glue.CatalogTableStorageDescriptorColumnArgs(name="id", type="string"),
            aws.glue.CatalogTableStorageDescriptorColumnArgs(name="at", type="timestamp"),
        ],
    ),
)

pulumi.export("rawBucket", raw.bucket)
