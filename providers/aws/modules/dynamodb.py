"""aws:dynamodb resource types: Table and TableItem; the getTable invoke."""

from __future__ import annotations

import base64
import json
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, unsupported_input
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.documents import document_from_cloud, json_equivalent
from envctl.providers.aws.errors import remove
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until

_PROVISIONED = "PROVISIONED"
_BILLING_MODES = (_PROVISIONED, "PAY_PER_REQUEST")
_GONE = ("ResourceNotFoundException",)
_WAIT_SECONDS = 30 * 60  # Terraform's create timeout for a table
_DELETE_WAITER = {"Delay": 5, "MaxAttempts": 120}
_RESTORE_INPUTS = ("restoreBackupArn", "restoreDateTime", "restoreSourceName", "restoreSourceTableArn",
                   "restoreToLatestTime")
_UNSUPPORTED_INDEX_SETTINGS = {
    "keySchemas": "give the index's key as hashKey and rangeKey",
    "onDemandThroughput": "maximum on-demand throughput is not emulated by the local cloud",
    "warmThroughput": "warm throughput is not implemented",
}
_VALIDATED = (
    "billingMode",
    "readCapacity",
    "writeCapacity",
    "attributes",
    "hashKey",
    "rangeKey",
    "globalSecondaryIndexes",
    "localSecondaryIndexes",
    "streamEnabled",
    "streamViewType",
)


