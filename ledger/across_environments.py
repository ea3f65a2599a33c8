"""Two environments compared by what makes them differ, not by what makes them two.

dev and staging made from one program share their resources' logical names, but every physical identity
differs: ids, ARNs, URLs, auto-name suffixes, and the environment's name inside names, paths and tags. Compared
as they are, every resource looks replaced. So, unless the user asks for ids, each side is made comparable
first: a resource's computed outputs and id are set aside; in its inputs (and the stack outputs) a value that is
another resource's id, ARN, URL or name becomes a symbol (`<network-vpc.id>`), an auto-name (`queue-1a2b3c4`
for the resource `queue`) becomes `queue-*`, and the environment's own name as a word becomes `<env>`. What
still differs is a difference of program, config or toolchain.
"""

from __future__ import annotations

import re
from typing import Any

from envctl.ledger.redaction import is_secret_marker

# Output properties that name a resource physically; their values stand for the resource wherever they appear.
_IDENTIFYING = re.compile(r"^(id|arn|name|url|bucket|endpoint|dnsName|domainName|invokeUrl|qualifiedArn)$"
                          r"|(Arn|Id|Url|Endpoint)$")
_SHORTEST_SYMBOLISED = 8  # shorter values are too likely to occur by chance inside another value
_AUTO_NAME_SUFFIX = re.compile(r"-[0-9a-f]{7}")


class Comparable:
    """One environment's snapshot content made comparable with another environment's."""

    def __init__(self, resources: list[dict[str, Any]], env: str) -> None:
        self._env_word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(env)}(?![A-Za-z0-9])")
        symbols: dict[str, str] = {}
        for resource in resources:
            if resource.get("delete"):
                continue
            name = resource["urn"].rpartition("::")[2]
            named = {"id": resource.get("id"), **(resource.get("outputs") or {})}
            for key, value in named.items():
                if isinstance(value, str) and len(value) >= _SHORTEST_SYMBOLISED and _IDENTIFYING.search(key):
                    symbols.setdefault(value, f"<{name}.{key}>")
        # Longest first, so that an ARN is replaced whole before the name inside it.
        self._symbols = sorted(symbols.items(), key=lambda item: -len(item[0]))
        # Every physical value is found through its first few characters: a string is searched only for the
        # values that begin somewhere in it, not for all of them (thousands in a large environment).
        self._by_opening: dict[str, list[int]] = {}
        for rank, (physical, _) in enumerate(self._symbols):
            self._by_opening.setdefault(physical[:_SHORTEST_SYMBOLISED], []).append(rank)
        self._env = env
        self._resources = resources

    def resources(self) -> list[dict[str, Any]]:
        """The resources without ids and outputs, their inputs symbolised."""
        comparable = []
        for resource in self._resources:
            name = resource["urn"].rpartition("::")[2]
            kept = {k: v for k, v in resource.items() if k not in ("id", "outputs", "created", "modified")}
            kept["inputs"] = self.value(resource.get("inputs") or {}, own_name=name)
            comparable.append(kept)
        return comparable

    def value(self, value: Any, own_name: str | None = None) -> Any:
        """`value` with physical identities as symbols (secrets stay as their fingerprints)."""
        if is_secret_marker(value):
            return value
        if isinstance(value, dict):
            return {k: self.value(v, own_name) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, own_name) for v in value]
        if not isinstance(value, str):
            return value
        if own_name is not None and _is_auto_name(value, own_name):
            return f"{own_name}-*"
        value = self._symbolised(value)
        return self._env_word.sub("<env>", value) if self._env in value else value

    def _symbolised(self, value: str) -> str:
        """`value` with each physical value in it replaced by its symbol, longest first."""
        done = -1  # the rank of the last value replaced: each is tried once, in rank order, as if all were tried
        while True:
            rank = self._next_occurring(value, done)
            if rank is None:
                return value
            physical, symbol = self._symbols[rank]
            value, done = value.replace(physical, symbol), rank

    def _next_occurring(self, value: str, after: int) -> int | None:
        """The lowest rank above `after` of a physical value that occurs in `value`."""
        found = None
        for start in range(len(value) - _SHORTEST_SYMBOLISED + 1):
            for rank in self._by_opening.get(value[start : start + _SHORTEST_SYMBOLISED], ()):
                if after < rank and (found is None or rank < found) and self._symbols[rank][0] in value:
                    found = rank
        return found


def _is_auto_name(value: str, name: str) -> bool:
    """Whether `value` is `name` with an auto-name suffix (`queue-1a2b3c4`)."""
    return value.startswith(name) and _AUTO_NAME_SUFFIX.fullmatch(value, len(name)) is not None
