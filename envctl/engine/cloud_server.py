"""The local cloud's server process: `python -m envctl.engine.cloud_server --port N --state-file F`.

Runs moto's threaded server on 127.0.0.1 and writes its pid and port once it listens, then warms up the
slow backends (IAM's managed policies, EC2's images) so the first command does not pay for them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    from moto.server import ThreadedMotoServer

    from envctl.engine.local_amis import add_local_amis

    add_local_amis()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    try:
        server.start()
    except OSError as exc:
        sys.stderr.write(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}\n")
        sys.exit(2)
    host, port = server.get_host_and_port()
    temp = args.state_file.with_suffix(".tmp")
    temp.write_text(json.dumps({"pid": os.getpid(), "port": port, "host": host}))
    os.replace(temp, args.state_file)
    threading.Thread(target=_warm_up, args=(f"http://{host}:{port}",), daemon=True).start()

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


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
