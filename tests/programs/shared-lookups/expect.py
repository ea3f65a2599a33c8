"""shared-lookups: what the platform shares exists first; the application's settings come from it, its secrets stay
secret, and a new greeting changes one settings item."""

import json

from botocore.exceptions import ClientError

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config, statements

PLATFORM = "shared-platform"
TABLE_ITEM = "aws:dynamodb/tableItem:TableItem"
DATABASE = {"username": "app", "password": "platform-db-secret-7f3a"}


def _ignoring(code: str, call, **params) -> None:
    try:
        call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] != code:
            raise


def create_platform(cloud: Cloud) -> None:
    """What the platform team set up beforehand (kept after the test, as theirs)."""
    ssm = cloud.client("ssm")
    ssm.put_parameter(Name=f"/{PLATFORM}/api-url", Value="https://api.platform.example.com", Type="String",
                      Overwrite=True)
    ssm.put_parameter(Name=f"/{PLATFORM}/signing-key", Value="platform-signing-key-91c2", Type="SecureString",
                      Overwrite=True)
    _ignoring("ResourceExistsException", cloud.client("secretsmanager").create_secret,
              Name=f"{PLATFORM}/database", SecretString=json.dumps(DATABASE))
    s3 = cloud.client("s3")
    _ignoring("BucketAlreadyOwnedByYou", s3.create_bucket, Bucket=f"{PLATFORM}-assets")
    s3.put_object(Bucket=f"{PLATFORM}-assets", Key="settings.json", ContentType="application/json",
                  Body=json.dumps({"features": ["search", "exports"]}).encode())
    cloud.client("sqs").create_queue(QueueName=f"{PLATFORM}-events")
    cloud.client("sns").create_topic(Name=f"{PLATFORM}-alerts")
    _ignoring("ResourceInUseException", cloud.client("dynamodb").create_table, TableName=f"{PLATFORM}-accounts",
              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")


def settings_of(cloud: Cloud, table: str) -> dict[str, str]:
    items = cloud.client("dynamodb").scan(TableName=table)["Items"]
    return {item["name"]["S"]: item["value"]["S"] for item in items}


def verify(cloud: Cloud, out: Outputs) -> None:
    sqs = cloud.client("sqs")
    events = sqs.get_queue_url(QueueName=f"{PLATFORM}-events")["QueueUrl"]
    alerts = f"arn:aws:sns:us-east-1:123456789012:{PLATFORM}-alerts"
    assert settings_of(cloud, out["settings_table"]) == {
        "api-url": "https://api.platform.example.com",
        "assets-domain": f"{PLATFORM}-assets.s3.us-east-1.amazonaws.com",
        "events-queue": events,
        "alerts-topic": alerts,
        "accounts-table": f"arn:aws:dynamodb:us-east-1:123456789012:table/{PLATFORM}-accounts",
        "features": "exports,search",
        "greeting": "Hello",
    }
    assert out["api_url"] == "https://api.platform.example.com" and out["accounts_stream_enabled"] is False
    assert json.loads(out["database"]) == DATABASE and out["signing_key"] == "platform-signing-key-91c2"
    [allowed] = statements(sqs.get_queue_attributes(QueueUrl=events, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert allowed["Condition"] == {"ArnEquals": {"aws:SourceArn": alerts}}


def verify_new_greeting(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert settings_of(cloud, after["settings_table"])["greeting"] == "Welcome"
    assert after == before


CASE = ProgramCase(
    "shared-lookups",
    verify,
    Edit(set_config("test", greeting="Welcome"), (("update", TABLE_ITEM),), verify_new_greeting),
    secret_outputs=("database", "signing_key"),
    setup=create_platform,
)
