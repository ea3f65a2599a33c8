"""aws:lambda/getFunction: a function's configuration, of its latest code or of a version or alias."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.lambda_.functions import LATEST, invoke_arn, settings_from_config
from envctl.providers.aws.registry import invoke

Args = dict[str, Any]
_GONE = ("ResourceNotFoundException",)
# Blocks the data source gives as lists (of at most one) where the resource has a single block.
_NOT_LOOKED_UP = ("imageConfig", "snapStart")  # function settings the data source does not report
_LISTED = {"ephemeralStorage": "ephemeralStorages", "loggingConfig": "loggingConfigs"}


@invoke("aws:lambda/getFunction:getFunction")
def get_function(ctx: AwsContext, args: Args) -> Args:
    client = ctx.client("lambda")
    name, qualifier = args["functionName"], args.get("qualifier")
    found = found_or_none(client.get_function, _GONE, FunctionName=name, **({"Qualifier": qualifier} if qualifier
                                                                            else {}))
    if found is None:
        raise BadInput(f"getFunction: no Lambda function {name!r}" + (f" with qualifier {qualifier!r}" if qualifier
                                                                         else ""))
    config = found["Configuration"]
    settings = settings_from_config(config)
    unqualified = config["FunctionArn"].split(":")[:7]
    arn = ":".join(unqualified)
    version = config.get("Version") or LATEST
    qualified = f"{arn}:{qualifier or version}"
    concurrency = client.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions", -1)
    return {
        **{key: value for key, value in settings.items() if key not in (*_LISTED, *_NOT_LOOKED_UP)},
        **{plural: [settings[single]] if settings.get(single) else [] for single, plural in _LISTED.items()},
        "id": config["FunctionName"],
        "functionName": config["FunctionName"],
        "qualifier": qualifier,
        "region": ctx.region,
        "arn": arn,
        "qualifiedArn": qualified,
        "invokeArn": invoke_arn(ctx, arn),
        "qualifiedInvokeArn": invoke_arn(ctx, qualified),
        "responseStreamingInvokeArn": ctx.arn(
            "apigateway", f"path/2021-11-15/functions/{arn}/response-streaming-invocations", account="lambda"),
        "version": version,
        "architectures": config.get("Architectures") or ["x86_64"],
        "codeSha256": config.get("CodeSha256"),
        "sourceCodeHash": config.get("CodeSha256"),
        "sourceCodeSize": config.get("CodeSize"),
        "imageUri": (found.get("Code") or {}).get("ImageUri") or "",
        "lastModified": config.get("LastModified"),
        "signingJobArn": config.get("SigningJobArn") or "",
        "signingProfileVersionArn": config.get("SigningProfileVersionArn") or "",
        "codeSigningConfigArn": "",
        "sourceKmsKeyArn": "",
        "reservedConcurrentExecutions": concurrency,
        "tags": found.get("Tags") or {},
        **{key: [] for key in ("capacityProviderConfigs", "durableConfigs", "fileSystemConfigs", "tenancyConfigs")},
    }
