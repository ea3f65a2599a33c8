"""The local cloud's persistence: every call is appended to `.envctl/cloud/recording.jsonl`, and a server starting
on an existing recording replays it in-process, so ids, ARNs and names come back identical.

Identical needs two things. Moto draws every id from one random generator, so the recording starts with a
seed call. And the order of the log must be the order moto ran the calls in, so requests run one at a time.

Calls carry secrets (a SecureString parameter, a secret's value, a password), so each recorded call is sealed
with AES-GCM under a key of the recording's own (`recording.key`, readable by its owner alone): the log is
readable by envctl, never in plaintext or base64 on disk. moto's recorder still decides which calls are recorded.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

StartResponse = Callable[..., Any]
_NONCE_BYTES = 12
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
        self.key_path = directory / "recording.key"
        self._lock_path = directory / "server.lock"
        self._aead: AESGCM | None = None
        self._write_lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        """Record one call, sealed."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher().encrypt(nonce, json.dumps(entry).encode(), None)
        line = json.dumps({"sealed": base64.b64encode(nonce + sealed).decode("ascii")}) + "\n"
        with self._write_lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line)

    def unsealed(self, line: dict[str, Any]) -> dict[str, Any]:
        """A recorded call as it was made (a line from before calls were sealed is one already)."""
        if "sealed" not in line:
            return line
        raw = base64.b64decode(line["sealed"])
        try:
            return json.loads(self._cipher().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None))
        except InvalidTag:
            raise RecordingDamaged(f"a call in {self.path} does not open with {self.key_path}") from None

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            self._aead = AESGCM(self._key())
        return self._aead

    def _key(self) -> bytes:
        try:
            return base64.b64decode(self.key_path.read_text())
        except FileNotFoundError:
            pass
        self.directory.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(key).decode("ascii"))
        return key

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
            self.key_path.unlink(missing_ok=True)


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
        for line in _entries(recording):
            entry = recording.unsealed(line)
            body = base64.b64decode(entry["body"]) if entry.get("body_encoded") else (entry.get("body") or "")
            _call(app, entry["method"], entry["url"], entry.get("headers") or {}, body)
            replayed += 1
    finally:
        recorder.start_recording()
    if not replayed:
        _call(app, "POST", f"{endpoint}/moto-api/seed?a={secrets.randbelow(2**31)}", {}, b"")
    return replayed


def record_sealed(recording: Recording) -> None:
    """moto's recorder keeps deciding when calls are recorded (never its own recorder API, nor during a replay);
    each call goes into the sealed recording instead of moto's plaintext file."""
    from moto.moto_api import recorder

    def record(request: Any, body: bytes | str | io.BytesIO | None = None) -> None:
        if recorder._user_enabled and not request.raw_path.startswith("/moto-api/recorder/"):
            recording.append(_call_of(request, body))

    recorder._record_request = record  # type: ignore[method-assign]


def _call_of(request: Any, body: bytes | str | io.BytesIO | None) -> dict[str, Any]:
    """A werkzeug request as a recorded call: headers, method, raw URL (percent-encoding kept) and body."""
    if body is None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.environ["wsgi.input"].read(length) if length else b""
        request.environ["wsgi.input"] = io.BytesIO(body)  # moto reads the body after the recorder
    if isinstance(body, io.BytesIO):
        body = body.getvalue()
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {"headers": dict(request.headers), "method": request.method, "url": request.raw_url,
            "body": base64.b64encode(body).decode("ascii"), "body_encoded": True}


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
