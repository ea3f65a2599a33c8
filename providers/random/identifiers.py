"""RandomId, RandomBytes and the UUIDs: random bytes in the encodings the Terraform random provider gives them."""

from __future__ import annotations

import base64
import secrets
import time
import uuid

from envctl.providers.random.value import RandomValue
from envctl.providers.state_only import Props


class RandomId(RandomValue):
    token = "random:index/randomId:RandomId"
    required = ("byteLength",)
    integers = frozenset({"byteLength"})
    handled = frozenset({"keepers", "prefix"})
    outputs = frozenset({"b64Url", "b64Std", "hex", "dec"})

    def generate(self, inputs: Props) -> tuple[str, Props]:
        raw = secrets.token_bytes(int(inputs["byteLength"]))
        return self.encoded(raw, inputs.get("prefix") or "")

    def imported(self, id: str) -> Props | None:
        # The provider's import id: `[prefix,]b64url`.
        prefix, _, b64_url = id.rpartition(",")
        try:
            raw = base64.urlsafe_b64decode(b64_url + "=" * (-len(b64_url) % 4))
        except ValueError:
            return None
        return {"byteLength": len(raw), **({"prefix": prefix} if prefix else {}), **self.encoded(raw, prefix)[1]}

    def encoded(self, raw: bytes, prefix: str) -> tuple[str, Props]:
        b64_url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        # The id is the unpadded URL-safe base64 without the prefix.
        return b64_url, {"b64Url": prefix + b64_url, "b64Std": prefix + base64.b64encode(raw).decode(),
                         "hex": prefix + raw.hex(), "dec": prefix + str(int.from_bytes(raw, "big"))}


class RandomBytes(RandomValue):
    token = "random:index/randomBytes:RandomBytes"
    required = ("length",)
    integers = frozenset({"length"})
    handled = frozenset({"keepers"})
    outputs = frozenset({"base64", "hex"})
    secret = frozenset({"base64", "hex"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        return [] if inputs["length"] >= 1 else [("length", f"length must be at least 1, got {inputs['length']}")]

    def generate(self, inputs: Props) -> tuple[str, Props]:
        raw = secrets.token_bytes(int(inputs["length"]))
        # pulumi-random's id is the base64 value itself; envctl keeps ids in plain text, so the id is "none" and
        # the bytes stay secret.
        return "none", {"base64": base64.b64encode(raw).decode(), "hex": raw.hex()}


class RandomUuid(RandomValue):
    token = "random:index/randomUuid:RandomUuid"
    handled = frozenset({"keepers"})
    outputs = frozenset({"result"})

    def generate(self, inputs: Props) -> tuple[str, Props]:
        result = self.make()
        return result, {"result": result}

    def make(self) -> str:
        return str(uuid.uuid4())

    def imported(self, id: str) -> Props | None:
        try:
            return {"result": str(uuid.UUID(id))}
        except ValueError:
            return None


class RandomUuid4(RandomUuid):
    token = "random:index/randomUuid4:RandomUuid4"


class RandomUuid7(RandomUuid):
    token = "random:index/randomUuid7:RandomUuid7"

    def make(self) -> str:
        # RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits (Python 3.11 has no uuid7).
        value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
        value = value & ~(0xF << 76) | 0x7 << 76  # version
        value = value & ~(0x3 << 62) | 0x2 << 62  # variant
        return str(uuid.UUID(int=value))
