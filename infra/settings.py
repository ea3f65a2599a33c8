"""The stack's configuration, read once and checked, as the typed arguments each component takes.

Defaults live in Pulumi.yaml's `config:` block (Pulumi applies them), so every key is required here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from network import NetworkArgs
from service import ServiceArgs
from storage import BILLING_MODES, StorageArgs


@dataclass(frozen=True)
class StackSettings:
    tags: dict[str, str]
    network: NetworkArgs
    storage: StorageArgs
    service: ServiceArgs


def load_settings() -> StackSettings:
    config = pulumi.Config()
    project, stack = pulumi.get_project(), pulumi.get_stack()
    billing_mode = config.require("tableBillingMode")
    if billing_mode not in BILLING_MODES:
        raise ValueError(f"tableBillingMode must be one of {', '.join(BILLING_MODES)}, not {billing_mode!r}")
    return StackSettings(
        tags={
            "environment": stack,
            "project": project,
            "team": config.require("team"),
            "cost-center": config.require("costCenter"),
        },
        network=NetworkArgs(cidr_block=config.require("vpcCidr")),
        storage=StorageArgs(
            versioning=config.require_bool("bucketVersioning"),
            force_destroy=config.require_bool("bucketForceDestroy"),
            billing_mode=billing_mode,
            read_capacity=config.require_int("tableReadCapacity"),
            write_capacity=config.require_int("tableWriteCapacity"),
            point_in_time_recovery=config.require_bool("pointInTimeRecovery"),
            visibility_timeout_seconds=config.require_int("queueVisibilityTimeoutSeconds"),
            message_retention_seconds=config.require_int("queueMessageRetentionSeconds"),
            max_receive_count=config.require_int("queueMaxReceiveCount"),
        ),
        service=ServiceArgs(
            log_retention_days=config.require_int("logRetentionDays"),
            log_level=config.require("logLevel"),
            parameter_prefix=f"/{project}/{stack}",
        ),
    )
