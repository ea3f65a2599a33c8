"""aws iam: inline policies of a role, a user or a group (RolePolicy, UserPolicy, GroupPolicy), one shape
written once: the id is `<principal>:<policy name>` (IAM names have no ':'), as Terraform's import id."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.modules.iam.roles import IAM_GONE, IamResource
from envctl.providers.aws.registry import resource_type


class InlinePolicy(IamResource):
    """A policy document embedded in a role, user or group (`principal`, also the noun of IAM's Put/Get/Delete
    calls); changing the principal or the name replaces it."""

    principal: ClassVar[str]
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    handled = frozenset()  # the principal, the name and the policy
    taggable = False
    documents = {"policy": policies_equivalent}
    gone_codes = IAM_GONE

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        """A create with a given name made `<principal>:<name>` (a prefixed name is not known beforehand)."""
        return [f"{inputs[self.principal]}:{inputs['name']}"] if inputs.get("name") else []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        self._put(ctx, inputs[self.principal], name, inputs["policy"])
        id = f"{inputs[self.principal]}:{name}"
        return id, self.describe(ctx, id, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        owner, name = policy_parts(id)
        self._put(ctx, owner, name, news["policy"])
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        owner, name = policy_parts(id)
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            getattr(iam, f"delete_{self.principal}_policy")(**self._address(owner, name))

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        owner, name = policy_parts(id)
        answer = getattr(ctx.client("iam"), f"get_{self.principal}_policy")(**self._address(owner, name))
        return {**state, "id": id, self.principal: owner, "name": name,
                "policy": document_from_cloud(state.get("policy"), answer["PolicyDocument"])}

    def _put(self, ctx: AwsContext, owner: str, name: str, document: str) -> None:
        put = getattr(ctx.client("iam"), f"put_{self.principal}_policy")
        put(**self._address(owner, name), PolicyDocument=document)

    def _address(self, owner: str, name: str) -> dict[str, Any]:
        return {f"{self.principal.capitalize()}Name": owner, "PolicyName": name}


def policy_parts(id: str) -> tuple[str, str]:
    """Principal and policy name from the id `<principal>:<name>`."""
    owner, _, name = id.partition(":")
    return owner, name


@resource_type
class RolePolicy(InlinePolicy):
    token = "aws:iam/rolePolicy:RolePolicy"
    principal = "role"
    required = ("role", "policy")
    force_new = frozenset({"name", "namePrefix", "role"})


@resource_type
class UserPolicy(InlinePolicy):
    token = "aws:iam/userPolicy:UserPolicy"
    principal = "user"
    required = ("user", "policy")
    force_new = frozenset({"name", "namePrefix", "user"})


@resource_type
class GroupPolicy(InlinePolicy):
    token = "aws:iam/groupPolicy:GroupPolicy"
    principal = "group"
    required = ("group", "policy")
    force_new = frozenset({"name", "namePrefix", "group"})
