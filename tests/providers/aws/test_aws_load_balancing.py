"""Listener rules, target group attachments, the getLoadBalancer lookup and the aws:alb twins of the lb types,
against the session's moto server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_schema import pulumi_aws_type

from envctl.cloud.target import CloudTarget
from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.package import AwsPackage
from envctl.providers.aws.registry import lookup_resource, supported_resource_types

from engine_support import aws
from provider_steps import (
    Provision,
    Provisioned,
    assert_up_again_changes_nothing_and_destroy_deletes,
    failures,
    invoke,
    tag_map,
    up_program,
)

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
NOT_FOUND = {"type": "fixed-response",
             "fixedResponse": {"contentType": "text/plain", "messageBody": "no route", "statusCode": "404"}}


@pytest.fixture
def listener(provision: Provision, default_network: tuple) -> tuple[Provisioned, str]:
    """An HTTP listener of an application load balancer, and the default VPC it is in."""
    vpc_id, subnets = default_network
    lb = provision(LOAD_BALANCER, "routing", subnets=subnets, tags={"team": "edge"})
    return provision(LISTENER, "http", loadBalancerArn=lb.id, port=80, protocol="HTTP",
                     defaultActions=[NOT_FOUND]), vpc_id


def _rules(aws_ctx: AwsContext, listener_arn: str) -> dict[str, dict[str, Any]]:
    rules = aws_ctx.client("elbv2").describe_rules(ListenerArn=listener_arn)["Rules"]
    return {rule["RuleArn"]: rule for rule in rules if not rule["IsDefault"]}


def test_listener_rule_routes_paths_to_target_groups(provision: Provision, aws_ctx: AwsContext,
                                                     listener: tuple[Provisioned, str]) -> None:
    http, vpc_id = listener
    api = provision(TARGET_GROUP, "api", port=8080, protocol="HTTP", vpcId=vpc_id)
    web = provision(TARGET_GROUP, "web", port=80, protocol="HTTP", vpcId=vpc_id)
    rule = provision(LISTENER_RULE, "api", listenerArn=http.id, priority=10,
                     actions=[{"type": "forward", "targetGroupArn": api.id}],
                     conditions=[{"pathPattern": {"values": ["/api/*"]}}], tags={"route": "api"})
    assert rule.id == rule.outputs["arn"] and ":listener-rule/app/" in rule.id
    described = _rules(aws_ctx, http.id)[rule.id]
    assert described["Priority"] == "10"
    assert described["Actions"][0]["TargetGroupArn"] == api.id
    assert described["Conditions"][0]["Field"] == "path-pattern"
    assert described["Conditions"][0]["PathPatternConfig"]["Values"] == ["/api/*"]
    tags = aws_ctx.client("elbv2").describe_tags(ResourceArns=[rule.id])["TagDescriptions"][0]["Tags"]
    assert tag_map(tags)["route"] == "api"
    assert rule.outputs["listenerArn"] == http.id and rule.outputs["priority"] == 10
    assert rule.outputs["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    assert rule.read() == rule.outputs
    assert not rule.diff().has_changes
    assert rule.diff(listenerArn=http.id + "x").replaces == ("listenerArn",)

    # Without a priority, Terraform takes the one above the listener's highest.
    second = provision(LISTENER_RULE, "static", listenerArn=http.id,
                       actions=[{"type": "forward", "targetGroupArn": web.id}],
                       conditions=[{"hostHeader": {"values": ["static.example.com"]}},
                                   {"httpRequestMethod": {"values": ["GET", "HEAD"]}}])
    assert second.outputs["priority"] == 11
    assert not second.diff().has_changes
    methods = [{"hostHeader": {"values": ["static.example.com"]}}, {"httpRequestMethod": {"values": ["HEAD", "GET"]}}]
    assert not second.diff(conditions=methods).has_changes  # values are a set

    rule.update(priority=5, conditions=[{"pathPattern": {"values": ["/v2/*"]}},
                                        {"queryStrings": [{"key": "beta", "value": "1"}]},
                                        {"httpHeader": {"httpHeaderName": "X-Env", "values": ["test"]}}],
                actions=[NOT_FOUND], tags={"route": "v2"})
    described = _rules(aws_ctx, http.id)[rule.id]
    assert described["Priority"] == "5"
    assert described["Actions"][0]["Type"] == "fixed-response"
    fields = {condition["Field"]: condition for condition in described["Conditions"]}
    assert fields["path-pattern"]["PathPatternConfig"]["Values"] == ["/v2/*"]
    assert fields["query-string"]["QueryStringConfig"]["Values"] == [{"Key": "beta", "Value": "1"}]
    assert fields["http-header"]["HttpHeaderConfig"] == {"HttpHeaderName": "X-Env", "Values": ["test"]}
    assert rule.outputs["tags"] == {"route": "v2"} and rule.read() == rule.outputs
    rule.assert_deleted(lambda: rule.id in _rules(aws_ctx, http.id))


def test_listener_rule_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    base = {"listenerArn": "arn", "actions": [NOT_FOUND]}
    assert set(failures(LISTENER_RULE, **base, conditions=[{"pathPattern": {"regexValues": ["^/a"]}}])) == \
        {"conditions"}
    assert "exactly one" in failures(LISTENER_RULE, **base, conditions=[
        {"pathPattern": {"values": ["/a"]}, "hostHeader": {"values": ["x"]}}])["conditions"]
    assert "transforms" in failures(LISTENER_RULE, **base, conditions=[{"pathPattern": {"values": ["/a"]}}],
                                    transforms=[{"type": "url-rewrite"}])
    oidc = failures(LISTENER_RULE, listenerArn="arn", conditions=[{"pathPattern": {"values": ["/a"]}}],
                    actions=[{"type": "authenticate-oidc", "authenticateOidc": {"issuer": "x"}}])
    assert "not emulated" in oidc["actions"]


def test_target_group_attachment_registers_a_target(provision: Provision, aws_ctx: AwsContext,
                                                    default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, _ = default_network
    group = provision(TARGET_GROUP, "ips", port=80, protocol="HTTP", vpcId=vpc_id, targetType="ip")
    attachment = provision(ATTACHMENT, "first", targetGroupArn=group.id, targetId="172.31.0.10", port=8080)
    assert attachment.id.startswith(f"{group.id}-") and attachment.id != group.id + "-"
    health = elb.describe_target_health(TargetGroupArn=group.id)["TargetHealthDescriptions"]
    assert [(h["Target"]["Id"], h["Target"]["Port"]) for h in health] == [("172.31.0.10", 8080)]
    assert attachment.outputs["targetId"] == "172.31.0.10" and attachment.outputs["port"] == 8080
    assert attachment.read() == attachment.outputs
    assert not attachment.diff().has_changes
    assert attachment.diff(port=9090).replaces == ("port",)
    assert attachment.diff(targetId="172.31.0.11").replaces == ("targetId",)
    attachment.assert_deleted(lambda: any(h["TargetHealth"].get("Reason") != "Target.NotRegistered" for h in
                                          elb.describe_target_health(TargetGroupArn=group.id)
                                          ["TargetHealthDescriptions"]))
    assert "quicServerId" in failures(ATTACHMENT, targetGroupArn="arn", targetId="i-1", quicServerId="0x1")


def test_get_load_balancer_by_arn_name_and_tags(provision: Provision, aws_ctx: AwsContext,
                                                listener: tuple[Provisioned, str]) -> None:
    http, _ = listener
    arn = http.inputs["loadBalancerArn"]
    by_arn = invoke("aws:lb/getLoadBalancer:getLoadBalancer", aws_ctx, {"arn": arn})
    described = aws_ctx.client("elbv2").describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert by_arn["id"] == arn and by_arn["name"] == described["LoadBalancerName"]
    assert by_arn["dnsName"] == described["DNSName"] and by_arn["zoneId"] == described["CanonicalHostedZoneId"]
    assert by_arn["tags"]["team"] == "edge" and by_arn["idleTimeout"] == 60
    assert sorted(m["subnetId"] for m in by_arn["subnetMappings"]) == by_arn["subnets"]
    assert by_arn["accessLogs"] == {"bucket": "", "enabled": False, "prefix": ""}
    by_name = invoke("aws:alb/getLoadBalancer:getLoadBalancer", aws_ctx, {"name": by_arn["name"]})
    assert by_name == {**by_arn, "arn": arn}
    by_tags = invoke("aws:lb/getLoadBalancer:getLoadBalancer", aws_ctx,
                     {"tags": {"envctl:urn": by_arn["tags"]["envctl:urn"]}})
    assert by_tags["arn"] == arn
    with pytest.raises(BadInput, match="no load balancer matched"):
        invoke("aws:lb/getLoadBalancer:getLoadBalancer", aws_ctx, {"name": "no-such-balancer"})


@pytest.mark.parametrize("token", [t for t in supported_resource_types() if t.startswith("aws:lb/")])
def test_every_lb_type_has_its_alb_twin_with_the_same_schema(token: str) -> None:
    twin = token.replace("aws:lb/", "aws:alb/", 1)
    assert lookup_resource(twin) is lookup_resource(token)
    declared, expected = lookup_resource(token).schema(), pulumi_aws_type(twin)
    assert declared.inputs == expected.inputs and declared.outputs == expected.outputs
    assert declared.required == expected.required


def test_envctl_types_lists_the_alb_twins_with_their_schema() -> None:
    listed = {info.token: info for info in AwsPackage(CloudTarget("local"), "").types() if info.kind == "resource"}
    for token in ("aws:alb/listenerRule:ListenerRule", "aws:alb/targetGroupAttachment:TargetGroupAttachment",
                  "aws:alb/targetGroup:TargetGroup"):
        primary = listed[token.replace("aws:alb/", "aws:lb/", 1)]
        assert listed[token].implemented == primary.implemented and listed[token].outputs == primary.outputs


ALB_PROGRAM = """
import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
balancer = aws.alb.LoadBalancer("edge", subnets=subnets.ids)
group = aws.alb.TargetGroup("ips", port=80, protocol="HTTP", vpc_id=vpc.id, target_type="ip")
aws.alb.TargetGroupAttachment("first-ip", target_group_arn=group.arn, target_id="172.31.0.20")
listener = aws.alb.Listener("http", load_balancer_arn=balancer.arn, port=80, default_actions=[{
    "type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404"}}])
