"""Steps of the random and tls provider tests: check then create through the package's provider, failing on any
check failure, and the secret wrappers taken off."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import is_secret, reveal
from envctl.engine.provider import CheckFailure
from envctl.providers.state_only import StateOnlyPackage, StateOnlyProvider


def made(package: StateOnlyPackage, token: str, **inputs: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Check and create: the id, the checked inputs and the outputs as stored (secrets still wrapped)."""
    provider = package.configure({})
    checked = provider.check(token, "test", None, inputs)
    assert checked.failures == (), checked.failures
    id_, outputs = provider.create(token, "urn:pulumi:test::p::" + token + "::test", checked.inputs)
    return id_, checked.inputs, outputs


def failures(package: StateOnlyPackage, token: str, **inputs: Any) -> dict[str, str]:
    """The check failures of these inputs, by property."""
    found: tuple[CheckFailure, ...] = package.configure({}).check(token, "test", None, inputs).failures
    return {failure.property: failure.reason for failure in found}


def provider(package: StateOnlyPackage) -> StateOnlyProvider:
    return package.configure({})


def secret_keys(outputs: dict[str, Any]) -> set[str]:
    return {key for key, value in outputs.items() if is_secret(value)}


plain = reveal
