"""Property values in Pulumi's wire form: protobuf Structs, secrets, unknowns, resource references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf import json_format, struct_pb2

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    """A Struct as plain Python, with integral numbers as ints (protobuf carries every number as a float)."""
    if struct is None:
        return {}
    return _ints(json_format.MessageToDict(struct))


def to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def is_sealed(value: Any) -> bool:
    """A secret kept as its ciphertext (read without the key that opens it)."""
    return is_secret(value) and "ciphertext" in value and "value" not in value


def contains_sealed(value: Any) -> bool:
    if is_sealed(value):
        return True
    if isinstance(value, dict):
        return any(contains_sealed(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_sealed(v) for v in value)
    return False


def secret(value: Any) -> dict[str, Any]:
    return {SIG: SECRET_SIG, "value": value}


def reveal(value: Any) -> Any:
    """The value with every secret wrapper removed, at any depth."""
    if is_secret(value):
        return reveal(value.get("value"))
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def reveal_redacted(value: Any) -> Any:
    """The value for display: every secret replaced by "[secret]"."""
    return with_secrets_as(value, lambda _plaintext: "[secret]")


def with_secrets_as(value: Any, stand_in: Callable[[Any], Any]) -> Any:
    """The value with every secret replaced by `stand_in(its plaintext)` (a fingerprint, say), at any depth."""
    if is_secret(value):
        return stand_in(reveal(value))
    if isinstance(value, dict):
        return {k: with_secrets_as(v, stand_in) for k, v in value.items()}
    if isinstance(value, list):
        return [with_secrets_as(v, stand_in) for v in value]
    return value


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def secret_keys(values: dict[str, Any]) -> set[str]:
    """Top-level keys whose value holds a secret anywhere: the engine makes the same-named outputs secret."""
    return {k for k, v in values.items() if contains_secret(v)}


def mark_secrets(outputs: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """Outputs with the named top-level keys wrapped as secrets (id never is, as in Pulumi)."""
    return {
        k: secret(v) if k in keys and k != "id" and not is_secret(v) and v is not None else v
        for k, v in outputs.items()
    }


def resolve_references(value: Any) -> Any:
    """Resource references become the referenced resource's id (or URN for a component), as the engine
    does for providers that do not accept resources."""
    if isinstance(value, dict):
        if value.get(SIG) == RESOURCE_SIG:
            return value.get("id") or value.get("urn")
        return {k: resolve_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_references(v) for v in value]
    return value


def contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def empty_as_none(value: Any) -> Any:
    """The value with absent, None and empty containers alike (None), at any depth, as Pulumi's diff of optional
    inputs treats them."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        return {k: empty_as_none(v) for k, v in value.items() if empty_as_none(v) is not None}
    if isinstance(value, list):
        return [empty_as_none(v) for v in value]
    return value
