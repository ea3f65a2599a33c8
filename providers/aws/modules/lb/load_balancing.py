"""aws:lb resource types (Elastic Load Balancing v2): LoadBalancer, TargetGroup and Listener, and what the other
lb types share with them (aliases, actions, tags).

pulumi-aws has the same types under aws:alb (and older aliases); they are registered here too.
Settings ELB keeps as string attributes (idle timeout, deregistration delay, ...) are declared once in
tables, so that create, update and read treat them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import api_name

_APPLICATION, _NETWORK, _GATEWAY, _LAMBDA = "application", "network", "gateway", "lambda"
_MAX_NAME_LENGTH = 32
_WAITER = {"Delay": 10, "MaxAttempts": 60}
LB_GONE = ("LoadBalancerNotFound",)
TARGET_GROUP_GONE = ("TargetGroupNotFound",)
LISTENER_GONE = ("ListenerNotFound",)
_SUPPORTED_ACTIONS = frozenset({"forward", "fixed-response", "redirect"})


def aliases_of(path: str) -> tuple[str, ...]:
    """pulumi-aws's other tokens for an lb type: the aws:alb twin and the types both used to have."""
    module, _, name = path.partition(":")
    return (
        f"aws:elasticloadbalancingv2/{module}:{name}",
        f"aws:alb/{module}:{name}",
        f"aws:applicationloadbalancing/{module}:{name}",
    )


# ---- attributes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attribute:
    """An input ELB stores as a string attribute, for the kinds of load balancer it applies to."""

    wire: str
    key: str
    kinds: frozenset[str]
    default: bool | int | str  # AWS's value when unset; its type says how to encode the string

    def encode(self, value: Any) -> str:
        if isinstance(self.default, bool):
            return "true" if value else "false"
        return str(int(value)) if isinstance(self.default, int) else str(value)

    def decode(self, text: str) -> bool | int | str:
        if isinstance(self.default, bool):
            return text == "true"
        return int(text) if isinstance(self.default, int) else text


def _attribute(wire: str, key: str, default: bool | int | str, *kinds: str) -> _Attribute:
    return _Attribute(wire, key, frozenset(kinds), default)


def _attribute_values(attributes: Iterable[_Attribute], kind: str, inputs: Props, keys: Iterable[str]) -> list[dict]:
    """The Key/Value pairs that set the named inputs, for those that apply to this kind."""
    wanted = set(keys)
    return [
        {"Key": a.key, "Value": a.encode(inputs[a.wire])}
        for a in attributes
        if a.wire in wanted and kind in a.kinds and inputs.get(a.wire) is not None
    ]


def _attribute_outputs(attributes: Iterable[_Attribute], kind: str, pairs: list[dict], state: Props) -> Props:
    """Each attribute as reported; one AWS does not report keeps the state's value, else AWS's default."""
    reported = {pair["Key"]: pair["Value"] for pair in pairs}
    outputs = {}
    for a in attributes:
        if kind in a.kinds and a.key in reported:
            outputs[a.wire] = a.decode(reported[a.key])
        else:
            outputs[a.wire] = state.get(a.wire, a.default if kind in a.kinds else None)
    return outputs


@dataclass(frozen=True)
class _LogBlock:
    """A log block input (accessLogs, ...) that ELB keeps as three attributes under one prefix."""

    wire: str
    prefix: str
    kinds: frozenset[str]

    def values(self, block: Props | None) -> list[dict]:
        """The attributes for the block; without it, logging is off (as Terraform turns it off)."""
        if not block:
            return [{"Key": f"{self.prefix}.s3.enabled", "Value": "false"}]
        return [
            {"Key": f"{self.prefix}.s3.enabled", "Value": "true" if block.get("enabled") else "false"},
            {"Key": f"{self.prefix}.s3.bucket", "Value": block.get("bucket") or ""},
            {"Key": f"{self.prefix}.s3.prefix", "Value": block.get("prefix") or ""},
        ]

    def output(self, reported: dict[str, str]) -> Props | None:
        if f"{self.prefix}.s3.bucket" not in reported:
            return None
        return {"bucket": reported[f"{self.prefix}.s3.bucket"],
                "enabled": reported.get(f"{self.prefix}.s3.enabled") == "true",
                "prefix": reported.get(f"{self.prefix}.s3.prefix", "")}


