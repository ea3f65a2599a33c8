"""api-keys-usage-plan: a method behind a Lambda token authorizer and an API key of a usage plan; raising the
monthly quota changes the plan in place."""

from __future__ import annotations

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"


def verify(cloud: Cloud, out: Outputs) -> None:
    apigw, api_id = cloud.client("apigateway"), out["api_id"]
    assert apigw.get_rest_api(restApiId=api_id)["apiKeySource"] == "HEADER"
    authorizer = apigw.get_authorizer(restApiId=api_id, authorizerId=out["authorizer_id"])
    assert (authorizer["type"], authorizer["authorizerResultTtlInSeconds"]) == ("TOKEN", 60)
    assert out["authorizer_function_arn"] in authorizer["authorizerUri"]
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    method = resources["/reports"]["resourceMethods"]["GET"]
    assert (method["authorizationType"], method["authorizerId"], method["apiKeyRequired"]) == (
        "CUSTOM", out["authorizer_id"], True)
    assert set(method["methodResponses"]) == {"200"}
    plan = apigw.get_usage_plan(usagePlanId=out["usage_plan_id"])
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "live"}]
    assert (plan["quota"]["limit"], plan["quota"]["period"]) == (10000, "MONTH")
    assert (plan["throttle"]["burstLimit"], plan["throttle"]["rateLimit"]) == (20, 10)
    [member] = apigw.get_usage_plan_keys(usagePlanId=out["usage_plan_id"])["items"]
    assert (member["id"], member["type"]) == (out["api_key_id"], "API_KEY")
    key = apigw.get_api_key(apiKey=out["api_key_id"])
    assert key["enabled"] is True and key["description"] == "ACME Corp"
    assert out["url"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/live"


def verify_new_quota(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["usage_plan_id"] == before["usage_plan_id"]
    plan = cloud.client("apigateway").get_usage_plan(usagePlanId=after["usage_plan_id"])
    assert int(plan["quota"]["limit"]) == 50000 and plan["quota"]["period"] == "MONTH"


CASE = ProgramCase("api-keys-usage-plan", verify,
                   Edit(set_config("test", monthlyQuota="50000"), (("update", USAGE_PLAN),), verify_new_quota))
