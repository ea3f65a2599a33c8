"""RandomPet: `length` words, separated by `separator` and led by `prefix`, as the Terraform random provider names
pets: the last word a name, the one before it an adjective, any before those adverbs (envctl's own word lists)."""

from __future__ import annotations

import secrets

from envctl.providers.random.value import RandomValue
from envctl.providers.state_only import Props

ADVERBS = ("abnormally", "boldly", "briefly", "calmly", "carefully", "cheaply", "closely", "daily", "deeply",
           "eagerly", "easily", "evenly", "fairly", "firmly", "freely", "gently", "gladly", "greatly", "highly",
           "honestly", "jointly", "kindly", "lively", "loudly", "mainly", "merely", "mildly", "neatly", "nicely",
           "openly", "partly", "politely", "quickly", "quietly", "rarely", "rapidly", "really", "safely",
           "sharply", "simply", "slowly", "smoothly", "solely", "strongly", "surely", "swiftly", "tightly",
           "truly", "vastly", "warmly", "wildly", "wisely")
ADJECTIVES = ("able", "active", "amazing", "ample", "apt", "awake", "bold", "brave", "bright", "calm", "capable",
              "careful", "charming", "clean", "clever", "cool", "cosmic", "crisp", "curious", "daring", "dear",
              "eager", "easy", "epic", "fair", "fancy", "fast", "fine", "fit", "flying", "fond", "free", "fresh",
              "gentle", "glad", "golden", "good", "grand", "happy", "hardy", "helpful", "honest", "humble", "ideal",
              "jolly", "keen", "kind", "lasting", "learning", "legal", "lucky", "mighty", "modest", "moving",
              "neat", "nice", "noble", "open", "patient", "polite", "proud", "quick", "quiet", "rapid", "ready",
              "regal", "rich", "robust", "saving", "sharp", "shining", "smart", "smooth", "social", "solid",
              "special", "stable", "steady", "sunny", "super", "sure", "sweet", "tidy", "tough", "trusty", "upward",
              "valid", "vital", "warm", "wise", "witty", "worthy")
NAMES = ("aardvark", "albatross", "alpaca", "ant", "antelope", "badger", "bass", "bat", "bear", "beaver", "bee",
         "bison", "boar", "bobcat", "buffalo", "bull", "camel", "cardinal", "cat", "cheetah", "chicken", "chimp",
         "cobra", "condor", "cougar", "cow", "coyote", "crab", "crane", "crow", "deer", "dingo", "dodo", "dog",
         "dolphin", "dove", "duck", "eagle", "eel", "elephant", "elk", "emu", "falcon", "ferret", "finch", "fish",
         "flamingo", "fox", "frog", "gazelle", "gecko", "gibbon", "giraffe", "gnu", "goat", "goose", "gopher",
         "gorilla", "grouse", "gull", "hare", "hawk", "hedgehog", "heron", "hippo", "horse", "hound", "hyena",
         "ibex", "iguana", "impala", "jackal", "jaguar", "jay", "kangaroo", "kid", "kite", "kiwi", "koala", "lamb",
         "lark", "lemur", "leopard", "lion", "llama", "lobster", "lynx", "macaw", "magpie", "mako", "marmot",
         "marten", "mink", "mole", "mongoose", "monkey", "moose", "moth", "mouse", "mule", "newt", "ocelot",
         "octopus", "oryx", "osprey", "otter", "owl", "ox", "panda", "panther", "parrot", "pelican", "penguin",
         "pheasant", "pig", "pony", "porpoise", "puma", "quail", "rabbit", "raccoon", "ram", "raven", "reindeer",
         "rhino", "robin", "salmon", "seal", "shark", "sheep", "shrew", "skunk", "sloth", "snail", "snake",
         "sparrow", "squid", "stag", "stork", "swan", "tapir", "tiger", "toad", "trout", "turkey", "turtle",
         "viper", "vulture", "walrus", "wasp", "weasel", "whale", "wolf", "wombat", "worm", "yak", "zebra")


def pet_name(length: int, separator: str) -> str:
    words = [secrets.choice(ADVERBS) for _ in range(max(length - 2, 0))]
    if length >= 2:
        words.append(secrets.choice(ADJECTIVES))
    if length >= 1:
        words.append(secrets.choice(NAMES))
    return separator.join(words)


class RandomPet(RandomValue):
    token = "random:index/randomPet:RandomPet"
    handled = frozenset({"keepers", "length", "prefix", "separator"})
    integers = frozenset({"length"})
    defaults = {"length": 2, "separator": "-"}

    def generate(self, inputs: Props) -> tuple[str, Props]:
        pet = pet_name(int(inputs["length"]), inputs["separator"]).lower()
        prefix = inputs.get("prefix")
        # The pet name is the id, and the resource's only output.
        return (f"{prefix}{inputs['separator']}{pet}" if prefix else pet), {}
