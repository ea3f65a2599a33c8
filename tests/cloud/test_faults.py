"""Fault injection in the local cloud: AWS-shaped errors that botocore parses and retries, on chosen services and
operations, never half applied; and the reference environment converging through them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import ExponentialBackoff

from envctl.cloud.faults import FaultInjector, FaultPolicy
from envctl.cloud.local_cloud import LocalCloud
from envctl.cloud.recording import OneAtATime
from envctl.errors import BadInput

from engine_support import copy_reference_project, destroy, up


@pytest.fixture(scope="module")
def faulty(moto_endpoint: str) -> Iterator[tuple[str, FaultInjector]]:
    """moto behind the fault injector, served on a free port; tests set its policy. moto's backends live in this
    process, shared with the session's server, which sets them up (managed IAM policies) first."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    injector = FaultInjector(OneAtATime(DomainDispatcherApplication(create_backend_app)))
    server = make_server("127.0.0.1", 0, injector, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", injector
    server.shutdown()


def client(endpoint: str, service: str, attempts: int = 1):  # type: ignore[no-untyped-def]
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts}, s3={"addressing_style": "path"})
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


@pytest.mark.parametrize(("service", "call", "throttling"), [
    ("s3", lambda c: c.list_buckets(), (503, "SlowDown")),
    ("ec2", lambda c: c.describe_vpcs(), (503, "RequestLimitExceeded")),
    ("iam", lambda c: c.list_roles(), (400, "Throttling")),
    ("sqs", lambda c: c.list_queues(), (400, "ThrottlingException")),  # JSON protocol
    ("lambda", lambda c: c.list_functions(), (400, "ThrottlingException")),  # REST-JSON
    ("cloudwatch", lambda c: c.list_metrics(), (400, "ThrottlingException")),  # Smithy RPC v2 CBOR
])
def test_every_protocol_gets_errors_botocore_parses_and_retries(faulty, service, call, throttling,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda *_: 0)  # whether botocore retries, not when
    endpoint, injector = faulty
    injector.set_policy(FaultPolicy.create(1.0, seed=3))
    aws = client(endpoint, service, attempts=2)
    seen = set()
    for _ in range(8):
        with pytest.raises(ClientError) as failure:
            call(aws)
        response = failure.value.response
        assert response["ResponseMetadata"]["RetryAttempts"] == 1  # retried once, as max_attempts allows
        seen.add((response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]))
    internal = (500, "InternalError") if service in ("s3", "ec2", "iam") else (500, "InternalFailure")
    assert seen == {throttling, (503, "ServiceUnavailable"), internal}
    assert injector.report()["injected"] == 16


def test_faults_hit_only_the_chosen_operations_and_are_never_half_applied(faulty) -> None:  # type: ignore[no-untyped-def]
    endpoint, injector = faulty
    injector.set_policy(FaultPolicy.create("100%", "s3", "CreateBucket,PutBucketVersioning", seed=1))
    s3, sqs = client(endpoint, "s3"), client(endpoint, "sqs")
    with pytest.raises(ClientError):
        s3.create_bucket(Bucket="faults-never-created")
    assert "faults-never-created" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    sqs.create_queue(QueueName="faults-other-service")  # not a chosen service

    injector.set_policy(FaultPolicy.create("100%", "s3", "PutBucketVersioning", seed=1))
    s3.create_bucket(Bucket="faults-created")
    s3.get_bucket_versioning(Bucket="faults-created")  # GET ?versioning: another operation than PUT
    with pytest.raises(ClientError):
        s3.put_bucket_versioning(Bucket="faults-created", VersioningConfiguration={"Status": "Enabled"})
    assert "Status" not in s3.get_bucket_versioning(Bucket="faults-created")
    assert injector.report()["injected"] == 1

    injector.set_policy(FaultPolicy.create("100%", "s3", "PutObject", seed=1))
    with pytest.raises(ClientError) as failure:  # a form-encoded object is still S3's REST call, not a query call
        s3.put_object(Bucket="faults-created", Key="form", Body=b"Action=CreateQueue",
                      ContentType="application/x-www-form-urlencoded")
    assert failure.value.response["Error"]["Code"] in ("SlowDown", "ServiceUnavailable", "InternalError")

    injector.set_policy(FaultPolicy.create(1.0, seed=1))
    assert requests.get(f"{endpoint}/moto-api/", timeout=10).status_code == 200  # moto's own API never fails


def test_the_policy_is_changed_and_read_over_http(faulty) -> None:  # type: ignore[no-untyped-def]
    endpoint, injector = faulty
    changed = requests.put(f"{endpoint}/envctl-faults", json={"rate": 0.25, "services": ["ec2"]}, timeout=10)
    assert changed.json()["rate"] == 0.25 and injector.policy.services == ("ec2",)
    refused = requests.put(f"{endpoint}/envctl-faults", json={"rate": 2}, timeout=10)
    assert refused.status_code == 400 and "0 to 1" in refused.json()["error"]
    assert requests.get(f"{endpoint}/envctl-faults", timeout=10).json()["rate"] == 0.25


@pytest.mark.parametrize(("arguments", "message"), [
    (("150%",), "give 0 to 1"),
    (("often",), "give 0 to 1"),
    ((0.1, "s3,ecc2"), "unknown service 'ecc2'"),
    ((0.1, "s3", "CreateBuckets"), "operation 'CreateBuckets' is not one of s3"),
])
def test_a_bad_policy_says_what_to_give(arguments, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match=message):
        FaultPolicy.create(*arguments)


def test_policy_from_the_environment() -> None:
    policy = FaultPolicy.from_env({"ENVCTL_CLOUD_FAULTS": "10%", "ENVCTL_CLOUD_FAULT_SERVICES": "s3, dynamodb",
                                   "ENVCTL_CLOUD_FAULT_SEED": "7"})
    assert policy == FaultPolicy(0.1, ("s3", "dynamodb"), (), 7)
    assert FaultPolicy.from_env({}) is None


def test_the_reference_environment_converges_with_ten_percent_faults(tmp_path: Path) -> None:
    root = copy_reference_project(tmp_path / "project")
    cloud = LocalCloud(root)
    endpoint = cloud.start(faults=FaultPolicy.create(0.1, seed=11)).endpoint
    try:
        assert endpoint
        created = up(root, "dev", endpoint)
        assert created.succeeded, created.error
        assert created.changes["create"] == 22
        destroyed = destroy(root, "dev", endpoint)
        assert destroyed.succeeded, destroyed.error
        report = cloud.faults()
        assert report["injected"] >= 5, report  # about a tenth of some hundred requests
        assert set(report["codes"]) <= {"SlowDown", "RequestLimitExceeded", "Throttling", "ThrottlingException",
                                        "ServiceUnavailable", "InternalError", "InternalFailure"}
    finally:
        cloud.stop()
