"""The clouds: the embedded local AWS (a moto server on 127.0.0.1 that envctl starts on demand and
leaves running between commands) and real AWS through the standard boto3 credential chain."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from envctl.engine.local.providers import CloudTarget
from envctl.engine.processes import process_alive
from envctl.errors import BadInput, OperationFailed

ENDPOINT_ENV = "ENVCTL_CLOUD_ENDPOINT"  # use an already running moto server instead of the embedded one
LOCAL_CREDENTIALS = ("testing", "testing")
_START_TIMEOUT = 30.0


@dataclass
class CloudStatus:
    running: bool
    endpoint: str | None = None
    pid: int | None = None
    port: int | None = None
    external: bool = False

    def to_json(self) -> dict[str, object]:
        return {"running": self.running, "endpoint": self.endpoint, "pid": self.pid, "port": self.port,
                "external": self.external}


class LocalCloud:
    """The local cloud of one project; its pid and port live in `.envctl/cloud.json`."""

    def __init__(self, project_dir: Path) -> None:
        self.state_dir = project_dir / ".envctl"
        self.state_file = self.state_dir / "cloud.json"
        self.log_file = self.state_dir / "cloud.log"

    def status(self) -> CloudStatus:
        external = os.environ.get(ENDPOINT_ENV)
        if external:
            return CloudStatus(_responds(external), external, external=True)
        info = self._read_state()
        if info is None:
            return CloudStatus(False)
        endpoint = f"http://127.0.0.1:{info['port']}"
        if process_alive(int(info["pid"])) and _responds(endpoint):
            return CloudStatus(True, endpoint, int(info["pid"]), int(info["port"]))
        return CloudStatus(False)

    def start(self, port: int = 0) -> CloudStatus:
        """Start the server unless it runs already; wait until it answers."""
        current = self.status()
        if current.running:
            return current
        if current.external:
            raise OperationFailed(f"the local cloud at {current.endpoint} ({ENDPOINT_ENV}) does not answer")
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self.state_file.unlink(missing_ok=True)
            log = self.log_file.open("ab")
        except OSError as exc:
            raise BadInput(f"cannot write {self.state_dir}: {exc.strerror}; make the project directory writable") \
                from None
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        process = subprocess.Popen(
            [sys.executable, "-m", "envctl.engine.cloud_server", "--port", str(port),
             "--state-file", str(self.state_file)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise OperationFailed(f"the local cloud failed to start: {_last_line(self.log_file)}")
            status = self.status()
            if status.running:
                return status
            time.sleep(0.05)
        process.terminate()
        raise OperationFailed(f"the local cloud did not answer within {_START_TIMEOUT:.0f}s; see {self.log_file}")

    def stop(self) -> bool:
        """Stop the server; False when none was running."""
        info = self._read_state()
        if info is None or not process_alive(int(info["pid"])):
            self.state_file.unlink(missing_ok=True)
            return False
        os.kill(int(info["pid"]), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while process_alive(int(info["pid"])) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.state_file.unlink(missing_ok=True)
        return True

    def target(self) -> CloudTarget:
        """The running local cloud as a target for the engine, started if needed."""
        status = self.start()
        return CloudTarget("local", status.endpoint, *LOCAL_CREDENTIALS)

    def _read_state(self) -> dict[str, object] | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None


def aws_target() -> CloudTarget:
    """Real AWS: credentials and region come from the standard boto3 chain and the stack's aws: config."""
    return CloudTarget("aws", default_region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
                       or "us-east-1")


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
