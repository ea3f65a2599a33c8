"""The local cloud's server process:
`python -m envctl.cloud.server --port N [--port-fallback] --state-file F --cloud-dir D [--faults JSON]`.

Serves moto on 127.0.0.1 behind two middlewares (fault injection, then one request at a time for the
recording), replays the project's recording before it serves, and writes its pid and port once it does.
A new cloud (nothing recorded) is seeded, then warms up the slow backends (IAM's managed policies, EC2's
images) so the first command does not pay for them; a replay warms them up by itself.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from envctl.cloud.recording import Recording, RecordingBusy, RecordingDamaged

EXIT_PORT_TAKEN = 2  # the message on stderr is for the user: bad input
EXIT_RECORDING_BUSY = 3  # another server of this project is starting: wait for it instead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-fallback", action="store_true", help="Take any free port when --port is taken.")
    parser.add_argument("--state-file", type=Path, required=True)
    parser.add_argument("--cloud-dir", type=Path, required=True)
    parser.add_argument("--faults", default="", help="A fault policy as JSON.")
    args = parser.parse_args()

    recording = Recording(args.cloud_dir)
    try:
        with recording.owned():
            serve(recording, _listen(args.port, args.port_fallback), args.state_file, args.faults)
    except RecordingBusy:
        sys.stderr.write(f"another local cloud server owns {args.cloud_dir}\n")
        sys.exit(EXIT_RECORDING_BUSY)
    except RecordingDamaged as exc:
        sys.stderr.write(f"the local cloud cannot be restored: {exc}; `envctl cloud reset` starts an empty one\n")
        sys.exit(1)


def serve(recording: Recording, listener: socket.socket, state_file: Path, faults: str) -> None:
    # moto reads its recorder settings when it is imported
    os.environ.update(recording.moto_environment())
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request would grow cloud.log forever

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from envctl.cloud.faults import FaultInjector, FaultPolicy
    from envctl.cloud.local_amis import add_local_amis
    from envctl.cloud.recording import OneAtATime, record_sealed, restore

    add_local_amis()
    record_sealed(recording)
    host, port = listener.getsockname()[:2]
    endpoint = f"http://{host}:{port}"
    moto = OneAtATime(DomainDispatcherApplication(create_backend_app))
    started = time.monotonic()
    replayed = restore(moto, recording, endpoint)
    if replayed:
        sys.stderr.write(f"replayed {replayed} recorded calls in {time.monotonic() - started:.1f}s\n")
    # Faults start after the replay: the recording holds only calls that succeeded in reaching moto.
    app = FaultInjector(moto, FaultPolicy.from_json(json.loads(faults)) if faults else None)
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler, fd=listener.fileno())
    listener.close()  # the server holds its own duplicate
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())

    temp = state_file.with_suffix(".tmp")
    temp.write_text(json.dumps({"pid": os.getpid(), "port": port, "host": host, "replayed": replayed}))
    os.replace(temp, state_file)
    if not replayed:
        threading.Thread(target=_warm_up, args=(endpoint,), daemon=True).start()
    # Wait in slices: a signal taken by a server thread runs its handler only when the main thread next runs.
    while not stopped.wait(0.5):
        pass
    server.shutdown()
    moto.close()


def _listen(port: int, fallback: bool) -> socket.socket:
    """The listening socket, bound before moto loads so that a taken port is reported at once."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may follow a stop at once
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE and fallback:
            listener.bind(("127.0.0.1", 0))
        elif exc.errno == errno.EADDRINUSE:
            sys.stderr.write(f"port {port} on 127.0.0.1 is in use; choose another with --port or stop what uses it\n")
            sys.exit(EXIT_PORT_TAKEN)
        else:
            sys.stderr.write(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}\n")
            sys.exit(1)
    listener.listen(128)
    return listener


def _warm_up(endpoint: str) -> None:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    try:
        session.client("iam", endpoint_url=endpoint).list_roles(MaxItems=1)
        session.client("ec2", endpoint_url=endpoint).describe_availability_zones()
    except Exception as exc:  # warm-up is an optimisation; the server serves either way
        sys.stderr.write(f"warm-up failed: {exc}\n")


if __name__ == "__main__":
    main()
