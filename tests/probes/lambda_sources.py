"""Probes of Lambda event source mappings, layer versions, aliases, function URLs and asynchronous invocation
settings."""

from __future__ import annotations

from probing import Probe, present

_GONE = "ResourceNotFoundException"


def _function(arn_or_name: str) -> str:
    return arn_or_name.split(":")[6] if arn_or_name.startswith("arn:") else arn_or_name


PROBES: dict[str, Probe] = {
    "aws:lambda/eventSourceMapping:EventSourceMapping": lambda c, id, o: present(
        lambda: c("lambda").get_event_source_mapping(UUID=id), _GONE),
    "aws:lambda/layerVersion:LayerVersion": lambda c, id, o: present(
        lambda: c("lambda").get_layer_version(LayerName=id.split(":")[-2], VersionNumber=int(id.split(":")[-1])),
        _GONE),
    "aws:lambda/alias:Alias": lambda c, id, o: present(
        lambda: c("lambda").get_alias(FunctionName=_function(id), Name=id.split(":")[-1]), _GONE),
    "aws:lambda/functionUrl:FunctionUrl": lambda c, id, o: present(
        lambda: c("lambda").get_function_url_config(FunctionName=id), _GONE),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": lambda c, id, o: present(
        lambda: c("lambda").get_function_event_invoke_config(FunctionName=id), _GONE),
}
