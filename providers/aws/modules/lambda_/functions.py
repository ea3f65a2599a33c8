"""aws:lambda functions and their permissions (Function, Permission)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from envctl.providers.aws.assets import AssetProperties, archive_zip
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import root_as_account_id
from envctl.providers.aws.errors import error_code
from envctl.providers.aws.listing import listed
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.waiting import retried
from envctl.providers.aws.wire import Names, api_keys, inverse, renamed, wire_keys

LATEST = "$LATEST"
_ROLE_PROPAGATION_SECONDS = 120  # Terraform's wait for a new IAM role to become usable by Lambda
_GONE = ("ResourceNotFoundException",)


# ---- Function --------------------------------------------------------------------------------

_USER_MAPS = frozenset({"variables"})


def _block_from_api(value: Any) -> Any:
    """An API block in wire form; None when AWS reports it empty (e.g. VpcConfig of a function in no VPC)."""
    if isinstance(value, dict):
        value = wire_keys(value, _USER_MAPS)
        return value if any(v not in (None, "", [], {}) for v in value.values()) else None
    return value


def _block_to_api(value: Any) -> Any:
    return api_keys(value, _USER_MAPS)


# imageConfig's fields are plural in pulumi-aws and singular in the API.
_IMAGE_CONFIG_FIELDS: Names = {
    "commands": "Command", "entryPoints": "EntryPoint", "workingDirectory": "WorkingDirectory",
}


def _image_config_to_api(value: Props) -> dict[str, Any]:
    return renamed(value, _IMAGE_CONFIG_FIELDS)


def _image_config_from_api(response: dict[str, Any] | None) -> Props | None:
    """GetFunction reports the image configuration as ImageConfigResponse.ImageConfig."""
    return renamed((response or {}).get("ImageConfig") or {}, inverse(_IMAGE_CONFIG_FIELDS)) or None


@dataclass(frozen=True)
class _Setting:
    """A function setting that UpdateFunctionConfiguration changes."""

    wire: str
    api: str
    cleared: Any  # what removes it: the API has no "unset"; None for settings that are always given
    from_api: Callable[[Any], Any] = _block_from_api
    to_api: Callable[[Any], Any] = _block_to_api
    reported: str = ""  # the configuration key GetFunction reports it under, where that is not `api`


_SETTINGS = (
    _Setting("description", "Description", ""),
    _Setting("handler", "Handler", ""),
    _Setting("memorySize", "MemorySize", None),
    _Setting("role", "Role", None),
    _Setting("runtime", "Runtime", ""),
    _Setting("timeout", "Timeout", None),
    _Setting("layers", "Layers", [], lambda layers: [layer["Arn"] for layer in layers or ()]),
    _Setting("kmsKeyArn", "KMSKeyArn", ""),
    _Setting("environment", "Environment", {"Variables": {}}),
    _Setting("deadLetterConfig", "DeadLetterConfig", {"TargetArn": ""}),
    _Setting("ephemeralStorage", "EphemeralStorage", {"Size": 512}),
    _Setting("imageConfig", "ImageConfig", {}, _image_config_from_api, _image_config_to_api, "ImageConfigResponse"),
    _Setting("loggingConfig", "LoggingConfig", {"LogFormat": "Text"}),
    _Setting("snapStart", "SnapStart", {"ApplyOn": "None"}),
    _Setting("tracingConfig", "TracingConfig", {"Mode": "PassThrough"}),
    _Setting("vpcConfig", "VpcConfig", {"SubnetIds": [], "SecurityGroupIds": []}),
)
# A change to any of these goes through UpdateFunctionCode (as in Terraform, architectures included).
_CODE_INPUTS = frozenset(
    {"code", "s3Bucket", "s3Key", "s3ObjectVersion", "imageUri", "sourceCodeHash", "codeSha256", "architectures"}
)
_CODE_SOURCES = ("code", "s3Bucket", "imageUri")
_UNSUPPORTED_INPUTS = {
    "capacityProviderConfig": "Lambda managed instances are not implemented",
    "durableConfig": "durable functions are not implemented",
    "publishTo": "publishing to $LATEST.PUBLISHED is not implemented; use publish for numbered versions",
    "tenancyConfig": "tenant isolation is not implemented",
    "codeSigningConfigArn": "code signing is not implemented",
    "fileSystemConfig": "EFS file systems are not implemented",
    "sourceKmsKeyArn": "encrypting the deployment package with a customer key is not implemented",
    **dict.fromkeys(("replaceSecurityGroupsOnDestroy", "replacementSecurityGroupIds"),
                    "replacing the function's security groups on delete is not implemented"),
    "useResourceTimeoutForPropagation": "resource timeouts do not reach envctl's Lambda calls, which wait up to two "
                                        "minutes for a new role to propagate",
}


@resource_type
class Function(AssetProperties):
    token = "aws:lambda/function:Function"
    id_property = "name"
    name_property = "name"
    name_max_length = 64
    required = ("role",)
    defaults = {
        "memorySize": 128,
        "packageType": "Zip",
        "publish": False,
        "reservedConcurrentExecutions": -1,
        "skipDestroy": False,
        "timeout": 3,
    }
    force_new = frozenset({"name", "packageType"})
    handled = frozenset({*(s.wire for s in _SETTINGS), *_CODE_INPUTS, "packageType", "publish",
                         "reservedConcurrentExecutions", "skipDestroy"})
    unsupported = _UNSUPPORTED_INPUTS
    outputs = frozenset({"arn", "invokeArn", "lastModified", "qualifiedArn", "qualifiedInvokeArn",
                         "responseStreamingInvokeArn", "signingJobArn", "signingProfileVersionArn", "sourceCodeSize",
                         "version"})
    asset_properties = ("code",)
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        sources = [key for key in _CODE_SOURCES if inputs.get(key) is not None]
        if len(sources) != 1:
            failures.append(CheckFailure("code", "set exactly one of code, s3Bucket or imageUri"))
        if bool(inputs.get("s3Bucket")) != bool(inputs.get("s3Key")):
            failures.append(CheckFailure("s3Key", "s3Bucket and s3Key go together"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("lambda")
        name = inputs["name"]
        params: dict[str, Any] = {
            "FunctionName": name,
            "PackageType": inputs["packageType"],
            "Code": code_source(inputs),
            "Publish": bool(inputs.get("publish")),
            **_settings_params(inputs, {s.wire for s in _SETTINGS}),
        }
        if inputs.get("architectures"):
            params["Architectures"] = inputs["architectures"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tags
        _retry_until_role_usable(client.create_function, **params)
        client.get_waiter("function_active_v2").wait(FunctionName=name)
        if inputs["reservedConcurrentExecutions"] >= 0:
            _set_concurrency(client, name, inputs["reservedConcurrentExecutions"])
        return name, {**inputs, **self.describe(ctx, name, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Configuration first, then code (each waited for: Lambda takes one change at a time), as Terraform."""
        client = ctx.client("lambda")
        changed = set(diff.changed)
        settings = _settings_params(news, changed)
        # A removed setting is cleared: UpdateFunctionConfiguration has no "unset".
        settings.update({s.api: s.cleared for s in _SETTINGS if s.wire in changed and s.api not in settings
                         and s.cleared is not None})
        if settings:
            _retry_until_role_usable(client.update_function_configuration, FunctionName=id, **settings)
            client.get_waiter("function_updated_v2").wait(FunctionName=id)
        if changed & _CODE_INPUTS:
            params: dict[str, Any] = {"FunctionName": id, "Publish": bool(news.get("publish")), **code_source(news)}
            if news.get("architectures"):
                params["Architectures"] = news["architectures"]
            client.update_function_code(**params)
            client.get_waiter("function_updated_v2").wait(FunctionName=id)
        elif (settings or "publish" in changed) and news.get("publish"):  # as Terraform: turning publish on publishes
            client.publish_version(FunctionName=id)
        if "reservedConcurrentExecutions" in changed:
            _set_concurrency(client, id, news["reservedConcurrentExecutions"])
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(Resource=olds["arn"], Tags=tags),
                  lambda keys: client.untag_resource(Resource=olds["arn"], TagKeys=keys))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_function(FunctionName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("lambda")
        answer = client.get_function(FunctionName=id)
        config = answer["Configuration"]
        arn = config["FunctionArn"]
        version = _latest_version(client, id) if state.get("publish") else LATEST
        concurrency = client.get_function_concurrency(FunctionName=id).get("ReservedConcurrentExecutions", -1)
        return {
            **settings_from_config(config),
            "name": config["FunctionName"],
            "arn": arn,
            "invokeArn": invoke_arn(ctx, arn),
            "responseStreamingInvokeArn": ctx.arn(
                "apigateway", f"path/2021-11-15/functions/{arn}/response-streaming-invocations", account="lambda"),
            "signingJobArn": config.get("SigningJobArn"),
            "signingProfileVersionArn": config.get("SigningProfileVersionArn"),
            "qualifiedArn": f"{arn}:{version}",
            "qualifiedInvokeArn": invoke_arn(ctx, f"{arn}:{version}"),
            "version": version,
            "lastModified": config.get("LastModified"),
            "packageType": config.get("PackageType", "Zip"),
            "architectures": config.get("Architectures") or ["x86_64"],
            "imageUri": (answer.get("Code") or {}).get("ImageUri"),
            "codeSha256": config.get("CodeSha256"),
            "sourceCodeHash": config.get("CodeSha256"),  # base64 sha256 of the deployment package
            "sourceCodeSize": config.get("CodeSize"),
            "reservedConcurrentExecutions": concurrency,
            **tags_from_cloud(ctx, state, answer.get("Tags") or {}),
        }


def settings_from_config(config: dict[str, Any]) -> Props:
    """The function's settings (description, handler, environment, ...) from GetFunction's Configuration."""
    return {s.wire: s.from_api(config.get(s.reported or s.api)) for s in _SETTINGS}


def invoke_arn(ctx: AwsContext, function_arn: str) -> str:
    """The ARN API Gateway invokes a function (or a qualified version of it) by."""
    return ctx.arn("apigateway", f"path/2015-03-31/functions/{function_arn}/invocations", account="lambda")


def _settings_params(props: Props, keys: set[str]) -> dict[str, Any]:
    """The settings named in `keys` that `props` gives, as UpdateFunctionConfiguration (and Create) take them."""
    given = [s for s in _SETTINGS if s.wire in keys and props.get(s.wire) is not None]
    return {s.api: s.to_api(props[s.wire]) for s in given}


def _set_concurrency(client: Any, name: str, reserved: int) -> None:
    """Reserve concurrency for the function; -1 (the default) means none reserved."""
    if reserved >= 0:
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    else:
        client.delete_function_concurrency(FunctionName=name)


def code_source(inputs: Props) -> dict[str, Any]:
    """The deployment package, in the form CreateFunction's Code and UpdateFunctionCode take."""
    if inputs.get("code") is not None:
        return {"ZipFile": archive_zip(inputs["code"])}
    if inputs.get("s3Bucket"):
        source = {"S3Bucket": inputs["s3Bucket"], "S3Key": inputs["s3Key"]}
        if inputs.get("s3ObjectVersion"):
            source["S3ObjectVersion"] = inputs["s3ObjectVersion"]
        return source
    return {"ImageUri": inputs["imageUri"]}


def _latest_version(client: Any, name: str) -> str:
    """The highest published version, which is what Terraform reports for a function with publish."""
    numbers = [
        int(v["Version"])
        for v in listed(client, "list_versions_by_function", "Versions", FunctionName=name)
        if v["Version"] != LATEST
    ]
    return str(max(numbers)) if numbers else LATEST


def _retry_until_role_usable(call: Callable[..., Any], **params: Any) -> Any:
    """IAM is eventually consistent: Lambda rejects a role created moments before until it has propagated."""
    return retried(call, _role_not_yet_usable, _ROLE_PROPAGATION_SECONDS, **params)


def _role_not_yet_usable(error: ClientError) -> bool:
    message = error.response["Error"].get("Message", "")
    return error_code(error) == "InvalidParameterValueException" and "role" in message


# ---- Permission ------------------------------------------------------------------------------

# Optional inputs: the AddPermission parameter, and the condition under which the policy statement keeps it.
_CONDITIONS = (
    ("sourceArn", "SourceArn", "ArnLike", "AWS:SourceArn"),
    ("sourceAccount", "SourceAccount", "StringEquals", "AWS:SourceAccount"),
    ("eventSourceToken", "EventSourceToken", "StringEquals", "lambda:EventSourceToken"),
    ("principalOrgId", "PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
    ("functionUrlAuthType", "FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
)


@resource_type
class Permission(AwsResource):
    token = "aws:lambda/permission:Permission"
    name_property = "statementId"
    name_prefix_property = "statementIdPrefix"
    name_max_length = 100
    required = ("action", "function", "principal")
    force_new = frozenset(
        {"action", "function", "principal", "qualifier", "statementId", "statementIdPrefix", "region",
         "invokedViaFunctionUrl", *(wire for wire, *_ in _CONDITIONS)}
    )
    handled = frozenset({"qualifier", *(wire for wire, *_ in _CONDITIONS)})
    taggable = False
    unsupported = {"invokedViaFunctionUrl": "the lambda:InvokedViaFunctionUrl condition is not implemented"}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        statement_id = self.physical_name(inputs)
        params = {
            **_function_params(inputs),
            "StatementId": statement_id,
            "Action": inputs["action"],
            "Principal": inputs["principal"],
            **{api: inputs[wire] for wire, api, *_ in _CONDITIONS if inputs.get(wire)},
        }
        ctx.client("lambda").add_permission(**params)
        state = {**inputs, "statementId": statement_id}
        return statement_id, {**state, **self._describe(ctx, statement_id, state)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._describe(ctx, id, state)
        except _StatementGone:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Every input forces a replacement, so there is nothing to change in place: only outputs are read."""
        return {**news, **self._describe(ctx, id, {**news, "statementId": id})}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.remove_permission(**_function_params(state), StatementId=id)

    def _describe(self, ctx: AwsContext, statement_id: str, state: Props) -> Props:
        client = ctx.client("lambda")
        try:
            policy = json.loads(client.get_policy(**_function_params(state))["Policy"])
        except client.exceptions.ResourceNotFoundException:
            raise _StatementGone from None
        statement = next((s for s in policy.get("Statement", []) if s.get("Sid") == statement_id), None)
        if statement is None:
            raise _StatementGone
        conditions = statement.get("Condition") or {}
        return {
            "statementId": statement_id,
            "statementIdPrefix": state.get("statementIdPrefix"),  # not stored by AWS
            "function": state["function"],
            "qualifier": state.get("qualifier"),
            "action": statement.get("Action"),
            "principal": _principal_from_cloud(statement.get("Principal")),
            **{wire: (conditions.get(test) or {}).get(key) for wire, _, test, key in _CONDITIONS},
        }


class _StatementGone(Exception):
    """The function, its policy or the statement no longer exists."""


def _function_params(props: Props) -> dict[str, str]:
    params = {"FunctionName": props["function"]}
    if props.get("qualifier"):
        params["Qualifier"] = props["qualifier"]
    return params


def _principal_from_cloud(principal: Any) -> Any:
    """The principal as given to AddPermission: a service, an account id (stored as its root ARN) or an ARN."""
    if isinstance(principal, dict):
        principal = next(iter(principal.values()), None)
    if isinstance(principal, str):
        return root_as_account_id(principal)
    return principal

