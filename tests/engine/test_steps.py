"""Step decisions: same, create, update, replace; and the order of deletions."""

from envctl.engine.state import ResourceState
from envctl.engine.steps import CREATE, REPLACE, SAME, UPDATE, apply_ignore_changes, delete_order, plan_step
from envctl.providers.aws.registry import lookup_resource

QUEUE = lookup_resource("aws:sqs/queue:Queue")


def _old(**inputs: object) -> dict[str, object]:
    return QUEUE.check("jobs", None, dict(inputs)).inputs


def test_a_new_resource_is_created_with_an_auto_name() -> None:
    plan = plan_step(QUEUE, "jobs", None, {"delaySeconds": 5}, [], [])
    assert plan.op == CREATE
    assert plan.inputs["name"].startswith("jobs-") and len(plan.inputs["name"]) == len("jobs-") + 7


def test_unchanged_inputs_are_the_same_step_and_keep_the_name() -> None:
    old = _old(delaySeconds=5)
    plan = plan_step(QUEUE, "jobs", old, {"delaySeconds": 5}, [], [])
    assert plan.op == SAME
    assert plan.inputs["name"] == old["name"]


def test_an_updatable_property_is_an_update() -> None:
    plan = plan_step(QUEUE, "jobs", _old(delaySeconds=5), {"delaySeconds": 10}, [], [])
    assert plan.op == UPDATE
    assert plan.diff.changed == ("delaySeconds",)


def test_a_force_new_property_is_a_replace_with_a_fresh_name() -> None:
    old = _old(fifoQueue=False)
    plan = plan_step(QUEUE, "jobs", old, {"fifoQueue": True}, [], [])
    assert plan.op == REPLACE
    assert "fifoQueue" in plan.diff.replaces
    assert plan.inputs["name"] != old["name"]


def test_ignore_changes_keeps_the_old_value() -> None:
    old = _old(delaySeconds=5)
    plan = plan_step(QUEUE, "jobs", old, {"delaySeconds": 10}, ["delaySeconds"], [])
    assert plan.op == SAME
    assert apply_ignore_changes({"a": 1, "b": 2}, {"a": 0}, ["a", "b"]) == {"a": 0}


def test_replace_on_changes_turns_an_update_into_a_replace() -> None:
    plan = plan_step(QUEUE, "jobs", _old(delaySeconds=5), {"delaySeconds": 10}, [], ["delaySeconds"])
    assert plan.op == REPLACE


def test_dependents_are_deleted_before_what_they_depend_on() -> None:
    vpc = ResourceState(urn="u:vpc", type="aws:ec2/vpc:Vpc", custom=True)
    subnet = ResourceState(urn="u:subnet", type="aws:ec2/subnet:Subnet", custom=True, dependencies=["u:vpc"])
    assoc = ResourceState(urn="u:assoc", type="t", custom=True, property_dependencies={"subnetId": ["u:subnet"]})
    component = ResourceState(urn="u:comp", type="my:c", custom=False)
    child = ResourceState(urn="u:child", type="t", custom=True, parent="u:comp")
    order = [r.urn for r in delete_order([vpc, component, subnet, child, assoc])]
    assert order.index("u:assoc") < order.index("u:subnet") < order.index("u:vpc")
    assert order.index("u:child") < order.index("u:comp")
