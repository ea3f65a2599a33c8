"""aws:secretsmanager resource types: Secret and SecretVersion; the getSecretVersion invoke."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from envctl.engine.properties import contains_unknown
from envctl.engine.properties import secret as marked_secret
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, unsupported_input
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import timestamp

_CURRENT, _PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
_VERSION_ID_SEPARATOR = "|"
_EMPTY_POLICIES = (None, "", "{}")
_DEFAULT_RECOVERY_DAYS = 30


def _is_gone(error: ClientError) -> bool:
    """Whether Secrets Manager says the secret does not exist or is scheduled for deletion."""
    code, message = error.response["Error"]["Code"], error.response["Error"].get("Message", "")
    return code == "ResourceNotFoundException" or (code == "InvalidRequestException" and "deleted" in message)


# ---- Secret --------------------------------------------------------------------------------


@resource_type
class Secret(AwsResource):
    token = "aws:secretsmanager/secret:Secret"
    name_property = "name"
    name_prefix_property = "namePrefix"
    defaults = {"forceOverwriteReplicaSecret": False, "recoveryWindowInDays": _DEFAULT_RECOVERY_DAYS}
    force_new = frozenset({"name", "namePrefix", "region", "type"})
    documents = {"policy": policies_equivalent}
    handled = frozenset({"description", "kmsKeyId", "recoveryWindowInDays", "replicas", "forceOverwriteReplicaSecret"})
    unsupported = {"type": "managed external secrets (partner secret types) are not emulated by the local cloud"}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        window = inputs.get("recoveryWindowInDays")
        if isinstance(window, int | float) and window != 0 and not 7 <= window <= 30:
            failures.append(CheckFailure("recoveryWindowInDays", "recoveryWindowInDays must be 0 or 7 to 30"))
        replicas = inputs.get("replicas")
        if isinstance(replicas, list) and any(isinstance(r, dict) and r.get("kmsKeyId") for r in replicas):
            failures.append(unsupported_input(self.token, "replicas.kmsKeyId", "the local cloud encrypts every replica "
                                              "with its region's default key"))
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Replicas are compared by region only (the rest is what AWS reports); a program that leaves them out keeps
        them as they are (Optional+Computed in Terraform; a read answers them, so drift still sees them)."""
        new = news.get("replicas")
        if "replicas" not in diff.changed or contains_unknown(new):
            return diff
        if "replicas" not in news or _replica_regions(olds.get("replicas")) == _replica_regions(new):
            return diff.without(["replicas"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("secretsmanager")
        params: dict[str, Any] = {
            "Name": self.physical_name(inputs),
            "Description": inputs.get("description") or "",
            "ForceOverwriteReplicaSecret": bool(inputs.get("forceOverwriteReplicaSecret")),
        }
        if inputs.get("kmsKeyId"):
            params["KmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("replicas"):
            params["AddReplicaRegions"] = _api_regions(_replica_regions(inputs["replicas"]))
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = client.create_secret(**params)["ARN"]
        if inputs.get("policy") not in _EMPTY_POLICIES:
            client.put_resource_policy(SecretId=arn, ResourcePolicy=inputs["policy"])
        return arn, self._outputs(ctx, client.describe_secret(SecretId=arn), inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            secret = ctx.client("secretsmanager").describe_secret(SecretId=id)
        except ClientError as error:
            if _is_gone(error):
                return None
            raise
        # A secret scheduled for deletion is gone for Terraform too (it can only be restored by hand).
        return None if secret.get("DeletedDate") is not None else self._outputs(ctx, secret, state)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("secretsmanager")
        changed = set(diff.changed)
        if "replicas" in changed:
            force = bool(news.get("forceOverwriteReplicaSecret"))
            _sync_replicas(client, id, _replica_regions(news.get("replicas")), force)
        if changed & {"description", "kmsKeyId"}:
            params = {"SecretId": id, "Description": news.get("description") or ""}
            if news.get("kmsKeyId"):
                params["KmsKeyId"] = news["kmsKeyId"]
            client.update_secret(**params)
        if "policy" in changed:
            if news.get("policy") in _EMPTY_POLICIES:
                client.delete_resource_policy(SecretId=id)
            else:
                client.put_resource_policy(SecretId=id, ResourcePolicy=news["policy"])
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(SecretId=id, Tags=tag_list(tags)),
                  lambda keys: client.untag_resource(SecretId=id, TagKeys=keys))
        return self._outputs(ctx, client.describe_secret(SecretId=id), news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """A recovery window of 0 deletes at once; otherwise the secret is only scheduled for deletion."""
        window = state.get("recoveryWindowInDays")
        window = _DEFAULT_RECOVERY_DAYS if window is None else int(window)
        options: dict[str, Any] = {"RecoveryWindowInDays": window} if window else {"ForceDeleteWithoutRecovery": True}
        client = ctx.client("secretsmanager")
        try:
            # moto "force-deletes" a secret that does not exist; asking first keeps delete idempotent there too.
            secret = client.describe_secret(SecretId=id)
            if secret.get("DeletedDate") is None:
                # As Terraform does: the replicas go first (a secret with replicas cannot be deleted).
                if secret.get("ReplicationStatus"):
                    _sync_replicas(client, id, set(), False)
                client.delete_secret(SecretId=id, **options)
        except ClientError as error:
            if not _is_gone(error):
                raise

    def _outputs(self, ctx: AwsContext, secret: dict[str, Any], base: Props) -> Props:
        policy = ctx.client("secretsmanager").get_resource_policy(SecretId=secret["ARN"]).get("ResourcePolicy")
        return {
            **base,
            "id": secret["ARN"],
            "arn": secret["ARN"],
            "name": secret["Name"],
            "namePrefix": base.get("namePrefix"),  # not stored by Secrets Manager
            "description": secret.get("Description"),
            "kmsKeyId": secret.get("KmsKeyId"),
            "policy": document_from_cloud(base.get("policy"), policy) if policy else None,
            "replicas": [_replica(status) for status in secret.get("ReplicationStatus") or ()],
            "region": ctx.region,
            **tags_from_cloud(ctx, base, tag_dict(secret.get("Tags"))),
        }


def _replica_regions(replicas: list[Props] | None) -> set[str]:
    return {replica["region"] for replica in replicas or ()}


def _sync_replicas(client: Any, secret_id: str, wanted: set[str], force_overwrite: bool) -> None:
    """Replicate the secret to the wanted regions and no other."""
    current = {status["Region"] for status in client.describe_secret(SecretId=secret_id).get("ReplicationStatus") or ()}
    if stale := sorted(current - wanted):
        client.remove_regions_from_replication(SecretId=secret_id, RemoveReplicaRegions=stale)
    if missing := sorted(wanted - current):
        client.replicate_secret_to_regions(SecretId=secret_id, AddReplicaRegions=_api_regions(missing),
                                           ForceOverwriteReplicaSecret=force_overwrite)


def _api_regions(regions: Iterable[str]) -> list[dict[str, str]]:
    return [{"Region": region} for region in sorted(regions)]


def _replica(status: dict[str, Any]) -> Props:
    """A replica as pulumi-aws reports it, from the secret's replication status."""
    accessed = status.get("LastAccessedDate")
    return {
        "region": status["Region"],
        "kmsKeyId": status.get("KmsKeyId"),
        "status": status.get("Status"),
        "statusMessage": status.get("StatusMessage"),
        "lastAccessedDate": timestamp(accessed) if accessed else None,
    }


# ---- SecretVersion -------------------------------------------------------------------------


@resource_type
class SecretVersion(AwsResource):
    token = "aws:secretsmanager/secretVersion:SecretVersion"
    required = ("secretId",)
    # Terraform puts a changed value in a new version: the value forces a replacement.
    force_new = frozenset({"secretId", "secretString", "secretBinary", "secretStringWoVersion", "region"})
    taggable = False
    set_properties = ("versionStages",)
    handled = frozenset({"secretString", "secretBinary", "versionStages"})
    unsupported = dict.fromkeys(("secretStringWo", "secretStringWoVersion"),
                                "write-only values are not supported (the ledger records every input); use "
                                "'secretString', which the ledger keeps encrypted")
    outputs = frozenset({"arn", "secretArn", "versionId", "hasSecretStringWo"})
    secret = frozenset({"secretString", "secretBinary", "secretStringWo"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("secretString") is not None and inputs.get("secretBinary") is not None:
            return [CheckFailure("secretBinary", "only one of 'secretString' and 'secretBinary' can be set")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"SecretId": inputs["secretId"], "ClientRequestToken": str(uuid.uuid4())}
        if inputs.get("secretString") is not None:
            params["SecretString"] = inputs["secretString"]
        if inputs.get("secretBinary") is not None:
            params["SecretBinary"] = base64.b64decode(inputs["secretBinary"])
        if inputs.get("versionStages"):
            params["VersionStages"] = inputs["versionStages"]
        version_id = ctx.client("secretsmanager").put_secret_value(**params)["VersionId"]
        id = _VERSION_ID_SEPARATOR.join((inputs["secretId"], version_id))
        return id, self._outputs(ctx, id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            outputs = self._outputs(ctx, id, state)
        except ClientError as error:
            if _is_gone(error):
                return None
            raise
        # A version without staging labels is deprecated: AWS removes it, and it is what delete leaves.
        return outputs if outputs["versionStages"] else None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Only the staging labels change in place; they move here from whichever version holds them."""
        client = ctx.client("secretsmanager")
        secret_id, version_id = _split_version_id(id)
        old_stages, new_stages = set(olds.get("versionStages") or ()), set(news.get("versionStages") or ())
        for stage in sorted(new_stages - old_stages):
            holder = _version_with_stage(client, secret_id, stage)
            params = {"SecretId": secret_id, "VersionStage": stage, "MoveToVersionId": version_id}
            if holder and holder != version_id:
                params["RemoveFromVersionId"] = holder
            client.update_secret_version_stage(**params)
        moved_current = _CURRENT in new_stages - old_stages
        for stage in sorted(old_stages - new_stages):
            # AWSCURRENT can only move, never be removed; moving it here already took AWSPREVIOUS away.
            if stage == _CURRENT or (stage == _PREVIOUS and moved_current):
                continue
            client.update_secret_version_stage(SecretId=secret_id, VersionStage=stage, RemoveFromVersionId=version_id)
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """A version cannot be deleted, only unlabelled (AWS then removes it). The labels are those it has now,
        which other versions may have moved since. AWSCURRENT can only move, so the current version stays the
        secret's value until another one becomes current, as with Terraform."""
        client = ctx.client("secretsmanager")
        secret_id, version_id = _split_version_id(id)
        try:
            stages = client.get_secret_value(SecretId=secret_id, VersionId=version_id).get("VersionStages") or ()
            for stage in stages:
                if stage != _CURRENT:
                    client.update_secret_version_stage(SecretId=secret_id, VersionStage=stage,
                                                       RemoveFromVersionId=version_id)
        except ClientError as error:
            if not _is_gone(error):
                raise

    def _outputs(self, ctx: AwsContext, id: str, base: Props) -> Props:
        secret_id, version_id = _split_version_id(id)
        version = ctx.client("secretsmanager").get_secret_value(SecretId=secret_id, VersionId=version_id)
        binary = version.get("SecretBinary")
        return {
            **base,
            "id": id,
            "arn": version["ARN"],
            "secretArn": version["ARN"],
            "secretId": secret_id,
            "versionId": version["VersionId"],
            "secretString": version.get("SecretString"),
            "secretBinary": base64.b64encode(binary).decode() if binary is not None else None,
            "versionStages": sorted(version.get("VersionStages") or ()),
            "hasSecretStringWo": False,
            "region": ctx.region,
        }


def _split_version_id(id: str) -> tuple[str, str]:
    """`<secret id>|<version id>`: the secret id (a name or an ARN) never contains '|'."""
    secret_id, _, version_id = id.rpartition(_VERSION_ID_SEPARATOR)
    return secret_id, version_id


def _version_with_stage(client: Any, secret_id: str, stage: str) -> str | None:
    params = {"SecretId": secret_id}
    while True:  # boto3 has no paginator for ListSecretVersionIds
        page = client.list_secret_version_ids(**params)
        for version in page["Versions"]:
            if stage in version.get("VersionStages", ()):
                return version["VersionId"]
        if not page.get("NextToken"):
            return None
        params["NextToken"] = page["NextToken"]


# ---- getSecretVersion ----------------------------------------------------------------------


@invoke("aws:secretsmanager/getSecretVersion:getSecretVersion")
def get_secret_version(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_secretsmanager_secret_version data source: a version by id or stage (AWSCURRENT when
    neither is given). The secret's value stays secret, as pulumi-aws marks it."""
    in_provider_region(ctx, args, "getSecretVersion")
    secret_id = args["secretId"]
    selector = {"VersionId": args["versionId"]} if args.get("versionId") else \
        {"VersionStage": args.get("versionStage") or _CURRENT}
    try:
        answer = ctx.client("secretsmanager").get_secret_value(SecretId=secret_id, **selector)
    except ClientError as error:
        if _is_gone(error):
            raise BadInput(f"getSecretVersion: no version {next(iter(selector.values()))} of secret {secret_id!r} "
                           f"in {ctx.region}") from None
        raise
    binary = answer.get("SecretBinary")
    return {
        "id": f"{secret_id}{_VERSION_ID_SEPARATOR}{next(iter(selector.values()))}",
        "arn": answer["ARN"],
        "secretArn": answer["ARN"],
        "secretId": secret_id,
        "versionId": answer["VersionId"],
        "versionStage": args.get("versionStage"),
        "versionStages": answer.get("VersionStages") or [],
        "createdDate": timestamp(answer["CreatedDate"]),
        "secretString": marked_secret(answer.get("SecretString") or ""),
        "secretBinary": marked_secret(binary.decode("utf-8", errors="replace") if binary else ""),
        "region": ctx.region,
    }
