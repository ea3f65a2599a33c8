"""Whole programs through the engine with the fake provider: the real SDK, monitor, generator and executor, no
cloud. Preview decides without a call; apply takes exactly the confirmed plan; independent registrations run in
parallel and a failed one stops only what depends on it."""

from __future__ import annotations

from pathlib import Path

from fake_provider import FakePackage

from envctl.engine.deployment import Deployment, Program
from envctl.engine.secret_values import SecretValues
from envctl.engine.state import StateStore
from envctl.ledger.db import connect
from envctl.secrets import local_crypter

from engine_support import write_program

TYPES = """
import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("fake:index:Thing", name, {**props, "arn": None}, opts)


class Link(pulumi.CustomResource):
    def __init__(self, name, props, opts=None):
        super().__init__("fake:index:Link", name, {**props, "arn": None}, opts)

"""


def deployment(root: Path, package: FakePackage) -> Deployment:
    store = StateStore(connect(f"sqlite:///{root / 'state.db'}"), "test", local_crypter(root))
    return Deployment(Program("proj", root, root), "test", {}, [], store, {"fake": package}, {},
                      secrets=SecretValues(), stack_outputs_of=lambda _stack: None)


def test_preview_decides_without_a_call_and_apply_takes_exactly_its_plan(tmp_path: Path) -> None:
    root = write_program(tmp_path, TYPES + 'a = Thing("a", {"size": 1})\nLink("l", {"target": a.id})\n', name="proj")
    package = FakePackage()
    plan = deployment(root, package).preview()
    assert plan.succeeded, plan.error
    assert [(str(s.op), s.name) for s in plan.planned] == [("create", "proj-test"), ("create", "a"), ("create", "l")]
    assert package.cloud.calls == []

    applied = deployment(root, package).apply(plan.plan)
    assert applied.succeeded, applied.error
    assert package.cloud.mutations() == [("create", "a"), ("create", "l")]
    link = next(r for r in applied.resources if r.name == "l")
    assert link.inputs["target"] == next(r.id for r in applied.resources if r.name == "a")
    assert applied.done["created"] == 3

    again = deployment(root, package).apply()
    assert again.succeeded and not again.has_changes and again.done["unchanged"] == 3


def test_a_step_that_differs_from_the_confirmed_plan_is_refused_and_nothing_else_changes(tmp_path: Path) -> None:
    root = write_program(tmp_path, TYPES + 'Thing("a", {"size": 1})\n', name="proj")
    package = FakePackage()
    assert deployment(root, package).apply().succeeded
    plan = deployment(root, package).preview()
    assert not plan.has_changes
    (root / "__main__.py").write_text(TYPES + 'Thing("a", {"size": 2})\n')  # changed after the preview
    result = deployment(root, package).apply(plan.plan)
    assert not result.succeeded
    assert "update of size of fake:index:Thing 'a' is not what the confirmed plan holds" in str(result.error)
    assert "it was not taken" in str(result.error)
    assert package.cloud.mutations() == [("create", "a")]
    assert next(r for r in result.resources if r.name == "a").inputs["size"] == 1


def test_independent_registrations_run_in_parallel_and_a_failure_stops_only_its_dependents(tmp_path: Path) -> None:
    program = TYPES + """
bad = Thing("bad", {"size": 1})
Link("needs-bad", {"target": bad.id})
for i in range(6):
    Thing(f"ok{i}", {"size": i})
"""
    root = write_program(tmp_path, program, name="proj")
    package = FakePackage()
    package.cloud.delay = 0.3
    package.cloud.failures[("create", "bad")] = "Throttled: slow down"
    result = deployment(root, package).apply()
    assert not result.succeeded and "create fake:index:Thing 'bad': Throttled: slow down" in str(result.error)
    created = sorted(name for op, name in package.cloud.mutations() if op == "create")
    assert created == ["bad", *(f"ok{i}" for i in range(6))]  # attempted, and never the link that needs it
    assert package.cloud.most_at_once > 1
    assert sorted(r.name for r in result.resources if r.type == "fake:index:Thing") == [f"ok{i}" for i in range(6)]


def test_unsupported_inputs_stop_the_preview_naming_them_and_nothing_is_called(tmp_path: Path) -> None:
    root = write_program(tmp_path, TYPES + 'Thing("a", {"color": "red"})\nThing("b", {"size": -1})\n', name="proj")
    package = FakePackage()
    plan = deployment(root, package).preview()
    assert plan.error_kind == "bad_input"
    assert "fake:index:Thing 'a': color: 'color' is not supported" in str(plan.error)
    assert "fake:index:Thing 'b': size: must not be negative" in str(plan.error)
    assert package.cloud.calls == []


def test_an_unsupported_type_is_named_with_the_reason_its_package_gives(tmp_path: Path) -> None:
    gadget = 'class Gadget(pulumi.CustomResource):\n    def __init__(self, name):\n' \
             '        super().__init__("fake:index:Gadget", name, {})\n\n'
    root = write_program(tmp_path, TYPES + gadget + 'Gadget("g")\nThing("a", {})\n', name="proj")
    package = FakePackage()
    plan = deployment(root, package).preview()
    assert plan.error_kind == "bad_input"
    assert str(plan.error).startswith("unsupported resource type(s): fake:index:Gadget (the fake cloud has no "
                                      "gadgets). Nothing was changed.")
    assert package.cloud.calls == []


def test_a_preview_says_when_an_apply_would_change_nothing_at_all(tmp_path: Path) -> None:
    root = write_program(tmp_path, TYPES + 'a = Thing("a", {"size": 1})\npulumi.export("size", a.size)\n',
                         name="proj")
    package = FakePackage()
    assert deployment(root, package).apply().succeeded
    assert deployment(root, package).preview().changes_nothing
    # An option the state records, or a changed export, is something only an apply writes.
    (root / "__main__.py").write_text(TYPES + 'a = Thing("a", {"size": 1}, pulumi.ResourceOptions(protect=True))\n'
                                      'pulumi.export("size", a.size)\n')
    protected = deployment(root, package).preview()
    assert not protected.has_changes and not protected.changes_nothing
    (root / "__main__.py").write_text(TYPES + 'a = Thing("a", {"size": 1})\npulumi.export("size", a.arn)\n')
    assert not deployment(root, package).preview().changes_nothing
