"""aws:ec2 key pairs (an imported public key, known by its name) and the getKeyPair lookup."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.lookups import lookup_filters, single
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    sync_ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.wire import timestamp

_KEY_PAIR_GONE = (*EC2_GONE, "InvalidKeyPair.NotFound")


@resource_type
class KeyPair(Ec2Resource):
    token = "aws:ec2/keyPair:KeyPair"
    required = ("publicKey",)
    force_new = frozenset({"keyName", "keyNamePrefix", "publicKey"})
    handled = frozenset({"keyName", "keyNamePrefix"})
    outputs = frozenset({"arn", "fingerprint", "keyPairId", "keyType"})

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        # Terraform keeps the public key without surrounding whitespace (a key file's final newline).
        result = super().check(logical_name, olds, news)
        if isinstance(result.inputs.get("publicKey"), str):
            result.inputs["publicKey"] = result.inputs["publicKey"].strip()
        return result

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        # Not auto-named by pulumi-aws: without a name or prefix Terraform makes a unique "terraform-" name.
        name = inputs.get("keyName") or prefixed_unique_id(inputs.get("keyNamePrefix") or "terraform-")
        ctx.client("ec2").import_key_pair(
            KeyName=name, PublicKeyMaterial=inputs["publicKey"].encode(),
            TagSpecifications=tag_specifications("key-pair", self.tags_all(ctx, urn, inputs)),
        )
        return name, self.read_back(ctx, name, inputs)

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        pairs = ctx.client("ec2").describe_key_pairs(
            Filters=[{"Name": "tag:envctl:urn", "Values": [ctx.envctl_tags(urn).get("envctl:urn", "")]}])["KeyPairs"]
        return [pair["KeyName"] for pair in pairs]

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        pair = one_found(ctx.client("ec2").describe_key_pairs, "KeyPairs", _KEY_PAIR_GONE, KeyNames=[id])
        if pair is None:
            return None
        return {**key_pair_attributes(ctx, pair), "publicKey": state.get("publicKey", ""),
                "keyNamePrefix": state.get("keyNamePrefix", ""), **ec2_tags(ctx, pair.get("Tags"), state)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Only tags change in place; EC2 tags a key pair by its key-... id, not by its name.
        sync_ec2_tags(ctx, olds["keyPairId"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_key_pair, also_gone=_KEY_PAIR_GONE, KeyName=id)


def key_pair_attributes(ctx: AwsContext, pair: dict[str, Any]) -> Props:
    """What the resource and the lookup both report of a key pair."""
    return {
        "id": pair["KeyName"],
        "keyName": pair["KeyName"],
        "keyPairId": pair["KeyPairId"],
        "arn": ctx.arn("ec2", f"key-pair/{pair['KeyName']}"),
        "fingerprint": pair.get("KeyFingerprint", ""),
        "keyType": pair.get("KeyType", "rsa"),
    }


@invoke("aws:ec2/getKeyPair:getKeyPair")
def get_key_pair(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_key_pair data source: one key pair by name, id, filters or tags."""
    in_provider_region(ctx, args, "getKeyPair")
    request: dict[str, Any] = {"Filters": lookup_filters(args, {}),
                               "IncludePublicKey": bool(args.get("includePublicKey"))}
    if args.get("keyName"):
        request["KeyNames"] = [args["keyName"]]
    if args.get("keyPairId"):
        request["KeyPairIds"] = [args["keyPairId"]]
    pair = single(ctx.client("ec2").describe_key_pairs, "KeyPairs", "EC2 Key Pair", **request)
    created = pair.get("CreateTime")
    return {
        **args,
        **key_pair_attributes(ctx, pair),
        "id": pair["KeyPairId"],
        "createTime": timestamp(created) if created else "",
        "publicKey": pair.get("PublicKey", "") if args.get("includePublicKey") else "",
        "tags": ec2_tags(ctx, pair.get("Tags"), {})["tagsAll"],
        "region": ctx.region,
    }
