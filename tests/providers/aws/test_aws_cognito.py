"""Cognito user pools, their clients and domains, and identity pools, against the session's moto server."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, failures, provider

USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool"
PASSWORDS = {"minimumLength": 12, "requireLowercase": True, "requireNumbers": True, "requireSymbols": False,
             "requireUppercase": True, "temporaryPasswordValidityDays": 3}
RECOVERY = {"recoveryMechanisms": [{"name": "verified_email", "priority": 1}]}


def _pool(aws_ctx: AwsContext, pool_id: str) -> dict[str, Any]:
    return aws_ctx.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_user_pool_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    pool = provision(USER_POOL, "members", usernameAttributes=["email"], autoVerifiedAttributes=["email"],
                     passwordPolicy=PASSWORDS, accountRecoverySetting=RECOVERY,
                     emailConfiguration={"emailSendingAccount": "COGNITO_DEFAULT",
                                         "replyToEmailAddress": "help@example.com"},
                     schemas=[{"name": "email", "attributeDataType": "String", "required": True, "mutable": True,
                               "stringAttributeConstraints": {"minLength": "5", "maxLength": "256"}},
                              {"name": "team", "attributeDataType": "String", "mutable": True}],
                     tags={"app": "shop"})
    assert pool.inputs["name"].startswith("members-")
    assert pool.inputs["mfaConfiguration"] == "OFF" and pool.inputs["deletionProtection"] == "INACTIVE"
    described = _pool(aws_ctx, pool.id)
    assert described["Name"] == pool.inputs["name"] and described["UsernameAttributes"] == ["email"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert described["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    assert described["EmailConfiguration"]["ReplyToEmailAddress"] == "help@example.com"
    assert described["UserPoolTags"]["app"] == "shop"
    assert "custom:team" in {attribute["Name"] for attribute in described["SchemaAttributes"]}

    outputs = pool.outputs
    assert outputs["arn"] == described["Arn"]
    assert outputs["endpoint"] == f"cognito-idp.us-east-1.amazonaws.com/{pool.id}"
    assert outputs["passwordPolicy"]["minimumLength"] == 12 and outputs["passwordPolicy"]["requireSymbols"] is False
    assert outputs["emailConfiguration"]["replyToEmailAddress"] == "help@example.com"
    assert [schema["name"] for schema in outputs["schemas"]] == ["email", "team"]
    assert outputs["tags"] == {"app": "shop"} and outputs["estimatedNumberOfUsers"] == 0
    assert pool.read() == outputs
    assert not pool.diff().has_changes
    both = provider(USER_POOL).check("x", None, {"autoVerifiedAttributes": ["phone_number", "email"]}).inputs
    assert both["autoVerifiedAttributes"] == ["email", "phone_number"]  # a set: its order is no change
    assert pool.diff(usernameAttributes=["phone_number"]).replaces == ("usernameAttributes",)

    pool.update(passwordPolicy={**PASSWORDS, "minimumLength": 16}, mfaConfiguration="OPTIONAL",
                softwareTokenMfaConfiguration={"enabled": True}, emailVerificationSubject="Your code",
                schemas=[*pool.inputs["schemas"], {"name": "tier", "attributeDataType": "Number", "mutable": True}],
                tags={"app": "shop", "stage": "test"})
    described = _pool(aws_ctx, pool.id)
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 16
    assert described["EmailVerificationSubject"] == "Your code"
    assert described["UserPoolTags"]["stage"] == "test"
    assert "custom:tier" in {attribute["Name"] for attribute in described["SchemaAttributes"]}
    mfa = aws_ctx.client("cognito-idp").get_user_pool_mfa_config(UserPoolId=pool.id)
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert pool.outputs["mfaConfiguration"] == "OPTIONAL"
    assert pool.outputs["softwareTokenMfaConfiguration"] == {"enabled": True}
    pool.assert_deleted(lambda: pool.id in {p["Id"] for p in aws_ctx.client("cognito-idp").list_user_pools(
        MaxResults=60)["UserPools"]})


def test_user_pool_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    refused = failures(USER_POOL, lambdaConfig={"preSignUp": "arn:aws:lambda:us-east-1:123456789012:function:f"},
                       signInPolicy={"allowedFirstAuthFactors": ["PASSWORD"]})
    assert "never invokes" in refused["lambdaConfig"] and "not emulated" in refused["signInPolicy"]


def test_user_pool_client_and_domain(provision: Provision, aws_ctx: AwsContext) -> None:
    cognito = aws_ctx.client("cognito-idp")
    pool = provision(USER_POOL, "sign-in")
    client = provision(CLIENT, "web", userPoolId=pool.id, generateSecret=True, allowedOauthFlowsUserPoolClient=True,
                       allowedOauthFlows=["code"], allowedOauthScopes=["openid", "email"],
                       callbackUrls=["https://app.example.com/callback"], supportedIdentityProviders=["COGNITO"],
                       explicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                       accessTokenValidity=1, tokenValidityUnits={"accessToken": "hours"})
    assert client.inputs["name"].startswith("web-") and client.inputs["refreshTokenValidity"] == 30
    described = cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=client.id)["UserPoolClient"]
    assert described["AllowedOAuthFlows"] == ["code"] and described["CallbackURLs"] == ["https://app.example.com/"
                                                                                         "callback"]
    assert described["TokenValidityUnits"] == {"AccessToken": "hours"}
    assert client.outputs["clientSecret"] == described["ClientSecret"] and client.outputs["clientSecret"]
    assert "clientSecret" in provider(CLIENT).schema().secret
    assert client.outputs["allowedOauthScopes"] == ["email", "openid"]
    assert client.read() == client.outputs
    assert not client.diff(allowedOauthScopes=["openid", "email"]).has_changes  # a set
    assert client.diff(generateSecret=False).replaces == ("generateSecret",)
    client.update(callbackUrls=["https://app.example.com/auth"], logoutUrls=["https://app.example.com/"])
    described = cognito.describe_user_pool_client(UserPoolId=pool.id, ClientId=client.id)["UserPoolClient"]
    assert described["CallbackURLs"] == ["https://app.example.com/auth"]
    assert described["LogoutURLs"] == ["https://app.example.com/"]
    assert described["AllowedOAuthFlows"] == ["code"]  # kept: the update sends everything again
    imported = provider(CLIENT).read(aws_ctx, f"{pool.id}/{client.id}", {})
    assert imported is not None and imported["name"] == client.inputs["name"]

    domain = provision(DOMAIN, "hosted", domain=f"signin-{pool.id.split('_')[1].lower()[:12]}", userPoolId=pool.id)
    assert domain.id == domain.inputs["domain"]
    assert cognito.describe_user_pool_domain(Domain=domain.id)["DomainDescription"]["UserPoolId"] == pool.id
    assert domain.outputs["cloudfrontDistribution"].endswith(".amazoncognito.com")
    assert domain.outputs["cloudfrontDistributionZoneId"] == "Z2FDTNDATAQYW2"
    assert domain.read() == domain.outputs
    assert domain.diff(domain="other").replaces == ("domain",)
    assert _pool(aws_ctx, pool.id)["Domain"] == domain.id
    domain.assert_deleted(lambda: bool(cognito.describe_user_pool_domain(Domain=domain.id)["DomainDescription"]))
    client.assert_deleted(lambda: client.id in {c["ClientId"] for c in cognito.list_user_pool_clients(
        UserPoolId=pool.id, MaxResults=60)["UserPoolClients"]})


def test_identity_pool_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    identity = aws_ctx.client("cognito-identity")
    pool = provision(USER_POOL, "identities")
    client = provision(CLIENT, "app", userPoolId=pool.id)
    provider_name = f"cognito-idp.us-east-1.amazonaws.com/{pool.id}"
    identities = provision(IDENTITY_POOL, "guests", identityPoolName="shop guests",
                           allowUnauthenticatedIdentities=True, tags={"app": "shop"},
                           cognitoIdentityProviders=[{"clientId": client.id, "providerName": provider_name}],
                           supportedLoginProviders={"accounts.google.com": "google-client"})
    described = identity.describe_identity_pool(IdentityPoolId=identities.id)
    assert described["IdentityPoolName"] == "shop guests" and described["AllowUnauthenticatedIdentities"] is True
    assert described["CognitoIdentityProviders"] == [{"ClientId": client.id, "ProviderName": provider_name}]
    assert described["IdentityPoolTags"]["app"] == "shop"
    assert identities.outputs["arn"] == f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/" \
                                        f"{identities.id}"
    assert identities.outputs["cognitoIdentityProviders"] == [
        {"clientId": client.id, "providerName": provider_name, "serverSideTokenCheck": False}]
    assert identities.read() == identities.outputs
    assert identities.diff(identityPoolName="renamed").replaces == ("identityPoolName",)
    identities.update(allowUnauthenticatedIdentities=False, tags={"app": "shop", "tier": "free"})
    described = identity.describe_identity_pool(IdentityPoolId=identities.id)
    assert described["AllowUnauthenticatedIdentities"] is False and described["IdentityPoolTags"]["tier"] == "free"
    identities.assert_deleted(lambda: identities.id in {p["IdentityPoolId"] for p in identity.list_identity_pools(
        MaxResults=60)["IdentityPools"]})
    assert "allowClassicFlow" in failures(IDENTITY_POOL, identityPoolName="x", allowClassicFlow=True)
