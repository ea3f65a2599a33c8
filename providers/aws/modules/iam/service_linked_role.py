"""aws iam: service-linked roles, which IAM creates for an AWS service under a name and path the service sets."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.iam.roles import IAM_GONE, IamResource, sync_iam_tags
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tags_from_cloud
from envctl.providers.aws.waiting import wait_until
from envctl.providers.aws.wire import timestamp

_SERVICE_SUFFIX = ".amazonaws.com"


def role_name_of(arn: str) -> str:
    """The role's name: the last segment of its ARN (its path is /aws-service-role/<service>/)."""
    return arn.rsplit("/", 1)[-1]


@resource_type
class ServiceLinkedRole(IamResource):
    token = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
    required = ("awsServiceName",)
    force_new = frozenset({"awsServiceName", "customSuffix"})
    handled = frozenset({"customSuffix", "description"})
    outputs = frozenset({"arn", "createDate", "name", "path", "uniqueId"})
    gone_codes = IAM_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        service = inputs.get("awsServiceName")
        if isinstance(service, str) and not contains_unknown(service) and not service.endswith(_SERVICE_SUFFIX):
            return [CheckFailure("awsServiceName", f"awsServiceName must end with {_SERVICE_SUFFIX}; got {service!r}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam = ctx.client("iam")
        params: dict[str, Any] = {"AWSServiceName": inputs["awsServiceName"]}
        for wire, api in (("customSuffix", "CustomSuffix"), ("description", "Description")):
            if inputs.get(wire):
                params[api] = inputs[wire]
        role = iam.create_service_linked_role(**params)["Role"]
        # CreateServiceLinkedRole takes no tags: Terraform tags the role afterwards.
        sync_iam_tags(iam, "role", {"RoleName": role["RoleName"]}, {}, self.tags_all(ctx, urn, inputs))
        return role["Arn"], self.describe(ctx, role["Arn"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        name = role_name_of(id)
        if "description" in diff.changed:
            iam.update_role_description(RoleName=name, Description=news.get("description") or "")
        sync_iam_tags(iam, "role", {"RoleName": name}, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        try:
            task = iam.delete_service_linked_role(RoleName=role_name_of(id))["DeletionTaskId"]
        except iam.exceptions.NoSuchEntityException:
            return
        # Deletion is a task IAM runs; Terraform waits for it to end.
        wait_until(lambda: _deletion_over(iam, id, task), f"IAM to delete the service-linked role {id}")

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        role = ctx.client("iam").get_role(RoleName=role_name_of(id))["Role"]
        service = role["Path"].strip("/").split("/")[-1]
        name = role["RoleName"]
        return {
            **state,
            "id": role["Arn"],
            "arn": role["Arn"],
            "name": name,
            "path": role["Path"],
            "awsServiceName": service,
            "customSuffix": name.split("_")[1] if "_" in name else None,  # as Terraform reads it back
            "description": role.get("Description"),
            "createDate": timestamp(role["CreateDate"]),
            "uniqueId": role["RoleId"],
            **tags_from_cloud(ctx, state, tag_dict(role.get("Tags"))),
        }


def _deletion_over(iam: Any, arn: str, task: str) -> bool:
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    if status["Status"] == "FAILED":
        reason = (status.get("Reason") or {}).get("Reason", "")
        raise OperationFailed(f"{ServiceLinkedRole.token} {arn}: IAM could not delete the role: {reason}")
    return bool(status["Status"] == "SUCCEEDED")
