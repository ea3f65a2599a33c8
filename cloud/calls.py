"""Which AWS call a raw HTTP request to the local cloud is: the service it was signed for, its wire protocol
and its operation name, read from the request alone so that a middleware can judge it before moto does.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, parse_qsl

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    service: str | None  # the signing name: "s3", "ec2", "monitoring" (CloudWatch), "states" (Step Functions)
    protocol: str  # botocore's protocol names: query, ec2, json, rest-json, rest-xml, smithy-rpc-v2-cbor
    operation: str | None  # "CreateBucket"; None when the request does not say and no model matches


@dataclass(frozen=True)
class _Route:
    """One REST operation's request: method, path, and the query keys and headers it cannot do without
    (PUT /{Bucket}/{Key+} is PutObject, or CopyObject with x-amz-copy-source, or UploadPart with ?partNumber)."""

    method: str
    segments: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    headers: tuple[str, ...]  # as WSGI environ keys: HTTP_X_AMZ_COPY_SOURCE
    operation: str

    def matches(self, method: str, segments: list[str], query: dict[str, list[str]], environ: dict[str, Any]) -> bool:
        if method != self.method or not _path_matches(self.segments, segments):
            return False
        return (all(key in query and (not value or value in query[key]) for key, value in self.query)
                and all(header in environ for header in self.headers))

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.query) + len(self.headers), sum(not s.startswith("{") for s in self.segments)


def signing_name(client_name: str) -> str:
    """The name a boto3 client (e.g. "cloudwatch") signs its requests with ("monitoring").

    Raises KeyError for a name botocore does not know."""
    model = _service_model(client_name)
    return model.signing_name or model.endpoint_prefix


def operation_names(client_name: str) -> list[str]:
    """The API operations of a boto3 client's service ("CreateBucket", ...); KeyError for an unknown name."""
    return list(_service_model(client_name).operation_names)


def identify(environ: dict[str, Any], rest_services: tuple[str, ...] = ()) -> AwsCall:
    """The call a WSGI request makes. `rest_services` are boto3 client names whose REST routes are tried, besides
    the client named like the signing name, to name the operation of a REST request (S3, Lambda, API Gateway)."""
    service = _signed_service(environ)
    content_type = environ.get("CONTENT_TYPE", "")
    if environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return AwsCall(service, "smithy-rpc-v2-cbor", environ.get("PATH_INFO", "").rsplit("/", 1)[-1] or None)
    # RPC protocols POST to the root; elsewhere these content types are a REST body's (an S3 object's)
    rpc = environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "/") in ("", "/")
    if rpc and content_type.startswith("application/x-amz-json"):
        return AwsCall(service, "json", environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1] or None)
    if rpc and content_type.startswith("application/x-www-form-urlencoded"):
        action = _form(environ).get("Action") or parse_qs(environ.get("QUERY_STRING", "")).get("Action")
        return AwsCall(service, "ec2" if service == "ec2" else "query", action[0] if action else None)
    return _rest_call(environ, service, rest_services)


def _rest_call(environ: dict[str, Any], service: str | None, rest_services: tuple[str, ...]) -> AwsCall:
    """A REST call is named by the most specific route of its service's models that the request matches."""
    candidates = (*(name for name in rest_services if _signs_as(name, service)), *([service] if service else []))
    models = [name for name in dict.fromkeys(candidates) if _routes(name) is not None]
    method = environ.get("REQUEST_METHOD", "GET")
    segments = _segments(environ.get("PATH_INFO", "/"))
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    matching = [route for name in models for route in _routes(name) or ()
                if route.matches(method, segments, query, environ)]
    best = max(matching, key=lambda route: route.specificity, default=None)
    protocol = _service_model(models[-1]).protocol if models else "rest-json"
    return AwsCall(service, protocol, best.operation if best else None)


def _signed_service(environ: dict[str, Any]) -> str | None:
    found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", "")) or _CREDENTIAL.search(
        "Credential=" + (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0])
    return found.group(1) if found else None


def _form(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The form fields of the body, which is put back for the application to read."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _path_matches(pattern: tuple[str, ...], segments: list[str]) -> bool:
    if pattern and pattern[-1].endswith("+}"):  # a greedy label takes the rest of the path, at least one segment
        fixed = pattern[:-1]
        return len(segments) > len(fixed) and _path_matches(fixed, segments[:len(fixed)])
    if len(pattern) != len(segments):
        return False
    return all(p.startswith("{") or p == s for p, s in zip(pattern, segments, strict=True))


def _signs_as(client_name: str, service: str | None) -> bool:
    try:
        return signing_name(client_name) == service
    except KeyError:
        return False


@cache
def _routes(client_name: str) -> tuple[_Route, ...] | None:
    """The REST routes of a service, or None when it is unknown or not a REST service."""
    try:
        model = _service_model(client_name)
    except KeyError:
        return None
    if not model.protocol.startswith("rest-"):
        return None
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        path, _, query = operation.http["requestUri"].partition("?")
        required = _required_members(operation.input_shape)
        query_keys = parse_qsl(query, keep_blank_values=True) + [(key, "") for key in required.get("querystring", [])]
        headers = tuple("HTTP_" + key.upper().replace("-", "_") for key in required.get("header", []))
        routes.append(_Route(operation.http["method"], tuple(_segments(path)), tuple(query_keys), headers, name))
    return tuple(routes)


def _required_members(shape: Any) -> dict[str, list[str]]:
    """The wire names of an input's required members, by location (querystring, header, uri, ...)."""
    found: dict[str, list[str]] = {}
    for member in shape.required_members if shape is not None else ():
        serialization = shape.members[member].serialization
        found.setdefault(serialization.get("location", "body"), []).append(serialization.get("name", member))
    return found


@cache
def _service_model(client_name: str) -> Any:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    try:
        return botocore.session.get_session().get_service_model(client_name)
    except UnknownServiceError:
        raise KeyError(client_name) from None
