"""What the aws:apigateway types share: the client, ARNs, patch operations, reads and deletes that never ask the
local cloud about something already gone, and changes the local cloud cannot make in place.

The local cloud (moto) answers an internal error, not NotFoundException, when asked to delete (or, for some
parts, to get) what no longer exists, and it lacks several Update calls. Deletes therefore look first, and a
type names the inputs it cannot change in place: check refuses such a change, before anything is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, Props, as_string
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove

GONE = ("NotFoundException",)
Patch = dict[str, str]


def apigateway(ctx: AwsContext) -> Any:
    return ctx.client("apigateway")


def resource_arn(ctx: AwsContext, path: str) -> str:
    """An API Gateway resource's ARN, e.g. arn:aws:apigateway:us-east-1::/restapis/abc (no account)."""
    return ctx.arn("apigateway", path, account="")


def execution_arn(ctx: AwsContext, rest_api_id: str) -> str:
    return ctx.arn("execute-api", rest_api_id)


def replace(path: str, value: Any) -> Patch:
    """A replace operation: API Gateway takes every patched value as text ("" clears a text)."""
    return {"op": "replace", "path": path, "value": "" if value is None else str(as_string(value))}


def replace_changed(changed: tuple[str, ...], news: Props, paths: Mapping[str, str]) -> list[Patch]:
    """Replace operations for the changed inputs that `paths` maps to a patch path."""
    return [replace(paths[key], news.get(key)) for key in changed if key in paths]


def escaped(segment: str) -> str:
    """A value as one segment of a patch path (JSON pointer escaping: ~ as ~0, / as ~1)."""
    return segment.replace("~", "~0").replace("/", "~1")


def list_changes(path: str, old: list[str] | None, new: list[str] | None) -> list[Patch]:
    """Remove the items that went and add those that came, each addressed by its value (which is sent too)."""
    old_items, new_items = list(old or ()), list(new or ())
    return ([{"op": "remove", "path": f"{path}/{escaped(item)}", "value": item}
             for item in old_items if item not in new_items]
            + [{"op": "add", "path": f"{path}/{escaped(item)}", "value": item}
               for item in new_items if item not in old_items])


def dotted(props: Props, path: str) -> Any:
    value: Any = props
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


class ApiGatewayResource(AwsResource):
    """An aws:apigateway type. `fixed_locally` names the inputs (dotted paths reach into blocks) the local cloud
    cannot change in place, each with why; check refuses changing one unless a force-new input changes too."""

    gone_codes = GONE
    fixed_locally: ClassVar[Mapping[str, str]] = {}

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        result = super().check(logical_name, olds, news)
        if not olds or any(self._differs(key, olds.get(key), result.inputs.get(key)) for key in self.force_new):
            return result
        refused = [self._fixed(path, why) for path, why in self.fixed_locally.items()
                   if not contains_unknown(dotted(result.inputs, path))
                   and self._differs(path, dotted(olds, path), dotted(result.inputs, path))]
        return CheckResult(result.inputs, (*result.failures, *refused))

    def _fixed(self, path: str, why: str) -> CheckFailure:
        # Check runs before --replace is considered, and a part of a method replaced under the same id would be
        # deleted after its successor was put: removing the resource first is the way that works.
        return CheckFailure(path.split(".")[0], f"changing '{path}' of an existing {self.token} is not emulated by "
                            f"the local cloud ({why}); to change it, remove the resource from the program, run up, "
                            "then add it back changed")

    def delete_present(self, ctx: AwsContext, id: str, state: Props, delete: Callable[..., Any],
                       **params: Any) -> None:
        """Delete, after making sure it exists: the local cloud fails on deleting what is gone."""
        if self.read(ctx, id, state) is not None:
            remove(delete, gone=GONE, **params)


def found(call: Callable[..., Any], /, **params: Any) -> Any:
    """The call's answer; None when API Gateway answers that it does not exist."""
    return found_or_none(call, GONE, **params)
