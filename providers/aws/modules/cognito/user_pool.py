"""aws:cognito/userPool:UserPool: a directory of users that sign in, with its password, verification, recovery and
MFA settings."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud
from envctl.providers.aws.wire import block_from_api, block_to_api, timestamp

USER_POOL_GONE = ("ResourceNotFoundException",)
_CUSTOM = "custom:"
# Inputs CreateUserPool and UpdateUserPool take as they are, by their API name.
_PLAIN = {
    "autoVerifiedAttributes": "AutoVerifiedAttributes", "deletionProtection": "DeletionProtection",
    "emailVerificationMessage": "EmailVerificationMessage", "emailVerificationSubject": "EmailVerificationSubject",
    "smsAuthenticationMessage": "SmsAuthenticationMessage", "smsVerificationMessage": "SmsVerificationMessage",
    "mfaConfiguration": "MfaConfiguration", "userPoolTier": "UserPoolTier",
}
# Inputs only CreateUserPool takes (Terraform's ForceNew).
_CREATE_ONLY = {"aliasAttributes": "AliasAttributes", "usernameAttributes": "UsernameAttributes"}
# Blocks, by their API name; passwordPolicy sits inside Policies.
_BLOCKS = {
    "accountRecoverySetting": "AccountRecoverySetting", "adminCreateUserConfig": "AdminCreateUserConfig",
    "deviceConfiguration": "DeviceConfiguration", "emailConfiguration": "EmailConfiguration",
    "smsConfiguration": "SmsConfiguration", "userAttributeUpdateSettings": "UserAttributeUpdateSettings",
    "userPoolAddOns": "UserPoolAddOns", "verificationMessageTemplate": "VerificationMessageTemplate",
}
# API names that are not the wire name capitalised, by the wire path.
_RENAMES = {
    "adminCreateUserConfig.inviteMessageTemplate.smsMessage": "SMSMessage",
    "emailConfiguration.fromEmailAddress": "From",
    "userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates":
        "AttributesRequireVerificationBeforeUpdate",
}
# The fields of each block that pulumi-aws has.
_FIELDS: dict[str, tuple[str, ...]] = {
    "accountRecoverySetting": ("recoveryMechanisms",),
    "accountRecoverySetting.recoveryMechanisms": ("name", "priority"),
    "adminCreateUserConfig": ("allowAdminCreateUserOnly", "inviteMessageTemplate"),
    "adminCreateUserConfig.inviteMessageTemplate": ("emailMessage", "emailSubject", "smsMessage"),
    "deviceConfiguration": ("challengeRequiredOnNewDevice", "deviceOnlyRememberedOnUserPrompt"),
    "emailConfiguration": ("configurationSet", "emailSendingAccount", "fromEmailAddress", "replyToEmailAddress",
                           "sourceArn"),
    "passwordPolicy": ("minimumLength", "passwordHistorySize", "requireLowercase", "requireNumbers",
                       "requireSymbols", "requireUppercase", "temporaryPasswordValidityDays"),
    "smsConfiguration": ("externalId", "snsCallerArn", "snsRegion"),
    "userAttributeUpdateSettings": ("attributesRequireVerificationBeforeUpdates",),
    "userPoolAddOns": ("advancedSecurityMode", "advancedSecurityAdditionalFlows"),
    "userPoolAddOns.advancedSecurityAdditionalFlows": ("customAuthMode",),
    "usernameConfiguration": ("caseSensitive",),
    "verificationMessageTemplate": ("defaultEmailOption", "emailMessage", "emailMessageByLink", "emailSubject",
                                    "emailSubjectByLink", "smsMessage"),
    "schemas": ("attributeDataType", "name", "developerOnlyAttribute", "mutable", "numberAttributeConstraints",
                "required", "stringAttributeConstraints"),
    "schemas.numberAttributeConstraints": ("maxValue", "minValue"),
    "schemas.stringAttributeConstraints": ("maxLength", "minLength"),
}
_NOT_EMULATED = "not emulated by the local cloud (moto)"


def _block(inputs: Props, wire: str) -> Any:
    return block_to_api(inputs[wire], wire, _RENAMES)


def _settings(inputs: Props) -> dict[str, Any]:
    """What CreateUserPool and UpdateUserPool share; UpdateUserPool resets whatever it is not given."""
    params: dict[str, Any] = {api: inputs[wire] for wire, api in _PLAIN.items() if inputs.get(wire) is not None}
    params.update({api: _block(inputs, wire) for wire, api in _BLOCKS.items() if inputs.get(wire)})
    if inputs.get("passwordPolicy"):
        params["Policies"] = {"PasswordPolicy": _block(inputs, "passwordPolicy")}
    return params


def _schema_name(attribute: dict[str, Any], configured: set[str]) -> str | None:
    """The configured name of a schema attribute AWS reports (custom ones under custom:), None if not configured."""
    name = attribute["Name"]
    bare = name[len(_CUSTOM):] if name.startswith(_CUSTOM) else name
    return next((n for n in (name, bare) if n in configured), None)


@resource_type
class UserPool(AwsResource):
    token = "aws:cognito/userPool:UserPool"
    name_property = "name"
    name_max_length = 128
    defaults = {"mfaConfiguration": "OFF", "deletionProtection": "INACTIVE"}
    force_new = frozenset({"name", "aliasAttributes", "usernameAttributes", "usernameConfiguration"})
    handled = frozenset({*_PLAIN, *_CREATE_ONLY, *_BLOCKS, "passwordPolicy", "schemas", "usernameConfiguration",
                         "softwareTokenMfaConfiguration"})
    unsupported = {
        "lambdaConfig": f"Cognito Lambda triggers are {_NOT_EMULATED}: it never invokes them",
        "emailMfaConfiguration": f"email MFA is {_NOT_EMULATED}",
        "signInPolicy": f"passwordless sign-in (first auth factors) is {_NOT_EMULATED}",
        "webAuthnConfiguration": f"passkeys (WebAuthn) are {_NOT_EMULATED}",
    }
    outputs = frozenset({"arn", "creationDate", "customDomain", "domain", "endpoint", "estimatedNumberOfUsers",
                         "lastModifiedDate"})
    set_properties = ("aliasAttributes", "autoVerifiedAttributes", "usernameAttributes",
                      "userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {"PoolName": inputs["name"], **_settings(inputs),
                  **{api: inputs[wire] for wire, api in _CREATE_ONLY.items() if inputs.get(wire)}}
        if inputs.get("usernameConfiguration"):
            params["UsernameConfiguration"] = _block(inputs, "usernameConfiguration")
        if inputs.get("schemas"):
            params["Schema"] = _block(inputs, "schemas")
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["UserPoolTags"] = tags
        cognito = ctx.client("cognito-idp")
        pool_id = cognito.create_user_pool(**params)["UserPool"]["Id"]
        self._set_mfa(ctx, pool_id, inputs)
        return pool_id, {**inputs, **self.read_back(ctx, pool_id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        cognito = ctx.client("cognito-idp")
        try:
            pool = cognito.describe_user_pool(UserPoolId=id)["UserPool"]
        except cognito.exceptions.ResourceNotFoundException:
            return None
        mfa = cognito.get_user_pool_mfa_config(UserPoolId=id)
        token = mfa.get("SoftwareTokenMfaConfiguration")
        configured = {schema["name"] for schema in state.get("schemas") or []}
        schemas = []
        for attribute in pool.get("SchemaAttributes") or []:
            name = _schema_name(attribute, configured)
            if name:
                schemas.append({**block_from_api(attribute, "schemas", _RENAMES, _FIELDS), "name": name})
        custom_domain = pool.get("CustomDomain")
        return {
            "id": pool["Id"],
            "arn": pool["Arn"],
            "name": pool["Name"],
            "endpoint": f"cognito-idp.{ctx.region}.amazonaws.com/{pool['Id']}",
            "creationDate": timestamp(pool["CreationDate"]),
            "lastModifiedDate": timestamp(pool["LastModifiedDate"]),
            "estimatedNumberOfUsers": pool.get("EstimatedNumberOfUsers", 0),
            "domain": pool.get("Domain") or "",
            "customDomain": custom_domain or "",
            **{wire: pool.get(api) for wire, api in {**_PLAIN, **_CREATE_ONLY}.items()},
            "mfaConfiguration": mfa.get("MfaConfiguration") or pool.get("MfaConfiguration"),
            **{wire: block_from_api(pool[api], wire, _RENAMES, _FIELDS) if pool.get(api) else None
               for wire, api in _BLOCKS.items()},
            "passwordPolicy": block_from_api((pool.get("Policies") or {}).get("PasswordPolicy"), "passwordPolicy",
                                       _RENAMES, _FIELDS),
            "usernameConfiguration": block_from_api(pool["UsernameConfiguration"], "usernameConfiguration", _RENAMES,
                                              _FIELDS) if pool.get("UsernameConfiguration") else None,
            "schemas": sorted(schemas, key=lambda schema: schema["name"]) or None,
            "softwareTokenMfaConfiguration": {"enabled": bool(token.get("Enabled"))} if token else None,
            **{key: None for key in self.unsupported},
            **tags_from_cloud(ctx, state, pool.get("UserPoolTags") or {}),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "schemas" in diff.changed:
            self._add_schema_attributes(ctx, id, olds, news)
        params = {"UserPoolId": id, **_settings(news), "UserPoolTags": self.tags_all(ctx, urn, news)}
        ctx.client("cognito-idp").update_user_pool(**params)
        self._set_mfa(ctx, id, news)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("cognito-idp").delete_user_pool, gone=USER_POOL_GONE, UserPoolId=id)

    @staticmethod
    def _set_mfa(ctx: AwsContext, pool_id: str, inputs: Props) -> None:
        """MFA settings have their own call, as Terraform makes it when any of them is set."""
        token = inputs.get("softwareTokenMfaConfiguration")
        if not token and inputs.get("mfaConfiguration") in (None, "OFF"):
            return
        params: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": inputs.get("mfaConfiguration") or "OFF"}
        if token:
            params["SoftwareTokenMfaConfiguration"] = {"Enabled": bool(token.get("enabled"))}
        if inputs.get("smsConfiguration"):
            params["SmsMfaConfiguration"] = {"SmsConfiguration": _block(inputs, "smsConfiguration"),
                                             **({"SmsAuthenticationMessage": inputs["smsAuthenticationMessage"]}
                                                if inputs.get("smsAuthenticationMessage") else {})}
        ctx.client("cognito-idp").set_user_pool_mfa_config(**params)

    @staticmethod
    def _add_schema_attributes(ctx: AwsContext, pool_id: str, olds: Props, news: Props) -> None:
        """As Terraform: schema attributes can be added, never changed or removed."""
        old = {schema["name"]: schema for schema in olds.get("schemas") or []}
        new = {schema["name"]: schema for schema in news.get("schemas") or []}
        changed = sorted(name for name, schema in old.items() if name not in new or any(
            schema.get(key) != value for key, value in new[name].items() if value is not None and key in schema))
        if changed:
            raise OperationFailed(f"cannot modify or remove schema items of user pool {pool_id} "
                                  f"({', '.join(changed)}); replace the user pool instead")
        added = [schema for name, schema in new.items() if name not in old]
        if added:
            ctx.client("cognito-idp").add_custom_attributes(
                UserPoolId=pool_id, CustomAttributes=block_to_api(added, "schemas", _RENAMES))
