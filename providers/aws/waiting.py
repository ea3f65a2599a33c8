"""Waiting out AWS's eventual consistency: polling and retrying with backoff until something holds or time runs out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from envctl.errors import OperationFailed

CONSISTENCY_TIMEOUT = 60.0  # seconds for a write to show in reads, or for a dependency to be released
_FIRST_DELAY, _MAX_DELAY = 0.5, 10.0


def attempts(timeout: float) -> Iterator[bool]:
    """Attempts with exponential backoff between them; each says whether it is the last one."""
    deadline = time.monotonic() + timeout
    delay = _FIRST_DELAY
    while True:
        yield time.monotonic() > deadline
        time.sleep(delay)
        delay = min(delay * 2, _MAX_DELAY)


def wait_until(done: Callable[[], bool], what: str, timeout: float = 600.0) -> None:
    """Poll until `done()` holds; fail with a message naming `what` when it never does."""
    for last in attempts(timeout):
        if done():
            return
        if last:
            raise OperationFailed(f"timed out after {int(timeout)}s waiting for {what}")


def retried(call: Callable[..., Any], transient: Callable[[ClientError], bool], timeout: float, /,
            **params: Any) -> Any:
    """The call's answer; while AWS answers with an error `transient` accepts (something it has not caught up
    with yet), the call is repeated until `timeout`."""
    for last in attempts(timeout):
        try:
            return call(**params)
        except ClientError as error:
            if last or not transient(error):
                raise
