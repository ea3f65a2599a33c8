"""aws:rds resource types: ParameterGroup (for DB instances) and ClusterParameterGroup (for Aurora clusters).
Both are a named set of engine parameters; they differ only in the names of their API calls and fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckResult, DiffResult, Props, as_string
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.modules.rds.shared import rds_tags, sync_rds_tags
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_list

_GONE = ("DBParameterGroupNotFound", "DBParameterGroupNotFoundFault")
_MAX_PARAMETERS_PER_CALL = 20  # ModifyDBParameterGroup takes at most 20 parameters a call


@dataclass(frozen=True)
class _Api:
    """The RDS calls and fields of one kind of parameter group."""

    kind: str  # DBParameterGroup or DBClusterParameterGroup: the calls' and fields' stem
    create: str
    describe: str
    modify: str
    delete: str
    parameters: str


_INSTANCE_API = _Api("DBParameterGroup", "create_db_parameter_group", "describe_db_parameter_groups",
                     "modify_db_parameter_group", "delete_db_parameter_group", "describe_db_parameters")
_CLUSTER_API = _Api("DBClusterParameterGroup", "create_db_cluster_parameter_group",
                    "describe_db_cluster_parameter_groups", "modify_db_cluster_parameter_group",
                    "delete_db_cluster_parameter_group", "describe_db_cluster_parameters")


def _parameter_key(parameter: Props) -> str:
    return str(parameter.get("name"))


class _ParameterGroup(AwsResource):
    api: ClassVar[_Api]
    name_property = "name"
    id_property = "name"
    name_prefix_property = "namePrefix"
    name_lowercase = True  # RDS keeps parameter group names in lowercase
    required = ("family",)
    defaults = {"description": "Managed by Pulumi"}
    force_new = frozenset({"name", "namePrefix", "family", "description"})
    outputs = frozenset({"arn"})

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Parameter values as strings (RDS takes strings) with Terraform's apply method, in a stable order."""
        news = dict(news)
        if isinstance(news.get("parameters"), list):
            news["parameters"] = sorted(
                ({**p, "value": as_string(p.get("value")), "applyMethod": p.get("applyMethod") or "immediate"}
                 for p in news["parameters"] if isinstance(p, dict)), key=_parameter_key)
        return super().check(logical_name, olds, news)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        rds, api = ctx.client("rds"), self.api
        name = self.physical_name(inputs)
        params: dict[str, Any] = {f"{api.kind}Name": name, "DBParameterGroupFamily": inputs["family"],
                                  "Description": inputs["description"]}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        getattr(rds, api.create)(**params)
        self._set_parameters(rds, name, inputs.get("parameters") or [])
        return name, {**inputs, **self.read_back(ctx, name, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        rds, api = ctx.client("rds"), self.api
        group = one_found(getattr(rds, api.describe), f"{api.kind}s", _GONE, **{f"{api.kind}Name": id})
        if group is None:
            return None
        arn = group[f"{api.kind}Arn"]
        return {
            "id": group[f"{api.kind}Name"],
            "name": group[f"{api.kind}Name"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "arn": arn,
            "family": group["DBParameterGroupFamily"],
            "description": group["Description"],
            "parameters": self._user_parameters(rds, id),
            **{key: state.get(key) for key in self._own_switches()},
            **rds_tags(ctx, state, rds.list_tags_for_resource(ResourceName=arn).get("TagList")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        rds = ctx.client("rds")
        if "parameters" in diff.changed:
            old = {_parameter_key(p): p for p in olds.get("parameters") or []}
            new = {_parameter_key(p): p for p in news.get("parameters") or []}
            removed = sorted(set(old) - set(new))
            if removed:
                raise OperationFailed(
                    f"parameter group {id}: removing parameters ({', '.join(removed)}) resets them to the engine's "
                    "defaults, which the local cloud (moto) cannot do (no ResetDBParameterGroup); set them to their "
                    "default values instead")
            self._set_parameters(rds, id, [p for key, p in new.items() if old.get(key) != p])
        sync_rds_tags(rds, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return
        # A group still used by an instance or cluster being deleted cannot be deleted yet.
        remove(getattr(ctx.client("rds"), self.api.delete), gone=_GONE, busy=("InvalidDBParameterGroupState",),
               **{f"{self.api.kind}Name": id})

    def _own_switches(self) -> tuple[str, ...]:
        return ()

    def _set_parameters(self, rds: Any, name: str, parameters: list[Props]) -> None:
        for start in range(0, len(parameters), _MAX_PARAMETERS_PER_CALL):
            batch = parameters[start:start + _MAX_PARAMETERS_PER_CALL]
            getattr(rds, self.api.modify)(**{f"{self.api.kind}Name": name}, Parameters=[
                {"ParameterName": p["name"], "ParameterValue": p["value"], "ApplyMethod": p["applyMethod"]}
                for p in batch])

    def _user_parameters(self, rds: Any, name: str) -> list[Props]:
        """The parameters set on the group (Source user), as Terraform reads them."""
        described = getattr(rds, self.api.parameters)(**{f"{self.api.kind}Name": name}, Source="user")
        return sorted(({"name": p["ParameterName"], "value": p.get("ParameterValue", ""),
                        "applyMethod": (p.get("ApplyMethod") or "immediate").lower()}
                       for p in described.get("Parameters") or [] if p.get("Source", "user") == "user"),
                      key=_parameter_key)


@resource_type
class ParameterGroup(_ParameterGroup):
    token = "aws:rds/parameterGroup:ParameterGroup"
    api = _INSTANCE_API
    handled = frozenset({"description", "parameters", "skipDestroy"})

    def _own_switches(self) -> tuple[str, ...]:
        return ("skipDestroy",)


@resource_type
class ClusterParameterGroup(_ParameterGroup):
    token = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
    api = _CLUSTER_API
    handled = frozenset({"description", "parameters"})
