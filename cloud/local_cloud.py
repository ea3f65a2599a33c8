"""The clouds: the embedded local AWS (a moto server on 127.0.0.1 that envctl starts on demand and leaves
running between commands, whose calls are recorded so that a restart restores it) and real AWS through the
standard boto3 credential chain."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envctl.cloud.faults import FAULTS_PATH, FaultPolicy
from envctl.cloud.recording import Recording, RecordingBusy
from envctl.cloud.server import EXIT_PORT_TAKEN, EXIT_RECORDING_BUSY
from envctl.cloud.target import CloudTarget
from envctl.errors import BadInput, OperationFailed
from envctl.processes import process_alive

ENDPOINT_ENV = "ENVCTL_CLOUD_ENDPOINT"  # use an already running moto server instead of the embedded one
LOCAL_CREDENTIALS = ("testing", "testing")
_START_TIMEOUT = 30.0
_REPLAY_SECONDS_PER_CALL = 0.02  # measured about 7 ms per recorded call; a slow machine gets room


@dataclass
class CloudStatus:
    running: bool
    endpoint: str | None = None
    pid: int | None = None
    port: int | None = None
    external: bool = False
    replayed: int | None = None  # recorded calls the server replayed when it started
    started: bool = False  # this call started the server

    def to_json(self) -> dict[str, object]:
        return {"running": self.running, "endpoint": self.endpoint, "pid": self.pid, "port": self.port,
                "external": self.external, "replayed": self.replayed}


class LocalCloud:
    """The local cloud of one project: its pid and port live in `.envctl/cloud.json` while it runs, its
    recording and last port in `.envctl/cloud/`, which outlive it."""

    def __init__(self, project_dir: Path) -> None:
        self.state_dir = project_dir / ".envctl"
        self.state_file = self.state_dir / "cloud.json"
        self.log_file = self.state_dir / "cloud.log"
        self.recording = Recording(self.state_dir / "cloud")
        self._port_file = self.recording.directory / "port"

    def status(self) -> CloudStatus:
        external = os.environ.get(ENDPOINT_ENV)
        if external:
            return CloudStatus(_responds(external), external, external=True)
        info = self._read_state()
        if info is None:
            return CloudStatus(False)
        pid, port = int(info["pid"]), int(info["port"])
        if not process_alive(pid):
            self.state_file.unlink(missing_ok=True)  # left by a server that died
            return CloudStatus(False)
        endpoint = f"http://127.0.0.1:{port}"
        if _responds(endpoint):
            return CloudStatus(True, endpoint, pid, port, replayed=info.get("replayed"))
        return CloudStatus(False)

    def start(self, port: int = 0, faults: FaultPolicy | None = None) -> CloudStatus:
        """Start the server unless it runs already, replaying the recording; wait until it answers.
        Given faults apply to a running server too; a server started without them takes the environment's
        (ENVCTL_CLOUD_FAULTS)."""
        current = self.status()
        if current.running:
            if port and port != current.port:
                raise BadInput(f"the local cloud already runs at {current.endpoint}; "
                               "stop it with `envctl cloud stop` to move it to another port")
            if faults is not None:
                self.faults(faults)
            return current
        if current.external:
            raise OperationFailed(f"the local cloud at {current.endpoint} ({ENDPOINT_ENV}) does not answer")
        return self._spawn(port, faults or FaultPolicy.from_env())

    def stop(self) -> bool:
        """Stop the server; False when none was running. Its recording stays for the next start."""
        info = self._read_state()
        if info is None or not process_alive(int(info["pid"])):
            self.state_file.unlink(missing_ok=True)
            return False
        os.kill(int(info["pid"]), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not _ended(int(info["pid"])) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.state_file.unlink(missing_ok=True)
        return True

    def reset(self) -> CloudStatus:
        """The disaster: every resource and the recording are gone. A running cloud restarts empty, newly
        seeded, on its port."""
        current = self.status()
        if current.external:
            raise BadInput(f"the local cloud is the server at {current.endpoint} ({ENDPOINT_ENV}); "
                           f"reset it where it runs, or unset {ENDPOINT_ENV} to use envctl's own")
        was_running = self.stop()
        try:
            self.recording.clear()
        except RecordingBusy:
            raise OperationFailed(f"a local cloud server still runs on {self.recording.directory} without "
                                  f"answering; stop it (see {self.log_file}) and reset again") from None
        return self.start(current.port or 0) if was_running else CloudStatus(False)

    def faults(self, policy: FaultPolicy | None = None) -> dict[str, Any]:
        """The running server's fault policy and counters; with a policy, set it first (counters restart)."""
        current = self.status()
        if not current.running:
            raise BadInput("the local cloud is not running; start it with `envctl cloud start --faults RATE`")
        data = json.dumps(policy.to_json()).encode() if policy else None
        request = urllib.request.Request(f"{current.endpoint}{FAULTS_PATH}", data=data,
                                         method="PUT" if policy else "GET",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raise BadInput(f"the server at {current.endpoint} does not take faults ({exc.code}): "
                           "only envctl's own local cloud does") from None
        except (OSError, ValueError) as exc:
            raise OperationFailed(f"the local cloud at {current.endpoint} did not answer: {exc}") from None

    def target(self) -> CloudTarget:
        """The running local cloud as a target for the engine, started if needed."""
        status = self.start()
        return CloudTarget("local", status.endpoint, *LOCAL_CREDENTIALS)

    def _spawn(self, port: int, faults: FaultPolicy | None) -> CloudStatus:
        preferred = port or self._last_port()
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self.state_file.unlink(missing_ok=True)
            log = self.log_file.open("ab")
        except OSError as exc:
            raise BadInput(f"cannot write {self.state_dir}: {exc.strerror}; make the project directory writable") \
                from None
        command = [sys.executable, "-m", "envctl.cloud.server", "--port", str(preferred),
                   "--state-file", str(self.state_file), "--cloud-dir", str(self.recording.directory)]
        if not port:
            command.append("--port-fallback")  # the last port is a preference: endpoints stay the same
        if faults is not None:
            command += ["--faults", json.dumps(faults.to_json())]
        with log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True, env=server_environment(os.environ))
        timeout = _START_TIMEOUT + self.recording.calls() * _REPLAY_SECONDS_PER_CALL
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status.running:
                self._port_file.write_text(str(status.port))
                status.started = process.poll() is None
                return status
            code = process.poll()
            if code == EXIT_PORT_TAKEN:
                raise BadInput(_last_line(self.log_file))
            if code is not None and code != EXIT_RECORDING_BUSY:  # busy: another command starts it; wait for it
                raise OperationFailed(f"the local cloud failed to start: {_last_line(self.log_file)}")
            time.sleep(0.05)
        if process.poll() is None:
            process.terminate()
        raise OperationFailed(f"the local cloud did not answer within {timeout:.0f}s; see {self.log_file}")

    def _last_port(self) -> int:
        try:
            return int(self._port_file.read_text())
        except (OSError, ValueError):
            return 0

    def _read_state(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None


# What the long-lived server never needs and must not carry: secrets of the user's shell outlive the command.
_NOT_FOR_THE_SERVER = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN",
                       "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "ENVCTL_SIGNING_KEY")


def server_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The local cloud server's environment: the command's, without its secrets."""
    return {k: v for k, v in environment.items() if k not in _NOT_FOR_THE_SERVER}


def aws_target() -> CloudTarget:
    """Real AWS: credentials and region come from the standard boto3 chain and the stack's aws: config."""
    return CloudTarget("aws", default_region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
                       or "us-east-1")


def _ended(pid: int) -> bool:
    """The process is gone. A server this process started is reaped here, or it would linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return not process_alive(pid)


def _responds(endpoint: str) -> bool:
    """The server accepts connections (a TCP connect: any HTTP call could change moto's state)."""
    host, _, port = endpoint.removeprefix("http://").removeprefix("https://").partition(":")
    try:
        with socket.create_connection((host, int(port.split("/")[0] or 80)), timeout=2):
            return True
    except (OSError, ValueError):
        return False


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1] if lines else "no output"
