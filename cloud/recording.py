"""The local cloud's persistence: moto's recorder appends every call to `.envctl/cloud/recording.jsonl`, and
a server starting on an existing recording replays it in-process, so ids, ARNs and names come back identical.

Identical needs two things. Moto draws every id from one random generator, so the recording starts with a
seed call. And the order of the log must be the order moto ran the calls in, so requests run one at a time.
"""

from __future__ import annotations

import base64
import fcntl
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RecordingBusy(Exception):
    """Another local cloud server owns this recording."""


class RecordingDamaged(Exception):
    """A line in the middle of the recording is not a recorded call."""


class Recording:
    """The call log of one project's local cloud; one server at a time owns it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "recording.jsonl"
        self._lock_path = directory / "server.lock"

    def moto_environment(self) -> dict[str, str]:
        """What makes moto's recorder, set up when moto is imported, append to this recording."""
        return {"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": str(self.path)}

    def calls(self) -> int:
        try:
            with self.path.open("rb") as log:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))
        except FileNotFoundError:
            return 0

    def summary(self) -> dict[str, Any]:
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"path": str(self.path), "calls": self.calls(), "bytes": size}

    @contextmanager
    def owned(self) -> Iterator[None]:
        """Exclusive use of the recording (a lock released when the process ends); RecordingBusy if taken."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RecordingBusy(str(self.directory)) from None
            yield

    def clear(self) -> None:
        with self.owned():
            self.path.unlink(missing_ok=True)


class OneAtATime:
    """WSGI middleware: moto handles one request at a time, so the recording's order is the order of execution
    (parallel calls would otherwise draw ids from the seeded generator in an order a replay cannot repeat)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/moto-api/recorder/"):  # unrecorded, and replay calls back
            return self.app(environ, start_response)
        with self._lock:
            return self.app(environ, start_response)

    def close(self) -> None:
        """Wait for the call in progress, then take no more: the process may end without a torn record."""
        self._lock.acquire()


def restore(app: WsgiApp, recording: Recording, endpoint: str) -> int:
    """Replay the recording into a fresh moto, or seed a new one (recorded, so that its replay seeds too).
    Returns the number of calls replayed. Runs before the server serves, so nothing interleaves."""
    from moto.moto_api import recorder

    replayed = 0
    recorder.stop_recording()  # these calls are in the log already
    try:
        for entry in _entries(recording):
            body = base64.b64decode(entry["body"]) if entry.get("body_encoded") else (entry.get("body") or "")
            _call(app, entry["method"], entry["url"], entry.get("headers") or {}, body)
            replayed += 1
    finally:
        recorder.start_recording()
    if not replayed:
        _call(app, "POST", f"{endpoint}/moto-api/seed?a={secrets.randbelow(2**31)}", {}, b"")
    return replayed


def _entries(recording: Recording) -> Iterator[dict[str, Any]]:
    """The recorded calls, read as they are replayed. A last line without its newline is torn (the server died
    writing it, before the call ran) and is cut off; a line that is not a call raises RecordingDamaged."""
    if not recording.path.exists():
        return
    offset = 0
    with recording.path.open("r+b") as log:
        for number, line in enumerate(log, 1):
            if not line.endswith(b"\n"):
                log.truncate(offset)
                return
            try:
                yield json.loads(line)
            except ValueError:
                raise RecordingDamaged(f"line {number} of {recording.path} is not a recorded call") from None
            offset += len(line)


def _call(app: WsgiApp, method: str, url: str, headers: dict[str, str], body: str | bytes) -> None:
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    parts = urlsplit(url)
    # Lengths and chunking describe the recorded transfer; the builder sets them for this body.
    kept = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
    environ = EnvironBuilder(method=method, path=parts.path, query_string=parts.query, headers=kept, data=body,
                             base_url=f"{parts.scheme or 'http'}://{parts.netloc or '127.0.0.1'}").get_environ()
    app_iter, _status, _headers = run_wsgi_app(app, environ, buffered=True)
    if hasattr(app_iter, "close"):
        app_iter.close()
