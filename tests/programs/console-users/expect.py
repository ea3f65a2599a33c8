"""console-users: the user signs in with the generated password and must change it; turning that off replaces
the login profile (every input of it forces a new one), with a new password."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config, statements

LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"


def verify(cloud: Cloud, out: Outputs) -> None:
    iam = cloud.client("iam")
    profile = iam.get_login_profile(UserName="ops-alice")["LoginProfile"]
    assert profile["PasswordResetRequired"] is True
    assert len(out["initial_password"]) == 24
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="ops-alice")["Groups"]] == [out["group"]]
    [self_service] = iam.list_group_policies(GroupName=out["group"])["PolicyNames"]
    [grant] = statements(iam.get_group_policy(GroupName=out["group"], PolicyName=self_service)["PolicyDocument"])
    assert grant["Resource"] == "arn:aws:iam::*:user/${aws:username}"
    assert iam.list_user_policies(UserName="ops-alice")["PolicyNames"] == ["on-call"]
    entities = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert out["group"] in [g["GroupName"] for g in entities["PolicyGroups"]]


def verify_no_reset(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    profile = cloud.client("iam").get_login_profile(UserName="ops-alice")["LoginProfile"]
    assert profile["PasswordResetRequired"] is False
    assert after["initial_password"] != before["initial_password"]


CASE = ProgramCase("console-users", verify, Edit(set_config("test", resetPassword="false"),
                                                 (("replace", LOGIN_PROFILE),), verify_no_reset),
                   secret_outputs=("initial_password",))
