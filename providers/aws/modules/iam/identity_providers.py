"""aws iam: OpenID Connect identity providers (e.g. GitHub Actions' token issuer, an EKS cluster's)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.iam.roles import IAM_GONE, IamResource, sync_iam_tags
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list, tags_from_cloud

_THUMBPRINT_LENGTH = 40  # a SHA-1 fingerprint in hex
_SCHEME = "https://"


def issuer(url: str) -> str:
    """The issuer as IAM keeps it: without its https:// scheme (Terraform's suppressOpenIDURL compares so)."""
    return url[len(_SCHEME):] if url.startswith(_SCHEME) else url


@resource_type
class OpenIdConnectProvider(IamResource):
    token = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    required = ("clientIdLists", "url")
    force_new = frozenset({"url"})
    handled = frozenset({"thumbprintLists"})
    outputs = frozenset({"arn"})
    set_properties = ("clientIdLists",)
    gone_codes = IAM_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        url = inputs.get("url")
        if isinstance(url, str) and not url.startswith(_SCHEME):
            failures.append(CheckFailure("url", f"url must start with {_SCHEME}; got {url!r}"))
        thumbprints = inputs.get("thumbprintLists")
        if isinstance(thumbprints, list) and not contains_unknown(thumbprints):
            failures.extend(CheckFailure("thumbprintLists", f"thumbprint {t!r} is not {_THUMBPRINT_LENGTH} characters")
                            for t in thumbprints if len(t) != _THUMBPRINT_LENGTH)
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """The same issuer with or without its scheme is no change; thumbprints are Optional+Computed in
        Terraform: a program that drops them keeps those IAM has."""
        unchanged = []
        if "url" in diff.changed and isinstance(news.get("url"), str) and isinstance(olds.get("url"), str) \
                and issuer(olds["url"]) == issuer(news["url"]):
            unchanged.append("url")
        if "thumbprintLists" in diff.changed and not news.get("thumbprintLists"):
            unchanged.append("thumbprintLists")
        return diff.without(unchanged)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"Url": inputs["url"], "ClientIDList": inputs["clientIdLists"]}
        if inputs.get("thumbprintLists"):
            params["ThumbprintList"] = inputs["thumbprintLists"]
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        arn = ctx.client("iam").create_open_id_connect_provider(**params)["OpenIDConnectProviderArn"]
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        if "clientIdLists" in diff.changed:
            # Terraform adds and removes client ids one by one; moto has neither call.
            raise OperationFailed(
                f"{self.token} {id}: the local cloud cannot change a provider's client ids "
                "(AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider are not emulated); "
                "replace the provider instead (e.g. with the replaceOnChanges option on clientIdLists)")
        if "thumbprintLists" in diff.changed and news.get("thumbprintLists"):
            iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=id,
                                                           ThumbprintList=news["thumbprintLists"])
        sync_iam_tags(iam, "open_id_connect_provider", {"OpenIDConnectProviderArn": id}, olds.get("tagsAll") or {},
                      self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        provider = ctx.client("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=id)
        return {
            **state,
            "id": id,
            "arn": id,
            "url": provider["Url"],  # as Terraform reads it: the issuer without its scheme
            "clientIdLists": sorted(provider.get("ClientIDList") or []),
            "thumbprintLists": provider.get("ThumbprintList") or [],
            **tags_from_cloud(ctx, state, tag_dict(provider.get("Tags"))),
        }
