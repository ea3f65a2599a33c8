"""Where an environment's resources live: the embedded local cloud (an endpoint and its fixed credentials) or real
AWS (the standard credential chain)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CloudTarget:
    name: str  # "local" or "aws"
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    default_region: str = "us-east-1"
