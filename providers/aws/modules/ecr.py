"""aws:ecr resource types: Repository, RepositoryPolicy and LifecyclePolicy; the getAuthorizationToken,
getCredentials and getRepository invokes."""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar

from envctl.engine import properties
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext, lookup_context
from envctl.providers.aws.documents import canonical_json, document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import found_or_none, one_found, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import timestamp

# ---- Repository -----------------------------------------------------------------------------

_REPOSITORY_GONE = ("RepositoryNotFoundException",)


@resource_type
class Repository(AwsResource):
    token = "aws:ecr/repository:Repository"
    id_property = "name"
    name_property = "name"
    name_max_length = 256
    name_lowercase = True  # ECR repository names are lowercase
    defaults = {"imageTagMutability": "MUTABLE"}
    force_new = frozenset({"name", "encryptionConfigurations"})
    handled = frozenset({"imageTagMutability", "imageTagMutabilityExclusionFilters", "imageScanningConfiguration",
                         "encryptionConfigurations", "forceDelete"})
    outputs = frozenset({"arn", "registryId", "repositoryUrl"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {
            "repositoryName": inputs["name"],
            "imageTagMutability": inputs["imageTagMutability"],
            **_exclusion_filters(inputs),
        }
        scanning = inputs.get("imageScanningConfiguration")
        if scanning:
            params["imageScanningConfiguration"] = {"scanOnPush": bool(scanning.get("scanOnPush"))}
        encryption = (inputs.get("encryptionConfigurations") or [None])[0]
        if encryption:
            params["encryptionConfiguration"] = {
                "encryptionType": encryption.get("encryptionType") or "AES256",
                **({"kmsKey": encryption["kmsKey"]} if encryption.get("kmsKey") else {}),
            }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags)
        ctx.client("ecr").create_repository(**params)
        return inputs["name"], {**inputs, **self.read_back(ctx, inputs["name"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ecr = ctx.client("ecr")
        repository = one_found(ecr.describe_repositories, "repositories", _REPOSITORY_GONE, repositoryNames=[id])
        if repository is None:
            return None
        encryption = repository.get("encryptionConfiguration") or {}
        cloud_tags = tag_dict(ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags"))
        return {
            "id": repository["repositoryName"],
            "name": repository["repositoryName"],
            "arn": repository["repositoryArn"],
            "registryId": repository["registryId"],
            "repositoryUrl": repository["repositoryUri"],
            "imageTagMutability": repository["imageTagMutability"],
            "imageTagMutabilityExclusionFilters": repository.get("imageTagMutabilityExclusionFilters") or None,
            "imageScanningConfiguration": {
                "scanOnPush": bool((repository.get("imageScanningConfiguration") or {}).get("scanOnPush"))
            },
            "encryptionConfigurations": [
                {"encryptionType": encryption.get("encryptionType", "AES256"), "kmsKey": encryption.get("kmsKey", "")}
            ],
            "forceDelete": state.get("forceDelete"),  # envctl's own switch, not stored by AWS
            **tags_from_cloud(ctx, state, cloud_tags),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ecr = ctx.client("ecr")
        if {"imageTagMutability", "imageTagMutabilityExclusionFilters"} & set(diff.changed):
            ecr.put_image_tag_mutability(repositoryName=id, imageTagMutability=news["imageTagMutability"],
                                         **_exclusion_filters(news))
        if "imageScanningConfiguration" in diff.changed:
            scan_on_push = bool((news.get("imageScanningConfiguration") or {}).get("scanOnPush"))
            ecr.put_image_scanning_configuration(
                repositoryName=id, imageScanningConfiguration={"scanOnPush": scan_on_push}
            )
        arn = olds["arn"]
        sync_tags(
            olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
            lambda tags: ecr.tag_resource(resourceArn=arn, tags=tag_list(tags)),
            lambda keys: ecr.untag_resource(resourceArn=arn, tagKeys=keys),
        )
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # Without forceDelete, AWS refuses a repository that still holds images, as Terraform reports.
        remove(ctx.client("ecr").delete_repository, gone=_REPOSITORY_GONE, repositoryName=id,
               force=bool(state.get("forceDelete")))


def _exclusion_filters(inputs: Props) -> Props:
    """The tags exempt from the tag mutability setting (with a *_WITH_EXCLUSION mutability)."""
    filters = inputs.get("imageTagMutabilityExclusionFilters")
    return {"imageTagMutabilityExclusionFilters": filters} if filters else {}


# ---- RepositoryPolicy and LifecyclePolicy ---------------------------------------------------


def lifecycle_policies_equivalent(a: str, b: str) -> bool:
    """Terraform's equivalence of lifecycle policies: rule order and tag list order do not matter."""
    return _canonical_lifecycle(a) == _canonical_lifecycle(b)


def _canonical_lifecycle(text: str) -> str:
    policy = json.loads(text or "{}")
    rules = sorted(policy.get("rules") or [], key=lambda rule: rule.get("rulePriority") or 0)
    for rule in rules:
        selection = rule.get("selection") or {}
        for key in ("tagPatternList", "tagPrefixList"):
            if selection.get(key):
                selection[key] = sorted(selection[key])
            else:
                selection.pop(key, None)
    return canonical_json(json.dumps({**policy, "rules": rules}))


class _RepositoryDocument(AwsResource):
    """A JSON document attached to one repository; the repository name is its id."""

    required = ("repository", "policy")
    taggable = False
    handled = frozenset()
    outputs = frozenset({"registryId"})
    # The ECR API's calls and names for this kind of document.
    put_call: ClassVar[str]
    get_call: ClassVar[str]
    delete_call: ClassVar[str]
    text_field: ClassVar[str]
    missing_code: ClassVar[str]

    @property
    def _gone(self) -> tuple[str, ...]:
        return (*_REPOSITORY_GONE, self.missing_code)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        repository = inputs["repository"]
        getattr(ctx.client("ecr"), self.put_call)(repositoryName=repository, **{self.text_field: inputs["policy"]})
        return repository, {**inputs, **self.read_back(ctx, repository, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = found_or_none(getattr(ctx.client("ecr"), self.get_call), self._gone, repositoryName=id)
        if found is None:
            return None
        return {
            "id": found["repositoryName"],
            "repository": found["repositoryName"],
            "registryId": found["registryId"],
            "policy": document_from_cloud(state.get("policy"), found[self.text_field], self.documents["policy"]),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "policy" in diff.changed:
            getattr(ctx.client("ecr"), self.put_call)(repositoryName=id, **{self.text_field: news["policy"]})
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(getattr(ctx.client("ecr"), self.delete_call), gone=self._gone, repositoryName=id)


@resource_type
class RepositoryPolicy(_RepositoryDocument):
    token = "aws:ecr/repositoryPolicy:RepositoryPolicy"
    force_new = frozenset({"repository"})
    documents = {"policy": policies_equivalent}
    put_call, get_call, delete_call = "set_repository_policy", "get_repository_policy", "delete_repository_policy"
    text_field = "policyText"
    missing_code = "RepositoryPolicyNotFoundException"


@resource_type
class LifecyclePolicy(_RepositoryDocument):
    token = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
    force_new = frozenset({"repository", "policy"})  # Terraform has no in-place update for it
    documents = {"policy": lifecycle_policies_equivalent}
    put_call, get_call, delete_call = "put_lifecycle_policy", "get_lifecycle_policy", "delete_lifecycle_policy"
    text_field = "lifecyclePolicyText"
    missing_code = "LifecyclePolicyNotFoundException"


# ---- Invokes --------------------------------------------------------------------------------


def _docker_login(ctx: AwsContext, registry_id: str | None) -> Props:
    """A registry's docker login, the token split into user and password. Both the token and the password are
    sensitive, so they come back as secrets."""
    registries = {"registryIds": [registry_id]} if registry_id else {}
    data = ctx.client("ecr").get_authorization_token(**registries)["authorizationData"][0]
    token = data["authorizationToken"]
    user_name, _, password = base64.b64decode(token).decode().partition(":")
    return {
        "authorizationToken": properties.secret(token),
        "password": properties.secret(password),
        "userName": user_name,
        "expiresAt": timestamp(data["expiresAt"]),
        "proxyEndpoint": data["proxyEndpoint"],
    }


@invoke("aws:ecr/getAuthorizationToken:getAuthorizationToken")
def get_authorization_token(ctx: AwsContext, args: Props) -> Props:
    """Terraform's aws_ecr_authorization_token, whose id is the region."""
    ctx = lookup_context(ctx, args)
    return {**args, "id": ctx.region, **_docker_login(ctx, args.get("registryId")), "region": ctx.region}


@invoke("aws:ecr/getCredentials:getCredentials")
def get_credentials(ctx: AwsContext, args: Props) -> Props:
    """pulumi-aws's own aws_ecr_credentials: the same login for the registry it names, which is its id."""
    ctx = lookup_context(ctx, args)
    return {**args, "id": args["registryId"], **_docker_login(ctx, args["registryId"]), "region": ctx.region}


@invoke("aws:ecr/getRepository:getRepository")
def get_repository(ctx: AwsContext, args: Props) -> Props:
    """Terraform's aws_ecr_repository data source: the repository by name, with the tags of its newest image."""
    ctx = lookup_context(ctx, args)
    name = args["name"]
    outputs = Repository().read(ctx, name, {})
    if outputs is None:
        raise BadInput(f"getRepository: ECR repository {name!r} was not found; check the name and region")
    images = list(listed(ctx.client("ecr"), "describe_images", "imageDetails", repositoryName=name))
    newest = max(images, key=lambda image: image.get("imagePushedAt") or 0, default={})
    scanning = outputs["imageScanningConfiguration"]
    return {
        **args,
        **{key: outputs[key] for key in ("id", "name", "arn", "registryId", "repositoryUrl", "imageTagMutability",
                                         "encryptionConfigurations")},
        "imageTagMutabilityExclusionFilters": outputs["imageTagMutabilityExclusionFilters"] or [],
        "imageScanningConfigurations": [scanning],
        "mostRecentImageTags": list(newest.get("imageTags") or []),
        "tags": outputs["tagsAll"],
        "region": ctx.region,
    }
