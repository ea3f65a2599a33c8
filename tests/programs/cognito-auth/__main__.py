"""Sign-in for a web app: a Cognito user pool where users sign up with their email, its hosted sign-in domain,
an OAuth client for the app, and an identity pool that trades the pool's tokens for AWS credentials."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
callback_url = config.require("callbackUrl")
stack = pulumi.get_stack()

pool = aws.cognito.UserPool(
    "users",
    username_attributes=["email"],
    auto_verified_attributes=["email"],
    mfa_configuration="OPTIONAL",
    software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(enabled=True),
    password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
        minimum_length=12,
        require_lowercase=True,
        require_uppercase=True,
        require_numbers=True,
        require_symbols=False,
        temporary_password_validity_days=3,
    ),
    account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
        recovery_mechanisms=[
            aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(name="verified_email", priority=1)
        ],
    ),
    email_configuration=aws.cognito.UserPoolEmailConfigurationArgs(email_sending_account="COGNITO_DEFAULT"),
    schemas=[
        aws.cognito.UserPoolSchemaArgs(
            name="email",
            attribute_data_type="String",
            required=True,
            mutable=True,
            string_attribute_constraints=aws.cognito.UserPoolSchemaStringAttributeConstraintsArgs(
                min_length="5", max_length="2048"),
        ),
        aws.cognito.UserPoolSchemaArgs(name="plan", attribute_data_type="String", mutable=True),
    ],
    tags={"app": "shop"},
)

client = aws.cognito.UserPoolClient(
    "web",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_flows=["code"],
    allowed_oauth_scopes=["openid", "email", "profile"],
    callback_urls=[callback_url],
    logout_urls=["https://app.example.com/"],
    supported_identity_providers=["COGNITO"],
    explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    prevent_user_existence_errors="ENABLED",
    access_token_validity=1,
    id_token_validity=1,
    refresh_token_validity=30,
    token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
        access_token="hours", id_token="hours", refresh_token="days"),
)

domain = aws.cognito.UserPoolDomain("sign-in", domain=f"shop-{stack}-sign-in", user_pool_id=pool.id)

identities = aws.cognito.IdentityPool(
    "shoppers",
    identity_pool_name=f"shop {stack} shoppers",
    allow_unauthenticated_identities=False,
    cognito_identity_providers=[
        aws.cognito.IdentityPoolCognitoIdentityProviderArgs(client_id=client.id, provider_name=pool.endpoint)
    ],
)

pulumi.export("user_pool_id", pool.id)
pulumi.export("client_id", client.id)
pulumi.export("client_secret", client.client_secret)
pulumi.export("domain", domain.domain)
pulumi.export("identity_pool_id", identities.id)
