"""Lambda functions and permissions, and API Gateway v2 APIs, integrations, routes and stages, against the
session's moto server."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from envctl.providers.aws.assets import archive_zip
from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext

from engine_support import aws, destroy, up, write_program
from provider_steps import (
    LAMBDA_TRUST,
    Deployed,
    checked,
    deploy,
    destroy_for_good,
    diff_of,
    failures,
    provider,
    read,
    redeploy,
    sdk_wire,
    unique,
)

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
API = "aws:apigatewayv2/api:Api"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigatewayv2/stage:Stage"


def code(handler_source: str) -> Any:
    """A Lambda deployment package as the Pulumi SDK sends it."""
    return sdk_wire(pulumi.AssetArchive({"index.py": pulumi.StringAsset(handler_source)}))


def code_sha256(package: Any) -> str:
    return base64.b64encode(hashlib.sha256(archive_zip(package)).digest()).decode()


@pytest.fixture
def role_arn(aws_ctx: AwsContext) -> str:
    """moto's Lambda accepts only roles that exist."""
    iam = aws_ctx.client("iam")
    return iam.create_role(RoleName=unique("fn-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]


def function_inputs(role_arn: str, **extra: Any) -> Props:
    return {"role": role_arn, "runtime": "python3.12", "handler": "index.handler",
            "code": code("def handler(event, context):\n    return 1\n"), **extra}


# ---- Function ----------------------------------------------------------------------------------


def test_function_lifecycle(aws_ctx: AwsContext, role_arn: str) -> None:
    client = aws_ctx.client("lambda")
    news = function_inputs(role_arn, environment={"variables": {"STAGE": "dev"}}, tags={"team": "api"})
    fn = deploy(aws_ctx, FUNCTION, "handler", news)

    assert fn.id == fn.outputs["name"] and fn.id.startswith("handler-") and len(fn.id) == len("handler-") + 7
    answer = client.get_function(FunctionName=fn.id)
    config = answer["Configuration"]
    assert (config["Runtime"], config["Handler"], config["MemorySize"], config["Timeout"]) == (
        "python3.12", "index.handler", 128, 3)
    assert config["Environment"]["Variables"] == {"STAGE": "dev"}
    assert config["CodeSha256"] == code_sha256(news["code"])
    assert answer["Tags"]["team"] == "api" and answer["Tags"]["envctl:env"] == "test"
    arn = config["FunctionArn"]
    assert fn.outputs["arn"] == arn
    assert fn.outputs["invokeArn"] == (
        f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations")
    assert fn.outputs["responseStreamingInvokeArn"] == (
        f"arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/{arn}/response-streaming-invocations")
    assert (fn.outputs["version"], fn.outputs["qualifiedArn"]) == ("$LATEST", f"{arn}:$LATEST")
    assert fn.outputs["signingJobArn"] is None and fn.outputs["signingProfileVersionArn"] is None  # not signed
    assert fn.outputs["sourceCodeHash"] == code_sha256(news["code"])
    assert fn.outputs["sourceCodeSize"] == len(archive_zip(news["code"]))
    assert fn.outputs["tags"] == {"team": "api"} and fn.outputs["tagsAll"]["envctl:env"] == "test"

    found = read(aws_ctx, fn)
    assert (found["arn"], found["memorySize"], found["environment"]) == (arn, 128, {"variables": {"STAGE": "dev"}})

    assert diff_of(fn, news).changed == ()  # the same code and settings: nothing to do
    news = function_inputs(role_arn, code=code("def handler(event, context):\n    return 2\n"), memorySize=256,
                           environment={"variables": {"STAGE": "prod"}}, reservedConcurrentExecutions=5,
                           tags={"team": "platform"})
    fn = redeploy(aws_ctx, fn, news)
    config = client.get_function(FunctionName=fn.id)["Configuration"]
    assert config["FunctionArn"] == arn  # the same function, changed in place
    assert config["MemorySize"] == 256 and config["Environment"]["Variables"] == {"STAGE": "prod"}
    assert config["CodeSha256"] == code_sha256(news["code"]) == fn.outputs["sourceCodeHash"]
    assert client.get_function_concurrency(FunctionName=fn.id)["ReservedConcurrentExecutions"] == 5
    assert client.list_tags(Resource=arn)["Tags"]["team"] == "platform"
    assert fn.outputs["reservedConcurrentExecutions"] == 5 and fn.outputs["tags"] == {"team": "platform"}

    fn = redeploy(aws_ctx, fn, {k: v for k, v in news.items() if k != "environment"})
    assert not client.get_function(FunctionName=fn.id)["Configuration"].get("Environment", {}).get("Variables")
    assert fn.outputs["environment"] is None

    destroy_for_good(aws_ctx, fn)


def test_function_publish_reports_the_latest_version(aws_ctx: AwsContext, role_arn: str) -> None:
    fn = deploy(aws_ctx, FUNCTION, "published", function_inputs(role_arn, publish=True))
    assert fn.outputs["version"] == "1" and fn.outputs["qualifiedArn"] == f"{fn.outputs['arn']}:1"
    fn = redeploy(aws_ctx, fn, function_inputs(role_arn, publish=True,
                                               code=code("def handler(event, context):\n    return 3\n")))
    assert fn.outputs["version"] == "2"
    destroy_for_good(aws_ctx, fn)


def test_turning_publish_on_publishes_a_version(aws_ctx: AwsContext, role_arn: str) -> None:
    fn = deploy(aws_ctx, FUNCTION, "later", function_inputs(role_arn))
    assert fn.outputs["version"] == "$LATEST"
    fn = redeploy(aws_ctx, fn, function_inputs(role_arn, publish=True))
    versions = aws_ctx.client("lambda").list_versions_by_function(FunctionName=fn.id)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert fn.outputs["version"] == "1" and fn.outputs["qualifiedArn"] == f"{fn.outputs['arn']}:1"
    destroy_for_good(aws_ctx, fn)


def test_function_replacement_and_check_rules(aws_ctx: AwsContext, role_arn: str) -> None:
    inputs = checked(FUNCTION, "fn", function_inputs(role_arn))
    assert (inputs["packageType"], inputs["memorySize"], inputs["timeout"]) == ("Zip", 128, 3)
    planned = Deployed(FUNCTION, "fn", inputs["name"], inputs, inputs)
    assert diff_of(planned, function_inputs(role_arn, name="renamed")).replaces == ("name",)
    assert diff_of(planned, function_inputs(role_arn, timeout=30)) == DiffResult(("timeout",), ())
    both = function_inputs(role_arn, s3Bucket="b", s3Key="k")
    assert {f.property for f in provider(FUNCTION).check("fn", None, both).failures} == {"code"}
    unsupported = function_inputs(role_arn, fileSystemConfig={"arn": "x", "localMountPath": "/mnt/x"})
    assert {f.property for f in provider(FUNCTION).check("fn", None, unsupported).failures} == {"fileSystemConfig"}


def test_a_new_code_sha256_redeploys_the_package_from_s3(aws_ctx: AwsContext, role_arn: str) -> None:
    s3, bucket = aws_ctx.client("s3"), unique("packages")
    s3.create_bucket(Bucket=bucket)
    first, second = (code(f"def handler(event, context):\n    return {n}\n") for n in (1, 2))
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=archive_zip(first))
    source = {"role": role_arn, "runtime": "python3.12", "handler": "index.handler", "s3Bucket": bucket,
              "s3Key": "fn.zip"}
    fn = deploy(aws_ctx, FUNCTION, "from-s3", {**source, "codeSha256": code_sha256(first)})
    assert fn.outputs["codeSha256"] == code_sha256(first)

    # The object changes under the same key: only the hash tells that the function must take it again.
    s3.put_object(Bucket=bucket, Key="fn.zip", Body=archive_zip(second))
    assert diff_of(fn, {**source, "codeSha256": code_sha256(second)}) == DiffResult(("codeSha256",), ())
    fn = redeploy(aws_ctx, fn, {**source, "codeSha256": code_sha256(second)})
    config = aws_ctx.client("lambda").get_function(FunctionName=fn.id)["Configuration"]
    assert config["CodeSha256"] == code_sha256(second) == fn.outputs["codeSha256"]
    destroy_for_good(aws_ctx, fn)
    s3.delete_object(Bucket=bucket, Key="fn.zip")
    s3.delete_bucket(Bucket=bucket)


def test_an_image_function_takes_its_image_configuration(aws_ctx: AwsContext, role_arn: str) -> None:
    image = {"commands": ["app.handler"], "entryPoints": ["/lambda-entrypoint.sh"], "workingDirectory": "/var/task"}
    news = {"role": role_arn, "packageType": "Image", "imageConfig": image,
            "imageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"}
    fn = deploy(aws_ctx, FUNCTION, "container", news)
    reported = aws_ctx.client("lambda").get_function(FunctionName=fn.id)["Configuration"]["ImageConfigResponse"]
    assert reported["ImageConfig"] == {"Command": ["app.handler"], "EntryPoint": ["/lambda-entrypoint.sh"],
                                       "WorkingDirectory": "/var/task"}
    assert fn.outputs["imageConfig"] == image and read(aws_ctx, fn)["imageConfig"] == image
    # A change is sent with UpdateFunctionConfiguration, which moto 5.2.5 takes but does not apply to the image
    # configuration: only the decision to update in place can be shown here.
    assert diff_of(fn, {**news, "imageConfig": {**image, "commands": ["other.handler"]}}) == DiffResult(
        ("imageConfig",), ())
    destroy_for_good(aws_ctx, fn)


def test_function_refuses_what_envctl_does_not_implement(role_arn: str) -> None:
    refused = failures(FUNCTION, **function_inputs(role_arn), useResourceTimeoutForPropagation=True,
                       codeSigningConfigArn="arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1")
    assert set(refused) == {"useResourceTimeoutForPropagation", "codeSigningConfigArn"}
    assert "wait up to two minutes" in refused["useResourceTimeoutForPropagation"]
    assert "code signing is not implemented" in refused["codeSigningConfigArn"]


# ---- Permission --------------------------------------------------------------------------------


def test_permission_lifecycle(aws_ctx: AwsContext, role_arn: str) -> None:
    fn = deploy(aws_ctx, FUNCTION, "target", function_inputs(role_arn))
    source_arn = f"arn:aws:execute-api:us-east-1:123456789012:{unique('api')}/*/*"
    news = {"action": "lambda:InvokeFunction", "function": fn.id, "principal": "apigateway.amazonaws.com",
            "sourceArn": source_arn}
    permission = deploy(aws_ctx, PERMISSION, "invoke", news)

    assert permission.id == permission.outputs["statementId"] and permission.id.startswith("invoke-")
    policy = json.loads(aws_ctx.client("lambda").get_policy(FunctionName=fn.id)["Policy"])
    (statement,) = [s for s in policy["Statement"] if s["Sid"] == permission.id]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == source_arn
    found = read(aws_ctx, permission)
    assert {k: found[k] for k in news} == news

    assert diff_of(permission, news).changed == ()
    assert diff_of(permission, {**news, "sourceArn": source_arn + "/x"}).replaces == ("sourceArn",)
    assert diff_of(permission, {**news, "principal": "s3.amazonaws.com"}).replaces == ("principal",)

    destroy_for_good(aws_ctx, permission)
    provider(FUNCTION).delete(aws_ctx, fn.id, fn.outputs)
    assert provider(PERMISSION).read(aws_ctx, permission.id, permission.outputs) is None  # function gone too


def test_permission_refuses_the_function_url_condition() -> None:
    refused = failures(PERMISSION, action="lambda:InvokeFunction", function="fn", principal="*",
                       invokedViaFunctionUrl=True)
    assert set(refused) == {"invokedViaFunctionUrl"}
    assert "lambda:InvokedViaFunctionUrl condition is not implemented" in refused["invokedViaFunctionUrl"]


def test_permission_for_an_account_reads_back_the_account_id(aws_ctx: AwsContext, role_arn: str) -> None:
    fn = deploy(aws_ctx, FUNCTION, "shared", function_inputs(role_arn))
    news = {"action": "lambda:InvokeFunction", "function": fn.id, "principal": "111122223333",
            "statementId": unique("AllowAccount")}
    permission = deploy(aws_ctx, PERMISSION, "account", news)
    assert permission.id == news["statementId"] and permission.outputs["principal"] == "111122223333"
    destroy_for_good(aws_ctx, permission)
    destroy_for_good(aws_ctx, fn)


# ---- API Gateway v2 ------------------------------------------------------------------------------

CORS = {"allowOrigins": ["https://example.com"], "allowMethods": ["GET", "POST"], "maxAge": 300}


def test_api_lifecycle(aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("apigatewayv2")
    news = {"protocolType": "HTTP", "corsConfiguration": CORS, "tags": {"team": "api"}}
    api = deploy(aws_ctx, API, "http", news)

    answer = client.get_api(ApiId=api.id)
    assert answer["Name"] == api.outputs["name"] and api.outputs["name"].startswith("http-")
    assert answer["ProtocolType"] == "HTTP" and answer["CorsConfiguration"]["MaxAge"] == 300
    assert answer["Tags"]["team"] == "api"
    assert api.outputs["apiEndpoint"] == answer["ApiEndpoint"]
    assert api.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/apis/{api.id}"
    assert api.outputs["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api.id}"
    assert api.outputs["routeSelectionExpression"] == "$request.method $request.path"
    assert api.outputs["corsConfiguration"]["allowOrigins"] == ["https://example.com"]
    assert api.outputs["tags"] == {"team": "api"} and api.outputs["tagsAll"]["envctl:env"] == "test"
    assert read(aws_ctx, api)["apiEndpoint"] == api.outputs["apiEndpoint"]

    updated = redeploy(aws_ctx, api, {"protocolType": "HTTP", "description": "public", "tags": {"team": "web"}})
    answer = client.get_api(ApiId=api.id)
    assert answer["Description"] == "public" and "CorsConfiguration" not in answer
    assert answer["Tags"]["team"] == "web"
    assert updated.outputs["corsConfiguration"] is None and updated.outputs["tags"] == {"team": "web"}

    assert diff_of(api, {**news, "protocolType": "WEBSOCKET"}).replaces == ("protocolType",)
    destroy_for_good(aws_ctx, updated)


def test_api_refuses_an_openapi_body() -> None:
    refused = failures(API, protocolType="HTTP", body='{"openapi": "3.0.1"}', failOnWarnings=True)
    assert set(refused) == {"body", "failOnWarnings"}
    assert "OpenAPI import is not implemented" in refused["body"]


@pytest.fixture
def http_api(aws_ctx: AwsContext) -> Iterator[str]:
    api = deploy(aws_ctx, API, "parent", {"protocolType": "HTTP"})
    yield api.id
    provider(API).delete(aws_ctx, api.id, api.outputs)


def test_integration_lifecycle(aws_ctx: AwsContext, http_api: str) -> None:
    client = aws_ctx.client("apigatewayv2")
    target = "arn:aws:lambda:us-east-1:123456789012:function:one"
    news = {"apiId": http_api, "integrationType": "AWS_PROXY", "integrationUri": target,
            "integrationMethod": "POST", "payloadFormatVersion": "2.0",
            "requestParameters": {"append:header.X-Source": "envctl"}}
    integration = deploy(aws_ctx, INTEGRATION, "lambda", news)

    answer = client.get_integration(ApiId=http_api, IntegrationId=integration.id)
    assert (answer["IntegrationType"], answer["IntegrationUri"], answer["PayloadFormatVersion"]) == (
        "AWS_PROXY", target, "2.0")
    assert answer["RequestParameters"] == {"append:header.X-Source": "envctl"}  # user keys left as they are
    assert integration.outputs["requestParameters"] == {"append:header.X-Source": "envctl"}
    assert read(aws_ctx, integration)["integrationUri"] == target

    other = "arn:aws:lambda:us-east-1:123456789012:function:two"
    updated = redeploy(aws_ctx, integration, {**news, "integrationUri": other, "timeoutMilliseconds": 5000})
    answer = client.get_integration(ApiId=http_api, IntegrationId=integration.id)
    assert (answer["IntegrationUri"], answer["TimeoutInMillis"]) == (other, 5000)
    assert updated.outputs["timeoutMilliseconds"] == 5000

    assert diff_of(integration, {**news, "integrationType": "HTTP_PROXY"}).replaces == ("integrationType",)
    assert diff_of(integration, {**news, "apiId": "other"}).replaces == ("apiId",)
    destroy_for_good(aws_ctx, updated)


def test_route_lifecycle(aws_ctx: AwsContext, http_api: str) -> None:
    client = aws_ctx.client("apigatewayv2")
    news = {"apiId": http_api, "routeKey": "GET /hello", "target": "integrations/abc123"}
    route = deploy(aws_ctx, ROUTE, "hello", news)

    answer = client.get_route(ApiId=http_api, RouteId=route.id)
    assert (answer["RouteKey"], answer["Target"], answer["AuthorizationType"]) == (
        "GET /hello", "integrations/abc123", "NONE")
    assert read(aws_ctx, route)["routeKey"] == "GET /hello"

    updated = redeploy(aws_ctx, route, {**news, "routeKey": "POST /hello"})
    assert client.get_route(ApiId=http_api, RouteId=route.id)["RouteKey"] == "POST /hello"
    assert updated.outputs["routeKey"] == "POST /hello"

    assert diff_of(route, {**news, "apiId": "other"}).replaces == ("apiId",)
    destroy_for_good(aws_ctx, updated)


def test_stage_lifecycle(aws_ctx: AwsContext, http_api: str) -> None:
    client = aws_ctx.client("apigatewayv2")
    news = {"apiId": http_api, "name": "$default", "autoDeploy": True, "tags": {"team": "api"}}
    stage = deploy(aws_ctx, STAGE, "default", news)

    assert stage.id == "$default"
    answer = client.get_stage(ApiId=http_api, StageName=stage.id)
    assert answer["AutoDeploy"] is True and answer["Tags"]["team"] == "api"
    assert stage.outputs["invokeUrl"] == f"https://{http_api}.execute-api.us-east-1.amazonaws.com/"
    assert stage.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/apis/{http_api}/stages/$default"
    assert stage.outputs["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{http_api}/$default"
    assert stage.outputs["tags"] == {"team": "api"} and stage.outputs["tagsAll"]["envctl:env"] == "test"
    found = read(aws_ctx, stage)
    assert found["autoDeploy"] is True and found["tags"] == {"team": "api"}

    # moto 5.2.5 implements neither UpdateStage nor tagging a stage's ARN: the in-place update itself
    # cannot run here, only the decision to make one.
    assert diff_of(stage, {**news, "description": "live"}) == DiffResult(("description",), ())
    assert diff_of(stage, {**news, "name": "prod"}).replaces == ("name",)
    assert diff_of(stage, {**news, "apiId": "other"}).replaces == ("apiId",)
    destroy_for_good(aws_ctx, stage)


def test_a_named_stage_is_served_under_its_name(aws_ctx: AwsContext, http_api: str) -> None:
    stage = deploy(aws_ctx, STAGE, "prod", {"apiId": http_api})
    assert stage.id.startswith("prod-")  # auto-named like pulumi-aws
    assert stage.outputs["invokeUrl"] == f"https://{http_api}.execute-api.us-east-1.amazonaws.com/{stage.id}"
    destroy_for_good(aws_ctx, stage)


# ---- a real-world program, unmodified, through the local engine ---------------------------------

SERVERLESS_PROGRAM = '''
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
fn = aws.lambda_.Function("hello", role=role.arn, runtime="python3.12", handler="handler.handler",
                          code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset("app/handler.py")}))
api = aws.apigatewayv2.Api("api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration("lambda", api_id=api.id, integration_type="AWS_PROXY",
                                           integration_uri=fn.invoke_arn, payload_format_version="2.0")
aws.apigatewayv2.Route("root", api_id=api.id, route_key="GET /",
                       target=integration.id.apply(lambda id: f"integrations/{id}"))
stage = aws.apigatewayv2.Stage("default", api_id=api.id, name="$default", auto_deploy=True)
aws.lambda_.Permission("invoke", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com", source_arn=api.execution_arn.apply(lambda a: f"{a}/*/*"))

site = aws.s3.Bucket("site")
website = aws.s3.BucketWebsiteConfiguration("site", bucket=site.id, index_document={"suffix": "index.html"})
aws.s3.BucketObject("index.html", bucket=site.id, source=pulumi.FileAsset("www/index.html"),
                    content_type="text/html")

pulumi.export("url", stage.invoke_url)
pulumi.export("functionName", fn.name)
pulumi.export("bucket", site.id)
pulumi.export("website", website.website_endpoint)
'''


def test_a_serverless_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project = write_program(tmp_path / "serverless", SERVERLESS_PROGRAM)
    (project / "app").mkdir()
    (project / "app" / "handler.py").write_text("def handler(event, context):\n    return 'v1'\n")
    (project / "www").mkdir()
    (project / "www" / "index.html").write_text("<h1>hello</h1>")
    try:
        first = up(project, "test", moto_endpoint)
        assert first.succeeded, first.error
        assert first.changes["create"] == 11  # ten resources and the stack
        out = first.outputs
        assert re.fullmatch(r"https://\w+\.execute-api\.us-east-1\.amazonaws\.com/", out["url"])
        assert out["website"] == f"{out['bucket']}.s3-website-us-east-1.amazonaws.com"
        page = aws(moto_endpoint, "s3").get_object(Bucket=out["bucket"], Key="index.html")
        assert page["Body"].read() == b"<h1>hello</h1>" and page["ContentType"] == "text/html"
        lambda_client = aws(moto_endpoint, "lambda")
        first_code = lambda_client.get_function(FunctionName=out["functionName"])["Configuration"]["CodeSha256"]

        again = up(project, "test", moto_endpoint)
        assert again.succeeded, again.error
        assert not again.has_changes  # same files: the content hashes in state match

        (project / "app" / "handler.py").write_text("def handler(event, context):\n    return 'v2'\n")
        edited = up(project, "test", moto_endpoint)
        assert edited.succeeded, edited.error
        assert edited.changes["update"] == 1 and edited.changes["replace"] == 0  # the code, in place
        config = lambda_client.get_function(FunctionName=out["functionName"])["Configuration"]
        assert config["CodeSha256"] != first_code
    finally:
        destroyed = destroy(project, "test", moto_endpoint)
    assert destroyed.succeeded, destroyed.error
    remaining = [f["FunctionName"] for f in aws(moto_endpoint, "lambda").list_functions()["Functions"]]
    assert out["functionName"] not in remaining
