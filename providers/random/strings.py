"""RandomString and RandomPassword: a string of `length` characters from the enabled classes, with at least `min*`
of each, as the Terraform random provider makes it (a cryptographic generator; RandomPassword adds a bcrypt hash and
keeps its id out of the value)."""

from __future__ import annotations

import secrets

import bcrypt

from envctl.providers.random.value import RandomValue
from envctl.providers.state_only import Props

_NUMERIC = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"
_MINIMUMS = ("minUpper", "minLower", "minNumeric", "minSpecial")
_BCRYPT_COST = 10  # Go's bcrypt.DefaultCost with its `$2a$` prefix, as the provider hashes
_BCRYPT_MAX_BYTES = 72  # bcrypt hashes no more; the provider's hash is of the first 72 bytes


class RandomCharacters(RandomValue):
    """What RandomString and RandomPassword share: the inputs, their defaults and checks, and the generator."""

    required = ("length",)
    integers = frozenset({"length", *_MINIMUMS})
    handled = frozenset({"keepers", "special", "upper", "lower", "number", "numeric", *_MINIMUMS, "overrideSpecial"})
    defaults = {"special": True, "upper": True, "lower": True, **dict.fromkeys(_MINIMUMS, 0)}

    def complete(self, inputs: Props) -> Props:
        # `number` is the deprecated name of `numeric`: either one sets both, and both default to true.
        number, numeric = inputs.get("number"), inputs.get("numeric")
        chosen = True if number is None and numeric is None else (numeric if numeric is not None else number)
        return {**inputs, "number": number if number is not None else chosen,
                "numeric": numeric if numeric is not None else chosen}

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        problems = []
        length = inputs["length"]
        if length < 1:
            problems.append(("length", f"length must be at least 1, got {length}"))
        elif length < sum(int(inputs[key]) for key in _MINIMUMS):
            problems.append(("length", f"length ({length}) must be at least the sum of minUpper, minLower, "
                             "minNumeric and minSpecial"))
        if inputs["number"] != inputs["numeric"]:
            problems.append(("numeric", "number and numeric are both set, to different values; set only numeric "
                             "(number is deprecated)"))
        if not any(inputs[key] for key in ("numeric", "upper", "lower", "special")):
            problems.append(("numeric", "at least one of numeric, upper, lower and special must be true"))
        return problems

    def characters(self, inputs: Props) -> str:
        special = inputs.get("overrideSpecial") or _SPECIAL
        pool = "".join(chars for key, chars in (("upper", _UPPER), ("lower", _LOWER), ("numeric", _NUMERIC),
                                                 ("special", special)) if inputs[key])
        minimums = {_UPPER: inputs["minUpper"], _LOWER: inputs["minLower"], _NUMERIC: inputs["minNumeric"],
                    special: inputs["minSpecial"]}
        chosen = [secrets.choice(chars) for chars, count in minimums.items() for _ in range(int(count))]
        chosen += [secrets.choice(pool) for _ in range(int(inputs["length"]) - len(chosen))]
        # The minimums came first: shuffle them in.
        return "".join(sorted(chosen, key=lambda _c: secrets.randbits(32)))


class RandomString(RandomCharacters):
    token = "random:index/randomString:RandomString"
    outputs = frozenset({"result"})

    def generate(self, inputs: Props) -> tuple[str, Props]:
        result = self.characters(inputs)
        return result, {"result": result}

    def imported(self, id: str) -> Props | None:
        # As the provider's import: the id is the string, every class enabled, no minimums.
        inputs = self.complete({**self.defaults, "length": len(id)})
        return {**inputs, "result": id}


class RandomPassword(RandomCharacters):
    # Not readable by id (the provider's import takes the password as the id, which envctl keeps in plain text).
    token = "random:index/randomPassword:RandomPassword"
    outputs = frozenset({"result", "bcryptHash"})
    secret = frozenset({"result", "bcryptHash"})

    def generate(self, inputs: Props) -> tuple[str, Props]:
        result = self.characters(inputs)
        hashed = bcrypt.hashpw(result.encode()[:_BCRYPT_MAX_BYTES], bcrypt.gensalt(_BCRYPT_COST, prefix=b"2a")).decode()
        # The id is never the password (it is kept in plain text): the provider's is "none".
        return "none", {"result": result, "bcryptHash": hashed}
