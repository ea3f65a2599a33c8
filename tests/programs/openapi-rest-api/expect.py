"""openapi-rest-api: a REST API imported from an OpenAPI 3 document; a new path in the document reimports the
API and redeploys it."""

from __future__ import annotations

from program_cases import PROGRAMS, Cloud, Edit, Outputs, ProgramCase, write_file

REST_API = "aws:apigateway/restApi:RestApi"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"

DEFINITION = (PROGRAMS / "openapi-rest-api" / "openapi.yaml").read_text()
WITH_OWNERS = DEFINITION + """  /owners:
    get:
      responses:
        "200":
          description: all owners
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: ${pets_invoke_arn}
"""


def routes(cloud: Cloud, api_id: str) -> dict[str, dict]:
    items = cloud.client("apigateway").get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {r["path"]: r for r in items}


def verify(cloud: Cloud, out: Outputs) -> None:
    apigw, api_id = cloud.client("apigateway"), out["api_id"]
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"].startswith("petStore-") and api["description"] == "The pet store"
    found = routes(cloud, api_id)
    assert set(found) == {"/", "/pets", "/pets/{id}"} and found["/"]["id"] == out["root_resource_id"]
    invoke = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{out['function_arn']}/invocations"
    for path in ("/pets", "/pets/{id}"):
        method = found[path]["resourceMethods"]["GET"]
        assert method["methodIntegration"]["uri"] == invoke
    assert set(found["/pets/{id}"]["resourceMethods"]["GET"]["methodResponses"]) == {"200", "404"}
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["deploymentId"] == out["deployment_id"]
    assert out["url"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/prod"


def verify_reimported(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["api_id"] == before["api_id"] and after["deployment_id"] != before["deployment_id"]
    assert set(routes(cloud, after["api_id"])) == {"/", "/pets", "/pets/{id}", "/owners"}
    stage = cloud.client("apigateway").get_stage(restApiId=after["api_id"], stageName="prod")
    assert stage["deploymentId"] == after["deployment_id"]


CASE = ProgramCase("openapi-rest-api", verify,
                   Edit(write_file("openapi.yaml", WITH_OWNERS),
                        (("update", REST_API), ("replace", DEPLOYMENT), ("update", STAGE)), verify_reimported))