aws.alb.ListenerRule("to-ips", listener_arn=listener.arn, priority=5,
                     actions=[{"type": "forward", "target_group_arn": group.arn}],
                     conditions=[{"host_header": {"values": ["app.example.com"]}}])
found = aws.alb.get_load_balancer_output(arn=balancer.arn)
pulumi.export("listener", listener.arn)
pulumi.export("group", group.arn)
pulumi.export("dns", found.dns_name)
"""


def test_a_program_of_aws_alb_types_runs_through_the_local_engine(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, ALB_PROGRAM, moto_endpoint, name="alb-twins")
    elbv2 = aws(moto_endpoint, "elbv2")
    [rule] = [r for r in elbv2.describe_rules(ListenerArn=result.outputs["listener"])["Rules"] if not r["IsDefault"]]
    assert rule["Conditions"][0]["HostHeaderConfig"]["Values"] == ["app.example.com"]
    assert rule["Actions"][0]["TargetGroupArn"] == result.outputs["group"]
    health = elbv2.describe_target_health(TargetGroupArn=result.outputs["group"])["TargetHealthDescriptions"]
    assert [h["Target"]["Id"] for h in health] == ["172.31.0.20"]
    assert result.outputs["dns"].endswith(".elb.amazonaws.com")
    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, result.changes["create"])
