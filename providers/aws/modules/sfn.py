"""aws:sfn resource types (Step Functions): StateMachine."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, json_equivalent
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until
from envctl.providers.aws.wire import timestamp

_GONE = ("StateMachineDoesNotExist",)
_TAG_KEYS = ("key", "value")  # Step Functions' names for a tag's key and value
# Inputs CreateStateMachine and UpdateStateMachine take under the same name.
_SETTINGS = ("definition", "roleArn", "tracingConfiguration", "encryptionConfiguration")


def _logging_to_api(logging: Props) -> Props:
    api: Props = {key: logging[key] for key in ("level", "includeExecutionData") if logging.get(key) is not None}
    if logging.get("logDestination"):
        api["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": logging["logDestination"]}}]
    return api


def _logging_from_api(logging: Props) -> Props:
    destinations = logging.get("destinations") or []
    group = (destinations[0].get("cloudWatchLogsLogGroup") or {}) if destinations else {}
    return {
        "level": logging.get("level"),
        "includeExecutionData": bool(logging.get("includeExecutionData")),
        "logDestination": group.get("logGroupArn", ""),
    }


def _settings_params(inputs: Props, keys: set[str]) -> dict[str, Any]:
    params: dict[str, Any] = {key: inputs[key] for key in _SETTINGS if key in keys and inputs.get(key) is not None}
    if "loggingConfiguration" in keys and inputs.get("loggingConfiguration"):
        params["loggingConfiguration"] = _logging_to_api(inputs["loggingConfiguration"])
    return params


@resource_type
class StateMachine(AwsResource):
    token = "aws:sfn/stateMachine:StateMachine"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 80
    required = ("definition", "roleArn")
    defaults = {"type": "STANDARD", "publish": False}
    force_new = frozenset({"name", "namePrefix", "type"})
    handled = frozenset({*_SETTINGS, "type", "publish", "loggingConfiguration"})
    outputs = frozenset({"arn", "creationDate", "description", "revisionId", "stateMachineVersionArn", "status",
                         "versionDescription"})
    documents = {"definition": json_equivalent}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {
            "name": self.physical_name(inputs),
            "type": inputs["type"],
            "publish": bool(inputs.get("publish")),
            **_settings_params(inputs, set(inputs)),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tag_list(tags, *_TAG_KEYS)
        created = ctx.client("stepfunctions").create_state_machine(**params)
        arn = created["stateMachineArn"]
        state = {**inputs, "stateMachineVersionArn": created.get("stateMachineVersionArn", "")}
        return arn, {**state, **self.read_back(ctx, arn, state)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        sfn = ctx.client("stepfunctions")
        machine = found_or_none(sfn.describe_state_machine, _GONE, stateMachineArn=id)
        if machine is None or machine.get("status") == "DELETING":
            return None
        cloud_tags = tag_dict(sfn.list_tags_for_resource(resourceArn=id).get("tags"), *_TAG_KEYS)
        return {
            "id": machine["stateMachineArn"],
            "arn": machine["stateMachineArn"],
            "name": machine["name"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "definition": document_from_cloud(state.get("definition"), machine["definition"], json_equivalent),
            "roleArn": machine["roleArn"],
            "type": machine["type"],
            "status": machine.get("status"),
            "creationDate": timestamp(machine["creationDate"]),
            "revisionId": machine.get("revisionId", ""),
            "description": machine.get("description", ""),
            "loggingConfiguration": _logging_from_api(machine.get("loggingConfiguration") or {}),
            "tracingConfiguration": {"enabled": bool((machine.get("tracingConfiguration") or {}).get("enabled"))},
            "encryptionConfiguration": machine.get("encryptionConfiguration"),
            # What the last create or update published, and envctl's own switch: neither is in the describe.
            "stateMachineVersionArn": state.get("stateMachineVersionArn", ""),
            "versionDescription": state.get("versionDescription", ""),
            "publish": state.get("publish"),
            **tags_from_cloud(ctx, state, cloud_tags),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        sfn = ctx.client("stepfunctions")
        state = {**news, "stateMachineVersionArn": olds.get("stateMachineVersionArn", "")}
        params = _settings_params(news, set(diff.changed))
        if params:
            updated = sfn.update_state_machine(stateMachineArn=id, publish=bool(news.get("publish")), **params)
            state["stateMachineVersionArn"] = updated.get("stateMachineVersionArn", state["stateMachineVersionArn"])
        sync_tags(
            olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
            lambda tags: sfn.tag_resource(resourceArn=id, tags=tag_list(tags, *_TAG_KEYS)),
            lambda keys: sfn.untag_resource(resourceArn=id, tagKeys=keys),
        )
        return {**state, **self.read_back(ctx, id, state)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("stepfunctions").delete_state_machine, gone=_GONE, stateMachineArn=id)
        wait_until(lambda: self.read(ctx, id, state) is None, f"state machine {id} to be deleted")
