"""The reference program (infra/) under Pulumi's mocks, with each stack's real config from stacks/.

The program runs exactly as Pulumi runs it (`runpy.run_path` on the directory), and the mocks record
every registration, so these tests check what would be sent to the engine, without any cloud.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import runpy
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from envctl.project import load_project, load_stack_config, program_config_text

PROJECT_DIR = Path(__file__).resolve().parent.parent
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
EXPORTS = {
    "vpcId", "subnetIds", "securityGroupId", "bucketName", "bucketArn", "tableName", "queueUrl", "dlqUrl",
    "roleArn", "logGroupName", "parameterName", "accountId", "region",
}
UNTAGGABLE = {
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
}
INVOKE_RESULTS = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda _: {"names": ZONES, "id": REGION},
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {"accountId": ACCOUNT_ID, "id": ACCOUNT_ID},
    "aws:index/getRegion:getRegion": lambda _: {"region": REGION, "name": REGION, "id": REGION},
    # Echo the statements back, so the test can read the document the program asked for.
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda args: {"json": json.dumps(args), "id": "policy"},
}


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers like pulumi-aws would (auto-names, ARNs, queue URLs) and records every registration."""

    def __init__(self) -> None:
        self.registrations: list[MockResourceArgs] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registrations.append(args)
        name = args.inputs.get("name") or f"{args.name}-1a2b3c4"
        service = args.typ.split(":")[1].split("/")[0]
        computed = {"name": name, "arn": f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{name}"}
        if args.typ == "aws:s3/bucket:Bucket":
            computed["bucket"] = name
        if args.typ == "aws:sqs/queue:Queue":
            computed["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}"
        return f"{name}-id", {**computed, **args.inputs}

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        return INVOKE_RESULTS[args.token](args.args)


@dataclass
class ProgramRun:
    stack: str
    registrations: list[MockResourceArgs]
    urns: list[str]
    exports: dict[str, Any]

    def all_of(self, type_token: str) -> list[dict[str, Any]]:
        return [r.inputs for r in self.registrations if r.typ == type_token]

    def one(self, type_token: str) -> dict[str, Any]:
        (inputs,) = self.all_of(type_token)
        return inputs


def run_program(stack: str) -> ProgramRun:
    """Run infra/ for `stack` with its stack file's config and Pulumi.yaml's defaults, as envctl passes them."""
    project = load_project(PROJECT_DIR)
    config = load_stack_config(project, stack)
    mocks = RecordingMocks()
    monitor = MockMonitor(mocks)
    # The mocks run on the thread's current event loop: one of its own, whatever tests ran before in this process
    # (asyncio.run leaves none behind).
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.reset_options(project=project.name, stack=stack)  # a fresh root stack per run
    pulumi.runtime.set_mocks(mocks, project=project.name, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({key: program_config_text(value) for key, value in config.values.items()})
    exports: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        runpy.run_path(str(project.main), run_name="__main__")
        stack_outputs = pulumi.runtime.get_root_resource().outputs
        return pulumi.Output.all(**stack_outputs).apply(exports.update)

    run()
    return ProgramRun(stack, mocks.registrations, list(monitor.resources), exports)


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, ProgramRun]]:
    yield {stack: run_program(stack) for stack in ("dev", "staging", "prod")}
    # Leave no mocks and no program modules (`network`, `settings`, ...) behind for later tests.
    pulumi.runtime.reset_options()
    program_dir = load_project(PROJECT_DIR).main
    for name, module in list(sys.modules.items()):
        if program_dir in Path(getattr(module, "__file__", None) or "/").parents:
            del sys.modules[name]


@pytest.fixture(scope="module")
def dev(runs: dict[str, ProgramRun]) -> ProgramRun:
    return runs["dev"]


def test_subnets_are_in_two_zones_inside_the_vpc(dev: ProgramRun) -> None:
    vpc = ipaddress.ip_network(dev.one("aws:ec2/vpc:Vpc")["cidrBlock"])
    subnets = dev.all_of("aws:ec2/subnet:Subnet")
    assert sorted(s["availabilityZone"] for s in subnets) == ZONES[:2]
    blocks = [ipaddress.ip_network(s["cidrBlock"]) for s in subnets]
    assert all(block.subnet_of(vpc) for block in blocks)
    assert not blocks[0].overlaps(blocks[1])
    assert len(dev.all_of("aws:ec2/routeTableAssociation:RouteTableAssociation")) == 2


def test_environments_get_disjoint_vpc_ranges(runs: dict[str, ProgramRun]) -> None:
    ranges = [ipaddress.ip_network(run.one("aws:ec2/vpc:Vpc")["cidrBlock"]) for run in runs.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(ranges) for b in ranges[i + 1:])


def test_internet_route_and_https_only_from_the_vpc(dev: ProgramRun) -> None:
    (route,) = dev.one("aws:ec2/routeTable:RouteTable")["routes"]
    assert route["cidrBlock"] == "0.0.0.0/0" and route["gatewayId"]
    (ingress,) = dev.one("aws:ec2/securityGroup:SecurityGroup")["ingress"]
    assert (ingress["fromPort"], ingress["toPort"]) == (443, 443)
    assert ingress["cidrBlocks"] == [dev.one("aws:ec2/vpc:Vpc")["cidrBlock"]]


def test_bucket_is_versioned_and_private(dev: ProgramRun) -> None:
    versioning = dev.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    block = dev.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[flag] is True for flag in flags)
    assert versioning["bucket"] == block["bucket"]