@resource_type
class Table(AwsResource):
    token = "aws:dynamodb/table:Table"
    id_property = "name"
    name_property = "name"
    defaults = {"billingMode": _PROVISIONED, "tableClass": "STANDARD"}
    force_new = frozenset({"name", "hashKey", "rangeKey", "localSecondaryIndexes"})
    handled = frozenset({
        "attributes", "hashKey", "rangeKey", "billingMode", "readCapacity", "writeCapacity", "globalSecondaryIndexes",
        "localSecondaryIndexes", "streamEnabled", "streamViewType", "tableClass", "deletionProtectionEnabled", "ttl",
        "pointInTimeRecovery",
    })
    unsupported = {
        **dict.fromkeys(_RESTORE_INPUTS, "restoring a table from a backup or a point in time is not implemented; "
                                         "create the table and load its items"),
        "importTable": "importing a table from S3 is not implemented; create the table and load its items",
        "replicas": "global table replicas are not implemented; declare a table in each region",
        "globalTableWitness": "global tables are not implemented",
        "serverSideEncryption": "encryption settings are not implemented (the local cloud cannot change a table's "
                                "encryption); leave it out for the default encryption with an AWS owned key",
        "onDemandThroughput": "maximum on-demand throughput is not emulated by the local cloud",
        "warmThroughput": "warm throughput is not implemented",
    }
    outputs = frozenset({"arn", "streamArn", "streamLabel"})
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """What CreateTable would reject: undeclared key attributes, unused attributes, missing capacity."""
        if contains_unknown({key: inputs.get(key) for key in _VALIDATED}):
            return []  # a preview may not know these yet
        # pulumi-aws takes the key from a restored or imported table as an alternative, which envctl refuses.
        failures = [CheckFailure(key, f"missing required property '{key}'")
                    for key in ("hashKey", "attributes") if not inputs.get(key)]
        failures.extend(_unsupported_index_settings(inputs))
        billing = inputs.get("billingMode")
        if billing not in _BILLING_MODES:
            failures.append(CheckFailure("billingMode", f"must be one of {', '.join(_BILLING_MODES)}"))
        if billing == _PROVISIONED:
            failures.extend(_missing_capacities(inputs))
        declared = {a.get("name") for a in inputs.get("attributes") or ()}
        used = _key_attributes(inputs)
        failures.extend(
            CheckFailure("attributes", f"key attribute '{name}' is not declared in attributes")
            for name in sorted(used - declared)
        )
        failures.extend(
            CheckFailure("attributes", f"attribute '{name}' is not used by the table or an index key")
            for name in sorted(declared - used)
        )
        if inputs.get("streamEnabled") and not inputs.get("streamViewType"):
            failures.append(CheckFailure("streamViewType", "required when streamEnabled is true"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("dynamodb")
        name = inputs["name"]
        billing = inputs["billingMode"]
        params: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": _attribute_definitions(inputs),
            "KeySchema": _key_schema(inputs["hashKey"], inputs.get("rangeKey")),
            "BillingMode": billing,
            "TableClass": inputs["tableClass"],
        }
        if billing == _PROVISIONED:
            params["ProvisionedThroughput"] = _throughput(inputs)
        if inputs.get("globalSecondaryIndexes"):
            params["GlobalSecondaryIndexes"] = [_gsi(index, billing) for index in inputs["globalSecondaryIndexes"]]
        if inputs.get("localSecondaryIndexes"):
            params["LocalSecondaryIndexes"] = [
                _lsi(index, inputs["hashKey"]) for index in inputs["localSecondaryIndexes"]
            ]
        if inputs.get("streamEnabled"):
            params["StreamSpecification"] = _stream(inputs)
        if inputs.get("deletionProtectionEnabled") is not None:
            params["DeletionProtectionEnabled"] = bool(inputs["deletionProtectionEnabled"])
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        client.create_table(**params)
        _wait_until_active(client, name)
        if (inputs.get("ttl") or {}).get("enabled"):
            _put_ttl(client, name, inputs["ttl"])
        if (inputs.get("pointInTimeRecovery") or {}).get("enabled"):
            _put_point_in_time_recovery(client, name, inputs["pointInTimeRecovery"])
        return name, {**inputs, **self.describe(ctx, name, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("dynamodb")
        changed = set(diff.changed)
        # UpdateTable takes one kind of change per call, so each is its own call, waited for.
        if changed & {"billingMode", "readCapacity", "writeCapacity"}:
            _update_billing(client, id, olds, news)
        if changed & {"streamEnabled", "streamViewType"}:
            if olds.get("streamEnabled") and news.get("streamEnabled"):  # a view type changes by re-enabling
                _update_table(client, id, StreamSpecification={"StreamEnabled": False})
            if olds.get("streamEnabled") or news.get("streamEnabled"):
                _update_table(client, id, StreamSpecification=_stream(news))
        if "tableClass" in changed:
            _update_table(client, id, TableClass=news["tableClass"])
        if "deletionProtectionEnabled" in changed:
            _update_table(client, id, DeletionProtectionEnabled=bool(news.get("deletionProtectionEnabled")))
        if "globalSecondaryIndexes" in changed:
            _update_global_indexes(client, id, news)
        # ttl and pointInTimeRecovery are Optional+Computed in Terraform: absent means unmanaged.
        if "ttl" in changed and news.get("ttl"):
            _put_ttl(client, id, news["ttl"], previous=olds.get("ttl"))
        if "pointInTimeRecovery" in changed and news.get("pointInTimeRecovery"):
            _put_point_in_time_recovery(client, id, news["pointInTimeRecovery"])
        arn = olds.get("arn") or ctx.arn("dynamodb", f"table/{id}")
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(ResourceArn=arn, Tags=tag_list(tags)),
                  lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("dynamodb")
        remove(client.delete_table, gone=_GONE, TableName=id)
        client.get_waiter("table_not_exists").wait(TableName=id, WaiterConfig=_DELETE_WAITER)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("dynamodb")
        table = client.describe_table(TableName=id)["Table"]
        ttl = client.describe_time_to_live(TableName=id)["TimeToLiveDescription"]
        backups = client.describe_continuous_backups(TableName=id)["ContinuousBackupsDescription"]
        tags = _table_tags(client, table["TableArn"])
        keys = {key["KeyType"]: key["AttributeName"] for key in table["KeySchema"]}
        throughput = table.get("ProvisionedThroughput") or {}
        stream = table.get("StreamSpecification") or {}
        return {
            "name": table["TableName"],
            "arn": table["TableArn"],
            "attributes": [
                {"name": a["AttributeName"], "type": a["AttributeType"]} for a in table["AttributeDefinitions"]
            ],
            "hashKey": keys["HASH"],
            "rangeKey": keys.get("RANGE"),
            "billingMode": (table.get("BillingModeSummary") or {}).get("BillingMode", _PROVISIONED),
            "readCapacity": int(throughput.get("ReadCapacityUnits", 0)),
            "writeCapacity": int(throughput.get("WriteCapacityUnits", 0)),
            "globalSecondaryIndexes": [_read_index(index) for index in table.get("GlobalSecondaryIndexes") or ()],
            "localSecondaryIndexes": [_read_index(index) for index in table.get("LocalSecondaryIndexes") or ()],
            "streamEnabled": bool(stream.get("StreamEnabled")),
            "streamViewType": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
            "streamArn": table.get("LatestStreamArn"),
            "streamLabel": table.get("LatestStreamLabel"),
            "tableClass": (table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
            "deletionProtectionEnabled": bool(table.get("DeletionProtectionEnabled")),
            "ttl": {
                "attributeName": ttl.get("AttributeName", ""),
                "enabled": ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING"),
            },
            "pointInTimeRecovery": _read_point_in_time_recovery(backups),
            **tags_from_cloud(ctx, state, tags),
        }


def _unsupported_index_settings(inputs: Props) -> list[CheckFailure]:
    """Global index settings envctl does not implement: refused, as the table's own are."""
    return [
        unsupported_input(Table.token, f"globalSecondaryIndexes[{i}].{key}", hint)
        for i, index in enumerate(inputs.get("globalSecondaryIndexes") or ())
        for key, hint in _UNSUPPORTED_INDEX_SETTINGS.items() if index.get(key)
    ]


def _missing_capacities(inputs: Props) -> list[CheckFailure]:
    """A PROVISIONED table and each of its GSIs need both capacities."""
    holders = [("", inputs)]
    holders += [
        (f"globalSecondaryIndexes[{i}].", gsi) for i, gsi in enumerate(inputs.get("globalSecondaryIndexes") or ())
    ]
    return [
        CheckFailure(where + key, "required when billingMode is PROVISIONED")
        for where, props in holders
        for key in ("readCapacity", "writeCapacity")
        if props.get(key) is None
    ]


def _key_attributes(inputs: Props) -> set[str]:
    """Every attribute a table or index key uses; DynamoDB accepts attribute definitions for these only."""
    names = {inputs.get("hashKey"), inputs.get("rangeKey")}
    for index in inputs.get("globalSecondaryIndexes") or ():
        names.update((index.get("hashKey"), index.get("rangeKey")))
    for index in inputs.get("localSecondaryIndexes") or ():
        names.add(index.get("rangeKey"))
    return {name for name in names if name}


def _attribute_definitions(inputs: Props) -> list[dict[str, str]]:
    return [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs.get("attributes") or ()]


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _throughput(props: Props) -> dict[str, int]:
    return {"ReadCapacityUnits": int(props["readCapacity"]), "WriteCapacityUnits": int(props["writeCapacity"])}


def _projection(index: Props) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index["projectionType"]}
    if index.get("nonKeyAttributes"):
        projection["NonKeyAttributes"] = list(index["nonKeyAttributes"])
    return projection


def _gsi(index: Props, billing: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "IndexName": index["name"],
        "KeySchema": _key_schema(index["hashKey"], index.get("rangeKey")),
        "Projection": _projection(index),
    }
    if billing == _PROVISIONED:
        spec["ProvisionedThroughput"] = _throughput(index)
    return spec


def _lsi(index: Props, hash_key: str) -> dict[str, Any]:
    return {
        "IndexName": index["name"],
        "KeySchema": _key_schema(hash_key, index["rangeKey"]),
        "Projection": _projection(index),
    }


def _read_index(index: dict[str, Any]) -> Props:
    """A GSI or LSI as pulumi-aws shows it; the hash key of an LSI is the table's and is not shown."""
    keys = {key["KeyType"]: key["AttributeName"] for key in index["KeySchema"]}
    projection = index.get("Projection") or {}
    shown: Props = {"name": index["IndexName"], "rangeKey": keys.get("RANGE")}
    shown["projectionType"] = projection.get("ProjectionType")
    if projection.get("NonKeyAttributes"):
        shown["nonKeyAttributes"] = list(projection["NonKeyAttributes"])
    if "IndexStatus" in index:  # only global indexes have a status, their own hash key and throughput
        throughput = index.get("ProvisionedThroughput") or {}
        shown["hashKey"] = keys["HASH"]
        shown["readCapacity"] = int(throughput.get("ReadCapacityUnits", 0))
        shown["writeCapacity"] = int(throughput.get("WriteCapacityUnits", 0))
    return shown


def _index_shape(index: Props) -> tuple[Any, ...]:
    """What cannot change on an existing GSI: a change here means deleting and re-creating it."""
    return (
        index.get("hashKey"),
        index.get("rangeKey"),
        index.get("projectionType"),
        sorted(index.get("nonKeyAttributes") or ()),
    )


def _update_billing(client: Any, table: str, olds: Props, news: Props) -> None:
    """Set billing mode and capacity; a switch to PROVISIONED must give every existing GSI a capacity too."""
    changes: dict[str, Any] = {"BillingMode": news["billingMode"]}
    if news["billingMode"] == _PROVISIONED:
        changes["ProvisionedThroughput"] = _throughput(news)
        if olds.get("billingMode") != _PROVISIONED:
            wanted = {index["name"]: index for index in news.get("globalSecondaryIndexes") or ()}
            changes["GlobalSecondaryIndexUpdates"] = [
                {"Update": {"IndexName": name, "ProvisionedThroughput": _throughput(wanted.get(name, news))}}
                for name in (index["name"] for index in olds.get("globalSecondaryIndexes") or ())
            ]
    _update_table(client, table, **changes)


def _update_global_indexes(client: Any, table: str, news: Props) -> None:
    """Bring the table's GSIs to `news`, one index operation per UpdateTable call (DynamoDB's limit)."""
    billing = news["billingMode"]
    attributes = _attribute_definitions(news)
    described = client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes") or ()
    now = {index["IndexName"]: _read_index(index) for index in described}
    wanted = {index["name"]: index for index in news.get("globalSecondaryIndexes") or ()}
    for name in list(now):
        if name not in wanted or _index_shape(now[name]) != _index_shape(wanted[name]):
            _update_table(client, table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
            del now[name]
    for name, index in wanted.items():
        if name not in now:
            create = {"Create": _gsi(index, billing)}
            _update_table(client, table, AttributeDefinitions=attributes, GlobalSecondaryIndexUpdates=[create])
        elif billing == _PROVISIONED and _throughput(now[name]) != _throughput(index):
            update = {"Update": {"IndexName": name, "ProvisionedThroughput": _throughput(index)}}
            _update_table(client, table, GlobalSecondaryIndexUpdates=[update])


def _update_table(client: Any, table: str, **changes: Any) -> None:
    client.update_table(TableName=table, **changes)
    _wait_until_active(client, table)


def _wait_until_active(client: Any, table: str) -> None:
    """Wait until the table and all its global indexes are ACTIVE (creating, updating or backfilling ends)."""
    wait_until(lambda: _is_active(client.describe_table(TableName=table)["Table"]),
               f"DynamoDB table {table} and its indexes to be ACTIVE", _WAIT_SECONDS)


def _is_active(table: dict[str, Any]) -> bool:
    indexes = table.get("GlobalSecondaryIndexes") or ()
    return all(status == "ACTIVE" for status in (table["TableStatus"], *(i.get("IndexStatus") for i in indexes)))


def _put_ttl(client: Any, table: str, ttl: Props, previous: Props | None = None) -> None:
    """DynamoDB needs the attribute name even to disable TTL; Terraform keeps the old one for that."""
    enabled = bool(ttl.get("enabled"))
    if not enabled and previous is not None and not previous.get("enabled"):
        return  # already disabled: DynamoDB rejects disabling twice
    attribute = ttl.get("attributeName") or (previous or {}).get("attributeName")
    client.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute}
    )


def _put_point_in_time_recovery(client: Any, table: str, recovery: Props) -> None:
    specification: dict[str, Any] = {"PointInTimeRecoveryEnabled": bool(recovery.get("enabled"))}
    if recovery.get("enabled") and recovery.get("recoveryPeriodInDays"):
        specification["RecoveryPeriodInDays"] = int(recovery["recoveryPeriodInDays"])
    client.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification=specification)


def _read_point_in_time_recovery(backups: dict[str, Any]) -> Props:
    description = backups.get("PointInTimeRecoveryDescription") or {}
    recovery: Props = {"enabled": description.get("PointInTimeRecoveryStatus") == "ENABLED"}
    if recovery["enabled"] and description.get("RecoveryPeriodInDays"):
        recovery["recoveryPeriodInDays"] = int(description["RecoveryPeriodInDays"])
    return recovery


def _stream(props: Props) -> dict[str, Any]:
    if not props.get("streamEnabled"):
        return {"StreamEnabled": False}
    return {"StreamEnabled": True, "StreamViewType": props["streamViewType"]}


def _table_tags(client: Any, arn: str) -> dict[str, str]:
    pairs: list[dict[str, str]] = []
    params = {"ResourceArn": arn}
    while True:
        page = client.list_tags_of_resource(**params)
        pairs.extend(page.get("Tags", []))
        if not page.get("NextToken"):
            return tag_dict(pairs)
        params["NextToken"] = page["NextToken"]


# ---- TableItem -----------------------------------------------------------------------------

_ITEM_SEPARATOR = "|"


def _attribute_to_api(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute value of an item's JSON as the API takes it: binary values (base64 in JSON) as bytes."""
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item) for item in inner]}
    if kind == "M":
        return {"M": {key: _attribute_to_api(item) for key, item in inner.items()}}
    if kind == "L":
        return {"L": [_attribute_to_api(item) for item in inner]}
    return value


