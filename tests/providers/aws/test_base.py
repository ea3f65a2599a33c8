"""What every aws type shares, written once in the base: scalars converted as pulumi-aws converts them."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import as_string

from provider_steps import Provision, checked


def test_tag_values_given_as_bools_or_numbers_reach_aws_as_pulumi_aws_sends_them(provision: Provision,
                                                                                 moto_endpoint: str) -> None:
    inputs = checked("aws:sqs/queue:Queue", "jobs", {"tags": {"public": True, "tier": 3, "weight": 1.5}})
    assert inputs["tags"] == {"public": "true", "tier": "3", "weight": "1.5"}
    queue = provision("aws:sqs/queue:Queue", "tagged", tags={"public": False, "tier": 2})
    tags: dict[str, Any] = queue.outputs["tags"]
    assert tags == {"public": "false", "tier": "2"}
    assert {k: v for k, v in queue.outputs["tagsAll"].items() if not k.startswith("envctl:")} == tags


def test_as_string_keeps_what_is_not_a_scalar() -> None:
    assert as_string(2.0) == "2" and as_string("x") == "x" and as_string(None) is None
    assert as_string(["a"]) == ["a"]
