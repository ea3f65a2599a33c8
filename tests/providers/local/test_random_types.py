"""The random types: values as the Terraform random provider makes them, kept in the state (a read gives the same
values back), replaced when `keepers` or any other input changes, inputs checked as the provider checks them."""

from __future__ import annotations

import base64
import re
import uuid

import bcrypt
import pytest

from envctl.engine.provider import DiffResult
from envctl.providers.random.package import random_package

from local_steps import failures, made, plain, provider, secret_keys

RANDOM = random_package()
PASSWORD = "random:index/randomPassword:RandomPassword"
STRING = "random:index/randomString:RandomString"
ID = "random:index/randomId:RandomId"
INTEGER = "random:index/randomInteger:RandomInteger"
SHUFFLE = "random:index/randomShuffle:RandomShuffle"
PET = "random:index/randomPet:RandomPet"
BYTES = "random:index/randomBytes:RandomBytes"
UUID_TYPES = ("random:index/randomUuid:RandomUuid", "random:index/randomUuid4:RandomUuid4",
              "random:index/randomUuid7:RandomUuid7")


def test_a_password_has_its_length_and_classes_and_a_bcrypt_hash_and_both_are_secret() -> None:
    id_, inputs, outputs = made(RANDOM, PASSWORD, length=24, minUpper=3, minNumeric=3, minSpecial=2,
                                overrideSpecial="_%")
    result = plain(outputs["result"])
    assert id_ == "none" and len(result) == 24
    assert len(re.findall("[A-Z]", result)) >= 3 and len(re.findall("[0-9]", result)) >= 3
    assert len(re.findall("[_%]", result)) >= 2 and re.fullmatch(r"[A-Za-z0-9_%]+", result)
    assert {"result", "bcryptHash"} <= secret_keys(outputs)
    hashed = plain(outputs["bcryptHash"])
    assert hashed.startswith("$2a$10$") and bcrypt.checkpw(result.encode(), hashed.encode())
    assert (inputs["special"], inputs["upper"], inputs["lower"], inputs["numeric"], inputs["number"]) == (True,) * 5


def test_a_string_without_classes_uses_only_the_others_and_its_result_is_its_id() -> None:
    id_, _, outputs = made(RANDOM, STRING, length=40, special=False, upper=False, numeric=False)
    assert id_ == outputs["result"] and re.fullmatch("[a-z]{40}", id_)
    assert secret_keys(outputs) == set()


def test_number_is_numeric_s_old_name_and_sets_it() -> None:
    _, inputs, outputs = made(RANDOM, STRING, length=30, number=False, special=False)
    assert inputs["numeric"] is False and not re.search("[0-9]", outputs["result"])


@pytest.mark.parametrize(("inputs", "property_", "reason"), [
    ({"length": 0}, "length", "at least 1"),
    ({"length": 3, "minUpper": 2, "minLower": 2}, "length", "sum of minUpper"),
    ({"length": 8, "upper": False, "lower": False, "numeric": False, "special": False}, "numeric", "at least one"),
    ({"length": 8, "number": True, "numeric": False}, "numeric", "different values"),
    ({}, "length", "missing required property 'length'"),
    ({"length": 8, "colour": "blue"}, "colour", "not an input"),
    ({"length": "8"}, "length", "whole number"),
    ({"length": 8, "minUpper": 1.5}, "minUpper", "whole number"),
])
def test_the_provider_s_checks_refuse_impossible_strings(inputs: dict, property_: str, reason: str) -> None:
    assert reason in failures(RANDOM, PASSWORD, **inputs).get(property_, "")


def test_a_value_read_back_is_the_one_made_and_an_update_keeps_it() -> None:
    id_, inputs, outputs = made(RANDOM, PASSWORD, length=16)
    assert provider(RANDOM).read(PASSWORD, id_, plain(outputs)) == outputs
    assert provider(RANDOM).diff(PASSWORD, inputs, dict(inputs)) == DiffResult()


def test_changing_keepers_or_any_input_replaces_the_value() -> None:
    _, inputs, _ = made(RANDOM, PASSWORD, length=16, keepers={"image": "v1"})
    diff = provider(RANDOM).diff(PASSWORD, inputs, {**inputs, "keepers": {"image": "v2"}})
    assert diff.needs_replace and diff.replaces == ("keepers",)
    assert provider(RANDOM).diff(PASSWORD, inputs, {**inputs, "length": 17}).replaces == ("length",)


def test_keepers_are_taken_as_strings_as_the_provider_s_map_of_strings() -> None:
    _, inputs, _ = made(RANDOM, UUID_TYPES[0], keepers={"replicas": 3, "public": True, "image": "nginx"})
    assert inputs["keepers"] == {"replicas": "3", "public": "true", "image": "nginx"}


