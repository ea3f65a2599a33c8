"""aws:kms resource types: Key and Alias."""

from __future__ import annotations

import re
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.naming import auto_name
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import renamed

_TAG_KEYS = ("TagKey", "TagValue")  # KMS's names for a tag's key and value
_DEFAULT_DELETION_WINDOW_DAYS = 30  # what AWS applies when ScheduleKeyDeletion is given no window
_GONE_KEY_STATES = ("PendingDeletion", "PendingReplicaDeletion")  # Terraform treats these keys as deleted
_ALIAS_PREFIX = "alias/"
_ALIAS_AUTO_NAME_LENGTH = 238  # pulumi-aws's auto-name length for aliases, before the alias/ prefix
_ALIAS_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")
_RESERVED_ALIAS_PREFIX = "alias/aws/"
_GONE = ("NotFoundException",)
# Inputs CreateKey takes as they are, when given.
_KEY_SETTINGS = {"description": "Description", "policy": "Policy", "multiRegion": "MultiRegion"}
_CUSTOM_KEY_STORES = "keys in custom key stores (CloudHSM or external) are not emulated by the local cloud"


def _key_id(key_id_or_arn: str) -> str:
    """The key id in a key ARN (`arn:...:key/<id>`), or the id itself."""
    return key_id_or_arn.rsplit(":key/", 1)[-1]


# ---- Key -----------------------------------------------------------------------------------


