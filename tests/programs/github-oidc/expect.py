"""github-oidc: the deploy role trusts GitHub's issuer for one repository and branch; another branch is an update
of the trust policy."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config, statements

ROLE = "aws:iam/role:Role"
ISSUER = "token.actions.githubusercontent.com"


def trusted_subject(cloud: Cloud, out: Outputs) -> str:
    trust = cloud.client("iam").get_role(RoleName=out["role_name"])["Role"]["AssumeRolePolicyDocument"]
    [statement] = statements(trust)
    assert statement["Principal"] == {"Federated": out["provider_arn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {f"{ISSUER}:aud": "sts.amazonaws.com"}
    return str(statement["Condition"]["StringLike"][f"{ISSUER}:sub"])


def verify(cloud: Cloud, out: Outputs) -> None:
    iam = cloud.client("iam")
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=out["provider_arn"])
    assert (provider["Url"], provider["ClientIDList"]) == (ISSUER, ["sts.amazonaws.com"])
    assert out["provider_arn"] == f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"
    assert trusted_subject(cloud, out) == "repo:octo-org/website:ref:refs/heads/main"
    attached = iam.list_attached_role_policies(RoleName=out["role_name"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert iam.list_role_policies(RoleName=out["role_name"])["PolicyNames"] == ["sync-site"]
    sync = statements(iam.get_role_policy(RoleName=out["role_name"], PolicyName="sync-site")["PolicyDocument"])
    assert [s["Resource"] for s in sync] == [f"arn:aws:s3:::{out['bucket']}", f"arn:aws:s3:::{out['bucket']}/*"]


def verify_release_branch(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["role_arn"] == before["role_arn"]
    assert trusted_subject(cloud, after) == "repo:octo-org/website:ref:refs/heads/release"


CASE = ProgramCase("github-oidc", verify, Edit(set_config("test", branch="release"), (("update", ROLE),),
                                               verify_release_branch))
