"""The tls types and getPublicKey: keys, certificate requests and certificates as the Terraform tls provider makes
them, checked with `cryptography` as a user would check them with openssl, kept in the state, and replaced when an
input other than earlyRenewalHours changes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from envctl.engine.provider import ProviderError
from envctl.providers.tls.package import tls_package

from local_steps import failures, made, plain, provider, secret_keys

TLS = tls_package()
KEY = "tls:index/privateKey:PrivateKey"
SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert"
REQUEST = "tls:index/certRequest:CertRequest"
LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert"
GET_PUBLIC_KEY = "tls:index/getPublicKey:getPublicKey"
GET_CERTIFICATE = "tls:index/getCertificate:getCertificate"
SUBJECT = {"commonName": "example.test", "organization": "Example", "country": "NL",
           "streetAddresses": ["1 Main St"]}


def private_key_pem(algorithm: str = "ECDSA", **inputs: object) -> str:
    return plain(made(TLS, KEY, algorithm=algorithm, **{"ecdsaCurve": "P256", **inputs})[2]["privateKeyPem"])


@pytest.mark.parametrize(("inputs", "key_type", "preamble"), [
    ({"algorithm": "RSA"}, rsa.RSAPrivateKey, "RSA PRIVATE KEY"),
    ({"algorithm": "ECDSA", "ecdsaCurve": "P384"}, ec.EllipticCurvePrivateKey, "EC PRIVATE KEY"),
    ({"algorithm": "ED25519"}, ed25519.Ed25519PrivateKey, "PRIVATE KEY"),
])
def test_a_private_key_comes_in_every_encoding_and_its_public_half_is_fingerprinted(
        inputs: dict, key_type: type, preamble: str) -> None:
    id_, checked, outputs = made(TLS, KEY, **inputs)
    pem = plain(outputs["privateKeyPem"])
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, key_type) and pem.startswith(f"-----BEGIN {preamble}-----")
    openssh = plain(outputs["privateKeyOpenssh"])
    assert serialization.load_ssh_private_key(openssh.encode(), None).public_key() == key.public_key()
    assert max(len(line) for line in openssh.splitlines()) <= 64 and openssh.endswith("-----\n")
    assert plain(outputs["privateKeyPemPkcs8"]).startswith("-----BEGIN PRIVATE KEY-----")
    assert secret_keys(outputs) == {"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"}
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    # The tls provider's id is hashForState(DER): the SHA1 of the bytes with surrounding whitespace trimmed, so a
    # key whose DER happens to end in a newline byte is hashed without it.
    assert id_ == hashlib.sha1(der.strip()).hexdigest()
    assert serialization.load_pem_public_key(outputs["publicKeyPem"].encode()) == key.public_key()
    line = outputs["publicKeyOpenssh"]
    assert line.endswith("\n") and serialization.load_ssh_public_key(line.encode()) == key.public_key()
    blob = base64.b64decode(line.split()[1])
    assert outputs["publicKeyFingerprintSha256"] == "SHA256:" + base64.b64encode(
        hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert outputs["publicKeyFingerprintMd5"].replace(":", "") == hashlib.md5(blob).hexdigest()
    if inputs["algorithm"] == "RSA":
        assert checked["rsaBits"] == 2048 and key.key_size == 2048


def test_an_ecdsa_p224_key_has_no_openssh_form_as_in_the_provider() -> None:
    _, checked, outputs = made(TLS, KEY, algorithm="ECDSA")
    assert checked["ecdsaCurve"] == "P224"
    assert (plain(outputs["privateKeyOpenssh"]), outputs["publicKeyOpenssh"], outputs["publicKeyFingerprintMd5"]) \
        == ("", "", "")


def test_an_unknown_algorithm_or_curve_is_refused() -> None:
    assert "one of RSA, ECDSA, ED25519" in failures(TLS, KEY, algorithm="DSA")["algorithm"]
    assert "one of P224" in failures(TLS, KEY, algorithm="ECDSA", ecdsaCurve="P999")["ecdsaCurve"]


def test_get_public_key_gives_the_key_s_public_properties_from_pem_or_openssh() -> None:
    id_, _, outputs = made(TLS, KEY, algorithm="ED25519")
    for given in ("privateKeyPem", "privateKeyOpenssh"):
        found = provider(TLS).invoke(GET_PUBLIC_KEY, {given: plain(outputs[given])})
        assert found["id"] == id_ and found["algorithm"] == "ED25519"
        assert {k: found[k] for k in ("publicKeyPem", "publicKeyOpenssh", "publicKeyFingerprintSha256")} == \
            {k: outputs[k] for k in ("publicKeyPem", "publicKeyOpenssh", "publicKeyFingerprintSha256")}
    with pytest.raises(ProviderError, match="exactly one"):
        provider(TLS).invoke(GET_PUBLIC_KEY, {})
    with pytest.raises(ProviderError, match="failed to parse"):
        provider(TLS).invoke(GET_PUBLIC_KEY, {"privateKeyPem": "not a key"})


def test_a_self_signed_ca_certificate_carries_its_subject_names_uses_and_key_ids() -> None:
    pem = private_key_pem()
    id_, _, outputs = made(TLS, SELF_SIGNED, privateKeyPem=pem, subject=SUBJECT, validityPeriodHours=48,
                           dnsNames=["example.test"], ipAddresses=["10.0.0.1"], isCaCertificate=True,
                           setAuthorityKeyId=True, allowedUses=["cert_signing", "digital_signature", "server_auth"])
    cert = x509.load_pem_x509_certificate(outputs["certPem"].encode())
    cert.verify_directly_issued_by(cert)
    assert id_ == str(cert.serial_number) and outputs["keyAlgorithm"] == "ECDSA"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "example.test"
    assert cert.subject.get_attributes_for_oid(NameOID.STREET_ADDRESS)[0].value == "1 Main St"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == datetime.timedelta(hours=48)
    assert outputs["validityEndTime"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    extensions = cert.extensions
    assert extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    usage = extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.digital_signature and not usage.key_encipherment
    assert list(extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    names = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["example.test"]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["10.0.0.1"]
    subject_key = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == subject_key
    assert outputs["readyForRenewal"] is False and secret_keys(outputs) == {"privateKeyPem"}


def test_a_ca_without_a_subject_and_bad_uses_are_refused() -> None:
    pem = private_key_pem()
    base = {"privateKeyPem": pem, "validityPeriodHours": 1}
    assert "not one of" in failures(TLS, SELF_SIGNED, allowedUses=["flying"], **base)["allowedUses"]
    assert "not a field of the subject" in failures(TLS, SELF_SIGNED, allowedUses=[], subject={"cn": "x"},
                                                    **base)["subject"]
    assert "invalid IP" in failures(TLS, SELF_SIGNED, allowedUses=[], ipAddresses=["300.1.1.1"], **base)["ipAddresses"]
    assert "missing required property 'privateKeyPem'" in failures(
        TLS, SELF_SIGNED, allowedUses=[], validityPeriodHours=1)["privateKeyPem"]
    assert "write-only" in failures(TLS, SELF_SIGNED, allowedUses=[], privateKeyPemWo=pem,
                                    validityPeriodHours=1)["privateKeyPemWo"]
    with pytest.raises(ProviderError, match="Distinguished Name"):
        made(TLS, SELF_SIGNED, allowedUses=["cert_signing"], isCaCertificate=True, **base)


def test_early_renewal_hours_update_in_place_and_a_certificate_near_its_end_is_ready_for_renewal() -> None:
    _, inputs, outputs = made(TLS, SELF_SIGNED, privateKeyPem=private_key_pem(), subject=SUBJECT,
                              validityPeriodHours=10, allowedUses=["server_auth"])
    diff = provider(TLS).diff(SELF_SIGNED, inputs, {**inputs, "earlyRenewalHours": 24})
    assert diff.changed == ("earlyRenewalHours",) and not diff.needs_replace
    updated = provider(TLS).update(SELF_SIGNED, "urn", "1", plain(outputs), {**inputs, "earlyRenewalHours": 24}, diff)
    assert updated["certPem"] == outputs["certPem"] and updated["earlyRenewalHours"] == 24
    assert provider(TLS).read(SELF_SIGNED, "1", plain(updated))["readyForRenewal"] is True
    assert provider(TLS).read(SELF_SIGNED, "1", plain(outputs))["readyForRenewal"] is False
    assert provider(TLS).diff(SELF_SIGNED, inputs, {**inputs, "validityPeriodHours": 11}).needs_replace


def test_a_certificate_request_is_signed_by_its_key_and_names_its_subject() -> None:
    pem = private_key_pem("RSA")
    id_, _, outputs = made(TLS, REQUEST, privateKeyPem=pem, subject=SUBJECT, dnsNames=["api.example.test"],
                           uris=["spiffe://example.test/api"])
    request = x509.load_pem_x509_csr(outputs["certRequestPem"].encode())
    assert request.is_signature_valid and outputs["keyAlgorithm"] == "RSA"
    assert id_ == hashlib.sha1(request.public_bytes(serialization.Encoding.DER).strip()).hexdigest()  # hashForState
    assert request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Example"
    names = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://example.test/api"]


def test_a_locally_signed_certificate_is_issued_by_the_ca_for_the_request_s_key() -> None:
    ca_key = private_key_pem("ED25519")
    ca = made(TLS, SELF_SIGNED, privateKeyPem=ca_key, subject={"commonName": "Example CA"}, validityPeriodHours=24,
              isCaCertificate=True, allowedUses=["cert_signing"])[2]
    leaf_key = private_key_pem()
    request = made(TLS, REQUEST, privateKeyPem=leaf_key, subject=SUBJECT, dnsNames=["example.test"])[2]
    id_, _, outputs = made(TLS, LOCALLY_SIGNED, certRequestPem=request["certRequestPem"], caCertPem=ca["certPem"],
                           caPrivateKeyPem=ca_key, validityPeriodHours=12, allowedUses=["server_auth"])
    ca_cert = x509.load_pem_x509_certificate(ca["certPem"].encode())
    cert = x509.load_pem_x509_certificate(outputs["certPem"].encode())
    cert.verify_directly_issued_by(ca_cert)
    assert id_ == str(cert.serial_number) and outputs["caKeyAlgorithm"] == "ED25519"
    assert cert.public_key() == serialization.load_pem_private_key(leaf_key.encode(), None).public_key()
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "example.test"
    assert cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == \
        ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert secret_keys(outputs) == {"caPrivateKeyPem"}


def test_get_certificate_describes_a_pem_certificate_with_go_s_names_and_refuses_a_url() -> None:
    ca_key = private_key_pem("ECDSA", ecdsaCurve="P384")
    id_, _, ca = made(TLS, SELF_SIGNED, privateKeyPem=ca_key, subject=SUBJECT, validityPeriodHours=3,
                      isCaCertificate=True, maxPathLength=2, allowedUses=["cert_signing"])
    found = provider(TLS).invoke(GET_CERTIFICATE, {"content": ca["certPem"]})
    [described] = found["certificates"]
    cert = x509.load_pem_x509_certificate(ca["certPem"].encode())
    assert described["serialNumber"] == id_ and described["certPem"] == ca["certPem"]
    assert described["sha1Fingerprint"] == cert.fingerprint(hashes.SHA1()).hex()
    assert (described["isCa"], described["maxPathLength"], described["version"]) == (True, 2, 3)
    assert (described["publicKeyAlgorithm"], described["signatureAlgorithm"]) == ("ECDSA", "ECDSA-SHA384")
    assert described["subject"] == described["issuer"] == "CN=example.test,O=Example,STREET=1 Main St,C=NL"
    assert described["notAfter"] == ca["validityEndTime"] and found["verifyChain"] is True
    with pytest.raises(ProviderError, match="pass the certificate's PEM as `content`"):
        provider(TLS).invoke(GET_CERTIFICATE, {"url": "https://token.actions.githubusercontent.com"})
    with pytest.raises(ProviderError, match="not a valid PEM"):
        provider(TLS).invoke(GET_CERTIFICATE, {"content": ca_key})


@pytest.mark.skipif(shutil.which("ssh-keygen") is None or shutil.which("openssl") is None,
                    reason="needs OpenSSH's ssh-keygen and openssl")
def test_ssh_keygen_and_openssl_agree_with_the_keys_and_certificates(tmp_path: Path) -> None:
    _, _, key = made(TLS, KEY, algorithm="RSA")
    private = tmp_path / "id_rsa"
    private.write_text(plain(key["privateKeyOpenssh"]))
    private.chmod(0o600)
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(private)], capture_output=True, text=True, check=True)
    assert key["publicKeyFingerprintSha256"] in listed.stdout
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(private)], capture_output=True, text=True, check=True)
    assert derived.stdout.split()[:2] == key["publicKeyOpenssh"].split()[:2]

    ca_key = plain(key["privateKeyPem"])
    ca = made(TLS, SELF_SIGNED, privateKeyPem=ca_key, subject={"commonName": "Example CA"}, validityPeriodHours=2,
              isCaCertificate=True, allowedUses=["cert_signing", "crl_signing"])[2]
    request = made(TLS, REQUEST, privateKeyPem=private_key_pem(), subject={"commonName": "leaf.test"})[2]
    leaf = made(TLS, LOCALLY_SIGNED, certRequestPem=request["certRequestPem"], caCertPem=ca["certPem"],
                caPrivateKeyPem=ca_key, validityPeriodHours=1, allowedUses=["server_auth"])[2]
    (tmp_path / "ca.pem").write_text(ca["certPem"])
    (tmp_path / "leaf.pem").write_text(leaf["certPem"])
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "leaf.pem")],
                              capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stdout.strip().endswith(": OK"), verified.stdout + verified.stderr
