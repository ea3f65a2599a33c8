from receipts import parse


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            job = parse(record)
            print(f"processing job {job['id']}")
        except (KeyError, ValueError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
