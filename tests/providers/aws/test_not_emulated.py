"""The aws types envctl leaves unregistered because the local cloud cannot hold them: each is a real pulumi-aws
type, none is registered after all, and a program using one is told why."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from envctl.providers.aws.not_emulated import UNREGISTERED
from envctl.providers.aws.registry import lookup_resource

from engine_support import mutating, recorded_calls, up, write_program


@pytest.mark.parametrize("token", sorted(UNREGISTERED))
def test_each_is_a_pulumi_aws_type_envctl_does_not_register(token: str) -> None:
    module, class_name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
    assert hasattr(importlib.import_module(f"pulumi_aws.{module}"), class_name), token
    assert lookup_resource(token) is None, f"{token} is registered: take it out of UNREGISTERED"


def test_a_program_using_one_is_told_why_and_nothing_is_made(tmp_path: Path, moto_endpoint: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    program = ('import pulumi_aws as aws\naws.sqs.Queue("jobs")\n'
               'aws.elasticache.SubnetGroup("cache", subnet_ids=["subnet-1"])\n')
    root = write_program(tmp_path / "project", program, "config:\n  aws:region: us-east-1\n")
    with recorded_calls(monkeypatch) as calls:
        result = up(root, "test", moto_endpoint)
    assert result.error_kind == "bad_input"
    assert str(result.error).startswith("unsupported resource type(s): aws:elasticache/subnetGroup:SubnetGroup (the "
                                        "local cloud cannot emulate it: moto has no DeleteCacheSubnetGroup). Nothing "
                                        "was changed.")
    assert mutating(calls) == []
