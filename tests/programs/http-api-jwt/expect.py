"""http-api-jwt: GET /orders is behind the JWT authorizer, GET /health is public, and the function has a public
URL with CORS; a new audience is an update of the authorizer."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Orders"


def audiences_of(cloud: Cloud, out: Outputs) -> list[str]:
    found = cloud.client("apigatewayv2").get_authorizer(ApiId=out["api_id"], AuthorizerId=out["authorizer_id"])
    assert (found["AuthorizerType"], found["JwtConfiguration"]["Issuer"]) == ("JWT", ISSUER)
    assert found["IdentitySource"] == ["$request.header.Authorization"]
    return sorted(found["JwtConfiguration"]["Audience"])


def verify(cloud: Cloud, out: Outputs) -> None:
    gateway, lambda_ = cloud.client("apigatewayv2"), cloud.client("lambda")
    assert audiences_of(cloud, out) == ["web-client"]
    routes = {r["RouteKey"]: r for r in gateway.get_routes(ApiId=out["api_id"])["Items"]}
    assert set(routes) == {"GET /orders", "GET /health"}
    assert (routes["GET /orders"]["AuthorizationType"], routes["GET /orders"]["AuthorizerId"]) == (
        "JWT", out["authorizer_id"])
    assert routes["GET /health"]["AuthorizationType"] == "NONE"
    assert out["api_url"] == f"https://{out['api_id']}.execute-api.us-east-1.amazonaws.com/"
    url = lambda_.get_function_url_config(FunctionName=out["function_name"])
    assert out["webhook_url"].rstrip("/") == url["FunctionUrl"].rstrip("/") and url["AuthType"] == "NONE"
    assert (url["Cors"]["AllowOrigins"], url["Cors"]["AllowMethods"]) == (["https://partners.example.com"], ["POST"])
    retries = lambda_.get_function_event_invoke_config(FunctionName=out["function_name"])["MaximumRetryAttempts"]
    assert retries == 0


def verify_new_audience(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["authorizer_id"] == before["authorizer_id"]
    assert audiences_of(cloud, after) == ["mobile-client", "web-client"]


CASE = ProgramCase("http-api-jwt", verify, Edit(set_config("test", audiences=["web-client", "mobile-client"]),
                                                (("update", AUTHORIZER),), verify_new_audience))
