"""aws iam: a user's console password (UserLoginProfile), generated as Terraform generates it."""

from __future__ import annotations

import secrets
import string

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.iam.roles import IAM_GONE, IamResource
from envctl.providers.aws.registry import resource_type

_SYMBOLS = "!@#$%^&*()_+-=[]{}|'"  # Terraform's charSymbols
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, _SYMBOLS)
_LENGTHS = range(5, 129)
_PGP_OUTPUTS = ("encryptedPassword", "keyFingerprint")  # only with a pgpKey


def iam_password(length: int) -> str:
    """Terraform's generateIAMPassword: random characters of its four classes, drawn until each class is in it
    (what IAM's strictest password policy asks)."""
    alphabet = "".join(_CLASSES)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(char in kind for char in password) for kind in _CLASSES):
            return password


@resource_type
class UserLoginProfile(IamResource):
    token = "aws:iam/userLoginProfile:UserLoginProfile"
    required = ("user",)
    defaults = {"passwordLength": 20}
    force_new = frozenset({"user", "pgpKey", "passwordLength", "passwordResetRequired"})
    taggable = False
    handled = frozenset({"passwordLength", "passwordResetRequired"})
    unsupported = {"pgpKey": "the local engine does not encrypt with PGP; leave it out and read the password "
                             "output (it is kept secret)"}
    outputs = frozenset({"password", *_PGP_OUTPUTS})
    secret = frozenset({"password"})
    gone_codes = IAM_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        length = inputs.get("passwordLength")
        if isinstance(length, int) and not contains_unknown(length) and length not in _LENGTHS:
            return [CheckFailure("passwordLength", f"passwordLength must be between {_LENGTHS.start} and "
                                                   f"{_LENGTHS.stop - 1}; got {length}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam, user = ctx.client("iam"), inputs["user"]
        password = iam_password(inputs["passwordLength"])
        reset = bool(inputs.get("passwordResetRequired"))
        profile = iam.create_login_profile(UserName=user, Password=password, PasswordResetRequired=reset)
        if bool(profile["LoginProfile"].get("PasswordResetRequired")) != reset:
            # moto's CreateLoginProfile ignores the flag (keeping the user's last one); UpdateLoginProfile sets it,
            # and moto's needs the password again.
            iam.update_login_profile(UserName=user, Password=password, PasswordResetRequired=reset)
        # The password can only be known now, so it lives in state (secret; in the clear without a PGP key).
        return user, self.read_back(ctx, user, {**inputs, "password": password, **dict.fromkeys(_PGP_OUTPUTS)})

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Every input forces a replacement, so nothing changes in place.
        return self.read_back(ctx, id, {**olds, **news})

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        try:
            iam.delete_login_profile(UserName=id)
        except iam.exceptions.NoSuchEntityException:
            return

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        profile = ctx.client("iam").get_login_profile(UserName=id)["LoginProfile"]
        return {**state, "id": id, "user": profile["UserName"],
                "passwordResetRequired": bool(profile.get("PasswordResetRequired"))}
