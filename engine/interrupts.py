"""Ctrl-C (SIGINT) and SIGTERM during an operation: the run stops at a safe point, so that it can be recorded.

While an operation runs, either signal sets the interrupt (no new step starts) and raises KeyboardInterrupt where
the main thread is, so that a program busy in a loop of its own stops too. Around what must finish once started
(steps in flight being checkpointed, the ledger's record) signals are deferred: they only set the interrupt, so a
second Ctrl-C cannot cut a checkpoint or a recording in half. Signal handlers exist in the main thread only; in
any other thread both contexts do nothing but keep the interrupt.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupt:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: str | None = None  # the name of the first signal received

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self, reason: str = "interrupted") -> None:
        if not self._event.is_set():
            self.signal = reason
        self._event.set()

    @contextmanager
    def raising(self) -> Iterator[None]:
        """Signals set the interrupt and raise KeyboardInterrupt (the operation as a whole). Once interrupted, more
        signals are ignored until the process ends: what remains is reporting the recorded run and exiting (and a
        signal pending when the interpreter finalizes would otherwise kill it with the default action)."""
        def handler(signum: int, _frame: FrameType | None) -> Any:
            self.set(signal.Signals(signum).name)
            raise KeyboardInterrupt

        with _handling(handler):
            yield
        if self.is_set() and threading.current_thread() is threading.main_thread():
            for number in _SIGNALS:
                signal.signal(number, signal.SIG_IGN)

    def _noted(self, signum: int, _frame: FrameType | None) -> None:
        self.set(signal.Signals(signum).name)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Signals only set the interrupt (what must finish once started)."""
        with _handling(self._noted):
            yield


@contextmanager
def _handling(handler: Any) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in _SIGNALS}
    for number in _SIGNALS:
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
