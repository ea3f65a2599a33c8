"""Secrets never reach the ledger in plaintext: each is replaced by a keyed fingerprint.

A secret arrives in Pulumi's wire form `{SECRET_SIG_KEY: SECRET_SIG, "value": <plain>}` at any depth of
inputs and outputs, or as a config value named in the snapshot's secret keys. Both are stored as
`{"secret": <fingerprint>}`: equal fingerprints mean the secret did not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from envctl.ledger.canonical import canonical_json

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_MARKER = "secret"
REDACTED = "[secret]"

Fingerprint = Callable[[Any], str]


def fingerprint_secrets(value: Any, fingerprint: Fingerprint) -> Any:
    """`value` with every wire-form secret replaced by its fingerprint marker."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            # An encrypted secret ({sig, "ciphertext"}) has no "value": its other fields stand in for it.
            payload = value["value"] if "value" in value else {k: v for k, v in value.items() if k != SECRET_SIG_KEY}
            return secret_marker(fingerprint(payload))
        return {key: _walk(item, fingerprint) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, fingerprint) for item in value]
    return value


# How a wire-form secret opens in canonical JSON (sorted keys: the signature comes first). Inside a string its
# quotes would be escaped, so this text occurs only where a secret object begins.
_SECRET_OPENING = f'{{"{SECRET_SIG_KEY}":"{SECRET_SIG}"'
_DECODER = json.JSONDecoder()


class SecretsInText:
    """`canonical_json(fingerprint_secrets(value))` from `text` = `canonical_json(value)`, without walking the
    value: each secret object is found by its opening and replaced by its marker's text. A secret's text is
    decoded and fingerprinted once however often it occurs in the texts given (a resource's outputs repeat its
    secret inputs); the markers are kept as long as this object, one snapshot's encoding."""

    def __init__(self, fingerprint: Fingerprint) -> None:
        self._fingerprint = fingerprint
        self._markers: dict[str, str] = {}  # a secret object's canonical text -> its marker's

    def __call__(self, text: str) -> str:
        start = text.find(_SECRET_OPENING)
        if start < 0:
            return text
        pieces, done = [], 0
        while start >= 0:
            secret, end = _DECODER.raw_decode(text, start)
            pieces += [text[done:start], self._marker(text[start:end], secret)]
            done = end
            start = text.find(_SECRET_OPENING, end)
        pieces.append(text[done:])
        return "".join(pieces)

    def _marker(self, secret_text: str, secret: Any) -> str:
        marker = self._markers.get(secret_text)
        if marker is None:
            marker = self._markers[secret_text] = canonical_json(fingerprint_secrets(secret, self._fingerprint))
        return marker


def _walk(value: Any, fingerprint: Fingerprint) -> Any:
    # Scalars, the bulk of any state, skip the call.
    return fingerprint_secrets(value, fingerprint) if isinstance(value, dict | list) else value


def fingerprint_config(config: dict[str, Any], secret_keys: list[str], fingerprint: Fingerprint) -> dict[str, Any]:
    """Config with the secret keys' values (and any wire-form secret inside the others) fingerprinted."""
    secret = set(secret_keys)
    return {
        key: secret_marker(fingerprint(value)) if key in secret else fingerprint_secrets(value, fingerprint)
        for key, value in config.items()
    }


def secret_marker(fingerprint: str) -> dict[str, str]:
    return {SECRET_MARKER: fingerprint}


def is_secret_marker(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SECRET_MARKER), str)


def redact(value: Any) -> Any:
    """`value` for display: fingerprint markers become "[secret]"."""
    if is_secret_marker(value):
        return REDACTED
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value
