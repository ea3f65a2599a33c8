"""The secret values one deployment has seen, so that none reaches a message in plaintext and outputs derived from
them are marked secret (a name or a tag built from a secret is as secret as the secret)."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from typing import Any

from envctl.engine.properties import SECRET_SIG, SIG, is_secret, secret

REDACTED = "[secret]"
# Shorter values are common words and numbers: redacting them would garble messages, not protect anything.
_MIN_REDACTED = 4
_MIN_DERIVED = 6


class SecretValues:
    """Plaintexts of secrets, collected as they pass; thread-safe."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._texts: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    def add(self, value: Any) -> None:
        """Remember every string inside `value` (a plain secret value, or anything holding secret wrappers)."""
        texts = set(_strings(value))
        with self._lock:
            fresh = {t for t in texts if len(t) >= _MIN_REDACTED} - self._texts
            if fresh:
                self._texts |= fresh
                self._pattern = None

    def add_wrapped(self, value: Any) -> None:
        """Remember the values of the secret wrappers inside `value`."""
        for inner in _secret_contents(value):
            self.add(inner)

    def redact(self, text: str) -> str:
        """`text` with every known secret (and its base64 form) replaced by "[secret]"."""
        pattern = self._compiled()
        return pattern.sub(REDACTED, text) if pattern is not None and text else text

    def mark_derived(self, outputs: dict[str, Any]) -> dict[str, Any]:
        """Outputs with each top-level value that contains a known secret wrapped as a secret."""
        with self._lock:
            texts = [t for t in self._texts if len(t) >= _MIN_DERIVED]
        if not texts:
            return outputs
        marked = {}
        for key, value in outputs.items():
            if key != "id" and value is not None and not is_secret(value) and _holds_any(value, texts):
                marked[key] = secret(value)
            else:
                marked[key] = value
        return marked

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._texts:
                forms = set(self._texts) | {base64.b64encode(t.encode()).decode() for t in self._texts}
                self._pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
            return self._pattern


def _strings(value: Any) -> Iterable[str]:
    if is_secret(value):
        yield from _strings(value.get("value"))
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
    elif isinstance(value, bool | int | float) and not isinstance(value, bool):
        yield str(value)


def _secret_contents(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG:
            yield value.get("value")
            return
        for inner in value.values():
            yield from _secret_contents(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _secret_contents(inner)


def _holds_any(value: Any, texts: list[str]) -> bool:
    rendered = value if isinstance(value, str) else json.dumps(value, default=str)
    return any(t in rendered for t in texts)
