"""Cognito's blocks between pulumi-aws's form and the API's: keys capitalised, except where a path names the API
key otherwise, and only the fields pulumi-aws has read back (the API reports more, such as defaults of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envctl.providers.aws.wire import api_name


def to_api(value: Any, path: str, renames: Mapping[str, str]) -> Any:
    """A pulumi-aws block (dotted `path` from the input) in the API's shape; unset fields left out."""
    if isinstance(value, list):
        return [to_api(item, path, renames) for item in value]
    if not isinstance(value, dict):
        return value
    return {renames.get(f"{path}.{key}", api_name(key)): to_api(item, f"{path}.{key}", renames)
            for key, item in value.items() if item is not None}


def from_api(value: Any, path: str, renames: Mapping[str, str], fields: Mapping[str, tuple[str, ...]]) -> Any:
    """An API structure as the pulumi-aws block at `path`: the fields `fields` lists for it, by their wire names."""
    if isinstance(value, list):
        return [from_api(item, path, renames, fields) for item in value]
    if not isinstance(value, dict) or path not in fields:
        return value
    block = {}
    for key in fields[path]:
        api = renames.get(f"{path}.{key}", api_name(key))
        if api in value:
            block[key] = from_api(value[api], f"{path}.{key}", renames, fields)
    return block
