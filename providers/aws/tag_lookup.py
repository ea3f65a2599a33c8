"""Which environment and URN a resource in AWS belongs to, from the tags envctl puts on everything it creates
(`envctl:env`, `envctl:urn`): how `audit` finds the lineage of a resource the ledger does not know by its id."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from envctl.cloud.target import CloudTarget
from envctl.providers.aws.context import ENV_TAG, URN_TAG, AwsContext
from envctl.providers.aws.tags import tag_dict


def envctl_tags(target: CloudTarget, thing: str) -> tuple[str, str] | None:
    """(env, URN tag) of the resource `thing` (an ARN or an EC2 id) names, or None when the cloud does not answer
    or the resource has no such tags."""
    arn_region = thing.split(":")[3] if thing.startswith("arn:") and thing.count(":") >= 5 else ""
    ctx = AwsContext(region=arn_region or target.default_region, endpoint_url=target.endpoint_url,
                     access_key=target.access_key, secret_key=target.secret_key)
    try:
        tags = _tags(ctx, thing)
    except (BotoCoreError, ClientError):
        return None
    if ENV_TAG not in tags or URN_TAG not in tags:
        return None
    return tags[ENV_TAG], tags[URN_TAG]


def _tags(ctx: AwsContext, thing: str) -> dict[str, str]:
    if not thing.startswith("arn:"):  # a physical id: EC2's ids are the ones not found by ARN
        return tag_dict(ctx.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [thing]}])["Tags"])
    service, resource = thing.split(":")[2], thing.split(":", 5)[-1]
    if service == "iam":  # IAM is outside the tagging API
        iam = ctx.client("iam")
        kind, _, path = resource.partition("/")
        name = path.rpartition("/")[2]
        listed = {"role": lambda: iam.list_role_tags(RoleName=name), "user": lambda: iam.list_user_tags(UserName=name),
                  "policy": lambda: iam.list_policy_tags(PolicyArn=thing)}.get(kind)
        return tag_dict(listed()["Tags"]) if listed else {}
    tagging = ctx.client("resourcegroupstaggingapi")
    found = tagging.get_resources(ResourceARNList=[thing.removesuffix(":*")])["ResourceTagMappingList"]
    return tag_dict(found[0]["Tags"]) if found else {}
