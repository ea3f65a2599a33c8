"""CloudFront's XML-shaped API and pulumi-aws's blocks, converted both ways from one declaration per block.

CloudFront wraps every list as `{"Quantity": n, "Items": [...]}` and names fields in its own case; a Shape says,
field by field, how a pulumi-aws block maps onto that, so that a request is built from the inputs and the answer is
read back into them by the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from envctl.providers.aws.base import CheckFailure, unsupported_fields

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    """One block field: its pulumi-aws name, its API name, and how its value maps (scalar, list, block)."""

    wire: str
    api: str
    kind: str = "scalar"  # scalar | items (a list of scalars) | block | blocks (a list of blocks) | enabled_items
    shape: Shape | None = None
    to_api: Convert = _same
    from_api: Convert = _same


@dataclass(frozen=True)
class Shape:
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def wires(self) -> tuple[str, ...]:
        return tuple(f.wire for f in self.fields)


def items(values: list[Any]) -> dict[str, Any]:
    """CloudFront's list wrapper."""
    return {"Quantity": len(values), "Items": list(values)}


def listed_items(wrapper: Any) -> list[Any]:
    return list((wrapper or {}).get("Items") or [])


def to_api(shape: Shape, block: dict[str, Any]) -> dict[str, Any]:
    """The API's form of a pulumi-aws block: scalars and blocks without a value are left out (CloudFront's defaults
    apply), lists without items are sent as empty wrappers (CloudFront requires them)."""
    request: dict[str, Any] = {}
    for f in shape.fields:
        value = block.get(f.wire)
        if value is None or (f.kind != "scalar" and value in ([], {})):
            if f.kind in ("items", "blocks", "enabled_items"):
                request[f.api] = items([]) if f.kind != "enabled_items" else {"Enabled": False, **items([])}
            continue
        if f.kind == "scalar":
            request[f.api] = f.to_api(value)
        elif f.kind == "items":
            request[f.api] = items([f.to_api(v) for v in value])
        elif f.kind == "enabled_items":
            request[f.api] = {"Enabled": bool(value), **items(list(value))}
        elif f.kind == "block":
            request[f.api] = to_api(_shape(f), value)
        else:
            request[f.api] = items([to_api(_shape(f), v) for v in value])
    return request


def from_api(shape: Shape, answer: dict[str, Any]) -> dict[str, Any]:
    """The pulumi-aws block an API answer holds (empty lists and absent blocks as None, as state keeps them)."""
    block: dict[str, Any] = {}
    for f in shape.fields:
        value = answer.get(f.api)
        if f.kind == "scalar":
            block[f.wire] = None if value is None else f.from_api(value)
        elif f.kind in ("items", "enabled_items"):
            block[f.wire] = [f.from_api(v) for v in listed_items(value)] or None
        elif f.kind == "block":
            block[f.wire] = from_api(_shape(f), value) if value else None
        else:
            block[f.wire] = [from_api(_shape(f), v) for v in listed_items(value)] or None
    return block


def _shape(f: Field) -> Shape:
    assert f.shape is not None, f.wire
    return f.shape


def refused_fields(token: str, path: str, value: Any, shape: Shape, hints: dict[str, str]) -> list[CheckFailure]:
    """The fields of a block input (at any depth) that the shape does not map: refused, never dropped. `hints` are
    by field name."""
    failures = unsupported_fields(token, path, value, shape.wires, hints)
    blocks = value if isinstance(value, list) else [value]
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        where = f"{path}[{index}]" if isinstance(value, list) else path
        for f in shape.fields:
            if f.kind in ("block", "blocks") and isinstance(block.get(f.wire), dict | list):
                failures.extend(refused_fields(token, f"{where}.{f.wire}", block[f.wire], _shape(f), hints))
    return failures
