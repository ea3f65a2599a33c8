"""aws:acm: certificates requested with DNS validation or imported, their validation, and getCertificate."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import URN_TAG, AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until

_GONE = ("ResourceNotFoundException",)
_NOT_EMULATED = "is not emulated by the local cloud"
_KEY_ALGORITHM = "RSA_2048"  # the only key the local cloud issues requested certificates with
_IMPORTED = ("certificateBody", "privateKey", "certificateChain")
_VALIDATION_TIMEOUT = 75 * 60.0  # Terraform's create timeout for aws_acm_certificate_validation
_OPTIONS = {"certificateTransparencyLoggingPreference": "CertificateTransparencyLoggingPreference",
            "export": "Export"}


def _timestamp(value: Any) -> str:
    """A time as Terraform records it (RFC 3339, UTC)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else str(value or "")


def _pem(text: str) -> bytes:
    """ACM's import takes the PEM text as a blob (boto3 base64-encodes it)."""
    return text.encode()


@resource_type
class Certificate(AwsResource):
    token = "aws:acm/certificate:Certificate"
    force_new = frozenset({"domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm",
                           "certificateAuthorityArn", "validationOptions"})
    handled = frozenset({"domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm", "options",
                         *_IMPORTED})
    unsupported = {
        "certificateAuthorityArn": f"private certificates (ACM Private CA) {_NOT_EMULATED}",
        "earlyRenewalDuration": f"certificate renewal {_NOT_EMULATED}",
        "validationOptions": f"e-mail validation {_NOT_EMULATED}; use validationMethod DNS",
        "privateKeyWo": "write-only inputs are not supported by envctl; use privateKey",
        "privateKeyWoVersion": "write-only inputs are not supported by envctl; use privateKey",
    }
    outputs = frozenset({"arn", "domainValidationOptions", "notAfter", "notBefore", "pendingRenewal",
                         "renewalEligibility", "renewalSummaries", "status", "type", "validationEmails"})
    secret = frozenset({"privateKey", "privateKeyWo"})
    set_properties = ("subjectAlternativeNames",)
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """A change of options is refused at preview: the local cloud has no UpdateCertificateOptions."""
        result = super().check(logical_name, olds, news)
        if olds is None or _normal_options(olds.get("options")) == _normal_options(result.inputs.get("options")):
            return result
        failure = CheckFailure("options", f"changing a certificate's options in place {_NOT_EMULATED} (it has no "
                                          "UpdateCertificateOptions)")
        return CheckResult(result.inputs, (*result.failures, failure))

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        imported = any(inputs.get(key) for key in _IMPORTED)
        if imported and not (inputs.get("certificateBody") and inputs.get("privateKey")):
            failures.append(CheckFailure("certificateBody", "an imported certificate needs certificateBody and "
                                                            "privateKey"))
        if not imported and not inputs.get("domainName"):
            failures.append(CheckFailure("domainName", "a requested certificate needs domainName"))
        method = inputs.get("validationMethod")
        if not imported and method is None:
            failures.append(CheckFailure("validationMethod", "a requested certificate needs validationMethod"))
        elif isinstance(method, str) and method not in ("DNS", "NONE") and not contains_unknown(method):
            failures.append(CheckFailure("validationMethod", f"validationMethod {method} {_NOT_EMULATED}; use DNS"))
        algorithm = inputs.get("keyAlgorithm")
        if isinstance(algorithm, str) and algorithm != _KEY_ALGORITHM and not contains_unknown(algorithm):
            failures.append(CheckFailure("keyAlgorithm", f"key algorithm {algorithm} {_NOT_EMULATED}; the local "
                                                         f"cloud issues {_KEY_ALGORITHM} keys"))
        if isinstance(inputs.get("options"), dict):
            failures.extend(unsupported_fields(self.token, "options", inputs["options"], _OPTIONS))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("acm")
        tags = tag_list(self.tags_all(ctx, urn, inputs))
        if inputs.get("certificateBody"):
            arn = client.import_certificate(**_import_params(inputs), **({"Tags": tags} if tags else {}))
        else:
            params: dict[str, Any] = {"DomainName": inputs["domainName"], "ValidationMethod": "DNS",
                                      "IdempotencyToken": uuid.uuid4().hex[:32]}
            if inputs.get("subjectAlternativeNames"):
                params["SubjectAlternativeNames"] = list(inputs["subjectAlternativeNames"])
            if inputs.get("options"):
                params["Options"] = {api: inputs["options"][wire] for wire, api in _OPTIONS.items()
                                     if inputs["options"].get(wire)}
            arn = client.request_certificate(**params, **({"Tags": tags} if tags else {}))
        arn = arn["CertificateArn"]
        return arn, {**inputs, **self.describe(ctx, arn, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        client, wanted = ctx.client("acm"), ctx.envctl_tags(urn).get(URN_TAG)
        arns = [c["CertificateArn"] for c in client.list_certificates()["CertificateSummaryList"]]
        return [arn for arn in arns if wanted and tag_dict(
            client.list_tags_for_certificate(CertificateArn=arn).get("Tags")).get(URN_TAG) == wanted]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("acm")
        if set(diff.changed) & set(_IMPORTED):  # re-imported under the same ARN
            client.import_certificate(CertificateArn=id, **_import_params(news))
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.add_tags_to_certificate(CertificateArn=id, Tags=tag_list(tags)),
                  lambda keys: client.remove_tags_from_certificate(CertificateArn=id,
                                                                   Tags=[{"Key": k} for k in keys]))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("acm").delete_certificate, gone=_GONE, CertificateArn=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("acm")
        cert = client.describe_certificate(CertificateArn=id)["Certificate"]
        tags = tag_dict(client.list_tags_for_certificate(CertificateArn=id).get("Tags"))
        options = cert.get("Options") or {}
        requested = cert.get("Type") != "IMPORTED"
        domain = cert.get("DomainName", "")
        return {
            "arn": id,
            "domainName": domain,
            # ACM lists the domain among the alternative names; Terraform leaves it out, as programs do.
            "subjectAlternativeNames": sorted(n for n in cert.get("SubjectAlternativeNames") or [] if n != domain)
            or None,
            "validationMethod": state.get("validationMethod") if requested else None,
            "keyAlgorithm": cert.get("KeyAlgorithm", ""),
            "options": {wire: options.get(api) for wire, api in _OPTIONS.items() if options.get(api)} or None,
            "domainValidationOptions": _validation_records(cert, state) if requested else [],
            "status": cert.get("Status", ""),
            "type": cert.get("Type", ""),
            "notAfter": _timestamp(cert.get("NotAfter")),
            "notBefore": _timestamp(cert.get("NotBefore")),
            "pendingRenewal": False,
            "renewalEligibility": cert.get("RenewalEligibility", ""),
            "renewalSummaries": [],
            "validationEmails": [],
            **{key: state.get(key) for key in _IMPORTED},  # ACM does not give the private key back
            **tags_from_cloud(ctx, state, tags),
        }


def _normal_options(options: Any) -> dict[str, Any]:
    return {k: v for k, v in (options or {}).items() if v not in (None, "")} if isinstance(options, dict) else {}


def _import_params(inputs: Props) -> dict[str, Any]:
    params = {"Certificate": _pem(inputs["certificateBody"]), "PrivateKey": _pem(inputs["privateKey"])}
    if inputs.get("certificateChain"):
        params["CertificateChain"] = _pem(inputs["certificateChain"])
    return params


def _validation_records(cert: dict[str, Any], state: Props) -> list[dict[str, str]]:
    """The DNS records that validate each name, the certificate's domain first and the others in the order given
    (so that `domainValidationOptions[0]` is the domain's, as programs expect)."""
    order = [state.get("domainName"), *(state.get("subjectAlternativeNames") or [])]
    records = [
        {"domainName": option["DomainName"], "resourceRecordName": option["ResourceRecord"]["Name"],
         "resourceRecordType": option["ResourceRecord"]["Type"],
         "resourceRecordValue": option["ResourceRecord"]["Value"]}
        for option in cert.get("DomainValidationOptions") or [] if option.get("ResourceRecord")
    ]
    return sorted(records, key=lambda r: (order.index(r["domainName"]) if r["domainName"] in order else len(order),
                                          r["domainName"]))


@resource_type
class CertificateValidation(AwsResource):
    """Waits until the certificate is issued; it makes nothing in the cloud."""

    token = "aws:acm/certificateValidation:CertificateValidation"
    taggable = False
    required = ("certificateArn",)
    force_new = frozenset({"certificateArn", "validationRecordFqdns"})
    handled = frozenset({"validationRecordFqdns"})
    set_properties = ("validationRecordFqdns",)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client, arn = ctx.client("acm"), inputs["certificateArn"]
        cert = client.describe_certificate(CertificateArn=arn)["Certificate"]
        if inputs.get("validationRecordFqdns"):
            given = {fqdn.rstrip(".").lower() for fqdn in inputs["validationRecordFqdns"]}
            missing = sorted({r["resourceRecordName"].rstrip(".").lower()
                              for r in _validation_records(cert, {})} - given)
            if missing:
                raise BadInput(f"certificate {arn} is validated by DNS records that validationRecordFqdns does not "
                               f"name: {', '.join(missing)}")

        def issued() -> bool:
            status = client.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            if status not in ("ISSUED", "PENDING_VALIDATION"):
                raise OperationFailed(f"certificate {arn} is {status}; it cannot be validated")
            return status == "ISSUED"

        wait_until(issued, f"certificate {arn} to be issued", _VALIDATION_TIMEOUT)
        issued_at = client.describe_certificate(CertificateArn=arn)["Certificate"].get("IssuedAt")
        return _timestamp(issued_at), {**inputs}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news}  # every input forces a replacement: nothing is changed in place

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Forgetting the validation leaves the certificate as it is, as Terraform does."""

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = found_or_none(ctx.client("acm").describe_certificate, _GONE, CertificateArn=state["certificateArn"])
        if found is None or found["Certificate"]["Status"] != "ISSUED":
            return None
        return {**state, "id": id}


@invoke("aws:acm/getCertificate:getCertificate")
def get_certificate(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_acm_certificate data source: by domain or tags, issued ones unless statuses say otherwise,
    the most recent one with mostRecent."""
    client = ctx.client("acm")
    statuses = list(args.get("statuses") or ["ISSUED"])
    matches = []
    for summary in client.list_certificates(CertificateStatuses=statuses)["CertificateSummaryList"]:
        cert = client.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        tags = tag_dict(client.list_tags_for_certificate(CertificateArn=cert["CertificateArn"]).get("Tags"))
        if _certificate_matches(cert, tags, args):
            matches.append((cert, tags))
    if not matches:
        raise BadInput(f"no ACM certificate matched {_lookup_description(args)}")
    if len(matches) > 1 and not args.get("mostRecent"):
        raise BadInput(f"multiple ACM certificates matched {_lookup_description(args)}; set mostRecent")
    cert, tags = max(matches, key=lambda m: m[0].get("NotBefore") or m[0].get("CreatedAt") or 0)
    body = found_or_none(client.get_certificate, _GONE, CertificateArn=cert["CertificateArn"]) or {}
    return {
        **args,
        "id": cert["CertificateArn"],
        "arn": cert["CertificateArn"],
        "domain": cert.get("DomainName", ""),
        "status": cert.get("Status", ""),
        "certificate": body.get("Certificate", ""),
        "certificateChain": body.get("CertificateChain", ""),
        "tags": tags,
        "statuses": args.get("statuses") or [],
        "region": ctx.region,
    }


def _certificate_matches(cert: dict[str, Any], tags: dict[str, str], args: dict[str, Any]) -> bool:
    if args.get("domain") and cert.get("DomainName") != args["domain"]:
        return False
    if args.get("types") and cert.get("Type") not in args["types"]:
        return False
    if args.get("keyTypes") and cert.get("KeyAlgorithm") not in args["keyTypes"]:
        return False
    return all(tags.get(key) == value for key, value in (args.get("tags") or {}).items())


def _lookup_description(args: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(args.items()) if value not in (None, "", [], {}))

