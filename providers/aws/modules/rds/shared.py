"""What the aws:rds types share: how an input maps onto the Create/Modify/Describe calls, RDS's tag calls, its
identifier rule, and the values RDS reports alike for instances and clusters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud

WAITER = {"Delay": 30, "MaxAttempts": 120}  # Terraform's 60 minutes
NOT_KEPT = "the local cloud (moto) does not keep the setting"
NO_PERFORMANCE_INSIGHTS = "Performance Insights is not emulated by the local cloud (moto does not report it)"
NO_DOMAIN = "Active Directory domains are not emulated by the local cloud"
WRITE_ONLY = "write-only arguments are not implemented; set {}, which stays secret"
_IDENTIFIER = re.compile(r"^[a-z][0-9a-z-]*$")  # Terraform's validIdentifier, with the rules below


class Field(NamedTuple):
    """An input: its Create and Modify parameters (None: not set by that call) and where the Describe call
    reports it (a key, or a function of the described resource)."""

    wire: str
    create: str | None
    modify: str | None
    read: str | Callable[[dict], Any] | None


def same(wire: str, api: str, modifiable: bool = True) -> Field:
    return Field(wire, api, api if modifiable else None, api)


def first(list_key: str, key: str) -> Callable[[dict], Any]:
    return lambda described: ((described.get(list_key) or [{}])[0]).get(key)


def security_group_ids(described: dict) -> list[str]:
    return sorted(group["VpcSecurityGroupId"] for group in described.get("VpcSecurityGroups") or [])


def create_params(fields: tuple[Field, ...], inputs: Props) -> dict[str, Any]:
    return {f.create: inputs[f.wire] for f in fields if f.create and inputs.get(f.wire) not in (None, "", [])}


def modify_params(fields: tuple[Field, ...], changed: set[str], news: Props) -> dict[str, Any]:
    return {f.modify: news[f.wire] for f in fields if f.modify and f.wire in changed and news.get(f.wire) is not None}


def read_fields(fields: tuple[Field, ...], described: dict) -> Props:
    return {f.wire: f.read(described) if callable(f.read) else described.get(f.read) for f in fields if f.read}


def log_exports_change(olds: Props, news: Props, key: str) -> dict[str, list[str]]:
    """The CloudwatchLogsExportConfiguration that takes the exports from the old set to the new one."""
    old, new = set(olds.get(key) or []), set(news.get(key) or [])
    return {"EnableLogTypes": sorted(new - old), "DisableLogTypes": sorted(old - new)}


def rds_tags(ctx: AwsContext, state: Props, pairs: Any) -> Props:
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def sync_rds_tags(rds: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(
        old, new,
        lambda tags: rds.add_tags_to_resource(ResourceName=arn, Tags=tag_list(tags)),
        lambda keys: rds.remove_tags_from_resource(ResourceName=arn, TagKeys=keys),
    )


def master_user_secrets(secret: dict | None) -> list[Props]:
    """The Secrets Manager secret RDS keeps the master password in (manageMasterUserPassword)."""
    if not secret:
        return []
    return [{"kmsKeyId": secret.get("KmsKeyId", ""), "secretArn": secret.get("SecretArn", ""),
             "secretStatus": secret.get("SecretStatus", "")}]


def engine_version(configured: Any, actual: str) -> str:
    """Terraform keeps a configured version that the actual one refines (16 for 16.3)."""
    if isinstance(configured, str) and configured and actual.startswith(configured):
        return configured
    return actual


def identifier_failures(inputs: Props, key: str, what: str) -> list[CheckFailure]:
    """Terraform's validIdentifier: 1-63 lowercase letters, digits or hyphens, from a letter, no '--', no '-' last."""
    identifier = inputs.get(key)
    if not isinstance(identifier, str) or contains_unknown(identifier):
        return []
    if _IDENTIFIER.match(identifier) and "--" not in identifier and not identifier.endswith("-") \
            and len(identifier) <= 63:
        return []
    return [CheckFailure(key, (
        f"invalid {what} identifier '{identifier}': 1-63 lowercase letters, digits or hyphens, starting "
        f"with a letter, without '--' and not ending with '-' (name the resource so, or set {key})"
    ))]
