"""Shared fixtures: one real moto server for the whole test session, and AWS contexts pointing at it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from envctl.engine.aws.context import AwsContext

pytest_plugins = ["ledger_fixtures"]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on 127.0.0.1 with AWS-managed IAM policies loaded, shared by the session."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.server import ThreadedMotoServer

    from envctl.engine.local_amis import add_local_amis

    add_local_amis()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_ctx(moto_endpoint: str) -> AwsContext:
    """A provider context for us-east-1 in the shared moto server, tagging resources as stack 'test'."""
    return AwsContext(
        region="us-east-1",
        endpoint_url=moto_endpoint,
        access_key="testing",
        secret_key="testing",
        stack="test",
    )
