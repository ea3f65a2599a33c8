"""Every provider package envctl implements, by name: how the engine finds a package for a type token's first
segment (`aws`, `random`, `tls`). The engine itself knows none of them."""

from __future__ import annotations

from envctl.cloud.target import CloudTarget
from envctl.engine.provider import ProviderPackage


def provider_packages(cloud: CloudTarget, stack: str) -> dict[str, ProviderPackage]:
    """The packages of one environment: aws works in its cloud; random and tls need none."""
    from envctl.providers.aws.package import AwsPackage
    from envctl.providers.random.package import random_package
    from envctl.providers.tls.package import tls_package

    return {"aws": AwsPackage(cloud, stack), "random": random_package(), "tls": tls_package()}
