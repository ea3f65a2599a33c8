"""Secrets found in a value's canonical text are replaced exactly as walking the value replaces them."""

from __future__ import annotations

import random
from typing import Any

from envctl.ledger.canonical import canonical_json
from envctl.ledger.redaction import SECRET_SIG, SECRET_SIG_KEY, SecretsInText, fingerprint_secrets

OPENING = f'{{"{SECRET_SIG_KEY}":"{SECRET_SIG}"'


def fingerprint(value: Any) -> str:
    return "fp:" + canonical_json(value)[::-1]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["scalar", "text", "secret", "sealed", "dict", "list"] if depth < 4 else ["scalar", "text"])
    if kind == "scalar":
        return rng.choice([1, 2.5, True, None, -7])
    if kind == "text":
        return rng.choice(["plain", OPENING, f'{{"x":{OPENING}}}', "ünïcode", 'quote " and \\ back'])
    if kind == "secret":
        return {SECRET_SIG_KEY: SECRET_SIG, "value": random_value(rng, depth + 1)}
    if kind == "sealed":
        return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:abc:def"}
    if kind == "dict":
        return {rng.choice("abcdefgz") + str(i): random_value(rng, depth + 1) for i in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_the_text_path_agrees_with_the_walk_on_a_thousand_random_values() -> None:
    rng = random.Random(7)
    secrets_in = SecretsInText(fingerprint)  # one for all: markers remembered from earlier texts are reused
    for _ in range(1000):
        value = {"inputs": random_value(rng), "outputs": random_value(rng)}
        expected = canonical_json(fingerprint_secrets(value, fingerprint))
        assert secrets_in(canonical_json(value)) == expected


def test_a_string_that_looks_like_a_secret_stays_as_it_is() -> None:
    value = {"note": OPENING + ',"value":"not a secret"}'}
    assert SecretsInText(fingerprint)(canonical_json(value)) == canonical_json(value)


def test_a_secret_occurring_twice_is_fingerprinted_once_and_replaced_in_both_places() -> None:
    seen: list[Any] = []

    def counting(value: Any) -> str:
        seen.append(value)
        return fingerprint(value)

    secret = {SECRET_SIG_KEY: SECRET_SIG, "value": "hunter2"}
    other = {SECRET_SIG_KEY: SECRET_SIG, "value": "hunter3"}
    secrets_in = SecretsInText(counting)
    first = secrets_in(canonical_json({"inputs": {"password": secret}, "outputs": {"password": secret}}))
    second = secrets_in(canonical_json({"inputs": {"password": secret, "token": other}}))
    assert "hunter" not in first + second
    assert first == canonical_json({"inputs": {"password": {"secret": fingerprint("hunter2")}},
                                    "outputs": {"password": {"secret": fingerprint("hunter2")}}})
    assert seen == ["hunter2", "hunter3"]
