"""Probes of the IAM inline user and group policies, user group memberships, policy attachments, OpenID Connect
providers, service-linked roles and login profiles."""

from __future__ import annotations

from probing import Probe, listed, present

_GONE = "NoSuchEntity"

PROBES: dict[str, Probe] = {
    "aws:iam/userPolicy:UserPolicy": lambda c, id, o: present(
        lambda: c("iam").get_user_policy(UserName=o["user"], PolicyName=o["name"]), _GONE),
    "aws:iam/groupPolicy:GroupPolicy": lambda c, id, o: present(
        lambda: c("iam").get_group_policy(GroupName=o["group"], PolicyName=o["name"]), _GONE),
    "aws:iam/userGroupMembership:UserGroupMembership": lambda c, id, o: listed(
        lambda: c("iam").list_groups_for_user(UserName=o["user"])["Groups"],
        lambda groups: bool({g["GroupName"] for g in groups} & set(o["groups"])), _GONE),
    "aws:iam/policyAttachment:PolicyAttachment": lambda c, id, o: listed(
        lambda: c("iam").list_entities_for_policy(PolicyArn=o["policyArn"]),
        lambda found: any(found[key] for key in ("PolicyUsers", "PolicyRoles", "PolicyGroups")), _GONE),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda c, id, o: present(
        lambda: c("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=id), _GONE),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": lambda c, id, o: present(
        lambda: c("iam").get_role(RoleName=o["name"]), _GONE),
    "aws:iam/userLoginProfile:UserLoginProfile": lambda c, id, o: present(
        lambda: c("iam").get_login_profile(UserName=id), _GONE),
}
