"""The ledger reads its stored JSON to exactly the values `json.loads` gives: types, key order, floats, big integers
and escapes alike, and refuses what it refuses."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any

import pytest

from envctl.ledger.canonical import canonical_json, parse_json


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False, 0, 1, -1, 2**63, -(2**63) - 1, 2**80, 10**30])
    if kind == 1:
        any_bits = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        return any_bits if math.isfinite(any_bits) else 0.5
    if kind == 2:
        return rng.choice([0.0, -0.0, 1.0, 0.1, 5e-324, 1e16, 123.25, 80.0])
    if kind in (3, 4):
        return "".join(chr(rng.choice([rng.randrange(0x20), rng.randrange(0x80), rng.randrange(0xD7FF),
                                       rng.randrange(0x10000, 0x110000)])) for _ in range(rng.randrange(6)))
    if kind in (5, 6):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_random_value(rng, 4) if rng.random() < 0.5 else f"k{rng.randrange(9)}": _random_value(rng, depth + 1)
            for _ in range(rng.randrange(5))}


def _string_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_string_keys(item) for item in value]
    return value


def test_random_documents_read_back_exactly_as_json_loads_reads_them() -> None:
    rng = random.Random(5)
    for _ in range(20_000):
        value = _string_keys(_random_value(rng))
        for text in (canonical_json(value), json.dumps(value), json.dumps(value, indent=1)):
            assert repr(parse_json(text)) == repr(json.loads(text))  # repr tells 1 from 1.0 from True, and key order


@pytest.mark.parametrize("text", ["[NaN]", '{"x": -Infinity}', '"\\ud800"', "[1e400]", '{"a":1,"a":2}'])
def test_what_the_fast_parser_refuses_is_read_as_json_loads_reads_it(text: str) -> None:
    assert repr(parse_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ['{"a":1} {"b":2}', '{"a":', "", "[1,]"])
def test_invalid_json_raises_the_value_error_json_loads_raises(text: str) -> None:
    with pytest.raises(ValueError):
        parse_json(text)
