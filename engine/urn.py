"""URNs by the real engine's rules (not the SDK mock's): the qualified type carries the parent's whole
type chain, except under the root stack."""

from __future__ import annotations

STACK_TYPE = "pulumi:pulumi:Stack"
PREFIX = "urn:pulumi:"


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """urn:pulumi:<stack>::<project>::<qualified type>::<name>."""
    parent_type = qualified_type(parent_urn) if parent_urn else ""
    qualified = type_ if not parent_type or parent_type == STACK_TYPE else f"{parent_type}${type_}"
    return f"{PREFIX}{stack}::{project}::{qualified}::{name}"


def stack_urn(stack: str, project: str) -> str:
    return make_urn(stack, project, "", STACK_TYPE, f"{project}-{stack}")


def qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def urn_type(urn: str) -> str:
    return qualified_type(urn).split("$")[-1]


def urn_name(urn: str) -> str:
    # A name may itself contain "::": everything after the third delimiter.
    return urn.split("::", 3)[3]


def default_provider_name(version: str, download_url: str = "") -> str:
    """`default_<major>_<minor>_<patch>[_<pre>...]`, as Pulumi names a default provider."""
    name = "default"
    if version:
        core, _, build = version.partition("+")
        core, _, pre = core.partition("-")
        name += "_" + core.replace(".", "_")
        if pre:
            name += "_" + pre.replace(".", "_")
        if build:
            name += "_" + build.replace(".", "_")
    if download_url:
        name += "_" + "".join(c if c.isalnum() else "_" for c in download_url)
    return name


def provider_reference(provider_urn: str, provider_id: str) -> str:
    return f"{provider_urn}::{provider_id}"


def split_provider_reference(reference: str) -> tuple[str, str]:
    """`<urn>::<id>`, split at the last delimiter."""
    urn, _, provider_id = reference.rpartition("::")
    return urn, provider_id
