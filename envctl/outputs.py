"""An environment's stack outputs as its state holds them, secrets shown or stood in for."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import reveal, with_secrets_as
from envctl.engine.state import StateStore
from envctl.errors import BadInput

SECRET_STAND_IN = "[secret]"


def stack_outputs(env: str, store: StateStore, name: str | None = None, *, show_secrets: bool = False) -> Any:
    """Every output (a map), or the value of the one `name`; each secret as its plaintext with `show_secrets`, else
    as "[secret]" (at any depth)."""
    outputs = store.stack_outputs()
    shown = reveal(outputs) if show_secrets else reveal(with_secrets_as(outputs, lambda _plain: SECRET_STAND_IN))
    if name is None:
        return shown
    if name not in shown:
        known = ", ".join(sorted(shown)) or "none"
        raise BadInput(f"{env} has no output named {name!r}; its outputs: {known}")
    return shown[name]
