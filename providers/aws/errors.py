"""AWS's error answers: the code a ClientError carries, and calls for which some codes mean "not there".

Codes are matched as shell patterns, so that a family such as EC2's `*.NotFound` is one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import Any

from botocore.exceptions import ClientError

from envctl.providers.aws.waiting import retried

BUSY_TIMEOUT = 600.0  # seconds to wait for AWS to release what a delete depends on


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def has_code(error: ClientError, codes: Iterable[str]) -> bool:
    code = error_code(error)
    return any(fnmatchcase(code, pattern) for pattern in codes)


def found_or_none(call: Callable[..., Any], gone: Iterable[str], /, *args: Any, **params: Any) -> Any:
    """The call's answer, or None when AWS answers one of the `gone` codes (the thing does not exist)."""
    try:
        return call(*args, **params)
    except ClientError as error:
        if has_code(error, gone):
            return None
        raise


def items_found(call: Callable[..., dict], list_key: str, gone: Iterable[str], /, **params: Any) -> list[dict]:
    """The items a describe call lists, or none when AWS answers that the thing asked for does not exist."""
    answer = found_or_none(call, gone, **params)
    return list(answer.get(list_key) or []) if answer else []


def one_found(call: Callable[..., dict], list_key: str, gone: Iterable[str], /, **params: Any) -> dict | None:
    """The first item a describe call for one thing lists; None when there is none."""
    return next(iter(items_found(call, list_key, gone, **params)), None)


def remove(
    call: Callable[..., Any],
    /,
    gone: Iterable[str] = (),
    busy: Iterable[str] = (),
    timeout: float = BUSY_TIMEOUT,
    **params: Any,
) -> None:
    """A delete (or detach, revoke): an error code in `gone` (already deleted) counts as done, and while AWS
    answers one in `busy` (a dependency still draining) the call is retried with backoff until `timeout`."""
    busy = tuple(busy)
    try:
        retried(call, lambda error: has_code(error, busy), timeout, **params)
    except ClientError as error:
        if not has_code(error, gone):
            raise
