"""tls.SelfSignedCert, tls.CertRequest and tls.LocallySignedCert: X.509 made as the Terraform tls provider makes
them (Go's crypto/x509): the subject's names in Go's order, key usages and extended key usages from `allowedUses`,
basic constraints always, subject and authority key ids, a random 128-bit serial number that is the id."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from envctl.engine.provider import ProviderError
from envctl.providers.state_only import Props, StateOnlyResource
from envctl.providers.tls.keys import PrivateKey, PublicKey, algorithm_of, hash_for_state, load_private_key

# The provider's key usage names, and cryptography's for them.
KEY_USAGES = {"digital_signature": "digital_signature", "content_commitment": "content_commitment",
              "key_encipherment": "key_encipherment", "data_encipherment": "data_encipherment",
              "key_agreement": "key_agreement", "cert_signing": "key_cert_sign", "crl_signing": "crl_sign",
              "encipher_only": "encipher_only", "decipher_only": "decipher_only"}
EXTENDED_KEY_USAGES: dict[str, x509.ObjectIdentifier] = {
    "any_extended": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    "server_auth": ExtendedKeyUsageOID.SERVER_AUTH,
    "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "code_signing": ExtendedKeyUsageOID.CODE_SIGNING,
    "email_protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "ipsec_end_system": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.5"),
    "ipsec_tunnel": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.6"),
    "ipsec_user": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.7"),
    "timestamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ocsp_signing": ExtendedKeyUsageOID.OCSP_SIGNING,
    "microsoft_server_gated_crypto": x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"),
    "netscape_server_gated_crypto": x509.ObjectIdentifier("2.16.840.1.113730.4.1"),
    "microsoft_commercial_code_signing": x509.ObjectIdentifier("1.3.6.1.4.1.311.2.1.22"),
    "microsoft_kernel_code_signing": x509.ObjectIdentifier("1.3.6.1.4.1.311.61.1.1"),
}
# pkix.Name's order of attributes (each its own RDN); emailAddress is an extra name after them.
_SUBJECT_FIELDS = (("country", NameOID.COUNTRY_NAME), ("province", NameOID.STATE_OR_PROVINCE_NAME),
                   ("locality", NameOID.LOCALITY_NAME), ("streetAddresses", NameOID.STREET_ADDRESS),
                   ("postalCode", NameOID.POSTAL_CODE), ("organization", NameOID.ORGANIZATION_NAME),
                   ("organizationalUnit", NameOID.ORGANIZATIONAL_UNIT_NAME), ("commonName", NameOID.COMMON_NAME),
                   ("serialNumber", NameOID.SERIAL_NUMBER), ("emailAddress", NameOID.EMAIL_ADDRESS))
_WRITE_ONLY = "write-only inputs are not supported by envctl's local engine; use {0} (kept as a secret)"
_PEM = serialization.Encoding.PEM


class CertificateRules(StateOnlyResource):
    """The inputs SelfSignedCert and LocallySignedCert share, and their checks."""

    required = ("allowedUses", "validityPeriodHours")
    integers = frozenset({"validityPeriodHours", "earlyRenewalHours", "maxPathLength"})
    defaults = {"earlyRenewalHours": 0, "isCaCertificate": False, "setSubjectKeyId": False}
    # Renewing early is decided from the times made on create: the hours change nothing made.
    updatable = frozenset({"earlyRenewalHours"})
    outputs = frozenset({"certPem", "readyForRenewal", "validityStartTime", "validityEndTime"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        problems = [(key, f"{key} must be at least {least}, got {inputs[key]}")
                    for key, least in (("validityPeriodHours", 0), ("earlyRenewalHours", 0), ("maxPathLength", -1))
                    if inputs.get(key) is not None and inputs[key] < least]
        supported = set(KEY_USAGES) | set(EXTENDED_KEY_USAGES)
        problems += [("allowedUses", f"allowedUses: {use!r} is not one of {', '.join(sorted(supported))}")
                     for use in inputs["allowedUses"] if use not in supported]
        alone = {"encipher_only", "decipher_only"} & set(inputs["allowedUses"])
        if alone and "key_agreement" not in inputs["allowedUses"]:
            # Go's x509 writes them alone; cryptography, which envctl signs with, does not (RFC 5280 gives them no
            # meaning without key_agreement).
            problems.append(("allowedUses", f"{' and '.join(sorted(alone))} need key_agreement in envctl's local "
                             "engine"))
        return problems + names_problems(inputs)

    def refreshed(self, state: Props) -> Props:
        """readyForRenewal turns true once the certificate is within `earlyRenewalHours` of its end."""
        end = datetime.datetime.fromisoformat(str(state["validityEndTime"]).replace("Z", "+00:00"))
        renew_at = end - datetime.timedelta(hours=int(state.get("earlyRenewalHours") or 0))
        return {**state, "readyForRenewal": datetime.datetime.now(datetime.UTC) >= renew_at}

    def certificate(self, inputs: Props, subject: x509.Name, sans: list[x509.GeneralName], public: PublicKey,
                    signer: PrivateKey, issuer: x509.Certificate | None, authority_key: bytes | None) -> Props:
        """Sign a certificate for `public` (self-signed when `issuer` is None), and the outputs it gives."""
        start = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        end = start + datetime.timedelta(hours=int(inputs["validityPeriodHours"]))
        serial = secrets.randbits(128)
        is_ca = bool(inputs.get("isCaCertificate"))
        if is_ca and not list(subject):
            raise ProviderError("Invalid Certificate Subject: must contain at least one Distinguished Name when "
                                "creating Certificate Authority (CA)")
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(subject if issuer is None else issuer.subject).public_key(public)
                   .serial_number(serial or 1).not_valid_before(start).not_valid_after(end))
        max_path = inputs.get("maxPathLength")
        # Go's MaxPathLen 0 without MaxPathLenZero means no limit, as does -1.
        path_length = max_path if is_ca and max_path is not None and max_path > 0 else None
        builder = builder.add_extension(x509.BasicConstraints(ca=is_ca, path_length=path_length), critical=True)
        uses = list(inputs["allowedUses"])
        if any(use in KEY_USAGES for use in uses):
            flags = {flag: use in uses for use, flag in KEY_USAGES.items()}
            builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
        extended = [EXTENDED_KEY_USAGES[use] for use in uses if use in EXTENDED_KEY_USAGES]
        if extended:
            builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=not list(subject))
        subject_key = subject_key_id(public) if is_ca or inputs.get("setSubjectKeyId") else None
        if subject_key:
            builder = builder.add_extension(x509.SubjectKeyIdentifier(subject_key), critical=False)
        if issuer is None and inputs.get("setAuthorityKeyId"):
            if not subject_key:
                raise ProviderError("Invalid Certificate Authority: could not determine Authority Key Identifier "
                                    "(set isCaCertificate or setSubjectKeyId)")
            authority_key = subject_key
        if authority_key:
            builder = builder.add_extension(_authority(authority_key), critical=False)
        cert = builder.sign(signer, signature_hash(signer))
        return {"id": str(serial), "certPem": cert.public_bytes(_PEM).decode(), "readyForRenewal": False,
                "validityStartTime": _rfc3339(start), "validityEndTime": _rfc3339(end)}


class SelfSignedCert(CertificateRules):
    token = "tls:index/selfSignedCert:SelfSignedCert"
    handled = frozenset({"privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris", "earlyRenewalHours",
                         "isCaCertificate", "maxPathLength", "setSubjectKeyId", "setAuthorityKeyId"})
    unsupported = {"privateKeyPemWo": _WRITE_ONLY.format("privateKeyPem"),
                   "privateKeyPemWoVersion": _WRITE_ONLY.format("privateKeyPem")}
    defaults = {**CertificateRules.defaults, "setAuthorityKeyId": False}
    outputs = CertificateRules.outputs | {"keyAlgorithm"}
    secret = frozenset({"privateKeyPem", "privateKeyPemWo"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        return private_key_required(inputs) + super().validate(inputs)

    def generate(self, inputs: Props) -> tuple[str, Props]:
        key = load_private_key(inputs["privateKeyPem"])
        made = self.certificate(inputs, subject_name(inputs.get("subject")), alternative_names(inputs),
                                key.public_key(), key, None, None)
        return made.pop("id"), {**made, "keyAlgorithm": algorithm_of(key)}


class LocallySignedCert(CertificateRules):
    token = "tls:index/locallySignedCert:LocallySignedCert"
    required = (*CertificateRules.required, "caCertPem", "certRequestPem")
    handled = frozenset({"caPrivateKeyPem", "earlyRenewalHours", "isCaCertificate", "maxPathLength",
                         "setSubjectKeyId"})
    unsupported = {"caPrivateKeyPemWo": _WRITE_ONLY.format("caPrivateKeyPem"),
                   "caPrivateKeyPemWoVersion": _WRITE_ONLY.format("caPrivateKeyPem")}
    outputs = CertificateRules.outputs | {"caKeyAlgorithm"}
    secret = frozenset({"caPrivateKeyPem", "caPrivateKeyPemWo"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        return private_key_required(inputs, "caPrivateKeyPem") + super().validate(inputs)

    def generate(self, inputs: Props) -> tuple[str, Props]:
        request = _parsed(x509.load_pem_x509_csr, inputs["certRequestPem"], "certificate request PEM")
        ca_key = load_private_key(inputs["caPrivateKeyPem"], "CA private key PEM")
        ca_cert = _parsed(x509.load_pem_x509_certificate, inputs["caCertPem"], "CA certificate PEM")
        try:
            sans = list(request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
        except x509.ExtensionNotFound:
            sans = []
        made = self.certificate(inputs, request.subject, sans, request.public_key(), ca_key, ca_cert,
                                _subject_key_of(ca_cert))
        return made.pop("id"), {**made, "caKeyAlgorithm": algorithm_of(ca_key)}


class CertRequest(StateOnlyResource):
    token = "tls:index/certRequest:CertRequest"
    handled = frozenset({"privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"})
    unsupported = SelfSignedCert.unsupported
    outputs = frozenset({"certRequestPem", "keyAlgorithm"})
    secret = frozenset({"privateKeyPem", "privateKeyPemWo"})

    def validate(self, inputs: Props) -> list[tuple[str, str]]:
        return private_key_required(inputs) + names_problems(inputs)

    def generate(self, inputs: Props) -> tuple[str, Props]:
        key = load_private_key(inputs["privateKeyPem"])
        builder = x509.CertificateSigningRequestBuilder().subject_name(subject_name(inputs.get("subject")))
        sans = alternative_names(inputs)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        request = builder.sign(key, signature_hash(key))
        der = request.public_bytes(serialization.Encoding.DER)
        return hash_for_state(der), {"certRequestPem": request.public_bytes(_PEM).decode(),
                                     "keyAlgorithm": algorithm_of(key)}


def subject_name(subject: dict[str, Any] | None) -> x509.Name:
    """The subject block as a distinguished name, in Go's pkix.Name order."""
    attributes = []
    for field, oid in _SUBJECT_FIELDS:
        value = (subject or {}).get(field)
        for item in value if isinstance(value, list) else [value]:
            if item:
                attributes.append(x509.RelativeDistinguishedName([x509.NameAttribute(oid, str(item))]))
    return x509.Name(attributes)


