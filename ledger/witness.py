"""Witnesses: where checkpoints are appended outside the database, one after every recording.

`ENVCTL_WITNESS` names either a file, appended to one checkpoint per line, or `s3://bucket/prefix`, where each
checkpoint is a new object `prefix/<UTC time>-<digest>.json`. In real AWS the bucket should have Object Lock
(compliance mode, a default retention): then nobody, the writer included, can remove or replace a checkpoint
before its retention ends, which is what makes the witness worth more than the database. The S3 endpoint is
`ENVCTL_CLOUD_ENDPOINT` when set (a local moto server), else boto3's own (`AWS_ENDPOINT_URL`, or AWS);
credentials come from boto3's standard chain.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from envctl.errors import BadInput, OperationFailed
from envctl.ledger.canonical import sha256_hex

WITNESS_ENV = "ENVCTL_WITNESS"
CLOUD_ENDPOINT_ENV = "ENVCTL_CLOUD_ENDPOINT"
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$")
_S3_READERS = 16  # checkpoints are small objects: reading them is latency-bound


class WitnessUnavailable(OperationFailed):
    """The witness could not be written or read (network, permissions, a missing bucket)."""


class Witness(Protocol):
    name: str  # as messages show it

    def append(self, line: str) -> None:
        """Add one checkpoint line; WitnessUnavailable when it cannot."""

    def read(self) -> str:
        """Every checkpoint line so far, oldest first; WitnessUnavailable when they cannot be read."""


def witness_from_environment() -> Witness | None:
    """The witness ENVCTL_WITNESS names, None when it is not set; BadInput for a location envctl cannot use."""
    value = os.environ.get(WITNESS_ENV, "").strip()
    return parse_witness(value) if value else None


def parse_witness(location: str) -> Witness:
    match = _SCHEME.match(location)
    if match is None:
        return FileWitness(Path(location).expanduser())
    scheme, rest = match["scheme"].lower(), match["rest"]
    if scheme == "file":
        return FileWitness(Path(rest))
    if scheme == "s3":
        bucket, _, prefix = rest.partition("/")
        if not bucket or not prefix.strip("/"):
            raise BadInput(f"{WITNESS_ENV}={location} names no key: use s3://bucket/key")
        return S3Witness(bucket, prefix.strip("/"))
    raise BadInput(f"{WITNESS_ENV}={location}: a witness is a file or s3://bucket/key, not a {scheme}:// URL")


class FileWitness:
    """A local (or mounted) file of checkpoint lines; each append is one write in append mode."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    def append(self, line: str) -> None:
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, (line + "\n").encode())
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise WitnessUnavailable(f"cannot append to the witness {self.path}: {exc.strerror}") from None

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            raise WitnessUnavailable(f"cannot read the witness {self.path}: "
                                     f"{getattr(exc, 'strerror', None) or exc}") from None


class S3Witness:
    """Checkpoints as objects under a key prefix: appending never overwrites, so an Object Lock bucket keeps all."""

    def __init__(self, bucket: str, prefix: str) -> None:
        self.bucket, self.prefix = bucket, prefix
        self.name = f"s3://{bucket}/{prefix}"
        self._client: Any = None

    def append(self, line: str) -> None:
        key = f"{self.prefix}/{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{sha256_hex(line)[:16]}.json"
        self._call("written", lambda s3: s3.put_object(Bucket=self.bucket, Key=key, Body=line.encode() + b"\n",
                                                       ContentType="application/json"))

    def read(self) -> str:
        def keys(s3: Any) -> list[str]:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + "/")
            return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

        def body(s3: Any, key: str) -> str:
            return s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()

        names = self._call("read", keys)
        with ThreadPoolExecutor(_S3_READERS) as pool:
            bodies = list(pool.map(lambda key: self._call("read", lambda s3: body(s3, key)), names))
        return "".join(text if text.endswith("\n") else text + "\n" for text in bodies)

    def _call(self, doing: str, action: Any) -> Any:
        # boto3 loads only when a witness in S3 is used; its errors become one line for the user.
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if self._client is None:
                region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
                self._client = boto3.client("s3", region_name=region,
                                            endpoint_url=os.environ.get(CLOUD_ENDPOINT_ENV) or None)
            return action(self._client)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise WitnessUnavailable(f"the witness {self.name} cannot be {doing}: {error.get('Code')}: "
                                     f"{error.get('Message')}") from None
        except BotoCoreError as exc:
            raise WitnessUnavailable(f"the witness {self.name} cannot be {doing}: {exc}") from None
