"""ACM certificates (requested with DNS validation, and imported), their validation and getCertificate, against the
session's moto server."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures, invoke, provider, tag_map, unique

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"


@pytest.fixture
def quick_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local cloud issues a DNS-validated certificate a while after the request (a minute by default)."""
    monkeypatch.setattr("moto.settings.ACM_VALIDATION_WAIT", 15)


def self_signed(domain: str) -> tuple[str, str]:
    """A certificate for `domain` and its private key, in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


def test_a_requested_certificate_gives_its_dns_validation_records(
    provisioner: Provisioner, aws_ctx: AwsContext, quick_validation: None
) -> None:
    acm = aws_ctx.client("acm")
    domain = f"{unique('site')}.example.com"
    cert = provisioner.create(CERTIFICATE, "site-cert", {
        "domainName": domain, "validationMethod": "DNS", "subjectAlternativeNames": [f"www.{domain}"],
        "tags": {"site": "main"}})

    described = acm.describe_certificate(CertificateArn=cert.id)["Certificate"]
    assert described["DomainName"] == domain and set(described["SubjectAlternativeNames"]) >= {f"www.{domain}"}
    assert cert.outputs["arn"] == cert.id and cert.outputs["status"] == "PENDING_VALIDATION"
    assert cert.outputs["type"] == "AMAZON_ISSUED" and cert.outputs["keyAlgorithm"] == "RSA_2048"
    options = cert.outputs["domainValidationOptions"]
    assert [o["domainName"] for o in options] == [domain, f"www.{domain}"]
    expected = {o["DomainName"]: o["ResourceRecord"] for o in described["DomainValidationOptions"]}
    assert options[0]["resourceRecordName"] == expected[domain]["Name"]
    assert options[0]["resourceRecordType"] == "CNAME"
    assert options[0]["resourceRecordValue"] == expected[domain]["Value"]
    assert tag_map(acm.list_tags_for_certificate(CertificateArn=cert.id)["Tags"])["site"] == "main"
    assert not provisioner.plan(cert, {}).has_changes
    assert provisioner.plan(cert, {"subjectAlternativeNames": [f"api.{domain}"]}).replaces == \
        ("subjectAlternativeNames",)

    cert = provisioner.update(cert, {"tags": {"site": "shop"}})
    assert tag_map(acm.list_tags_for_certificate(CertificateArn=cert.id)["Tags"])["site"] == "shop"

    validation = provisioner.create(VALIDATION, "site-cert-validation", {
        "certificateArn": cert.id, "validationRecordFqdns": [o["resourceRecordName"] for o in options]})
    assert acm.describe_certificate(CertificateArn=cert.id)["Certificate"]["Status"] == "ISSUED"
    assert provisioner.read(validation) is not None
    assert provisioner.read(cert)["status"] == "ISSUED"
    assert provisioner.read(cert)["subjectAlternativeNames"] == [f"www.{domain}"]
    provider(VALIDATION).delete(aws_ctx, validation.id, validation.outputs)  # forgetting it leaves the certificate
    assert acm.describe_certificate(CertificateArn=cert.id)["Certificate"]["Status"] == "ISSUED"

    found = invoke("aws:acm/getCertificate:getCertificate", aws_ctx, {"domain": domain})
    assert found["arn"] == cert.id and found["status"] == "ISSUED" and "BEGIN CERTIFICATE" in found["certificate"]
    provisioner.assert_deleted(cert)
    with pytest.raises(BadInput, match="no ACM certificate matched"):
        invoke("aws:acm/getCertificate:getCertificate", aws_ctx, {"domain": domain})


def test_a_validation_refuses_records_that_do_not_validate_the_certificate(
    provisioner: Provisioner, quick_validation: None
) -> None:
    cert = provisioner.create(CERTIFICATE, "api-cert", {"domainName": f"{unique('api')}.example.com",
                                                        "validationMethod": "DNS"})
    with pytest.raises(BadInput, match="does not name"):
        provisioner.create(VALIDATION, "api-validation", {"certificateArn": cert.id,
                                                          "validationRecordFqdns": ["_other.example.com"]})


def test_an_imported_certificate_is_reimported_in_place(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    acm = aws_ctx.client("acm")
    domain = f"{unique('import')}.example.com"
    body, key = self_signed(domain)
    cert = provisioner.create(CERTIFICATE, "imported", {"certificateBody": body, "privateKey": key})
    assert acm.describe_certificate(CertificateArn=cert.id)["Certificate"]["Type"] == "IMPORTED"
    assert cert.outputs["domainName"] == domain and cert.outputs["domainValidationOptions"] == []
    assert not provisioner.plan(cert, {}).has_changes

    new_body, new_key = self_signed(domain)
    cert = provisioner.update(cert, {"certificateBody": new_body, "privateKey": new_key})
    assert acm.get_certificate(CertificateArn=cert.id)["Certificate"].strip() == new_body.strip()
    provisioner.assert_deleted(cert)


def test_what_the_local_cloud_cannot_emulate_is_refused() -> None:
    assert "not emulated by the local cloud" in failures(CERTIFICATE, domainName="a.example.com",
                                                         validationMethod="EMAIL")["validationMethod"]
    assert "not emulated by the local cloud" in failures(CERTIFICATE, domainName="a.example.com",
                                                         validationMethod="DNS",
                                                         keyAlgorithm="EC_prime256v1")["keyAlgorithm"]
    assert "not emulated by the local cloud" in failures(
        CERTIFICATE, domainName="a.example.com", certificateAuthorityArn="arn:aws:acm-pca:us-east-1:1:ca/x"
    )["certificateAuthorityArn"]
    assert "validationMethod" in failures(CERTIFICATE, domainName="a.example.com")
    olds = {"domainName": "a.example.com", "validationMethod": "DNS"}
    changed = provider(CERTIFICATE).check("a", olds, {**olds, "options": {
        "certificateTransparencyLoggingPreference": "DISABLED"}})
    assert "not emulated by the local cloud" in {f.property: f.reason for f in changed.failures}["options"]


def test_a_requested_certificate_is_found_again_after_a_crash(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    cert = provisioner.create(CERTIFICATE, "found", {"domainName": f"{unique('found')}.example.com",
                                                     "validationMethod": "DNS"})
    found = provider(CERTIFICATE).find(aws_ctx, cert.urn, cert.inputs, set())
    assert found is not None and found[0] == cert.id