@resource_type
class Key(AwsResource):
    token = "aws:kms/key:Key"
    defaults = {
        "bypassPolicyLockoutSafetyCheck": False,
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "enableKeyRotation": False,
        "isEnabled": True,
        "keyUsage": "ENCRYPT_DECRYPT",
    }
    force_new = frozenset(
        {"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId", "region"}
    )
    documents = {"policy": policies_equivalent}
    handled = frozenset({"bypassPolicyLockoutSafetyCheck", "customerMasterKeySpec", "deletionWindowInDays",
                         "description", "enableKeyRotation", "isEnabled", "keyUsage", "multiRegion"})
    unsupported = {
        "customKeyStoreId": _CUSTOM_KEY_STORES,
        "xksKeyId": _CUSTOM_KEY_STORES,
        "rotationPeriodInDays": "the local cloud neither keeps nor reports a rotation period (keys rotate yearly)",
    }
    outputs = frozenset({"arn", "keyId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        window = inputs.get("deletionWindowInDays")
        if isinstance(window, int | float) and not 7 <= window <= 30:
            return [CheckFailure("deletionWindowInDays", "deletionWindowInDays must be between 7 and 30")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        kms = ctx.client("kms")
        params: dict[str, Any] = {
            "KeyUsage": inputs["keyUsage"],
            "KeySpec": inputs["customerMasterKeySpec"],
            "BypassPolicyLockoutSafetyCheck": bool(inputs["bypassPolicyLockoutSafetyCheck"]),
            **renamed(inputs, _KEY_SETTINGS),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags, *_TAG_KEYS)
        key_id = kms.create_key(**params)["KeyMetadata"]["KeyId"]
        if inputs["enableKeyRotation"]:
            kms.enable_key_rotation(KeyId=key_id)
        if not inputs["isEnabled"]:
            kms.disable_key(KeyId=key_id)
        return key_id, self.describe(ctx, key_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        kms = ctx.client("kms")
        try:
            state_now = kms.describe_key(KeyId=id)["KeyMetadata"]["KeyState"]
        except kms.exceptions.NotFoundException:
            return None
        return None if state_now in _GONE_KEY_STATES else self.describe(ctx, id, state)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        kms = ctx.client("kms")
        changed = set(diff.changed)
        # A disabled key takes no other change: enable first, disable last (as Terraform does).
        if "isEnabled" in changed and news["isEnabled"]:
            kms.enable_key(KeyId=id)
        if "enableKeyRotation" in changed:
            (kms.enable_key_rotation if news["enableKeyRotation"] else kms.disable_key_rotation)(KeyId=id)
        if "description" in changed:
            kms.update_key_description(KeyId=id, Description=news.get("description") or "")
        if "policy" in changed and news.get("policy"):
            kms.put_key_policy(KeyId=id, PolicyName="default", Policy=news["policy"],
                               BypassPolicyLockoutSafetyCheck=bool(news["bypassPolicyLockoutSafetyCheck"]))
        if "isEnabled" in changed and not news["isEnabled"]:
            kms.disable_key(KeyId=id)
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: kms.tag_resource(KeyId=id, Tags=tag_list(tags, *_TAG_KEYS)),
                  lambda keys: kms.untag_resource(KeyId=id, TagKeys=keys))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """KMS never deletes a key at once: it schedules the deletion after a waiting period."""
        kms = ctx.client("kms")
        window = int(state.get("deletionWindowInDays") or _DEFAULT_DELETION_WINDOW_DAYS)
        try:
            kms.schedule_key_deletion(KeyId=id, PendingWindowInDays=window)
        except kms.exceptions.NotFoundException:
            return
        except kms.exceptions.KMSInvalidStateException as error:
            if "pending deletion" not in str(error).lower():
                raise

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        kms = ctx.client("kms")
        key = kms.describe_key(KeyId=id)["KeyMetadata"]
        policy = kms.get_key_policy(KeyId=id, PolicyName="default")["Policy"]
        rotation: dict[str, Any] = {}
        if key.get("Origin") == "AWS_KMS":  # only keys KMS generated itself rotate
            rotation = kms.get_key_rotation_status(KeyId=id)
        tags = tag_dict(kms.list_resource_tags(KeyId=id).get("Tags"), *_TAG_KEYS)
        return {
            **state,
            "id": key["KeyId"],
            "keyId": key["KeyId"],
            "arn": key["Arn"],
            "description": key.get("Description", ""),
            "keyUsage": key["KeyUsage"],
            "customerMasterKeySpec": key.get("KeySpec") or key.get("CustomerMasterKeySpec"),
            "multiRegion": bool(key.get("MultiRegion")),
            "isEnabled": bool(key["Enabled"]),
            "enableKeyRotation": bool(rotation.get("KeyRotationEnabled")),
            "policy": document_from_cloud(state.get("policy"), policy),
            "region": ctx.region,
            **tags_from_cloud(ctx, state, tags),
        }


# ---- Alias ---------------------------------------------------------------------------------


@resource_type
class Alias(AwsResource):
    token = "aws:kms/alias:Alias"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    required = ("targetKeyId",)
    force_new = frozenset({"name", "namePrefix", "region"})
    taggable = False
    handled = frozenset()  # the name and the key
    outputs = frozenset({"arn", "targetKeyArn"})
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """pulumi-aws auto-names an alias `alias/<name>-<7 hex>`."""
        if news.get("name") is None and not news.get("namePrefix") and not (olds or {}).get("name"):
            name = auto_name(logical_name, _ALIAS_AUTO_NAME_LENGTH)
            news = {**news, "name": name if name.startswith(_ALIAS_PREFIX) else _ALIAS_PREFIX + name}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        for key in ("name", "namePrefix"):
            value = inputs.get(key)
            if not isinstance(value, str) or contains_unknown(value):
                continue
            candidate = value + "x" if key == "namePrefix" else value  # a prefix only has to start a valid name
            if not _ALIAS_NAME.match(candidate) or value.startswith(_RESERVED_ALIAS_PREFIX):
                failures.append(CheckFailure(key, f"'{value}' must start with alias/, contain only letters, digits, "
                                                  "/, _ or -, and not start with alias/aws/"))
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A key's ARN and its id name the same key (Terraform suppresses that difference)."""
        old_key, new_key = olds.get("targetKeyId"), news.get("targetKeyId")
        if isinstance(old_key, str) and isinstance(new_key, str) and not contains_unknown(new_key) \
                and _key_id(old_key) == _key_id(new_key):
            return diff.without(["targetKeyId"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        ctx.client("kms").create_alias(AliasName=name, TargetKeyId=inputs["targetKeyId"])
        return name, self.describe(ctx, name, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "targetKeyId" in diff.changed:
            ctx.client("kms").update_alias(AliasName=id, TargetKeyId=news["targetKeyId"])
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("kms").delete_alias, gone=_GONE, AliasName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        alias = _find_alias(ctx, id)
        arn, target = alias["AliasArn"], alias["TargetKeyId"]
        configured = state.get("targetKeyId")
        same_key = isinstance(configured, str) and _key_id(configured) == target
        return {
            **state,
            "id": alias["AliasName"],
            "name": alias["AliasName"],
            "arn": arn,
            # The key as the program named it (id or ARN) while it is the same key.
            "targetKeyId": configured if same_key else target,
            "targetKeyArn": arn.split(":alias/", 1)[0] + ":key/" + target,
            "region": ctx.region,
        }


def _find_alias(ctx: AwsContext, name: str) -> dict[str, Any]:
    """The alias named `name`; raises NotFoundException, as other KMS calls do, when there is none."""
    kms = ctx.client("kms")
    for alias in listed(kms, "list_aliases", "Aliases"):
        if alias["AliasName"] == name:
            return alias
    raise kms.exceptions.NotFoundException(
        {"Error": {"Code": "NotFoundException", "Message": f"alias {name} does not exist"}}, "ListAliases"
    )

