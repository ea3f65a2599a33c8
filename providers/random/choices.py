"""RandomInteger and RandomShuffle: a number in a range and a permutation of a list, from a seeded generator when
`seed` is given (the same seed gives the same result on every create; envctl's generator is Python's, so a seeded
result differs from the one Terraform's Go generator gives), else from the system's."""

from __future__ import annotations

import random
import secrets
import zlib

from envctl.providers.random.value import RandomValue
from envctl.providers.state_only import Props


def generator(seed: str | None) -> random.Random:
    """A generator for a seed: reproducible for the same seed, the system's randomness without one."""
    if not seed:
        return secrets.SystemRandom()
    return random.Random(zlib.crc32(seed.encode()) << 32 | zlib.adler32(seed.encode()))


class RandomInteger(RandomValue):
    token = "random:index/randomInteger:RandomInteger"
    required = ("min", "max")
    integers = frozenset({"min", "max"})
    handled = frozenset({"keepers", "seed"})
    outputs = frozenset({"result"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        if inputs["max"] < inputs["min"]:
            return [("max", "the minimum (min) value needs to be smaller than or equal to maximum (max) value")]
        return []

    def generate(self, inputs: Props) -> tuple[str, Props]:
        result = generator(inputs.get("seed")).randint(int(inputs["min"]), int(inputs["max"]))
        return str(result), {"result": result}

    def imported(self, id: str) -> Props | None:
        # The provider's import id: `result,min,max[,seed]`.
        parts = id.split(",")
        if len(parts) not in (3, 4):
            return None
        try:
            result, low, high = (int(part) for part in parts[:3])
        except ValueError:
            return None
        return {"result": result, "min": low, "max": high, **({"seed": parts[3]} if len(parts) == 4 else {})}


class RandomShuffle(RandomValue):
    token = "random:index/randomShuffle:RandomShuffle"
    required = ("inputs",)
    integers = frozenset({"resultCount"})
    handled = frozenset({"keepers", "seed", "resultCount"})
    outputs = frozenset({"results"})

    def generate(self, inputs: Props) -> tuple[str, Props]:
        items = list(inputs["inputs"])
        count = inputs.get("resultCount")
        count = len(items) if count is None else int(count)
        rand = generator(inputs.get("seed"))
        results: list[str] = []
        # A result longer than the list repeats it, each pass permuted anew.
        while items and len(results) < count:
            results += rand.sample(items, len(items))
        return "-", {"results": results[:count]}
