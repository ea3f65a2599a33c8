"""alb-path-routing: the listener's rules send each path to its group of instances; editing the API's path
changes its rule in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


def _routes(cloud: Cloud, out: Outputs) -> dict[str, tuple[int, str]]:
    """Path pattern -> (priority, target group) of the listener's rules."""
    rules = cloud.client("elbv2").describe_rules(ListenerArn=out["listener_arn"])["Rules"]
    return {rule["Conditions"][0]["PathPatternConfig"]["Values"][0]: (int(rule["Priority"]),
                                                                        rule["Actions"][0]["TargetGroupArn"])
            for rule in rules if not rule["IsDefault"]}


def verify(cloud: Cloud, out: Outputs) -> None:
    elbv2, ec2 = cloud.client("elbv2"), cloud.client("ec2")
    assert _routes(cloud, out) == {"/api/*": (10, out["api_target_group"]), "/static/*": (20, out["web_target_group"])}
    [default] = [r for r in elbv2.describe_rules(ListenerArn=out["listener_arn"])["Rules"] if r["IsDefault"]]
    assert default["Actions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
    balancer = next(b for b in elbv2.describe_load_balancers()["LoadBalancers"] if b["DNSName"] == out["url"])
    assert balancer["Type"] == "application" and balancer["Scheme"] == "internet-facing"
    for group, role, port in ((out["api_target_group"], "api", 8080), (out["web_target_group"], "web", 80)):
        health = elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
        targets = sorted(h["Target"]["Id"] for h in health)
        assert {h["Target"]["Port"] for h in health} == {port} and len(targets) == 2
        reservations = ec2.describe_instances(InstanceIds=targets)["Reservations"]
        tags = [{t["Key"]: t["Value"] for t in i["Tags"]} for r in reservations for i in r["Instances"]]
        assert {t["Role"] for t in tags} == {role}


def verify_new_api_path(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    routes = _routes(cloud, after)
    assert routes["/v2/api/*"] == (10, after["api_target_group"]) and "/api/*" not in routes


CASE = ProgramCase("alb-path-routing", verify,
                   Edit(set_config("test", apiPath="/v2/api/*"), (("update", LISTENER_RULE),), verify_new_api_path))
