"""pulumi-aws's wire forms of what the AWS APIs answer: names, and dates.

Mostly a block's wire form is the API's structure with the first letter of every key lowered; where names
differ otherwise, a type maps them in a table (wire name -> API name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

Names = dict[str, str]


def api_name(wire: str) -> str:
    """blockPublicAcls -> BlockPublicAcls."""
    return wire[:1].upper() + wire[1:]


def wire_name(api: str) -> str:
    return api[:1].lower() + api[1:]


def api_keys(value: Any, maps: frozenset[str] = frozenset()) -> Any:
    """A pulumi-aws block in the API's shape: keys capitalised at every depth, except inside the user maps
    named (by wire name) in `maps`, such as environment variables."""
    return _rename_keys(value, True, maps)


def wire_keys(value: Any, maps: frozenset[str] = frozenset()) -> Any:
    """An API structure in pulumi-aws's shape: the inverse of `api_keys`."""
    return _rename_keys(value, False, maps)


def renamed(source: dict[str, Any], names: Names) -> dict[str, Any]:
    """The entries of `source` that `names` lists and that have a value, under their new names."""
    return {new: source[old] for old, new in names.items() if source.get(old)}


def inverse(names: Names) -> Names:
    return {new: old for old, new in names.items()}


def in_configured_order(configured: list[str] | None, cloud: list[str]) -> list[str]:
    """A set-valued property as the cloud has it, in the configured order where the two agree."""
    known = [item for item in configured or () if item in cloud]
    return known + sorted(item for item in cloud if item not in known)


def timestamp(value: datetime) -> str:
    """Terraform's RFC 3339 form of an AWS date, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def block_to_api(value: Any, path: str, renames: Mapping[str, str]) -> Any:
    """A pulumi-aws block (at the dotted wire `path`, list items sharing their list's path) in the API's shape: keys
    capitalised unless `renames` names the path's API key otherwise; unset fields left out."""
    if isinstance(value, list):
        return [block_to_api(item, path, renames) for item in value]
    if not isinstance(value, dict):
        return value
    return {renames.get(f"{path}.{key}", api_name(key)): block_to_api(item, f"{path}.{key}", renames)
            for key, item in value.items() if item is not None}


def block_from_api(value: Any, path: str, renames: Mapping[str, str], fields: Mapping[str, tuple[str, ...]]) -> Any:
    """An API structure as the pulumi-aws block at `path`: only the fields `fields` lists for the path (the API may
    report more, such as settings of its own), by their wire names; the inverse of `block_to_api`."""
    if isinstance(value, list):
        return [block_from_api(item, path, renames, fields) for item in value]
    if not isinstance(value, dict) or path not in fields:
        return value
    block = {}
    for key in fields[path]:
        api = renames.get(f"{path}.{key}", api_name(key))
        if api in value:
            block[key] = block_from_api(value[api], f"{path}.{key}", renames, fields)
    return block


def _rename_keys(value: Any, to_api: bool, maps: frozenset[str]) -> Any:
    if isinstance(value, list):
        return [_rename_keys(item, to_api, maps) for item in value]
    if not isinstance(value, dict):
        return value
    renamed_value = {}
    for key, item in value.items():
        wire = key if to_api else wire_name(key)
        name = api_name(wire) if to_api else wire
        renamed_value[name] = item if wire in maps else _rename_keys(item, to_api, maps)
    return renamed_value
