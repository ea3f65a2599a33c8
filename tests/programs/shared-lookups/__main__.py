"""An application stack on top of what the platform team shares: it looks up the platform's parameters, its
database secret, its assets bucket and the settings object in it, its event queue, alert topic and accounts
table, and writes the application's settings as items of its own table. The alert topic may deliver to the event
queue through a queue policy this stack owns."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
platform = config.require("platform")
greeting = config.get("greeting") or "Hello"

api_url = aws.ssm.get_parameter(name=f"/{platform}/api-url")
signing_key = aws.ssm.get_parameter_output(name=f"/{platform}/signing-key", with_decryption=True)
database = aws.secretsmanager.get_secret_version_output(secret_id=f"{platform}/database")
assets = aws.s3.get_bucket(bucket=f"{platform}-assets")
shared_settings = aws.s3.get_object(bucket=assets.bucket, key="settings.json")
events = aws.sqs.get_queue(name=f"{platform}-events")
alerts = aws.sns.get_topic(name=f"{platform}-alerts")
accounts = aws.dynamodb.get_table(name=f"{platform}-accounts")

features = json.loads(shared_settings.body)["features"]

settings = aws.dynamodb.Table(
    "app-settings",
    hash_key="name",
    billing_mode="PAY_PER_REQUEST",
    attributes=[{"name": "name", "type": "S"}],
)

values = {
    "api-url": api_url.insecure_value,
    "assets-domain": assets.bucket_regional_domain_name,
    "events-queue": events.url,
    "alerts-topic": alerts.arn,
    "accounts-table": accounts.arn,
    "features": ",".join(sorted(features)),
    "greeting": greeting,
}
for name, value in values.items():
    aws.dynamodb.TableItem(
        f"setting-{name}",
        table_name=settings.name,
        hash_key=settings.hash_key,
        item=json.dumps({"name": {"S": name}, "value": {"S": value}}),
    )

alerts_to_events = aws.iam.get_policy_document(
    statements=[
        {
            "effect": "Allow",
            "principals": [{"type": "Service", "identifiers": ["sns.amazonaws.com"]}],
            "actions": ["sqs:SendMessage"],
            "resources": [events.arn],
            "conditions": [{"test": "ArnEquals", "variable": "aws:SourceArn", "values": [alerts.arn]}],
        }
    ]
)
aws.sqs.QueuePolicy("events-from-alerts", queue_url=events.url, policy=alerts_to_events.json)

pulumi.export("settings_table", settings.name)
pulumi.export("api_url", api_url.insecure_value)
pulumi.export("accounts_stream_enabled", accounts.stream_enabled)
pulumi.export("database", database.secret_string)
pulumi.export("signing_key", signing_key.value)
