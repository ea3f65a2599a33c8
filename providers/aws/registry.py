"""The aws:* resource types and invokes envctl implements, by Pulumi type token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from envctl.providers.aws.base import AwsResource
from envctl.providers.aws.context import AwsContext

InvokeFn = Callable[[AwsContext, dict[str, Any]], dict[str, Any]]
_R = TypeVar("_R", bound=type[AwsResource])

_RESOURCES: dict[str, AwsResource] = {}
_INVOKES: dict[str, InvokeFn] = {}


def resource_type(cls: _R) -> _R:
    """Class decorator: register a resource type under its token and its aliases."""
    instance = cls()
    for token in (cls.token, *cls.aliases):
        _RESOURCES[token] = instance
    return cls


def invoke(token: str) -> Callable[[InvokeFn], InvokeFn]:
    """Function decorator: register an invoke (data source) under its token."""

    def register(fn: InvokeFn) -> InvokeFn:
        _INVOKES[token] = fn
        return fn

    return register


def lookup_resource(token: str) -> AwsResource | None:
    _load()
    return _RESOURCES.get(token)


def lookup_invoke(token: str) -> InvokeFn | None:
    _load()
    return _INVOKES.get(token)


def supported_resource_types() -> list[str]:
    _load()
    return sorted({r.token for r in _RESOURCES.values()})


def registered_resource_types() -> list[str]:
    """Every token a type answers to: the supported types and their aliases (pulumi-aws's other tokens for them)."""
    _load()
    return sorted(_RESOURCES)


def supported_invokes() -> list[str]:
    _load()
    return sorted(_INVOKES)


def _load() -> None:
    # Importing the service modules runs their decorators.
    import envctl.providers.aws.modules  # noqa: F401