def _attribute_from_api(value: dict[str, Any]) -> dict[str, Any]:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode() for item in inner]}
    if kind == "M":
        return {"M": {key: _attribute_from_api(item) for key, item in inner.items()}}
    if kind == "L":
        return {"L": [_attribute_from_api(item) for item in inner]}
    return value


def _key_text(value: dict[str, Any] | None) -> str | None:
    """Terraform's canonical text of a key value: a string or number as it is, binary as base64."""
    return None if value is None else str(next(iter(value.values())))


@resource_type
class TableItem(AwsResource):
    """One item of a table, given as the JSON of its attribute map; a change of its key is another item."""

    token = "aws:dynamodb/tableItem:TableItem"
    required = ("tableName", "hashKey", "item")
    force_new = frozenset({"tableName", "hashKey", "rangeKey"})
    taggable = False
    handled = frozenset({"rangeKey"})
    documents = {"item": json_equivalent}
    outputs = frozenset({"hashKeyValue", "rangeKeyValue"})
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        item = inputs.get("item")
        if not isinstance(item, str) or contains_unknown(item):
            return []
        try:
            attributes = json.loads(item)
        except ValueError:
            return []  # the base check reports text that is not JSON
        missing = [key for key in (inputs.get("hashKey"), inputs.get("rangeKey"))
                   if isinstance(key, str) and key not in attributes]
        return [CheckFailure("item", f"the item has no value for its key attribute '{key}'") for key in missing]

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Another key value in the item is another item: it is replaced, not changed."""
        if "item" in diff.changed and not contains_unknown(news.get("item")) and self._key(olds) != self._key(news):
            return diff.replacing(["item"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        id = self._id(inputs)
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # the whole item: attributes left out of it are removed
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("dynamodb").delete_item, gone=_GONE, TableName=state["tableName"], Key=self._key(state))

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = super().read(ctx, id, state)
        return found if found and found.get("item") else None

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        key = self._key(state)
        answer = ctx.client("dynamodb").get_item(TableName=state["tableName"], Key=key, ConsistentRead=True)
        if "Item" not in answer:
            return {}
        item = json.dumps({name: _attribute_from_api(value) for name, value in answer["Item"].items()})
        return {
            "tableName": state["tableName"],
            "hashKey": state["hashKey"],
            "rangeKey": state.get("rangeKey"),
            "item": document_from_cloud(state.get("item"), item, json_equivalent),
            "hashKeyValue": _key_text(json.loads(item)[state["hashKey"]]),
            "rangeKeyValue": _key_text(json.loads(item)[state["rangeKey"]]) if state.get("rangeKey") else None,
        }

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        item = {name: _attribute_to_api(value) for name, value in json.loads(inputs["item"]).items()}
        ctx.client("dynamodb").put_item(TableName=inputs["tableName"], Item=item)

    def _key(self, props: Props) -> dict[str, Any]:
        attributes = json.loads(props["item"])
        names = [props["hashKey"], *([props["rangeKey"]] if props.get("rangeKey") else [])]
        return {name: _attribute_to_api(attributes[name]) for name in names}

    def _id(self, inputs: Props) -> str:
        """Terraform's id: table|hashKey|value, then |rangeKey|value for a table with a range key."""
        attributes = json.loads(inputs["item"])
        parts = [inputs["tableName"], inputs["hashKey"], _key_text(attributes[inputs["hashKey"]])]
        if inputs.get("rangeKey"):
            parts += [inputs["rangeKey"], _key_text(attributes[inputs["rangeKey"]])]
        return _ITEM_SEPARATOR.join(str(part) for part in parts)


# ---- getTable ------------------------------------------------------------------------------


@invoke("aws:dynamodb/getTable:getTable")
def get_table(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_dynamodb_table data source: the table's settings as the Table type reads them."""
    in_provider_region(ctx, args, "getTable")
    name = args["name"]
    table = Table().read(ctx, name, {})
    if table is None:
        raise BadInput(f"getTable: no DynamoDB table named {name!r} in {ctx.region}")
    sse = ctx.client("dynamodb").describe_table(TableName=name)["Table"].get("SSEDescription") or {}
    return {
        **{key: value for key, value in table.items() if key != "tagsAll"},
        "id": name,
        "tags": table["tagsAll"],
        "region": ctx.region,
        "replicas": [],  # global table replicas are not emulated
        "onDemandThroughputs": [],
        "warmThroughputs": [],
        "serverSideEncryption": {"enabled": sse.get("Status") == "ENABLED", "kmsKeyArn": sse.get("KMSMasterKeyArn")},
    }
