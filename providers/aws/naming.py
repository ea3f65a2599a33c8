"""Physical names: pulumi-aws's auto-names, and Terraform's unique names from a prefix."""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from datetime import UTC, datetime

FIFO_SUFFIX = ".fifo"  # what the name of a FIFO queue or topic ends with
_UNIQUE_SUFFIX = re.compile(r"\d{18}[0-9a-f]{8}$")  # what prefixed_unique_id appends
_unique_counter = itertools.count(1)
_unique_lock = threading.Lock()


def auto_name(logical_name: str, max_length: int = 255, lowercase: bool = False) -> str:
    """pulumi-aws's auto-name: `<name>-<7 random hex>`, truncated to the property's maximum length."""
    suffix = "-" + secrets.token_hex(4)[:7]
    base = logical_name.lower() if lowercase else logical_name
    return base[: max_length - len(suffix)] + suffix


def fifo_auto_name(logical_name: str, old_name: str | None, fifo: bool, length: int) -> str:
    """pulumi-aws's auto-name of a queue or topic, of `length` characters then .fifo for a FIFO one; an old
    auto-name is kept while it suits the type."""
    if old_name and old_name.endswith(FIFO_SUFFIX) == fifo:
        return old_name
    return auto_name(logical_name, length) + (FIFO_SUFFIX if fifo else "")


def prefixed_unique_id(prefix: str) -> str:
    """Terraform's id.PrefixedUniqueId: prefix + UTC time to 1/10000 s + an 8-hex process counter."""
    now = datetime.now(UTC)
    with _unique_lock:
        counter = next(_unique_counter)
    return f"{prefix}{now:%Y%m%d%H%M%S}{now.microsecond // 100:04d}{counter:08x}"


def unique_id_prefix(name: str) -> str:
    """The prefix a prefixed_unique_id name was made from; "" for any other name."""
    match = _UNIQUE_SUFFIX.search(name)
    return name[: match.start()] if match else ""
