"""The step generator with the fake provider: a registration and the previous state in, steps out; no provider
call that changes or reads anything, whatever it decides."""

from __future__ import annotations

from typing import Any

import pytest
from fake_provider import LINK, THING, FakePackage

from envctl.engine.generator import InvalidInputs, Protected, StepGenerator, UnsupportedType, destroy_steps
from envctl.engine.goal import Goal
from envctl.engine.properties import UNKNOWN, secret
from envctl.engine.providers import ProviderRegistry
from envctl.engine.state import ResourceState
from envctl.engine.steps import CREATE, DELETE, REPLACE, SAME, UPDATE

PROVIDER_URN = "urn:pulumi:test::proj::pulumi:providers:fake::default"
PROVIDER = f"{PROVIDER_URN}::11111111-2222-3333-4444-555555555555"


def urn(name: str, type_: str = THING) -> str:
    return f"urn:pulumi:test::proj::{type_}::{name}"


def provider_state() -> ResourceState:
    return ResourceState(urn=PROVIDER_URN, type="pulumi:providers:fake", custom=True, id=PROVIDER.rsplit("::")[-1],
                         inputs={"version": ""})


def existing(logical: str, type_: str = THING, *, deps: dict[str, list[str]] | None = None, protect: bool = False,
             **inputs: Any) -> ResourceState:
    return ResourceState(urn=urn(logical, type_), type=type_, custom=True, id=f"{logical}-1", provider=PROVIDER,
                         inputs=inputs, outputs={**inputs, "arn": f"fake::{logical}-1"}, protect=protect,
                         property_dependencies=deps or {},
                         dependencies=sorted({u for us in (deps or {}).values() for u in us}))


def goal(name: str, type_: str = THING, **options: Any) -> Goal:
    inputs = options.pop("inputs", {})
    deps = options.pop("deps", {})
    return Goal(urn=urn(name, type_), type=type_, name=name, custom=True, provider=PROVIDER, inputs=inputs,
                property_dependencies={k: tuple(v) for k, v in deps.items()},
                dependencies=tuple(u for us in deps.values() for u in us), **options)


def generator(*old: ResourceState) -> tuple[StepGenerator, FakePackage]:
    package = FakePackage()
    registry = ProviderRegistry({"fake": package}, "test", "proj", {})
    registry.adopt([provider_state()])
    return StepGenerator([provider_state(), *old], registry), package


def test_a_new_resource_is_created_with_its_checked_inputs() -> None:
    gen, package = generator()
    [step] = gen.register(goal("a", inputs={"size": 1}))
    assert (step.op, step.urn, step.old) == (CREATE, urn("a"), None)
    assert step.new is not None and step.new.inputs == {"size": 1, "name": "a-auto"}
    assert package.cloud.calls == []


def test_equal_inputs_are_the_same_step_and_keep_the_physical_resource() -> None:
    gen, _ = generator(existing("a", size=1, name="a-auto"))
    [step] = gen.register(goal("a", inputs={"size": 1}))
    assert step.op == SAME and step.new is not None and step.new.id == "a-1"


def test_a_changed_property_is_an_update_with_its_old_and_new_values() -> None:
    gen, _ = generator(existing("a", size=1, name="a-auto"))
    [step] = gen.register(goal("a", inputs={"size": 2}))
    assert step.op == UPDATE
    assert [(c.key, c.old, c.new, c.replaces) for c in step.changes] == [("size", 1, 2, False)]


def test_a_force_new_change_replaces_create_before_delete_and_names_the_reason() -> None:
    old = existing("a", kind="x", name="a-auto")
    gen, _ = generator(old)
    [step] = gen.register(goal("a", inputs={"kind": "y"}))
    assert step.op == REPLACE and not step.delete_before_replace
    assert step.diff.replaces == ("kind",)
    assert [(c.key, c.old, c.new, c.replaces) for c in step.changes] == [("kind", "x", "y", True)]
    # The old copy goes after the program: the replacement exists before it is deleted.
    [delete] = [s for s in gen.deletes() if s.type == THING]
    assert (delete.op, delete.old.id if delete.old else None, delete.replaced) == (DELETE, "a-1", True)


def test_delete_before_replace_deletes_first_what_must_be_replaced_with_it() -> None:
    base = existing("base", kind="x", name="base-auto")
    link = existing("link", LINK, target="base-1", deps={"target": [urn("base")]})
    loose = existing("loose", LINK, note="base-1", deps={"note": [urn("base")]})  # note changes in place
    gen, _ = generator(base, link, loose)
    steps = gen.register(goal("base", inputs={"kind": "y"}, delete_before_replace=True))
    assert [(s.op, s.name) for s in steps] == [(DELETE, "link"), (REPLACE, "base")]
    assert steps[-1].delete_before_replace
    # The link is created again when the program registers it; `loose` is updated in place.
    [again] = gen.register(goal("link", LINK, inputs={"target": UNKNOWN}, deps={"target": [urn("base")]}))
    assert again.op == CREATE


def test_what_the_program_no_longer_declares_is_deleted_dependents_first() -> None:
    base = existing("base", name="base-auto")
    link = existing("link", LINK, target="base-1", deps={"target": [urn("base")]})
    gen, _ = generator(base, link)
    assert [(s.op, s.name) for s in gen.deletes()] == [(DELETE, "link"), (DELETE, "base"), (DELETE, "default")]


def test_ignore_changes_keeps_the_old_value_and_replace_on_changes_forces_a_replacement() -> None:
    gen, _ = generator(existing("a", size=1, name="a-auto"), existing("b", size=1, name="b-auto"))
    [ignored] = gen.register(goal("a", inputs={"size": 9}, ignore_changes=("size",)))
    [forced] = gen.register(goal("b", inputs={"size": 9}, replace_on_changes=("size",)))
    assert ignored.op == SAME
    assert forced.op == REPLACE and forced.diff.replaces == ("size",)


def test_protected_resources_are_neither_replaced_nor_deleted() -> None:
    gen, _ = generator(existing("a", kind="x", name="a-auto", protect=True))
    with pytest.raises(Protected, match="cannot replace .*protected"):
        gen.register(goal("a", inputs={"kind": "y"}, protect=True))
    gen, _ = generator(existing("a", kind="x", name="a-auto", protect=True))
    with pytest.raises(Protected, match="cannot delete protected"):
        gen.deletes()
    with pytest.raises(Protected):
        destroy_steps([existing("a", protect=True)])


def test_an_alias_adopts_the_old_resource_under_its_new_urn() -> None:
    gen, _ = generator(existing("old-name", size=1, name="a-auto"))
    [step] = gen.register(goal("new-name", inputs={"size": 1, "name": "a-auto"}, aliases=(urn("old-name"),)))
    assert step.op == SAME and step.old is not None and step.old.urn == urn("old-name")
    assert [s.name for s in gen.deletes()] == ["default"]


def test_unsupported_types_and_rejected_inputs_are_refused_not_stepped() -> None:
    gen, _ = generator()
    with pytest.raises(UnsupportedType):
        gen.register(goal("x", "fake:index:Nothing"))
    with pytest.raises(InvalidInputs, match="size: must not be negative"):
        gen.register(goal("y", inputs={"size": -1}))
    with pytest.raises(InvalidInputs, match="'color' is not supported"):
        gen.register(goal("z", inputs={"color": "red"}))


def test_secret_inputs_stay_secret_in_the_step() -> None:
    gen, _ = generator()
    [step] = gen.register(goal("a", inputs={"size": secret(3)}))
    assert step.new is not None and step.new.inputs["size"] == secret(3)
