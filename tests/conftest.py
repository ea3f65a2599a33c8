"""Shared fixtures: one real moto server for the whole test session, an AWS context pointing at it, and the
provider tests' ways to create resources that are deleted after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import Provision, Provisioned, Provisioner, provisioned

pytest_plugins = ["ledger_fixtures"]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on 127.0.0.1 with AWS-managed IAM policies loaded, shared by the session."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.server import ThreadedMotoServer

    from envctl.cloud.local_amis import add_local_amis

    add_local_amis()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def aws_ctx(moto_endpoint: str) -> AwsContext:
    """A provider context for us-east-1 in the shared moto server, tagging resources as stack 'test'. Shared by
    the session: it holds only settings and boto3 clients, which are thread-safe and keep no test's state."""
    return AwsContext(
        region="us-east-1",
        endpoint_url=moto_endpoint,
        access_key="testing",
        secret_key="testing",
        stack="test",
    )


@pytest.fixture
def provision(aws_ctx: AwsContext) -> Iterator[Provision]:
    """Create resources through their providers (`provision(token, name, **inputs)`); whatever a test leaves
    is deleted, newest first."""
    created: list[Provisioned] = []

    def create(token: str, name: str, **inputs: Any) -> Provisioned:
        created.append(provisioned(aws_ctx, token, name, inputs))
        return created[-1]

    yield create
    for item in reversed(created):
        item.delete()


@pytest.fixture
def provisioner(aws_ctx: AwsContext) -> Iterator[Provisioner]:
    """Create and change resources from their programs' inputs; whatever a test leaves is deleted."""
    made = Provisioner(aws_ctx)
    yield made
    made.cleanup()


@pytest.fixture
def ec2(moto_endpoint: str) -> Any:
    return aws(moto_endpoint, "ec2")


@pytest.fixture
def vpc(provision: Provision) -> Provisioned:
    return provision("aws:ec2/vpc:Vpc", "net", cidrBlock="10.20.0.0/16")


@pytest.fixture(scope="session")
def default_network(moto_endpoint: str) -> tuple[str, list[str]]:
    """The default VPC and one default subnet in each of its first two zones, as a program would look them up."""
    ec2 = aws(moto_endpoint, "ec2")
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                            {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    by_zone = {subnet["AvailabilityZone"]: subnet["SubnetId"] for subnet in subnets}
    return vpc_id, [by_zone[zone] for zone in sorted(by_zone)[:2]]