def alternative_names(inputs: Props) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in inputs.get("dnsNames") or []]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in inputs.get("ipAddresses") or []]
    return names + [x509.UniformResourceIdentifier(uri) for uri in inputs.get("uris") or []]


def names_problems(inputs: Props) -> list[tuple[str, str]]:
    """What is wrong with the subject block and the alternative names."""
    known = {field for field, _ in _SUBJECT_FIELDS}
    problems = [("subject", f"subject.{field} is not a field of the subject block (its fields: "
                 f"{', '.join(sorted(known))})") for field in sorted(inputs.get("subject") or {}) if field not in known]
    for ip in inputs.get("ipAddresses") or []:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            problems.append(("ipAddresses", f"invalid IP address: failed to parse {ip!r}"))
    problems += [("uris", "uris must not hold an empty string") for uri in inputs.get("uris") or [] if not uri]
    return problems


def private_key_required(inputs: Props, key: str = "privateKeyPem") -> list[tuple[str, str]]:
    return [] if inputs.get(key) else [(key, f"missing required property '{key}'")]


def subject_key_id(public: PublicKey) -> bytes:
    """The provider's subject key id: the SHA1 of the PKCS#1 RSA key, the uncompressed EC point, or the ED25519 key
    as an ASN.1 octet string."""
    if isinstance(public, rsa.RSAPublicKey):
        data = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        data = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    else:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        data = bytes([0x04, len(raw)]) + raw
    return hashlib.sha1(data, usedforsecurity=False).digest()


def signature_hash(key: PrivateKey) -> hashes.HashAlgorithm | None:
    """The hash Go's x509 signs with for a key: none for ED25519, by curve size for ECDSA, SHA256 for RSA."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {384: hashes.SHA384(), 521: hashes.SHA512()}.get(key.curve.key_size, hashes.SHA256())
    return hashes.SHA256()


def _authority(key_id: bytes) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier(key_identifier=key_id, authority_cert_issuer=None,
                                       authority_cert_serial_number=None)


def _subject_key_of(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def _parsed(load: Callable[[bytes], Any], text: str, what: str) -> Any:
    try:
        return load(text.encode())
    except ValueError as exc:
        raise ProviderError(f"failed to parse {what}: {exc}") from None


def _rfc3339(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