def _reported(pairs: list[dict]) -> dict[str, str]:
    return {pair["Key"]: pair["Value"] for pair in pairs}


# ---- nested blocks --------------------------------------------------------------------------

# A block's shape: input name -> (API name, shape of the nested block or None for a plain value).
Shape = dict[str, tuple[str, "Shape | None"]]


def to_api(value: Any, shape: Shape) -> Any:
    if isinstance(value, list):
        return [to_api(item, shape) for item in value]
    return {
        api: to_api(value[wire], nested) if nested else value[wire]
        for wire, (api, nested) in shape.items() if value.get(wire) is not None
    }


def from_api(value: Any, shape: Shape) -> Any:
    if isinstance(value, list):
        return [from_api(item, shape) for item in value]
    return {
        wire: from_api(value[api], nested) if nested else value[api]
        for wire, (api, nested) in shape.items() if value.get(api) is not None
    }


def _plain(*names: str) -> Shape:
    """A block whose API names are its input names, capitalized."""
    return {name: (api_name(name), None) for name in names}


ACTION: Shape = {
    "type": ("Type", None),
    "order": ("Order", None),
    "targetGroupArn": ("TargetGroupArn", None),
    "forward": ("ForwardConfig", {
        "targetGroups": ("TargetGroups", {"arn": ("TargetGroupArn", None), "weight": ("Weight", None)}),
        "stickiness": ("TargetGroupStickinessConfig", {
            "enabled": ("Enabled", None), "duration": ("DurationSeconds", None),
        }),
    }),
    "fixedResponse": ("FixedResponseConfig", _plain("contentType", "messageBody", "statusCode")),
    "redirect": ("RedirectConfig", _plain("host", "path", "port", "protocol", "query", "statusCode")),
}
_HEALTH_CHECK: Shape = {
    "enabled": ("HealthCheckEnabled", None),
    "healthyThreshold": ("HealthyThresholdCount", None),
    "interval": ("HealthCheckIntervalSeconds", None),
    "path": ("HealthCheckPath", None),
    "port": ("HealthCheckPort", None),
    "protocol": ("HealthCheckProtocol", None),
    "timeout": ("HealthCheckTimeoutSeconds", None),
    "unhealthyThreshold": ("UnhealthyThresholdCount", None),
}


def action_failures(inputs: Props, key: str) -> list[CheckFailure]:
    """The actions (of a listener or rule) whose type envctl does not implement: authentication actions."""
    actions = [a for a in inputs.get(key) or [] if isinstance(a, dict)]
    return [
        CheckFailure(key, f"'{a['type']}' actions are not supported by envctl's local engine; the local cloud "
                          f"(moto) emulates no Cognito or OIDC authentication at the load balancer")
        for a in actions if isinstance(a.get("type"), str) and a["type"] not in _SUPPORTED_ACTIONS
    ]


def elb_tags(ctx: AwsContext, elb: Any, arn: str, state: Props) -> Props:
    described = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return tags_from_cloud(ctx, state, tag_dict(described[0]["Tags"] if described else []))


