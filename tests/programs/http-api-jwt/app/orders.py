import json


def handler(event, context):
    if event.get("rawPath") == "/health":
        return {"statusCode": 200, "body": "ok"}
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    return {"statusCode": 200, "body": json.dumps({"customer": claims.get("sub"), "orders": []})}
