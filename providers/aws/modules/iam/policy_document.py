"""aws:iam/getPolicyDocument: IAM policy documents from statements, as Terraform's data source renders them."""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import invoke

Args = dict[str, Any]


# ---- getPolicyDocument ---------------------------------------------------------------------

_VERSIONS = ("2008-10-17", "2012-10-17")
_SID = re.compile(r"^[a-zA-Z0-9]*$")
# Statement keys in the order Terraform's struct serialises them.
_STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
                   "Condition")
# A principal or condition is kept as (type, identifiers) / (test, variable, values) until rendered.
Principal = tuple[str, Any]
Condition = tuple[str, str, Any]


@invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def get_policy_document(ctx: AwsContext, args: Args) -> Args:
    for deprecated in ("sourceJson", "overrideJson"):
        if args.get(deprecated):
            raise BadInput(f"getPolicyDocument: '{deprecated}' is no longer used; use "
                           f"'{deprecated.replace('Json', 'PolicyDocuments')}' instead")
    version = args.get("version") or "2012-10-17"
    if version not in _VERSIONS:
        raise BadInput(f"getPolicyDocument: version must be one of {', '.join(_VERSIONS)}; got {version!r}")

    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    seen_sids: set[str] = set()
    for index, source in enumerate(args.get("sourcePolicyDocuments") or []):
        document = _parse_document(source, f"source document {index}")
        for sid in (s["Sid"] for s in document["Statement"] if s.get("Sid")):
            if sid in seen_sids:
                raise BadInput(f"getPolicyDocument: duplicate Sid ({sid}) in sourcePolicyDocuments; "
                               "remove the Sid or make Sids unique")
            seen_sids.add(sid)
        _merge(merged, document)

    statements = [_statement_from_args(s, version) for s in args.get("statements") or []]
    sids = [s["Sid"] for s in statements if s["Sid"]]
    if len(sids) != len(set(sids)):
        raise BadInput("getPolicyDocument: duplicate Sid in statements; remove the Sid or make Sids unique")
    _merge(merged, {"Version": version, "Id": args.get("policyId") or "", "Statement": statements})

    for index, override in enumerate(args.get("overridePolicyDocuments") or []):
        _merge(merged, _parse_document(override, f"override document {index}"))

    rendered = _render_document(merged)
    pretty = _go_json(rendered, indent=2)
    return {
        **args,
        "version": version,
        "statements": [{**s, "effect": s.get("effect") or "Allow"} for s in args.get("statements") or []] or None,
        "json": pretty,
        "minifiedJson": _go_json(rendered),
        "id": str(zlib.crc32(pretty.encode())),
    }


def _merge(into: dict[str, Any], document: dict[str, Any]) -> None:
    """Terraform's IAMPolicyDoc.Merge: adopt Id, upgrade Version, replace statements by Sid, else append."""
    if document.get("Id"):
        into["Id"] = document["Id"]
    if (document.get("Version") or "") > into["Version"]:
        into["Version"] = document["Version"]
    for statement in document["Statement"]:
        index = next((i for i, s in enumerate(into["Statement"]) if statement.get("Sid")
                      and s.get("Sid") == statement["Sid"]), None)
        if index is None:
            into["Statement"].append(statement)
        else:
            into["Statement"][index] = statement


def _statement_from_args(args: Args, version: str) -> dict[str, Any]:
    sid = args.get("sid") or ""
    if not _SID.match(sid):
        raise BadInput(f"getPolicyDocument: sid {sid!r} must only include alphanumeric characters")
    effect = args.get("effect") or "Allow"
    if effect not in ("Allow", "Deny"):
        raise BadInput(f"getPolicyDocument: effect must be Allow or Deny; got {effect!r}")
    return {
        "Sid": sid,
        "Effect": effect,
        "Action": _string_set(args.get("actions")),
        "NotAction": _string_set(args.get("notActions")),
        "Resource": _with_variables(_string_set(args.get("resources")), version),
        "NotResource": _with_variables(_string_set(args.get("notResources")), version),
        "Principal": _principals_from_args(args.get("principals"), version),
        "NotPrincipal": _principals_from_args(args.get("notPrincipals"), version),
        "Condition": [
            (c["test"], c["variable"], _single_or_list(_with_variables(list(c.get("values") or []), version)))
            for c in args.get("conditions") or []
        ],
    }


