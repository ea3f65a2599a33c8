"""Does the cloud still hold an ACM certificate (or the issued certificate a validation waited for)?"""

from __future__ import annotations

from typing import Any

from probing import Probe, listed, present

CERTIFICATE_GONE = "ResourceNotFoundException"


def _validated(c: Any, id: str, o: dict[str, Any]) -> bool:
    return listed(lambda: c("acm").describe_certificate(CertificateArn=o["certificateArn"]),
                  lambda answer: answer["Certificate"]["Status"] == "ISSUED", CERTIFICATE_GONE)


PROBES: dict[str, Probe] = {
    "aws:acm/certificate:Certificate": lambda c, id, o: present(
        lambda: c("acm").describe_certificate(CertificateArn=id), CERTIFICATE_GONE),
    "aws:acm/certificateValidation:CertificateValidation": _validated,
}
