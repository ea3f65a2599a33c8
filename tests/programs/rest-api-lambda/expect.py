"""rest-api-lambda: two routes proxied to a Lambda function; a new release redeploys the API to its stage."""

from __future__ import annotations

from program_cases import ACCOUNT, Cloud, Edit, Outputs, ProgramCase, set_config, statements

DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"


def verify(cloud: Cloud, out: Outputs) -> None:
    apigw, api_id = cloud.client("apigateway"), out["api_id"]
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    assert set(resources) == {"/", "/hello", "/items", "/items/{id}"}
    for path in ("/hello", "/items/{id}"):
        integration = resources[path]["resourceMethods"]["GET"]["methodIntegration"]
        assert (integration["type"], integration["httpMethod"]) == ("AWS_PROXY", "POST")
        assert integration["uri"] == (f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                      f"{out['function_arn']}/invocations")
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == out["deployment_id"] and stage["variables"] == {"release": "1"}
    assert stage["tags"]["stage"] == "dev"
    assert out["url"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    [permission] = statements(cloud.client("lambda").get_policy(FunctionName=out["function_arn"])["Policy"])
    source = permission["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/*/*"


def verify_redeployed(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    apigw, api_id = cloud.client("apigateway"), after["api_id"]
    assert after["deployment_id"] != before["deployment_id"] and after["api_id"] == before["api_id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == after["deployment_id"] and stage["variables"] == {"release": "2"}
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [after["deployment_id"]]


CASE = ProgramCase("rest-api-lambda", verify,
                   Edit(set_config("test", release="2"), (("replace", DEPLOYMENT), ("update", STAGE)),
                        verify_redeployed))
