"""The one rule for environment names, everywhere (config, operations, the ledger): Pulumi's stack-name rule —
letters, digits, `-`, `_` and `.`, at most 100 — without names made of dots only, which are paths, not names.
No `/`: a stack file writes it as `-`, so `a/b` and `a-b` would share one file."""

from __future__ import annotations

import re

from envctl.errors import BadInput

ENV_NAME_PATTERN = r"(?!\.+(?![A-Za-z0-9_.-]))[A-Za-z0-9_.-]{1,100}"
_ENV_NAME = re.compile(f"^{ENV_NAME_PATTERN}$")


def is_env_name(name: str) -> bool:
    return bool(_ENV_NAME.match(name))


def check_env_name(name: str) -> str:
    """`name`, or BadInput saying the rule."""
    if not is_env_name(name):
        raise BadInput(f"invalid environment name {name!r}: use letters, digits, '-', '_' and '.' (at most 100, not "
                       "only dots), as Pulumi names stacks")
    return name
