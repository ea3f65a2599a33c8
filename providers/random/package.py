"""The `random` package: every type of pulumi-random that envctl makes locally."""

from __future__ import annotations

from envctl.providers.random.choices import RandomInteger, RandomShuffle
from envctl.providers.random.identifiers import RandomBytes, RandomId, RandomUuid, RandomUuid4, RandomUuid7
from envctl.providers.random.pets import RandomPet
from envctl.providers.random.strings import RandomPassword, RandomString
from envctl.providers.state_only import StateOnlyPackage

TYPES = (RandomPassword, RandomString, RandomId, RandomBytes, RandomUuid, RandomUuid4, RandomUuid7, RandomInteger,
         RandomShuffle, RandomPet)


def random_package() -> StateOnlyPackage:
    return StateOnlyPackage("random", TYPES)
