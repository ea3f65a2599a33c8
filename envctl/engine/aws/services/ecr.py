"""aws:ecr resource types: Repository, RepositoryPolicy and LifecyclePolicy.

Also home, for now, of what the container and data services (ecr, ecs, lb, sfn, rds) share: failing
check on inputs a type does not implement, JSON documents compared by meaning, tag reconciliation and
waiting out AWS's eventual consistency. They belong in base.py, which these modules may not edit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from envctl.engine.aws.base import (
    AwsResource,
    CheckFailure,
    CheckResult,
    DiffResult,
    Props,
    contains_unknown,
    tag_changes,
    tag_dict,
    tag_list,
)
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.registry import resource_type
from envctl.engine.aws.services.iam import policies_equivalent, tags_from_cloud
from envctl.engine.aws.services.sqs import canonical_json
from envctl.errors import OperationFailed

# ---- shared by the container and data services ----------------------------------------------

Equivalence = Callable[[str, str], bool]
_EMPTY = (None, False, "", [], {})
_BUSY_TIMEOUT = 600.0  # seconds to wait for AWS to release what a delete depends on
_CONSISTENCY_TIMEOUT = 60.0  # seconds to wait for a write to show in reads


class DeclaredResource(AwsResource):
    """A type that fails check on any input it does not implement, rather than silently ignoring it.

    The inputs it implements are `handled` plus everything it declares anyway (auto-name, required,
    defaults, force-new and tags). `documents` names JSON inputs with the test of when two texts mean
    the same: check rejects text that is not JSON and diff ignores changes of form only.
    """

    handled: ClassVar[frozenset[str]] = frozenset()
    documents: ClassVar[Mapping[str, Equivalence]] = {}
    # Lists AWS keeps as sets (dotted paths reach into blocks): sorted in check, so order never shows as a diff.
    set_properties: ClassVar[tuple[str, ...]] = ()

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        news = dict(news)
        for path in self.set_properties:
            _sort_at(news, path.split("."))
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        names = {self.name_property, self.name_prefix_property} - {None}
        known = (
            self.handled | set(self.required) | set(self.defaults) | self.force_new | set(self.documents)
            | names | {"tags"}
        )
        failures = [
            CheckFailure(key, f"'{key}' is not supported by envctl's local engine for {self.token}")
            for key in sorted(inputs)
            if key not in known and inputs[key] not in _EMPTY
        ]
        return failures + json_failures(inputs, self.documents)

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        result = super().diff(olds, news, ignore_changes, replace_on_changes)
        same = {
            key for key, equivalent in self.documents.items()
            if key in result.changed and isinstance(olds.get(key), str) and isinstance(news.get(key), str)
            and not contains_unknown(news[key]) and _safely(equivalent, olds[key], news[key])
        }
        return DiffResult(
            tuple(k for k in result.changed if k not in same), tuple(k for k in result.replaces if k not in same)
        )

    def read_back(self, ctx: AwsContext, id: str, state: Props) -> Props:
        """Read after a write, waiting while AWS does not show the resource yet."""
        for last in _attempts(_CONSISTENCY_TIMEOUT):
            outputs = self.read(ctx, id, state)
            if outputs is not None:
                return outputs
            if last:
                break
        raise OperationFailed(f"{self.token} {id} was written but AWS does not show it; run refresh")


def _sort_at(props: Props, path: list[str]) -> None:
    """Sort the list of strings at `path` in place; blocks on the way are copied, not changed."""
    key, rest = path[0], path[1:]
    value = props.get(key)
    if rest and isinstance(value, dict):
        props[key] = dict(value)
        _sort_at(props[key], rest)
    elif not rest and isinstance(value, list) and all(isinstance(item, str) for item in value):
        props[key] = sorted(value)


def json_failures(inputs: Props, keys: Iterable[str]) -> list[CheckFailure]:
    failures = []
    for key in keys:
        value = inputs.get(key)
        if value is None or contains_unknown(value):
            continue
        try:
            json.loads(value)
        except (TypeError, ValueError) as error:
            failures.append(CheckFailure(key, f"'{key}' is not valid JSON: {error}"))
    return failures


def json_equivalent(a: str, b: str) -> bool:
    return canonical_json(a) == canonical_json(b)


def document_from_cloud(configured: Any, cloud: Any, equivalent: Equivalence) -> str:
    """The document to record from AWS's copy: the configured text when it means the same (as Terraform
    keeps it, so that formatting never shows as drift), else AWS's document in canonical form."""
    cloud_text = cloud if isinstance(cloud, str) else json.dumps(cloud)
    if isinstance(configured, str) and _safely(equivalent, configured, cloud_text):
        return configured
    return canonical_json(cloud_text)