def test_an_id_is_one_set_of_bytes_in_four_encodings_with_the_prefix() -> None:
    id_, _, outputs = made(RANDOM, ID, byteLength=8, prefix="app-")
    raw = base64.urlsafe_b64decode(id_ + "=" * (-len(id_) % 4))
    assert len(raw) == 8 and "=" not in id_ and outputs["b64Url"] == "app-" + id_
    assert outputs["b64Std"] == "app-" + base64.b64encode(raw).decode()
    assert outputs["hex"] == "app-" + raw.hex() and outputs["dec"] == "app-" + str(int.from_bytes(raw, "big"))


def test_bytes_are_secret_and_their_id_is_not_the_value() -> None:
    id_, _, outputs = made(RANDOM, BYTES, length=32)
    raw = base64.b64decode(plain(outputs["base64"]))
    assert len(raw) == 32 and plain(outputs["hex"]) == raw.hex()
    assert secret_keys(outputs) == {"base64", "hex"} and id_ == "none"
    assert "length" in failures(RANDOM, BYTES, length=0)


@pytest.mark.parametrize("token", UUID_TYPES)
def test_a_uuid_is_its_id_and_result(token: str) -> None:
    id_, _, outputs = made(RANDOM, token)
    version = {"RandomUuid7": 7}.get(token.rsplit(":", 1)[1], 4)
    assert id_ == outputs["result"] and uuid.UUID(id_).version == version


def test_an_integer_is_within_its_bounds_and_a_seed_makes_it_reproducible() -> None:
    id_, _, outputs = made(RANDOM, INTEGER, min=10, max=12)
    assert outputs["result"] in (10, 11, 12) and id_ == str(outputs["result"])
    seeded = {made(RANDOM, INTEGER, min=1, max=10**9, seed="s1")[2]["result"] for _ in range(3)}
    assert len(seeded) == 1
    assert "smaller than or equal" in failures(RANDOM, INTEGER, min=5, max=4)["max"]


def test_a_shuffle_permutes_its_inputs_and_repeats_them_for_a_longer_result() -> None:
    items = [f"az-{i}" for i in range(6)]
    id_, _, outputs = made(RANDOM, SHUFFLE, inputs=items, seed="zones")
    assert id_ == "-" and sorted(outputs["results"]) == items
    assert made(RANDOM, SHUFFLE, inputs=items, seed="zones")[2]["results"] == outputs["results"]
    longer = made(RANDOM, SHUFFLE, inputs=["a", "b"], resultCount=5)[2]["results"]
    assert len(longer) == 5 and sorted(longer[:2]) == ["a", "b"]
    assert made(RANDOM, SHUFFLE, inputs=items, resultCount=2)[2]["results"][0] in items


def test_a_pet_is_words_joined_by_the_separator_after_the_prefix() -> None:
    id_, inputs, outputs = made(RANDOM, PET)
    assert (inputs["length"], inputs["separator"]) == (2, "-") and re.fullmatch("[a-z]+-[a-z]+", id_)
    assert outputs == inputs
    long_id = made(RANDOM, PET, length=4, separator="_", prefix="dev")[0]
    assert long_id.startswith("dev_") and len(long_id.split("_")) == 5


@pytest.mark.parametrize(("token", "id_", "expected"), [
    (STRING, "Ab3$x", {"result": "Ab3$x", "length": 5, "numeric": True, "minUpper": 0}),
    (ID, "app-,AQID", {"byteLength": 3, "prefix": "app-", "hex": "app-010203", "dec": "app-66051"}),
    (INTEGER, "7,1,10,dice", {"result": 7, "min": 1, "max": 10, "seed": "dice"}),
    (UUID_TYPES[0], "6F9619FF-8B86-D011-B42D-00C04FC964FF", {"result": "6f9619ff-8b86-d011-b42d-00c04fc964ff"}),
])
def test_a_value_read_by_id_is_rebuilt_from_the_id_as_the_provider_imports_it(
        token: str, id_: str, expected: dict) -> None:
    read = provider(RANDOM).read(token, id_, {})
    assert read is not None and {key: read[key] for key in expected} == expected


def test_a_pet_read_by_id_is_its_name() -> None:
    assert provider(RANDOM).read(PET, "keen-otter", {}) == {}  # the id is a pet's only value


def test_a_value_whose_id_does_not_hold_it_cannot_be_read_from_elsewhere() -> None:
    from envctl.engine.provider import ProviderError

    for token, id_ in ((PASSWORD, "none"), (BYTES, "none"), (INTEGER, "not-a-number")):
        with pytest.raises(ProviderError, match="lives only in the state"):
            provider(RANDOM).read(token, id_, {})
