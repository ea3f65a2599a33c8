"""cognito-auth: the pool's settings, its client's OAuth flow and secret, the domain and the identity pool that
trusts the client; a new callback URL updates the client in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


def _client(cloud: Cloud, out: Outputs) -> dict:
    return cloud.client("cognito-idp").describe_user_pool_client(UserPoolId=out["user_pool_id"],
                                                                ClientId=out["client_id"])["UserPoolClient"]


def verify(cloud: Cloud, out: Outputs) -> None:
    cognito = cloud.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=out["user_pool_id"])["UserPool"]
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]
    assert "custom:plan" in {attribute["Name"] for attribute in pool["SchemaAttributes"]}
    assert pool["UserPoolTags"]["app"] == "shop" and pool["Domain"] == out["domain"]
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=out["user_pool_id"])
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    client = _client(cloud, out)
    assert client["ClientSecret"] == out["client_secret"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["CallbackURLs"] == ["https://app.example.com/callback"]
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}

    domain = cognito.describe_user_pool_domain(Domain=out["domain"])["DomainDescription"]
    assert domain["UserPoolId"] == out["user_pool_id"]
    identities = cloud.client("cognito-identity").describe_identity_pool(IdentityPoolId=out["identity_pool_id"])
    assert identities["AllowUnauthenticatedIdentities"] is False
    [provider] = identities["CognitoIdentityProviders"]
    assert provider["ClientId"] == out["client_id"]
    assert provider["ProviderName"] == f"cognito-idp.us-east-1.amazonaws.com/{out['user_pool_id']}"


def verify_new_callback(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    client = _client(cloud, after)
    assert client["CallbackURLs"] == ["https://shop.example.com/oauth2/idpresponse"]
    assert after["client_id"] == before["client_id"] and after["client_secret"] == before["client_secret"]
    assert client["AllowedOAuthFlows"] == ["code"]  # the rest of the client is kept


CASE = ProgramCase("cognito-auth", verify,
                   Edit(set_config("test", callbackUrl="https://shop.example.com/oauth2/idpresponse"),
                        (("update", CLIENT),), verify_new_callback),
                   secret_outputs=("client_secret",))