def _safely(equivalent: Equivalence, a: str, b: str) -> bool:
    try:
        return equivalent(a, b)
    except (TypeError, ValueError, AttributeError):
        return False


def sync_tags(
    old: Mapping[str, str],
    new: Mapping[str, str],
    add: Callable[[dict[str, str]], Any],
    remove: Callable[[list[str]], Any],
) -> None:
    """Make a resource's tags go from `old` to `new` with the service's own tag and untag calls."""
    to_set, to_remove = tag_changes(dict(old), dict(new))
    if to_set:
        add(to_set)
    if to_remove:
        remove(to_remove)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def found_or_none(call: Callable[..., dict], gone: Iterable[str], /, **params: Any) -> dict | None:
    """AWS's answer, or None when it answers one of the `gone` error codes (the thing does not exist)."""
    try:
        return call(**params)
    except ClientError as error:
        if error_code(error) in set(gone):
            return None
        raise


def items_found(call: Callable[..., dict], list_key: str, gone: Iterable[str], /, **params: Any) -> list[dict]:
    """The items a describe call lists, or none when AWS answers that the thing asked for does not exist."""
    answer = found_or_none(call, gone, **params)
    return list(answer.get(list_key) or []) if answer else []


def remove(call: Callable[..., Any], /, gone: Iterable[str] = (), busy: Iterable[str] = (), **params: Any) -> None:
    """A delete: an error code in `gone` (already deleted) counts as done, and while AWS answers one in
    `busy` (a dependency still draining) the call is retried with backoff."""
    gone_codes, busy_codes = set(gone), set(busy)
    for last in _attempts(_BUSY_TIMEOUT):
        try:
            call(**params)
            return
        except ClientError as error:
            code = error_code(error)
            if code in gone_codes:
                return
            if last or code not in busy_codes:
                raise


def wait_until(done: Callable[[], bool], what: str, timeout: float = 600.0) -> None:
    """Poll until `done()` holds; fail with a message naming `what` when it never does."""
    for last in _attempts(timeout):
        if done():
            return
        if last:
            raise OperationFailed(f"timed out after {int(timeout)}s waiting for {what}")


def _attempts(timeout: float) -> Iterator[bool]:
    """Attempts with exponential backoff between them; each says whether it is the last one."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        yield time.monotonic() > deadline
        time.sleep(delay)
        delay = min(delay * 2, 10.0)


def lower_camel_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The `[{"key": ..., "value": ...}]` tag form of ECS and Step Functions."""
    return tag_list(dict(tags), key="key", value="value")


# ---- Repository -----------------------------------------------------------------------------

_REPOSITORY_GONE = ("RepositoryNotFoundException",)


@resource_type
class Repository(DeclaredResource):
    token = "aws:ecr/repository:Repository"
    id_property = "name"
    name_property = "name"
    name_max_length = 256
    name_lowercase = True  # ECR repository names are lowercase
    defaults = {"imageTagMutability": "MUTABLE"}
    force_new = frozenset({"name", "encryptionConfigurations"})
    handled = frozenset({"imageScanningConfiguration", "forceDelete"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {
            "repositoryName": inputs["name"],
            "imageTagMutability": inputs["imageTagMutability"],
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
        found = items_found(ecr.describe_repositories, "repositories", _REPOSITORY_GONE, repositoryNames=[id])
        if not found:
            return None
        repository = found[0]
        encryption = repository.get("encryptionConfiguration") or {}
        cloud_tags = tag_dict(ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags"))
        return {
            "id": repository["repositoryName"],
            "name": repository["repositoryName"],
            "arn": repository["repositoryArn"],
            "registryId": repository["registryId"],
            "repositoryUrl": repository["repositoryUri"],
            "imageTagMutability": repository["imageTagMutability"],
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
        if "imageTagMutability" in diff.changed:
            ecr.put_image_tag_mutability(repositoryName=id, imageTagMutability=news["imageTagMutability"])
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


class _RepositoryDocument(DeclaredResource):
    """A JSON document attached to one repository; the repository name is its id."""

    required = ("repository", "policy")
    taggable = False
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
