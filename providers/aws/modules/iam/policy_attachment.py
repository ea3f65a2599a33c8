"""aws iam: PolicyAttachment, every attachment of one managed policy to users, roles and groups, managed
exclusively (Terraform reads every entity the policy is attached to as this resource's)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.iam.roles import IamResource
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import in_configured_order

# Each entity input, the noun of IAM's attach/detach calls, and the key ListEntitiesForPolicy answers under.
_ENTITIES = (("users", "user", "PolicyUsers"), ("roles", "role", "PolicyRoles"), ("groups", "group", "PolicyGroups"))


@resource_type
class PolicyAttachment(IamResource):
    token = "aws:iam/policyAttachment:PolicyAttachment"
    id_property = "name"
    name_property = "name"
    required = ("policyArn",)
    force_new = frozenset({"name", "policyArn"})
    taggable = False
    handled = frozenset(wire for wire, _, _ in _ENTITIES)
    set_properties = tuple(wire for wire, _, _ in _ENTITIES)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if any(inputs.get(wire) for wire, _, _ in _ENTITIES):
            return []
        return [CheckFailure("users", "a policy attachment needs at least one of users, roles or groups")]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        _attach(ctx.client("iam"), inputs["policyArn"], inputs, {})
        return inputs["name"], self.read_back(ctx, inputs["name"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        _attach(ctx.client("iam"), news["policyArn"], news, olds)
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        _attach(ctx.client("iam"), state["policyArn"], {}, state)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        iam = ctx.client("iam")
        try:
            pages = list(iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=state["policyArn"]))
        except iam.exceptions.NoSuchEntityException:
            return None
        attached = {wire: [entity[f"{noun.capitalize()}Name"] for page in pages for entity in page.get(key) or ()]
                    for wire, noun, key in _ENTITIES}
        if not any(attached.values()):
            return None  # as Terraform: a policy attached to nothing is no attachment
        return {**state, "id": id, "name": id,
                **{wire: in_configured_order(state.get(wire), names) for wire, names in attached.items()}}


def _attach(iam: Any, policy_arn: str, wanted: Props, had: Props) -> None:
    """Attach the policy to the entities `wanted` names that `had` does not, and detach it from the others."""
    for wire, noun, _ in _ENTITIES:
        new, old = set(wanted.get(wire) or ()), set(had.get(wire) or ())
        for name in sorted(old - new):
            with suppress(iam.exceptions.NoSuchEntityException):
                getattr(iam, f"detach_{noun}_policy")(**{f"{noun.capitalize()}Name": name}, PolicyArn=policy_arn)
        for name in sorted(new - old):
            getattr(iam, f"attach_{noun}_policy")(**{f"{noun.capitalize()}Name": name}, PolicyArn=policy_arn)