def test_dead_letter_queue_is_wired_into_the_work_queue(dev: ProgramRun) -> None:
    queues = dev.all_of("aws:sqs/queue:Queue")
    (work,) = [q for q in queues if "redrivePolicy" in q]
    (dead_letters,) = [q for q in queues if "redrivePolicy" not in q]
    redrive = json.loads(work["redrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":" + dev.exports["dlqUrl"].rsplit("/", 1)[1])
    assert redrive["maxReceiveCount"] == 5
    assert dead_letters["messageRetentionSeconds"] > work["messageRetentionSeconds"]


@pytest.mark.parametrize(
    ("stack", "retention_days", "log_level", "billing", "point_in_time_recovery"),
    [
        ("dev", 7, "debug", "PAY_PER_REQUEST", False),
        ("staging", 30, "info", "PAY_PER_REQUEST", False),
        ("prod", 365, "warn", "PROVISIONED", True),
    ],
)
def test_stack_config_shapes_the_environment(
    runs: dict[str, ProgramRun],
    stack: str,
    retention_days: int,
    log_level: str,
    billing: str,
    point_in_time_recovery: bool,
) -> None:
    run = runs[stack]
    assert run.one("aws:cloudwatch/logGroup:LogGroup")["retentionInDays"] == retention_days
    parameter = run.one("aws:ssm/parameter:Parameter")
    assert parameter["name"] == f"/envctl-reference/{stack}/log-level" == run.exports["parameterName"]
    assert parameter["insecureValue"] == log_level
    table = run.one("aws:dynamodb/table:Table")
    assert table["billingMode"] == billing
    assert ("readCapacity" in table) == (billing == "PROVISIONED")
    assert table["pointInTimeRecovery"]["enabled"] is point_in_time_recovery
    assert table["ttl"] == {"attributeName": "expiresAt", "enabled": True}


def test_task_role_trusts_only_ecs_tasks_of_this_account(dev: ProgramRun) -> None:
    (statement,) = json.loads(dev.one("aws:iam/role:Role")["assumeRolePolicy"])["statements"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
    assert any(c["values"] == [ACCOUNT_ID] for c in statement["conditions"])
    attachment = dev.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"


def test_every_taggable_resource_carries_the_environment(runs: dict[str, ProgramRun]) -> None:
    for stack, run in runs.items():
        taggable = [r for r in run.registrations if r.typ.startswith("aws:") and r.typ not in UNTAGGABLE]
        assert taggable
        for registration in taggable:
            assert registration.inputs["tags"]["environment"] == stack, registration.name
            assert {"team", "cost-center"} <= set(registration.inputs["tags"]), registration.name


def test_resources_sit_in_components_and_everything_is_exported(dev: ProgramRun) -> None:
    components = {r.typ for r in dev.registrations if not r.custom}
    assert components == {"envctl:reference:Network", "envctl:reference:Storage", "envctl:reference:Service"}
    aws_urns = [urn for urn in dev.urns if "::aws:" in urn or "$aws:" in urn]
    assert len(aws_urns) == 18
    assert all("envctl:reference:" in urn for urn in aws_urns)
    assert set(dev.exports) == EXPORTS
    assert len(dev.exports["subnetIds"]) == 2
    assert (dev.exports["accountId"], dev.exports["region"]) == (ACCOUNT_ID, REGION)
