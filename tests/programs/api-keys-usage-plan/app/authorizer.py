def handler(event, context):
    token = event.get("authorizationToken", "")
    effect = "Allow" if token == "Bearer let-me-in" else "Deny"
    return {
        "principalId": "caller",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}],
        },
    }
