"""aws:lambda LayerVersion: one published, immutable version of a layer (every input forces a new version)."""

from __future__ import annotations

import contextlib

from envctl.providers.aws.assets import AssetProperties
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.lambda_.functions import code_source
from envctl.providers.aws.registry import resource_type

_GONE = ("ResourceNotFoundException",)
_SOURCES = ("code", "s3Bucket")
# Inputs PublishLayerVersion takes as they are: wire name -> API name.
_PUBLISHED = {"compatibleArchitectures": "CompatibleArchitectures", "compatibleRuntimes": "CompatibleRuntimes",
              "description": "Description", "licenseInfo": "LicenseInfo"}


def layer_version_parts(arn: str) -> tuple[str, int]:
    """The layer's name and the version number from a layer version ARN
    (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."""
    *_, name, version = arn.split(":")
    return name, int(version)


@resource_type
class LayerVersion(AssetProperties):
    token = "aws:lambda/layerVersion:LayerVersion"
    required = ("layerName",)
    defaults = {"skipDestroy": False}
    force_new = frozenset({"layerName", "code", "s3Bucket", "s3Key", "s3ObjectVersion", "sourceCodeHash",
                           *_PUBLISHED})
    handled = frozenset({"code", "s3Bucket", "s3Key", "s3ObjectVersion", "skipDestroy", "sourceCodeHash",
                         *_PUBLISHED})
    taggable = False
    outputs = frozenset({"arn", "codeSha256", "createdDate", "layerArn", "signingJobArn", "signingProfileVersionArn",
                         "sourceCodeSize", "version"})
    set_properties = ("compatibleArchitectures", "compatibleRuntimes")
    asset_properties = ("code",)
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        if sum(inputs.get(key) is not None for key in _SOURCES) != 1:
            failures.append(CheckFailure("code", "set exactly one of code or s3Bucket"))
        if bool(inputs.get("s3Bucket")) != bool(inputs.get("s3Key")):
            failures.append(CheckFailure("s3Key", "s3Bucket and s3Key go together"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {"LayerName": inputs["layerName"], "Content": code_source(inputs),
                  **{api: inputs[wire] for wire, api in _PUBLISHED.items() if inputs.get(wire)}}
        arn = ctx.client("lambda").publish_layer_version(**params)["LayerVersionArn"]
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Only skipDestroy can change in place, and it is envctl's alone.
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return
        name, version = layer_version_parts(id)
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_layer_version(LayerName=name, VersionNumber=version)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        name, version = layer_version_parts(id)
        layer = ctx.client("lambda").get_layer_version(LayerName=name, VersionNumber=version)
        content = layer.get("Content") or {}
        return {
            **state,
            **{wire: layer.get(api) or None for wire, api in _PUBLISHED.items()},
            "id": layer["LayerVersionArn"],
            "arn": layer["LayerVersionArn"],
            "layerArn": layer["LayerArn"],
            "layerName": name,
            "version": str(layer["Version"]),
            "createdDate": layer.get("CreatedDate"),
            "codeSha256": content.get("CodeSha256"),
            "sourceCodeHash": content.get("CodeSha256"),  # base64 sha256 of the package, as Terraform reads it
            "sourceCodeSize": content.get("CodeSize"),
            "signingJobArn": content.get("SigningJobArn"),
            "signingProfileVersionArn": content.get("SigningProfileVersionArn"),
        }
