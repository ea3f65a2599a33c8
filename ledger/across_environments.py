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
_AUTO_NAME_SUFFIX = r"-[0-9a-f]{7}"


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
        if own_name is not None and re.fullmatch(re.escape(own_name) + _AUTO_NAME_SUFFIX, value):
            return f"{own_name}-*"
        for physical, symbol in self._symbols:
            if physical in value:
                value = value.replace(physical, symbol)
        return self._env_word.sub("<env>", value)
