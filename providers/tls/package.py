"""The `tls` package: the pulumi-tls types and invokes that envctl makes locally."""

from __future__ import annotations

from envctl.providers.state_only import StateOnlyPackage
from envctl.providers.tls.certificate_lookup import get_certificate
from envctl.providers.tls.certificates import CertRequest, LocallySignedCert, SelfSignedCert
from envctl.providers.tls.keys import get_public_key
from envctl.providers.tls.private_key import PrivateKey

TYPES = (PrivateKey, SelfSignedCert, CertRequest, LocallySignedCert)


def tls_package() -> StateOnlyPackage:
    return StateOnlyPackage("tls", TYPES, {"tls:index/getPublicKey:getPublicKey": get_public_key,
                                           "tls:index/getCertificate:getCertificate": get_certificate})
