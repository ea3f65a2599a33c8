"""The step executor with the fake provider and a real SQLite state: pending operations before calls, replacement
orders, parallel step lists where a failure stops only what waits for it, and the confirmed plan's check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_provider import LINK, THING, FakePackage
from test_generator import PROVIDER, existing, goal, provider_state, urn

from envctl.engine.executor import FAILED, SKIPPED, PlanViolation, StepExecutor, StepFailed
from envctl.engine.generator import StepGenerator, destroy_steps
from envctl.engine.plan import Plan
from envctl.engine.providers import ProviderRegistry
from envctl.engine.state import ResourceState, StateStore
from envctl.engine.steps import REPLACE, UPDATE, Step
from envctl.ledger.db import connect
from envctl.secrets import local_crypter


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    return StateStore(connect(f"sqlite:///{tmp_path / 'state.db'}"), "test", local_crypter(tmp_path))


def setup(store: StateStore, *resources: ResourceState) -> tuple[StepGenerator, StepExecutor, FakePackage]:
    """The state holds `resources` (which exist in the fake cloud); a generator and an executor over them."""
    package = FakePackage()
    for resource in (provider_state(), *resources):
        store.settle(None, put=resource)
        if resource.id and resource.type != "pulumi:providers:fake":
            package.cloud.resources[resource.id] = dict(resource.outputs)
    registry = ProviderRegistry({"fake": package}, "test", "proj", {})
    registry.adopt(store.load())
    return StepGenerator(store.load(), registry), StepExecutor(store, registry, lambda _e: None), package


def names(store: StateStore) -> list[str]:
    return sorted(r.name + ("(doomed)" if r.delete else "") for r in store.load() if r.type != "pulumi:providers:fake")


def test_each_call_is_pending_in_the_state_before_it_is_made(store: StateStore) -> None:
    gen, executor, package = setup(store)
    seen = []
    package.cloud.on_call = lambda op, name: seen.append([(p.operation, p.resource.name) for p in store.pending()])
    created = executor.take(gen.register(goal("a", inputs={"size": 1})))
    assert seen == [[("create", "a")]]
    assert created is not None and created.id and store.pending() == []
    assert names(store) == ["a"]


def test_create_before_delete_makes_the_replacement_then_deletes_the_old_copy(store: StateStore) -> None:
    gen, executor, package = setup(store, existing("a", kind="x", name="a-auto"))
    executor.take(gen.register(goal("a", inputs={"kind": "y"})))
    assert names(store) == ["a", "a(doomed)"]
    executor.run(gen.deletes())
    assert package.cloud.mutations() == [("create", "a"), ("delete", "a")]
    assert names(store) == ["a"] and store.load()[-1].inputs["kind"] == "y"


def test_delete_before_replace_deletes_the_old_copy_first(store: StateStore) -> None:
    gen, executor, package = setup(store, existing("a", kind="x", name="a-auto"))
    [step] = gen.register(goal("a", inputs={"kind": "y"}, delete_before_replace=True))
    assert step.op == REPLACE and step.delete_before_replace
    executor.take([step])
    assert package.cloud.mutations() == [("delete", "a"), ("create", "a")]
    assert names(store) == ["a"]


def test_independent_deletes_run_in_parallel_and_dependents_go_first(store: StateStore) -> None:
    base = existing("base")
    link = existing("link", LINK, target="base-1", deps={"target": [urn("base")]})
    others = [existing(f"other{i}") for i in range(4)]
    _, executor, package = setup(store, base, link, *others)
    package.cloud.delay = 0.2
    records = executor.run(destroy_steps(store.load()))
    assert {r.status for r in records} == {"done"}
    assert package.cloud.most_at_once > 1
    deleted = [name for op, name in package.cloud.mutations() if op == "delete"]
    assert deleted.index("link") < deleted.index("base")
    assert names(store) == []


def test_a_failed_step_stops_only_the_steps_that_wait_for_it(store: StateStore) -> None:
    base = existing("base")
    link = existing("link", LINK, target="base-1", deps={"target": [urn("base")]})
    _, executor, package = setup(store, base, link, existing("other"))
    package.cloud.failures[("delete", "link")] = "AccessDenied: no"
    records = {r.step.name: r for r in executor.run(destroy_steps(store.load()))}
    assert records["link"].status == FAILED and "AccessDenied: no" in str(records["link"].error)
    assert records["base"].status == SKIPPED and "link" in str(records["base"].error)
    assert records["other"].status == "done"
    assert names(store) == ["base", "link"]


def test_a_failed_create_leaves_nothing_pending_and_names_the_resource(store: StateStore) -> None:
    gen, executor, package = setup(store)
    package.cloud.failures[("create", "a")] = "LimitExceeded: too many"
    with pytest.raises(StepFailed, match="create fake:index:Thing 'a': LimitExceeded: too many"):
        executor.take(gen.register(goal("a", inputs={"size": 1})))
    assert store.pending() == [] and names(store) == []


def test_a_step_the_confirmed_plan_does_not_hold_is_not_taken(store: StateStore) -> None:
    gen, _, package = setup(store, existing("a", size=1, kind="x", name="a-auto"))
    planned = gen.register(goal("a", inputs={"size": 2, "kind": "x"}))
    assert planned[0].op == UPDATE
    gen, _, _ = setup(store)
    executor = StepExecutor(store, _registry(package, store), lambda _e: None, plan=Plan(planned))
    [replace] = gen.register(goal("a", inputs={"size": 2, "kind": "y"}))
    with pytest.raises(PlanViolation, match="replace of kind, size .* not what the confirmed plan holds.*update of"):
        executor.take([replace])
    assert package.cloud.mutations() == []
    # What the plan holds is taken; so is less (unknown values may turn out unchanged).
    executor.take(planned)
    assert package.cloud.mutations() == [("update", "a")]


def test_a_new_resource_outside_the_plan_is_not_created(store: StateStore) -> None:
    gen, _, package = setup(store)
    executor = StepExecutor(store, _registry(package, store), lambda _e: None, plan=Plan([]))
    with pytest.raises(PlanViolation, match="create fake:index:Thing 'a' is not in the confirmed plan"):
        executor.take(gen.register(goal("a", inputs={"size": 1})))
    assert package.cloud.calls == [] and names(store) == []


def test_settling_an_interrupted_create_adopts_what_it_made(store: StateStore) -> None:
    gen, executor, package = setup(store)
    [step] = gen.register(goal("a", inputs={"size": 1}))
    assert step.new is not None
    pending = store.begin("create", step.new)
    package.cloud.resources["a-7"] = {"size": 1, "name": "a-auto", "arn": "fake::a-7"}  # made, never checkpointed
    [record] = executor.run([Step(op="settle", urn=step.urn, type=THING, old=step.new,
                                  pending=next(p for p in store.pending() if p.id == pending))])
    assert record.result == "fake:index:Thing a: adopted a-7, created by the interrupted run"
    assert store.pending() == [] and [r.id for r in store.load() if r.name == "a"] == ["a-7"]


def _registry(package: FakePackage, store: StateStore) -> ProviderRegistry:
    registry = ProviderRegistry({"fake": package}, "test", "proj", {})
    registry.adopt(store.load())
    assert registry.resolve(PROVIDER) is not None
    return registry
