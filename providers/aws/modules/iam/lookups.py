"""The IAM lookups programs make: getPolicy, getRole, getUser, getInstanceProfile and getOpenIdConnectProvider,
each answered from the matching resource type's read, as Terraform's data sources read the same APIs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.iam.identity_providers import OpenIdConnectProvider, issuer
from envctl.providers.aws.modules.iam.principals import InstanceProfile, Policy, User
from envctl.providers.aws.modules.iam.roles import IAM_GONE, Role
from envctl.providers.aws.registry import invoke
from envctl.providers.aws.wire import timestamp

Args = dict[str, Any]


def _read(ctx: AwsContext, resource: AwsResource, id: str, what: str) -> Args:
    """The resource's outputs, with `tags` all the tags AWS reports; a lookup of what does not exist fails."""
    outputs = resource.read(ctx, id, {})
    if outputs is None:
        raise BadInput(f"{resource.token.split(':')[1]}: no {what} found")
    return {**outputs, "tags": outputs.get("tagsAll") or {}}


def _picked(outputs: Args, fields: Iterable[str]) -> Args:
    return {field: outputs.get(field) for field in fields}


def _matching_tags(found: Args, args: Args, what: str) -> None:
    """Terraform's lookups by tags: every tag asked for must be on what was found."""
    wanted = args.get("tags") or {}
    if any(found["tags"].get(key) != value for key, value in wanted.items()):
        raise BadInput(f"no {what} with the tags {wanted} found")


@invoke("aws:iam/getRole:getRole")
def get_role(ctx: AwsContext, args: Args) -> Args:
    role = _read(ctx, Role(), args["name"], f"role named {args['name']!r}")
    last_used = ctx.client("iam").get_role(RoleName=args["name"])["Role"].get("RoleLastUsed") or {}
    used = [{"lastUsedDate": timestamp(last_used["LastUsedDate"]), "region": last_used.get("Region", "")}] \
        if last_used.get("LastUsedDate") else []
    return {**_picked(role, ("arn", "assumeRolePolicy", "createDate", "description", "maxSessionDuration", "name",
                             "path", "permissionsBoundary", "tags", "uniqueId")),
            "id": role["name"], "roleLastUseds": used}


@invoke("aws:iam/getUser:getUser")
def get_user(ctx: AwsContext, args: Args) -> Args:
    user = _read(ctx, User(), args["userName"], f"user named {args['userName']!r}")
    _matching_tags(user, args, "user")
    boundary = ctx.client("iam").get_user(UserName=user["name"])["User"].get("PermissionsBoundary") or {}
    return {"arn": user["arn"], "id": user["uniqueId"], "path": user["path"], "tags": user["tags"],
            "permissionsBoundary": boundary.get("PermissionsBoundaryArn", ""), "userId": user["uniqueId"],
            "userName": user["name"]}


@invoke("aws:iam/getInstanceProfile:getInstanceProfile")
def get_instance_profile(ctx: AwsContext, args: Args) -> Args:
    profile = _read(ctx, InstanceProfile(), args["name"], f"instance profile named {args['name']!r}")
    roles = ctx.client("iam").get_instance_profile(InstanceProfileName=args["name"])["InstanceProfile"]["Roles"]
    role = roles[0] if roles else {}
    return {**_picked(profile, ("arn", "createDate", "name", "path")), "id": profile["uniqueId"],
            "roleArn": role.get("Arn"), "roleId": role.get("RoleId"), "roleName": role.get("RoleName")}


@invoke("aws:iam/getPolicy:getPolicy")
def get_policy(ctx: AwsContext, args: Args) -> Args:
    arn = args.get("arn") or _policy_arn_by_name(ctx, args.get("name"), args.get("pathPrefix"))
    policy = _read(ctx, Policy(), arn, f"policy {arn}")
    _matching_tags(policy, args, "policy")
    return {**_picked(policy, ("arn", "attachmentCount", "description", "name", "path", "policy", "policyId",
                               "tags")),
            "description": policy.get("description") or "", "id": arn, "pathPrefix": args.get("pathPrefix")}


def _policy_arn_by_name(ctx: AwsContext, name: str | None, path_prefix: str | None) -> str:
    """Terraform's search by name and path prefix, among AWS's and the account's policies: exactly one."""
    if not name and not path_prefix:
        raise BadInput("getPolicy: give arn, or name and/or pathPrefix")
    iam = ctx.client("iam")
    matches = [p["Arn"] for p in listed(iam, "list_policies", "Policies", PathPrefix=path_prefix or "/")
               if not name or p["PolicyName"] == name]
    if len(matches) != 1:
        found = "no" if not matches else "several"
        raise BadInput(f"getPolicy: {found} policies match name {name!r} and path prefix {path_prefix!r}")
    return matches[0]


@invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")
def get_open_id_connect_provider(ctx: AwsContext, args: Args) -> Args:
    arn = args.get("arn") or _provider_arn_by_url(ctx, args.get("url"))
    provider = _read(ctx, OpenIdConnectProvider(), arn, f"OpenID Connect provider {arn}")
    _matching_tags(provider, args, "OpenID Connect provider")
    return {**_picked(provider, ("arn", "clientIdLists", "tags", "thumbprintLists", "url")), "id": arn}


def _provider_arn_by_url(ctx: AwsContext, url: str | None) -> str:
    if not url:
        raise BadInput("getOpenIdConnectProvider: give arn or url")
    iam = ctx.client("iam")
    for listed_provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        found = found_or_none(iam.get_open_id_connect_provider, IAM_GONE,
                              OpenIDConnectProviderArn=listed_provider["Arn"])
        if found and found["Url"] == issuer(url):
            return str(listed_provider["Arn"])
    raise BadInput(f"getOpenIdConnectProvider: no provider for {url!r} found")
