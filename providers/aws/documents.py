"""JSON documents in inputs (policies, event patterns, definitions): checked to be JSON, compared by meaning,
and recorded from the cloud as the program wrote them while they mean the same (as Terraform keeps them, so
that formatting never shows as drift)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

# When two JSON texts mean the same; it may raise on text that is not JSON.
Equivalence = Callable[[str, str], bool]

_ACCOUNT_ROOT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):root$")


def json_problem(value: Any) -> str | None:
    """Why the value is not a JSON text; None when it is one."""
    try:
        json.loads(value)
    except (TypeError, ValueError) as error:
        return str(error)
    return None


def canonical_json(text: str) -> str:
    """Terraform's NormalizeJsonString: the same document always reads the same, whatever its spacing."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def json_equivalent(a: str, b: str) -> bool:
    return canonical_json(a) == canonical_json(b)


def policies_equivalent(a: str, b: str) -> bool:
    """Whether two IAM policy texts grant the same: list order, single-element lists, empty Sids and account
    ids written as root ARNs do not matter (what Terraform's awspolicyequivalence ignores)."""
    return _canonical_policy(json.loads(a)) == _canonical_policy(json.loads(b))


def means_the_same(equivalent: Equivalence, a: str, b: str) -> bool:
    """`equivalent(a, b)`, with text that is not JSON meaning the same only as the very same text."""
    try:
        return equivalent(a, b)
    except (TypeError, ValueError, AttributeError):
        return a == b


def document_from_cloud(configured: Any, cloud: Any, equivalent: Equivalence = policies_equivalent) -> str:
    """The document to record from AWS's copy (text, URL-encoded text or a structure): the configured text
    when it means the same, else AWS's."""
    text = cloud if isinstance(cloud, str) else json.dumps(cloud)
    text = unquote(text) if text.startswith("%7B") else text
    if isinstance(configured, str) and means_the_same(equivalent, configured, text):
        return configured
    return text


def root_as_account_id(principal: str) -> str:
    """An account's root ARN as the account id, which a policy may give instead (IAM stores the ARN)."""
    return _ACCOUNT_ROOT.sub(r"\1", principal)


def _string_set(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return sorted({json.dumps(v) if isinstance(v, bool) else str(v) for v in items})


def _canonical_principal(value: Any) -> Any:
    if value == "*":
        return {"AWS": ["*"]}
    if not isinstance(value, dict):
        return value
    canonical = {key: _string_set(ids) for key, ids in value.items()}
    if "AWS" in canonical:  # IAM stores account ids as their root ARN
        canonical["AWS"] = sorted({root_as_account_id(p) for p in canonical["AWS"]})
    return canonical


def _canonical_statement(statement: dict[str, Any]) -> dict[str, Any]:
    canonical: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Principal", "NotPrincipal"):
            canonical[key] = _canonical_principal(value)
        elif key == "Condition" and isinstance(value, dict):
            canonical[key] = {
                test: {var: _string_set(values) for var, values in (pairs or {}).items()}
                for test, pairs in value.items()
            }
        elif key in ("Action", "NotAction", "Resource", "NotResource"):
            canonical[key] = _string_set(value)
        elif key != "Sid" or value:
            canonical[key] = value
    return canonical


def _canonical_policy(document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    canonical = {k: v for k, v in document.items() if k != "Statement"}
    canonical["Statement"] = sorted(
        (_canonical_statement(s) if isinstance(s, dict) else s for s in statements),
        key=lambda s: json.dumps(s, sort_keys=True),
    )
    return canonical
