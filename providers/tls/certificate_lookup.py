"""`tls.getCertificate`: the properties of a PEM certificate given as `content`, as the Terraform tls provider's
data source reads them (Go's names for algorithms and distinguished names). Fetching a server's chain from `url`
is refused: the chain is what programs take (an OIDC thumbprint is its root's SHA1), and this interpreter's TLS
client shows only the server's own certificate."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from envctl.engine.provider import ProviderError

# Go's x509.SignatureAlgorithm names.
_SIGNATURES = {
    SignatureAlgorithmOID.RSA_WITH_MD5: "MD5-RSA", SignatureAlgorithmOID.RSA_WITH_SHA1: "SHA1-RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA256: "SHA256-RSA", SignatureAlgorithmOID.RSA_WITH_SHA384: "SHA384-RSA",
    SignatureAlgorithmOID.RSA_WITH_SHA512: "SHA512-RSA", SignatureAlgorithmOID.RSASSA_PSS: "SHA256-RSAPSS",
    SignatureAlgorithmOID.ECDSA_WITH_SHA1: "ECDSA-SHA1", SignatureAlgorithmOID.ECDSA_WITH_SHA256: "ECDSA-SHA256",
    SignatureAlgorithmOID.ECDSA_WITH_SHA384: "ECDSA-SHA384", SignatureAlgorithmOID.ECDSA_WITH_SHA512: "ECDSA-SHA512",
    SignatureAlgorithmOID.ED25519: "Ed25519",
}
# pkix.Name.String's names for the attributes cryptography's RFC 4514 form writes as OIDs.
_NAME_OVERRIDES = {NameOID.SERIAL_NUMBER: "SERIALNUMBER", NameOID.POSTAL_CODE: "POSTALCODE"}
_URL_REFUSED = ("getCertificate with `url` is not supported by envctl's local engine: the data source returns the "
                "server's whole certificate chain, which envctl cannot fetch (its Python's TLS client shows only the "
                "server's own certificate); pass the certificate's PEM as `content`")


def get_certificate(args: dict[str, Any]) -> dict[str, Any]:
    content, url = args.get("content"), args.get("url")
    if url and not content:
        raise ProviderError(_URL_REFUSED)
    if not content or url:
        raise ProviderError("getCertificate takes exactly one of content and url")
    if "-----BEGIN CERTIFICATE-----" not in content:
        raise ProviderError("Failed to decode PEM: content is not a valid PEM encoding of a certificate")
    try:
        cert = x509.load_pem_x509_certificate(content.encode())
    except ValueError as exc:
        raise ProviderError(f"Unable to parse certificate: {exc}") from None
    described = certificate_properties(cert)
    return {"content": content, "url": None, "verifyChain": args.get("verifyChain", True), "certificates": [described],
            "id": hashlib.sha1(described["certPem"].encode(), usedforsecurity=False).hexdigest()}


def certificate_properties(cert: x509.Certificate) -> dict[str, Any]:
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "certPem": cert.public_bytes(serialization.Encoding.PEM).decode(),
        "isCa": _basic_constraints(cert)[0],
        "maxPathLength": _basic_constraints(cert)[1],
        "issuer": cert.issuer.rfc4514_string(_NAME_OVERRIDES),
        "subject": cert.subject.rfc4514_string(_NAME_OVERRIDES),
        "notBefore": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "notAfter": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publicKeyAlgorithm": _public_key_algorithm(cert.public_key()),
        "serialNumber": str(cert.serial_number),
        "sha1Fingerprint": hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        "signatureAlgorithm": _SIGNATURES.get(cert.signature_algorithm_oid, "0"),
        "version": cert.version.value + 1,  # Go counts from 1: a v3 certificate is version 3
    }


def _basic_constraints(cert: x509.Certificate) -> tuple[bool, int]:
    """IsCA and MaxPathLen as Go parses them: no extension is (false, 0); no path length in it is -1."""
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False, 0
    return constraints.ca, -1 if constraints.path_length is None else constraints.path_length


def _public_key_algorithm(public: Any) -> str:
    if isinstance(public, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(public, ec.EllipticCurvePublicKey):
        return "ECDSA"
    return "Ed25519" if isinstance(public, ed25519.Ed25519PublicKey) else "0"