def _principals_from_args(principals: list[Args] | None, version: str) -> list[Principal]:
    return [(p["type"], _with_variables(_string_set(p.get("identifiers")), version)) for p in principals or []]


def _string_set(values: list[str] | None) -> Any:
    """A Terraform string set in a policy: one element as a string, several sorted in reverse, none as None."""
    unique = sorted(set(values or []), reverse=True)
    return _single_or_list(unique) if unique else None


def _single_or_list(values: list[str]) -> Any:
    return values[0] if len(values) == 1 else values


def _with_variables(value: Any, version: str) -> Any:
    """Terraform writes IAM policy variables as &{...}, since ${...} is its own interpolation."""
    if isinstance(value, list):
        return [_with_variables(v, version) for v in value]
    if isinstance(value, str) and "&{" in value:
        if version == "2008-10-17":
            raise BadInput(f"getPolicyDocument: found &{{ sequence in ({value}), "
                           "which is not supported in document version 2008-10-17")
        return value.replace("&{", "${")
    return value


def _parse_document(text: str, what: str) -> dict[str, Any]:
    """A source or override document, read as Terraform's IAMPolicyDoc unmarshals it."""
    try:
        raw = json.loads(text)
        statements = raw.get("Statement") or []
        if not isinstance(statements, list):
            raise TypeError("Statement must be a list")
        return {
            "Version": raw.get("Version") or "",
            "Id": raw.get("Id") or "",
            "Statement": [_statement_from_json(s) for s in statements],
        }
    except (AttributeError, TypeError, ValueError) as err:
        raise BadInput(f"getPolicyDocument: merging {what}: {err}") from err


def _statement_from_json(raw: dict[str, Any]) -> dict[str, Any]:
    statement = {key: raw.get(key) for key in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource")}
    statement["Principal"] = _principals_from_json(raw.get("Principal"))
    statement["NotPrincipal"] = _principals_from_json(raw.get("NotPrincipal"))
    statement["Condition"] = [
        (test, variable, _condition_values_from_json(values))
        for test, pairs in (raw.get("Condition") or {}).items()
        for variable, values in pairs.items()
        if isinstance(values, str | bool | list)  # Terraform drops other value types
    ]
    return statement


def _principals_from_json(raw: Any) -> list[Principal]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [("*", ["*"])]
    if not isinstance(raw, dict):
        raise TypeError(f"unsupported principal {raw!r}")
    return [(kind, ids if isinstance(ids, str) else sorted(ids)) for kind, ids in raw.items()]


def _condition_values_from_json(values: Any) -> Any:
    if isinstance(values, bool):
        return json.dumps(values)
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values]


def _render_document(document: dict[str, Any]) -> dict[str, Any]:
    rendered = {"Version": document["Version"], "Id": document["Id"],
                "Statement": [_render_statement(s) for s in document["Statement"]]}
    return {k: v for k, v in rendered.items() if v}


def _render_statement(statement: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(statement)
    rendered["Principal"] = _render_principals(statement["Principal"])
    rendered["NotPrincipal"] = _render_principals(statement["NotPrincipal"])
    rendered["Condition"] = _render_conditions(statement["Condition"])
    # Go's omitempty: unset values are left out.
    return {key: rendered[key] for key in _STATEMENT_KEYS if rendered.get(key) not in (None, "", [], {})}


def _render_principals(principals: list[Principal]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"  # only {"*": "*"} becomes "*"; {"AWS": "*"} stays, as IAM treats them differently
    rendered: dict[str, Any] = {}
    for kind, identifiers in principals:
        existing = rendered.get(kind)
        known = [] if existing is None else [existing] if isinstance(existing, str) else existing
        if isinstance(identifiers, list):
            rendered[kind] = known + sorted(identifiers, reverse=True)
        else:
            rendered[kind] = identifiers if existing is None else [*known, identifiers]
    return dict(sorted(rendered.items()))


def _render_conditions(conditions: list[Condition]) -> dict[str, Any]:
    rendered: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        rendered.setdefault(test, {}).setdefault(variable, []).extend(values if isinstance(values, list) else [values])
    return {
        test: {variable: _single_or_list(values) for variable, values in sorted(pairs.items())}
        for test, pairs in sorted(rendered.items())
    }


def _go_json(value: Any, indent: int | None = None) -> str:
    """JSON as Go's encoding/json writes it: UTF-8 kept, and <, >, & and U+2028/9 escaped."""
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text
