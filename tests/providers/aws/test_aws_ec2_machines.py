"""The aws:ec2 types around instances, against the shared moto server: key pairs, EBS volumes and their
attachments, network interfaces, launch templates and flow logs."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures, invoke, tags_of

KEY_PAIR = "aws:ec2/keyPair:KeyPair"
ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNFY5q1IQYrEoqmjvVz3aLp+62nouYLGsIdjb6FKYyL test1"
RSA_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCoCX4A4hs4+tQ89PnzWfMP7lGBm2E4uC0+TDCmOVxg9l70eIT4lFG/dAZmGwQn"
    "9xenCz1+sCq6GzAtz3pUetT6OMc8UPSAm+sN/bzJjBcW8RkLkIHKPNTIR+7SuRX1s12YfT4PmjzTd3lV4z4CrZrPT11Qtifpb4pJ"
    "sO+0fgUTpwoWrLKPGuhtlVwOI/YkcRWBQw6aPmxhRO3C+1XgAj65wVaUcI1fElqYxGl46qe3shy9TRdrDAnnkXGtf0bRI7cN2zoN"
    "KN8X0zujI+aPfCFmTbK3ZO8Vg7kOGtA61olRZ2eK0DwNL+KfQLZpg34CtaWG/GLmUFGpMtvdAG+7A7BT test2"
)


def key_pairs_named(ec2: Any, name: str) -> list[dict]:
    return ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}])["KeyPairs"]


def test_key_pair_lifecycle(provisioner: Provisioner, ec2: Any, aws_ctx: AwsContext) -> None:
    pair = provisioner.create(KEY_PAIR, "deployer", {"keyName": "deployer-key", "publicKey": ED25519_KEY + "\n",
                                                     "tags": {"use": "bastion"}})
    assert pair.id == "deployer-key"
    assert pair.inputs["publicKey"] == ED25519_KEY
    [described] = key_pairs_named(ec2, "deployer-key")
    assert described["KeyType"] == "ed25519" and tags_of(described)["use"] == "bastion"
    assert pair.outputs["keyPairId"] == described["KeyPairId"]
    assert pair.outputs["fingerprint"] == described["KeyFingerprint"]
    assert pair.outputs["arn"] == "arn:aws:ec2:us-east-1:123456789012:key-pair/deployer-key"
    assert provisioner.read(pair) == pair.outputs
    assert not provisioner.plan(pair, {}).has_changes

    assert provisioner.plan(pair, {"publicKey": RSA_KEY}).replaces == ("publicKey",)
    pair = provisioner.update(pair, {"tags": {"use": "admin"}})
    assert tags_of(key_pairs_named(ec2, "deployer-key")[0])["use"] == "admin"

    found = invoke("aws:ec2/getKeyPair:getKeyPair", aws_ctx, {"keyName": "deployer-key", "includePublicKey": True})
    assert (found["id"], found["keyPairId"], found["keyType"]) == (described["KeyPairId"],) * 2 + ("ed25519",)
    assert found["publicKey"].startswith("ssh-ed25519 ") and found["tags"]["use"] == "admin"
    by_tag = invoke("aws:ec2/getKeyPair:getKeyPair", aws_ctx, {"filters": [{"name": "tag:use", "values": ["admin"]}]})
    assert by_tag["keyName"] == "deployer-key"

    provisioner.assert_deleted(pair)
    assert key_pairs_named(ec2, "deployer-key") == []


def test_key_pair_names_itself_from_its_prefix_or_as_terraform(provisioner: Provisioner, ec2: Any) -> None:
    prefixed = provisioner.create(KEY_PAIR, "ops", {"keyNamePrefix": "ops-", "publicKey": RSA_KEY})
    assert prefixed.id.startswith("ops-") and key_pairs_named(ec2, prefixed.id)[0]["KeyType"] == "rsa"
    unnamed = provisioner.create(KEY_PAIR, "anon", {"publicKey": ED25519_KEY})
    assert unnamed.id.startswith("terraform-") and unnamed.outputs["keyName"] == unnamed.id
    assert failures(KEY_PAIR) == {"publicKey": "missing required property 'publicKey'"}
