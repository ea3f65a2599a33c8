"""aws:lb/listenerRule:ListenerRule (and its aws:alb twin): a listener's rule, matched by conditions on the
request, with the same actions as a listener's default actions."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.engine.provider import CheckResult
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.lb.load_balancing import (
    ACTION,
    action_failures,
    aliases_of,
    elb_tags,
    from_api,
    sync_elb_tags,
    to_api,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_list

_RULE_GONE = ("RuleNotFound", "ListenerNotFound")
_NO_REGEX = "regular expression matches are not emulated by the local cloud (moto); give values"
# Each kind of condition: its block in pulumi-aws, the API's Field and config, and the config's fields
# (pulumi-aws name -> API name). queryStrings is a list of key/value pairs, the others one block.
_CONDITIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "hostHeader": ("host-header", "HostHeaderConfig", {"values": "Values"}),
    "pathPattern": ("path-pattern", "PathPatternConfig", {"values": "Values"}),
    "httpHeader": ("http-header", "HttpHeaderConfig", {"httpHeaderName": "HttpHeaderName", "values": "Values"}),
    "httpRequestMethod": ("http-request-method", "HttpRequestMethodConfig", {"values": "Values"}),
    "sourceIp": ("source-ip", "SourceIpConfig", {"values": "Values"}),
    "queryStrings": ("query-string", "QueryStringConfig", {"key": "Key", "value": "Value"}),
}
_FIELD_TO_CONDITION = {field: wire for wire, (field, _, _) in _CONDITIONS.items()}
_CONDITION_HINTS = {"regexValues": _NO_REGEX,
                    "ipAddressType": "source IP address types are not emulated by the local cloud (moto)"}
_ACTION_HINTS = {"jwtValidation": "JWT validation is not emulated by the local cloud (moto)",
                 "authenticateCognito": "Cognito authentication at the load balancer is not emulated by the local "
                                        "cloud (moto)",
                 "authenticateOidc": "OIDC authentication at the load balancer is not emulated by the local cloud "
                                     "(moto)"}


def _condition_to_api(condition: Props) -> dict[str, Any]:
    wire = next(key for key in _CONDITIONS if condition.get(key))
    field, config, names = _CONDITIONS[wire]
    block = condition[wire]
    if wire == "queryStrings":
        return {"Field": field, config: {"Values": [to_api(pair, _shape(names)) for pair in block]}}
    return {"Field": field, config: to_api(block, _shape(names))}


def _condition_from_api(condition: dict[str, Any]) -> Props:
    wire = _FIELD_TO_CONDITION[condition["Field"]]
    _, config, names = _CONDITIONS[wire]
    block = condition.get(config) or {"Values": condition.get("Values") or []}
    if wire == "queryStrings":
        return {wire: [from_api(pair, _shape(names)) for pair in block.get("Values") or []]}
    return {wire: from_api(block, _shape(names))}


def _sorted_values(condition: Any) -> Any:
    if not isinstance(condition, dict):
        return condition
    return {key: {**block, "values": sorted(block["values"])}
            if isinstance(block, dict) and isinstance(block.get("values"), list) else block
            for key, block in condition.items()}


def _shape(names: dict[str, str]) -> dict[str, tuple[str, None]]:
    return {wire: (api, None) for wire, api in names.items()}


def _listener_of(rule_arn: str) -> str:
    """A rule's ARN is its listener's, under listener-rule/, with the rule's own id after it."""
    return rule_arn.replace(":listener-rule/", ":listener/", 1).rpartition("/")[0]


@resource_type
class ListenerRule(AwsResource):
    token = "aws:lb/listenerRule:ListenerRule"
    aliases = aliases_of("listenerRule:ListenerRule")
    required = ("listenerArn", "actions", "conditions")
    force_new = frozenset({"listenerArn"})
    handled = frozenset({"priority"})
    unsupported = {"transforms": "host header and URL rewrites are not emulated by the local cloud (moto)"}
    outputs = frozenset({"arn"})

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Each condition's values are a set in Terraform: sorted, so that their order never shows as a diff."""
        conditions = news.get("conditions")
        if isinstance(conditions, list) and not contains_unknown(conditions):
            news = {**news, "conditions": [_sorted_values(condition) for condition in conditions]}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = action_failures(inputs, "actions")
        actions = inputs.get("actions") or []
        if not contains_unknown(actions):
            failures += unsupported_fields(self.token, "actions", actions, ACTION, _ACTION_HINTS)
        conditions = inputs.get("conditions") or []
        if contains_unknown(conditions):
            return failures
        for index, condition in enumerate(conditions):
            given = [key for key in _CONDITIONS if condition.get(key)]
            if len(given) != 1:
                failures.append(CheckFailure("conditions", f"conditions[{index}] must set exactly one of "
                                                           f"{', '.join(_CONDITIONS)}"))
                continue
            failures += unsupported_fields(self.token, f"conditions[{index}].{given[0]}", condition[given[0]],
                                           _CONDITIONS[given[0]][2], _CONDITION_HINTS)
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        # As Terraform: without a priority in the program, the rule keeps the one it has.
        return diff.without(["priority"]) if news.get("priority") is None else diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        elb = ctx.client("elbv2")
        listener = inputs["listenerArn"]
        priority = inputs.get("priority") or self._next_priority(elb, listener)
        params: dict[str, Any] = {
            "ListenerArn": listener,
            "Priority": priority,
            "Conditions": [_condition_to_api(condition) for condition in inputs["conditions"]],
            "Actions": to_api(inputs["actions"], ACTION),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = elb.create_rule(**params)["Rules"][0]["RuleArn"]
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    @staticmethod
    def _next_priority(elb: Any, listener: str) -> int:
        """Terraform's priority for a rule that gives none: one above the listener's highest."""
        rules = listed(elb, "describe_rules", "Rules", ListenerArn=listener)
        return max((int(rule["Priority"]) for rule in rules if rule["Priority"] != "default"), default=0) + 1

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        elb = ctx.client("elbv2")
        rule = one_found(elb.describe_rules, "Rules", _RULE_GONE, RuleArns=[id])
        if rule is None:
            return None
        return {
            "id": rule["RuleArn"],
            "arn": rule["RuleArn"],
            "listenerArn": state.get("listenerArn") or _listener_of(rule["RuleArn"]),
            "priority": int(rule["Priority"]),
            "conditions": [_condition_from_api(condition) for condition in rule.get("Conditions") or []],
            "actions": from_api(rule.get("Actions") or [], ACTION),
            "transforms": None,
            **elb_tags(ctx, elb, rule["RuleArn"], state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        elb = ctx.client("elbv2")
        changed = set(diff.changed)
        if "priority" in changed and news.get("priority"):
            elb.set_rule_priorities(RulePriorities=[{"RuleArn": id, "Priority": news["priority"]}])
        if changed & {"conditions", "actions"}:
            elb.modify_rule(RuleArn=id, Conditions=[_condition_to_api(c) for c in news["conditions"]],
                            Actions=to_api(news["actions"], ACTION))
        sync_elb_tags(elb, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("elbv2").delete_rule, gone=_RULE_GONE, RuleArn=id)
