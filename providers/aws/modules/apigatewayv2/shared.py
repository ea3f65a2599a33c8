"""What the aws:apigatewayv2 types share: an input's API name is its capitalised wire name, Create and Update
take the same parameters, and the parts of an API are addressed by the API's id and their own."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.wire import api_keys, api_name, wire_keys

GONE = ("NotFoundException",)
DEFAULT_STAGE = "$default"


@dataclass(frozen=True)
class Keyed:
    """A list input that the API takes as a map keyed by one field of each item."""

    wire: str
    api: str
    key: str
    value: str | None = None  # the item field holding the map's value; None: the rest of the item

    def to_api(self, items: list[Props]) -> dict[str, Any]:
        return {
            item[self.key]: item.get(self.value) if self.value else api_keys(without_key(item, self.key))
            for item in items or ()
        }

    def from_api(self, mapping: dict[str, Any] | None) -> list[Props] | None:
        if not mapping:
            return None
        return [
            {self.key: key, **({self.value: value} if self.value else wire_keys(value))}
            for key, value in sorted(mapping.items())
        ]


class ApiGatewayResource(AwsResource):
    """What the four types share: parameters from inputs, reads, updates, deletes and not-found handling."""

    noun: ClassVar[str]  # as in the client's create_/get_/update_/delete_ methods
    id_param: ClassVar[str]  # the parameter that names this resource
    settings: ClassVar[tuple[str, ...]] = ()  # inputs Create and Update take, and Get reports: those it implements
    renamed: ClassVar[dict[str, str]] = {}  # inputs whose API name is not their capitalised wire name
    keyed: ClassVar[tuple[Keyed, ...]] = ()
    user_maps: ClassVar[frozenset[str]] = frozenset()  # map inputs whose keys are the user's, never renamed
    unreported: ClassVar[frozenset[str]] = frozenset()  # inputs Get never answers with: kept from state
    gone_codes = GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("apigatewayv2")
        create = getattr(client, f"create_{self.noun}")
        id = create(**self._create_params(ctx, urn, inputs))[self.id_param]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        values = {}
        for key in (k for k in self.settings if k in diff.changed):
            value = news.get(key) if news.get(key) is not None else emptied(olds.get(key))
            if value is not None:
                values[key] = value
        params = self._to_api(values)
        if params:
            update = getattr(ctx.client("apigatewayv2"), f"update_{self.noun}")
            update(**self._address(id, news), **{**self._update_params(news), **params})
        self._after_update(ctx, urn, id, olds, news)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(getattr(ctx.client("apigatewayv2"), f"delete_{self.noun}"), gone=GONE, **self._address(id, state))

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        get = getattr(ctx.client("apigatewayv2"), f"get_{self.noun}")
        answer = get(**self._address(id, state))
        return {**self._from_api(answer, state), **self._computed(ctx, id, state, answer)}

    # ---- hooks the types override ----------------------------------------------------------

    def _create_params(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, Any]:
        params = self._to_api(self._set(inputs))
        if self.id_param != "ApiId":
            params["ApiId"] = inputs["apiId"]
        return params

    def _update_params(self, news: Props) -> dict[str, Any]:
        """Parameters every Update call must carry, changed or not."""
        return {}

    def _after_update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props) -> None:
        """Changes Update does not make (tags)."""

    def _computed(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        """Outputs that are not inputs."""
        return {}

    # ---- shared helpers --------------------------------------------------------------------

    def _address(self, id: str, props: Props) -> dict[str, str]:
        """The parameters naming this resource: its id, and its API's for the parts of an API."""
        address = {self.id_param: id}
        if self.id_param != "ApiId":
            address["ApiId"] = props["apiId"]
        return address

    def _set(self, props: Props) -> Props:
        return {key: props[key] for key in self.settings if props.get(key) is not None}

    def _to_api(self, values: Props) -> dict[str, Any]:
        keyed = {k.wire: k for k in self.keyed}
        plain = {k: v for k, v in values.items() if k not in keyed and k not in self.renamed}
        return {
            **api_keys(plain, self.user_maps),
            **{self.renamed[k]: v for k, v in values.items() if k in self.renamed},
            **{keyed[k].api: keyed[k].to_api(v) for k, v in values.items() if k in keyed},
        }

    def _from_api(self, answer: dict[str, Any], state: Props) -> Props:
        """Each setting as AWS reports it (absent: unset), but those Get never reports, kept from `state`."""
        keyed = {k.wire: k for k in self.keyed}
        outputs: Props = {}
        for key in self.settings:
            api = keyed[key].api if key in keyed else self.renamed.get(key, api_name(key))
            if key in self.unreported:
                outputs[key] = state.get(key)
            elif answer.get(api) is None:
                outputs[key] = None
            elif key in keyed:
                outputs[key] = keyed[key].from_api(answer[api])
            elif key in self.renamed:
                outputs[key] = answer[api]
            else:
                outputs[key] = wire_keys({api: answer[api]}, self.user_maps)[key]
        return outputs


class Tagged(ApiGatewayResource):
    """Api and Stage: tagged on creation, retagged through their ARN, and read back with Get (as in Terraform)."""

    @abstractmethod
    def _arn(self, ctx: AwsContext, id: str, props: Props) -> str:
        """The ARN that tags are changed through."""

    def _create_params(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, Any]:
        params = super()._create_params(ctx, urn, inputs)
        tags = self.tags_all(ctx, urn, inputs)
        return {**params, "Tags": tags} if tags else params

    def _after_update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props) -> None:
        client = ctx.client("apigatewayv2")
        arn = self._arn(ctx, id, news)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(ResourceArn=arn, Tags=tags),
                  lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys))

    def _tag_outputs(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        return {"arn": self._arn(ctx, id, state), **tags_from_cloud(ctx, state, answer.get("Tags") or {})}


def emptied(old: Any) -> Any:
    """What an Update takes to clear a removed input of the old value's type; None where nothing can."""
    for kind, empty in ((bool, False), (str, ""), (dict, {}), (list, [])):
        if isinstance(old, kind):
            return empty
    return None


def without_key(item: Props, key: str) -> Props:
    return {k: v for k, v in item.items() if k != key}
