"""Probes of the Cognito types: user pools, their clients and domains, and identity pools."""

from __future__ import annotations

from probing import Probe, present

_GONE = ("ResourceNotFoundException",)

PROBES: dict[str, Probe] = {
    "aws:cognito/userPool:UserPool": lambda c, id, o: present(
        lambda: c("cognito-idp").describe_user_pool(UserPoolId=id), *_GONE),
    "aws:cognito/userPoolClient:UserPoolClient": lambda c, id, o: present(
        lambda: c("cognito-idp").describe_user_pool_client(UserPoolId=o["userPoolId"], ClientId=id), *_GONE),
    "aws:cognito/userPoolDomain:UserPoolDomain": lambda c, id, o: bool(
        c("cognito-idp").describe_user_pool_domain(Domain=id)["DomainDescription"]),
    "aws:cognito/identityPool:IdentityPool": lambda c, id, o: present(
        lambda: c("cognito-identity").describe_identity_pool(IdentityPoolId=id), *_GONE),
}