def sync_elb_tags(elb: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(
        old, new,
        lambda tags: elb.add_tags(ResourceArns=[arn], Tags=tag_list(tags)),
        lambda keys: elb.remove_tags(ResourceArns=[arn], TagKeys=keys),
    )


class _ElbResource(AwsResource):
    """What load balancers and target groups share: names of at most 32 characters, optionally from a prefix."""

    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = _MAX_NAME_LENGTH


# ---- LoadBalancer ---------------------------------------------------------------------------

_LB_ATTRIBUTES = (
    _attribute("enableDeletionProtection", "deletion_protection.enabled", False, _APPLICATION, _NETWORK, _GATEWAY),
    _attribute("idleTimeout", "idle_timeout.timeout_seconds", 60, _APPLICATION),
    _attribute("enableHttp2", "routing.http2.enabled", True, _APPLICATION),
    _attribute("dropInvalidHeaderFields", "routing.http.drop_invalid_header_fields.enabled", False, _APPLICATION),
    _attribute("desyncMitigationMode", "routing.http.desync_mitigation_mode", "defensive", _APPLICATION),
    _attribute("preserveHostHeader", "routing.http.preserve_host_header.enabled", False, _APPLICATION),
    _attribute("enableWafFailOpen", "waf.fail_open.enabled", False, _APPLICATION),
    _attribute("xffHeaderProcessingMode", "routing.http.xff_header_processing.mode", "append", _APPLICATION),
    _attribute("enableXffClientPort", "routing.http.xff_client_port.enabled", False, _APPLICATION),
    _attribute("enableTlsVersionAndCipherSuiteHeaders",
               "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", False, _APPLICATION),
    _attribute("clientKeepAlive", "client_keep_alive.seconds", 3600, _APPLICATION),
    _attribute("enableZonalShift", "zonal_shift.config.enabled", False, _APPLICATION, _NETWORK),
    _attribute("dnsRecordClientRoutingPolicy", "dns_record.client_routing_policy", "any_availability_zone", _NETWORK),
    # Always on for application load balancers, where AWS does not let it be set.
    _attribute("enableCrossZoneLoadBalancing", "load_balancing.cross_zone.enabled", False, _NETWORK, _GATEWAY),
    _attribute("secondaryIpsAutoAssignedPerSubnet", "secondary_ips.auto_assigned.per_subnet", 0, _NETWORK),
)
_LB_ATTRIBUTE_NAMES = frozenset(a.wire for a in _LB_ATTRIBUTES)
_LB_LOGS = (
    _LogBlock("accessLogs", "access_logs", frozenset({_APPLICATION, _NETWORK})),
    _LogBlock("connectionLogs", "connection_logs", frozenset({_APPLICATION})),
)
_NOT_DEFAULTED = frozenset({"enableCrossZoneLoadBalancing", "secondaryIpsAutoAssignedPerSubnet"})


def _log_values(kind: str, inputs: Props, keys: Iterable[str]) -> list[dict]:
    wanted = set(keys)
    logs = [log for log in _LB_LOGS if log.wire in wanted and kind in log.kinds]
    return [pair for log in logs for pair in log.values(inputs.get(log.wire))]


@resource_type
class LoadBalancer(_ElbResource):
    token = "aws:lb/loadBalancer:LoadBalancer"
    aliases = aliases_of("loadBalancer:LoadBalancer")
    # Terraform's schema defaults, which pulumi-aws's check fills in.
    defaults = {
        "loadBalancerType": _APPLICATION,
        **{a.wire: a.default for a in _LB_ATTRIBUTES if a.wire not in _NOT_DEFAULTED},
    }
    force_new = frozenset({"name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"})
    handled = frozenset({"loadBalancerType", "internal", "securityGroups", "subnets", "ipAddressType",
                         *_LB_ATTRIBUTE_NAMES, *(log.wire for log in _LB_LOGS)})
    unsupported = {
        "subnetMappings": "the local cloud (moto) keeps no Elastic IP or private address of a subnet mapping; give "
                          "subnets",
        "healthCheckLogs": "the local cloud (moto) keeps no bucket for health check logs",
        "customerOwnedIpv4Pool": "Outposts customer-owned address pools are not emulated by the local cloud",
        "ipamPools": "IPAM pools are not emulated by the local cloud",
        "minimumLoadBalancerCapacity": "load balancer capacity reservations are not emulated by the local cloud",
        "enablePrefixForIpv6SourceNat": "IPv6 source NAT prefixes are not emulated by the local cloud",
        "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "PrivateLink traffic rules are not emulated by the "
                                                                "local cloud",
    }
    outputs = frozenset({"arn", "arnSuffix", "dnsName", "vpcId", "zoneId"})
    set_properties = ("securityGroups", "subnets")

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A network load balancer cannot lose subnets, nor gain or lose all its security groups, nor have fewer
        secondary addresses per subnet, in place."""
        if news.get("loadBalancerType") != _NETWORK:
            return diff
        forced = set()
        if set(olds.get("subnets") or []) - set(news.get("subnets") or []):
            forced.add("subnets")
        if bool(olds.get("securityGroups")) != bool(news.get("securityGroups")):
            forced.add("securityGroups")
        secondary = "secondaryIpsAutoAssignedPerSubnet"
        if (news.get(secondary) or 0) < (olds.get(secondary) or 0):
            forced.add(secondary)
        return diff.replacing(forced)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        elb = ctx.client("elbv2")
        kind = inputs["loadBalancerType"]
        params: dict[str, Any] = {
            "Name": self.physical_name(inputs),
            "Type": kind,
            "Scheme": "internal" if inputs.get("internal") else "internet-facing",
            "Subnets": list(inputs.get("subnets") or []),
        }
        if inputs.get("securityGroups"):
            params["SecurityGroups"] = list(inputs["securityGroups"])
        if inputs.get("ipAddressType"):
            params["IpAddressType"] = inputs["ipAddressType"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = elb.create_load_balancer(**params)["LoadBalancers"][0]["LoadBalancerArn"]
        elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[arn], WaiterConfig=_WAITER)
        # As Terraform does: every attribute is set after create, so the defaults are what AWS has.
        attributes = _attribute_values(_LB_ATTRIBUTES, kind, inputs, _LB_ATTRIBUTE_NAMES)
        attributes += _log_values(kind, inputs, [log.wire for log in _LB_LOGS if inputs.get(log.wire)])
        if attributes:
            elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        elb = ctx.client("elbv2")
        lb = one_found(elb.describe_load_balancers, "LoadBalancers", LB_GONE, LoadBalancerArns=[id])
        if lb is None:
            return None
        pairs = elb.describe_load_balancer_attributes(LoadBalancerArn=id)["Attributes"]
        arn = lb["LoadBalancerArn"]
        return {
            "id": arn,
            "arn": arn,
            "arnSuffix": arn.partition(":loadbalancer/")[2],
            "name": lb["LoadBalancerName"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "dnsName": lb["DNSName"],
            "zoneId": lb["CanonicalHostedZoneId"],
            "vpcId": lb.get("VpcId"),
            "internal": lb["Scheme"] == "internal",
            "loadBalancerType": lb["Type"],
            "ipAddressType": lb.get("IpAddressType"),
            "securityGroups": sorted(lb.get("SecurityGroups") or []),
            "subnets": sorted(zone["SubnetId"] for zone in lb.get("AvailabilityZones") or []),
            **_attribute_outputs(_LB_ATTRIBUTES, lb["Type"], pairs, state),
            **{log.wire: log.output(_reported(pairs)) for log in _LB_LOGS},
            **elb_tags(ctx, elb, arn, state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        elb = ctx.client("elbv2")
        changed = set(diff.changed)
        if "securityGroups" in changed:
            elb.set_security_groups(LoadBalancerArn=id, SecurityGroups=list(news.get("securityGroups") or []))
        if "subnets" in changed:
            elb.set_subnets(LoadBalancerArn=id, Subnets=list(news.get("subnets") or []))
        if "ipAddressType" in changed and news.get("ipAddressType"):
            elb.set_ip_address_type(LoadBalancerArn=id, IpAddressType=news["ipAddressType"])
        attributes = _attribute_values(_LB_ATTRIBUTES, news["loadBalancerType"], news, changed)
        attributes += _log_values(news["loadBalancerType"], news, changed)
        if attributes:
            elb.modify_load_balancer_attributes(LoadBalancerArn=id, Attributes=attributes)
        sync_elb_tags(elb, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """With enableDeletionProtection AWS refuses, as with Terraform: turn it off first."""
        elb = ctx.client("elbv2")
        remove(elb.delete_load_balancer, gone=LB_GONE, LoadBalancerArn=id)
        elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[id], WaiterConfig=_WAITER)


# ---- TargetGroup ----------------------------------------------------------------------------

_TG_ATTRIBUTES = (
    _attribute("deregistrationDelay", "deregistration_delay.timeout_seconds", 300, _APPLICATION, _NETWORK, _GATEWAY),
    _attribute("slowStart", "slow_start.duration_seconds", 0, _APPLICATION),
    _attribute("loadBalancingAlgorithmType", "load_balancing.algorithm.type", "round_robin", _APPLICATION),
    _attribute("loadBalancingCrossZoneEnabled", "load_balancing.cross_zone.enabled",
               "use_load_balancer_configuration", _APPLICATION, _NETWORK),
    _attribute("proxyProtocolV2", "proxy_protocol_v2.enabled", False, _NETWORK),
    _attribute("connectionTermination", "deregistration_delay.connection_termination.enabled", False, _NETWORK),
    _attribute("lambdaMultiValueHeadersEnabled", "lambda.multi_value_headers.enabled", False, _LAMBDA),
    # Strings in pulumi-aws: "true"/"false" and "on"/"off".
    _attribute("preserveClientIp", "preserve_client_ip.enabled", "", _NETWORK),
    _attribute("loadBalancingAnomalyMitigation", "load_balancing.algorithm.anomaly_mitigation", "off", _APPLICATION),
)
_TG_ATTRIBUTE_NAMES = frozenset(a.wire for a in _TG_ATTRIBUTES)
_COOKIE_DURATION = 86400  # Terraform's default stickiness.cookieDuration, a day
# Where ELB keeps the cookie settings of each kind of stickiness (HTTP and HTTPS groups only).
_COOKIE_KEYS = {
    "lb_cookie": {"cookieDuration": "stickiness.lb_cookie.duration_seconds"},
    "app_cookie": {"cookieDuration": "stickiness.app_cookie.duration_seconds",
                   "cookieName": "stickiness.app_cookie.cookie_name"},
}


def _stickiness_values(stickiness: Props | None, protocol: str | None) -> list[dict]:
    """The stickiness block as attributes, as Terraform sets them; without it, stickiness is off."""
    if not stickiness:
        return [{"Key": "stickiness.enabled", "Value": "false"}]
    settings = {"cookieDuration": _COOKIE_DURATION, **{k: v for k, v in stickiness.items() if v is not None}}
    pairs = [{"Key": "stickiness.enabled", "Value": "false" if settings.get("enabled") is False else "true"},
             {"Key": "stickiness.type", "Value": settings["type"]}]
    if protocol in ("HTTP", "HTTPS"):
        cookie = _COOKIE_KEYS.get(settings["type"], {})
        pairs += [{"Key": key, "Value": str(settings[field])} for field, key in cookie.items() if field in settings]
    return pairs


def _stickiness_output(reported: dict[str, str]) -> Props | None:
    if "stickiness.type" not in reported:
        return None
    kind = reported["stickiness.type"]
    output: Props = {"enabled": reported.get("stickiness.enabled") == "true", "type": kind}
    for field, key in _COOKIE_KEYS.get(kind, {}).items():
        value = reported.get(key, _COOKIE_DURATION if field == "cookieDuration" else "")
        output[field] = int(value) if field == "cookieDuration" else value
    return output
_NETWORK_PROTOCOLS = frozenset({"TCP", "UDP", "TCP_UDP", "TLS"})
# Inputs CreateTargetGroup takes as they are, by their API name.
_TG_FIELDS = {"protocol": "Protocol", "protocolVersion": "ProtocolVersion", "port": "Port", "vpcId": "VpcId",
              "ipAddressType": "IpAddressType"}


def _target_group_kind(inputs: Props) -> str:
    """Which load balancer the group serves, which decides the attributes that apply to it."""
    if inputs.get("targetType") == _LAMBDA:
        return _LAMBDA
    protocol = inputs.get("protocol")
    if protocol == "GENEVE":
        return _GATEWAY
    return _NETWORK if protocol in _NETWORK_PROTOCOLS else _APPLICATION


def _health_check_params(health_check: Props | None, protocol_version: str | None) -> dict[str, Any]:
    """The health check as CreateTargetGroup/ModifyTargetGroup parameters (gRPC groups match gRPC codes)."""
    if not health_check:
        return {}
    params = to_api(health_check, _HEALTH_CHECK)
    if health_check.get("matcher"):
        code = "GrpcCode" if protocol_version == "GRPC" else "HttpCode"
        params["Matcher"] = {code: health_check["matcher"]}
    return params


@resource_type
class TargetGroup(_ElbResource):
    token = "aws:lb/targetGroup:TargetGroup"
    aliases = aliases_of("targetGroup:TargetGroup")
    defaults = {
        "targetType": "instance",
        "deregistrationDelay": 300,
        "slowStart": 0,
        "proxyProtocolV2": False,
        "lambdaMultiValueHeadersEnabled": False,
    }
    force_new = frozenset({
        "name", "namePrefix", "port", "protocol", "protocolVersion", "vpcId", "targetType", "ipAddressType",
    })
    handled = frozenset({"targetType", *_TG_FIELDS, "healthCheck", "stickiness", *_TG_ATTRIBUTE_NAMES})
    unsupported = {
        "targetControlPort": "target control ports (target optimizer) are not implemented",
        "targetFailovers": "target failover of Gateway Load Balancers is not implemented",
        "targetGroupHealth": "DNS failover and unhealthy-state routing thresholds are not implemented",
        "targetHealthStates": "unhealthy target connection termination is not implemented",
    }
    outputs = frozenset({"arn", "arnSuffix", "loadBalancerArns"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        elb = ctx.client("elbv2")
        params: dict[str, Any] = {
            "Name": self.physical_name(inputs),
            "TargetType": inputs["targetType"],
            **{api: inputs[wire] for wire, api in _TG_FIELDS.items() if inputs.get(wire) is not None},
            **_health_check_params(inputs.get("healthCheck"), inputs.get("protocolVersion")),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = elb.create_target_group(**params)["TargetGroups"][0]["TargetGroupArn"]
        attributes = _attribute_values(_TG_ATTRIBUTES, _target_group_kind(inputs), inputs, _TG_ATTRIBUTE_NAMES)
        if inputs.get("stickiness"):
            attributes += _stickiness_values(inputs["stickiness"], inputs.get("protocol"))
        if attributes:
            elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        elb = ctx.client("elbv2")
        group = one_found(elb.describe_target_groups, "TargetGroups", TARGET_GROUP_GONE, TargetGroupArns=[id])
        if group is None:
            return None
        arn = group["TargetGroupArn"]
        pairs = elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        matcher = group.get("Matcher") or {}
        health_check = from_api(group, _HEALTH_CHECK)
        if matcher:
            health_check["matcher"] = matcher.get("HttpCode") or matcher.get("GrpcCode")
        kind = _target_group_kind({"targetType": group.get("TargetType"), "protocol": group.get("Protocol")})
        return {
            "id": arn,
            "arn": arn,
            "arnSuffix": arn.rpartition(":")[2],
            "name": group["TargetGroupName"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "port": group.get("Port"),
            "protocol": group.get("Protocol"),
            "protocolVersion": group.get("ProtocolVersion"),
            "vpcId": group.get("VpcId"),
            "targetType": group.get("TargetType"),
            "ipAddressType": group.get("IpAddressType"),
            "healthCheck": health_check,
            "loadBalancerArns": group.get("LoadBalancerArns") or [],
            **_attribute_outputs(_TG_ATTRIBUTES, kind, pairs, state),
            "stickiness": _stickiness_output(_reported(pairs)),
            **elb_tags(ctx, elb, arn, state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        elb = ctx.client("elbv2")
        changed = set(diff.changed)
        if "healthCheck" in changed and news.get("healthCheck"):
            elb.modify_target_group(
                TargetGroupArn=id, **_health_check_params(news["healthCheck"], news.get("protocolVersion"))
            )
        attributes = _attribute_values(_TG_ATTRIBUTES, _target_group_kind(news), news, changed)
        if "stickiness" in changed:
            attributes += _stickiness_values(news.get("stickiness"), news.get("protocol"))
        if attributes:
            elb.modify_target_group_attributes(TargetGroupArn=id, Attributes=attributes)
        sync_elb_tags(elb, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # A listener deleted just before may still hold the group for a moment.
        remove(ctx.client("elbv2").delete_target_group, gone=TARGET_GROUP_GONE, busy=("ResourceInUse",),
               TargetGroupArn=id)


# ---- Listener -------------------------------------------------------------------------------

# Listener attributes, by the listener protocols they apply to: the names of the mTLS and TLS request headers
# ALB adds (HTTPS), the response headers it sets (HTTP and HTTPS), and the idle timeout of TCP listeners.
_REQUEST_HEADERS = {
    "XAmznMtlsClientcert": "x_amzn_mtls_clientcert", "XAmznMtlsClientcertIssuer": "x_amzn_mtls_clientcert_issuer",
    "XAmznMtlsClientcertLeaf": "x_amzn_mtls_clientcert_leaf",
    "XAmznMtlsClientcertSerialNumber": "x_amzn_mtls_clientcert_serial_number",
    "XAmznMtlsClientcertSubject": "x_amzn_mtls_clientcert_subject",
    "XAmznMtlsClientcertValidity": "x_amzn_mtls_clientcert_validity",
    "XAmznTlsCipherSuite": "x_amzn_tls_cipher_suite", "XAmznTlsVersion": "x_amzn_tls_version",
}
_RESPONSE_HEADERS = {
    "AccessControlAllowCredentials": "access_control_allow_credentials",
    "AccessControlAllowHeaders": "access_control_allow_headers",
    "AccessControlAllowMethods": "access_control_allow_methods",
    "AccessControlAllowOrigin": "access_control_allow_origin",
    "AccessControlExposeHeaders": "access_control_expose_headers", "AccessControlMaxAge": "access_control_max_age",
    "ContentSecurityPolicy": "content_security_policy", "StrictTransportSecurity": "strict_transport_security",
    "XContentTypeOptions": "x_content_type_options", "XFrameOptions": "x_frame_options",
}
_LISTENER_ATTRIBUTES = (
    *(_attribute(f"routingHttpRequest{name}HeaderName", f"routing.http.request.{key}.header_name", "", "HTTPS")
      for name, key in _REQUEST_HEADERS.items()),
    *(_attribute(f"routingHttpResponse{name}HeaderValue", f"routing.http.response.{key}.header_value", "", "HTTP",
                 "HTTPS") for name, key in _RESPONSE_HEADERS.items()),
    _attribute("routingHttpResponseServerEnabled", "routing.http.response.server.enabled", True, "HTTP", "HTTPS"),
    _attribute("tcpIdleTimeoutSeconds", "tcp.idle_timeout.seconds", 350, "TCP"),
)
_LISTENER_ATTRIBUTE_NAMES = frozenset(a.wire for a in _LISTENER_ATTRIBUTES)


def _set_listener_attributes(elb: Any, arn: str, protocol: str, inputs: Props, keys: Iterable[str]) -> None:
    attributes = _attribute_values(_LISTENER_ATTRIBUTES, protocol, inputs, keys)
    if attributes:
        elb.modify_listener_attributes(ListenerArn=arn, Attributes=attributes)


@resource_type
class Listener(AwsResource):
    token = "aws:lb/listener:Listener"
    aliases = aliases_of("listener:Listener")
    required = ("loadBalancerArn", "defaultActions")
    force_new = frozenset({"loadBalancerArn"})
    handled = frozenset({"port", "protocol", "certificateArn", "sslPolicy", "alpnPolicy", *_LISTENER_ATTRIBUTE_NAMES})
    unsupported = {"mutualAuthentication": "mutual TLS with trust stores is not emulated by the local cloud"}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return action_failures(inputs, "defaultActions")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {"LoadBalancerArn": inputs["loadBalancerArn"], **_listener_params(inputs, set(inputs))}
        if "Protocol" not in params and "loadbalancer/app/" in inputs["loadBalancerArn"]:
            params["Protocol"] = "HTTP"  # Terraform's default for an application load balancer
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        elb = ctx.client("elbv2")
        listener = elb.create_listener(**params)["Listeners"][0]
        arn = listener["ListenerArn"]
        _set_listener_attributes(elb, arn, listener.get("Protocol") or "", inputs, _LISTENER_ATTRIBUTE_NAMES)
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        elb = ctx.client("elbv2")
        listener = one_found(elb.describe_listeners, "Listeners", LISTENER_GONE, ListenerArns=[id])
        if listener is None:
            return None
        certificates = listener.get("Certificates") or []
        pairs = elb.describe_listener_attributes(ListenerArn=id)["Attributes"]
        return {
            "id": listener["ListenerArn"],
            "arn": listener["ListenerArn"],
            "loadBalancerArn": listener["LoadBalancerArn"],
            "port": listener.get("Port"),
            "protocol": listener.get("Protocol"),
            "sslPolicy": listener.get("SslPolicy"),
            "certificateArn": certificates[0]["CertificateArn"] if certificates else None,
            "alpnPolicy": (listener.get("AlpnPolicy") or [None])[0],
            "defaultActions": from_api(listener.get("DefaultActions") or [], ACTION),
            **_attribute_outputs(_LISTENER_ATTRIBUTES, listener.get("Protocol") or "", pairs, state),
            **elb_tags(ctx, elb, listener["ListenerArn"], state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        elb = ctx.client("elbv2")
        params = _listener_params(news, set(diff.changed))
        if params:
            elb.modify_listener(ListenerArn=id, **params)
        protocol = news.get("protocol") or olds.get("protocol") or ""
        _set_listener_attributes(elb, id, protocol, news, diff.changed)
        sync_elb_tags(elb, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("elbv2").delete_listener, gone=LISTENER_GONE, ListenerArn=id)


def _listener_params(inputs: Props, keys: set[str]) -> dict[str, Any]:
    """CreateListener/ModifyListener parameters for the named inputs."""
    params: dict[str, Any] = {}
    plain = {"port": "Port", "protocol": "Protocol", "sslPolicy": "SslPolicy"}
    params.update({api: inputs[wire] for wire, api in plain.items() if wire in keys and inputs.get(wire)})
    if "certificateArn" in keys and inputs.get("certificateArn"):
        params["Certificates"] = [{"CertificateArn": inputs["certificateArn"]}]
    if "alpnPolicy" in keys and inputs.get("alpnPolicy"):
        params["AlpnPolicy"] = [inputs["alpnPolicy"]]
    if "defaultActions" in keys:
        params["DefaultActions"] = to_api(inputs.get("defaultActions") or [], ACTION)
    return params
