"""`envctl types` lists the random and tls types and invoke beside the aws ones, with a type's inputs and outputs."""

from __future__ import annotations

import json

import pytest

from envctl_command import run_envctl


@pytest.mark.e2e
def test_envctl_types_lists_random_and_tls() -> None:
    listed = run_envctl("types", "--json")
    assert listed.returncode == 0, listed.stderr
    by_token = {item["token"]: item for item in json.loads(listed.stdout)}
    password = by_token["random:index/randomPassword:RandomPassword"]
    assert {"length", "keepers", "overrideSpecial"} <= set(password["implemented"])
    assert set(password["outputs"]) == {"result", "bcryptHash"}
    assert by_token["tls:index/getPublicKey:getPublicKey"]["kind"] == "invoke"
    assert "privateKeyPemWo" in by_token["tls:index/selfSignedCert:SelfSignedCert"]["unimplemented"]
    assert "aws:s3/bucket:Bucket" in by_token

    shown = run_envctl("types", "tls:index/privateKey:PrivateKey")
    assert shown.returncode == 0 and "inputs:     algorithm, ecdsaCurve, rsaBits" in shown.stdout
