"""Fault injection for the local cloud: a WSGI middleware in the server process that answers a share of AWS
requests with the throttling and server errors AWS sends, before moto sees them (so no change is half
applied), to test that clients retry. `/envctl-faults` reads its counters (GET) and changes its policy (PUT).
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from envctl.cloud.calls import AwsCall, identify, operation_names, signing_name
from envctl.errors import BadInput

FAULTS_PATH = "/envctl-faults"
RATE_ENV = "ENVCTL_CLOUD_FAULTS"  # e.g. 0.1 or 10%
SERVICES_ENV = "ENVCTL_CLOUD_FAULT_SERVICES"  # e.g. s3,ec2
OPERATIONS_ENV = "ENVCTL_CLOUD_FAULT_OPERATIONS"  # e.g. CreateBucket,CreateVpc
SEED_ENV = "ENVCTL_CLOUD_FAULT_SEED"

_KINDS = ("throttling", "unavailable", "internal")
_MESSAGE = "fault injected by the envctl local cloud"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class FaultPolicy:
    """Which requests may fail, and how often. Services are boto3 client names; empty means every one."""

    rate: float = 0.0
    services: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    seed: int | None = None  # the same seed and request order give the same faults

    @classmethod
    def create(cls, rate: str | float, services: str | Iterable[str] = (), operations: str | Iterable[str] = (),
               seed: int | str | None = None) -> FaultPolicy:
        """A validated policy from command-line or environment values; BadInput says what is wrong."""
        policy = cls(_rate(rate), _names(services), _names(operations), _seed(seed))
        for service in policy.services:
            try:
                signing_name(service)
            except KeyError:
                raise BadInput(f"unknown service {service!r} for faults: name services as boto3 does "
                               "(s3, ec2, dynamodb, cloudwatch, ...)") from None
        known = {name for service in policy.services for name in operation_names(service)}
        unknown = [name for name in policy.operations if known and name not in known]
        if unknown:
            raise BadInput(f"operation {unknown[0]!r} is not one of {', '.join(policy.services)}: "
                           "name operations as the AWS API does (CreateBucket, RunInstances, ...)")
        return policy

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> FaultPolicy | None:
        """The policy set with ENVCTL_CLOUD_FAULTS (and its companions), or None when it is not set."""
        if not environ.get(RATE_ENV):
            return None
        return cls.create(environ[RATE_ENV], environ.get(SERVICES_ENV, ""), environ.get(OPERATIONS_ENV, ""),
                          environ.get(SEED_ENV) or None)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FaultPolicy:
        return cls.create(document.get("rate", 0), document.get("services") or (),
                          document.get("operations") or (), document.get("seed"))

    def to_json(self) -> dict[str, Any]:
        return {"rate": self.rate, "services": list(self.services), "operations": list(self.operations),
                "seed": self.seed}

    def describe(self) -> str:
        if not self.rate:
            return "no faults"
        scope = ", ".join(self.services) or "all services"
        if self.operations:
            scope += f" ({', '.join(self.operations)})"
        return f"{self.rate:.0%} of requests to {scope} fail"


class FaultInjector:
    """WSGI middleware in front of moto. Thread-safe: the server handles requests in threads."""

    def __init__(self, app: WsgiApp, policy: FaultPolicy | None = None) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.set_policy(policy or FaultPolicy())

    def set_policy(self, policy: FaultPolicy) -> None:
        """Replace the policy and restart its counters and its random sequence."""
        with self._lock:
            self.policy = policy
            self._signing_names = frozenset(signing_name(s) for s in policy.services)
            self._random = random.Random(policy.seed)
            self._requests = 0
            self._injected: Counter[str] = Counter()

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {**self.policy.to_json(), "requests": self._requests, "injected": sum(self._injected.values()),
                    "codes": dict(self._injected)}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == FAULTS_PATH:
            return self._control(environ, start_response)
        if path.startswith("/moto-api/"):  # envctl's own seeding and moto's controls never fail
            return self.app(environ, start_response)
        fault = self._draw(environ)
        if fault is None:
            return self.app(environ, start_response)
        status, headers, body = fault
        start_response(status, headers)
        return [body]

    def _draw(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        policy = self.policy
        call = identify(environ, policy.services) if policy.rate else None
        with self._lock:
            self._requests += 1
            if call is None or not self._eligible(call) or self._random.random() >= policy.rate:
                return None
            status, code = _error(self._random.choice(_KINDS), call)
            self._injected[code] += 1
        return _answer(status, code, call.protocol)

    def _eligible(self, call: AwsCall) -> bool:
        return ((not self._signing_names or call.service in self._signing_names)
                and (not self.policy.operations or call.operation in self.policy.operations))

    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "PUT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                self.set_policy(FaultPolicy.from_json(json.loads(environ["wsgi.input"].read(length) or b"{}")))
            except (ValueError, BadInput) as exc:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [json.dumps({"error": str(exc)}).encode()]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(self.report()).encode()]


def _error(kind: str, call: AwsCall) -> tuple[int, str]:
    """The HTTP status and error code AWS answers with; botocore's standard retry mode retries each of them."""
    if kind == "throttling":
        if call.service == "s3":
            return 503, "SlowDown"
        if call.protocol == "ec2":
            return 503, "RequestLimitExceeded"
        return 400, "Throttling" if call.protocol == "query" else "ThrottlingException"
    if kind == "unavailable":
        return 503, "ServiceUnavailable"
    return 500, "InternalError" if call.protocol in ("query", "ec2", "rest-xml") else "InternalFailure"


def _answer(status: int, code: str, protocol: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The error in the shape of the request's wire protocol, so that botocore parses its code."""
    reason = {400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable"}[status]
    xml_fields = f"<Code>{escape(code)}</Code><Message>{_MESSAGE}</Message>"
    if protocol == "rest-xml":
        body, content_type = f"<Error>{xml_fields}</Error>", "application/xml"
    elif protocol == "query":
        side = "Sender" if status < 500 else "Receiver"
        body = f"<ErrorResponse><Error><Type>{side}</Type>{xml_fields}</Error></ErrorResponse>"
        content_type = "text/xml"
    elif protocol == "ec2":
        body, content_type = f"<Response><Errors><Error>{xml_fields}</Error></Errors></Response>", "text/xml"
    elif protocol == "smithy-rpc-v2-cbor":
        return (f"{status} {reason}", [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")],
                _cbor_text_map({"__type": code, "message": _MESSAGE}))
    elif protocol == "json":
        body, content_type = json.dumps({"__type": code, "message": _MESSAGE}), "application/x-amz-json-1.1"
    else:  # rest-json
        return (f"{status} {reason}", [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)],
                json.dumps({"message": _MESSAGE}).encode())
    return f"{status} {reason}", [("Content-Type", content_type)], body.encode()


def _cbor_text_map(fields: dict[str, str]) -> bytes:
    """A CBOR map of short text strings (RFC 8949: major type 5 holding major type 3 items)."""

    def head(major: int, length: int) -> bytes:
        return bytes([major << 5 | length]) if length < 24 else bytes([major << 5 | 24, length])

    encoded = head(5, len(fields))
    for text in (item for pair in fields.items() for item in pair):
        data = text.encode()
        encoded += head(3, len(data)) + data
    return encoded


def _rate(value: str | float) -> float:
    text = str(value).strip()
    try:
        rate = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise BadInput(f"fault rate {value!r} is not a share of requests: give 0 to 1 (0.1) or a percentage (10%)")
    return rate


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _seed(value: int | str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(f"fault seed {value!r} is not an integer") from None
