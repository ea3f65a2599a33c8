"""The local cloud keeps no secret in plaintext: its recording seals every call (a SecureString parameter and a
secret's value are neither readable nor base64 in it, yet come back after a restart), and the long-lived server
process carries none of the command's secrets in its environment."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import boto3
import pytest

from envctl.cloud.local_cloud import LOCAL_CREDENTIALS, LocalCloud

SECRET = "Correct-Horse-9-battery"


def _client(endpoint: str, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=LOCAL_CREDENTIALS[0], aws_secret_access_key=LOCAL_CREDENTIALS[1])


def test_the_recording_holds_no_secret_and_the_server_no_passphrase(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVCTL_CLOUD_ENDPOINT", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "the-passphrase-Q8")
    (tmp_path / "Pulumi.yaml").write_text("name: sealed\nruntime: python\n")
    cloud = LocalCloud(tmp_path)
    try:
        status = cloud.start()
        _client(status.endpoint, "ssm").put_parameter(Name="/app/password", Value=SECRET, Type="SecureString")
        _client(status.endpoint, "secretsmanager").create_secret(Name="db", SecretString=SECRET)
        with open(f"/proc/{status.pid}/environ", "rb") as environ:
            server_environment = environ.read().split(b"\0")
        assert not any(entry.startswith(b"PULUMI_CONFIG_PASSPHRASE") for entry in server_environment)
        cloud.stop()

        on_disk = b"".join(path.read_bytes() for path in cloud.recording.directory.iterdir() if path.is_file())
        for form in (SECRET, base64.b64encode(SECRET.encode()).decode(), "the-passphrase-Q8"):
            assert form.encode() not in on_disk
        assert oct(cloud.recording.key_path.stat().st_mode & 0o777) == "0o600"
        first = json.loads(cloud.recording.path.read_text().splitlines()[0])
        assert set(first) == {"sealed"}

        restarted = cloud.start()
        value = _client(restarted.endpoint, "ssm").get_parameter(Name="/app/password", WithDecryption=True)
        assert value["Parameter"]["Value"] == SECRET
        assert _client(restarted.endpoint, "secretsmanager").get_secret_value(SecretId="db")["SecretString"] == SECRET
    finally:
        cloud.stop()
