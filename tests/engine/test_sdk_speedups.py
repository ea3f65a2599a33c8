"""The SDK internals envctl replaces while a program runs are the ones it was written for (an SDK upgrade that
changes them fails here), and programs see the same results: outputs settle, and an output's failure fails the run."""

from __future__ import annotations

from pathlib import Path

from fake_provider import FakePackage
from test_deployment import TYPES, deployment

from envctl.engine import sdk_speedups

from engine_support import write_program


def test_the_replaced_sdk_functions_are_the_known_ones() -> None:
    assert sdk_speedups.replaceable() == {"wait_for_rpcs": True, "_get_stack_trace": True, "transfer_properties": True,
                                          "serialize_properties": True, "contains_unknowns": True,
                                          "create_urn": True}


def test_many_outputs_settle_and_the_stack_exports_them(tmp_path: Path) -> None:
    program = TYPES + """
things = [Thing(f"t{i}", {"size": i, "name": None}) for i in range(300)]
total = pulumi.Output.all(*[t.size for t in things]).apply(sum)
pulumi.export("total", total.apply(lambda n: n * 2))
pulumi.export("names", pulumi.Output.all(*[t.name for t in things[:3]]))
"""
    root = write_program(tmp_path, program, name="proj")
    result = deployment(root, FakePackage()).apply()
    assert result.succeeded, result.error
    assert result.outputs == {"total": 2 * sum(range(300)), "names": ["t0-auto", "t1-auto", "t2-auto"]}


def test_an_output_that_fails_fails_the_run_with_the_programs_error(tmp_path: Path) -> None:
    program = TYPES + """
def broken(size):
    raise ValueError(f"no size {size}")

thing = Thing("t", {"size": 3})
pulumi.export("bad", thing.size.apply(broken))
"""
    root = write_program(tmp_path, program, name="proj")
    result = deployment(root, FakePackage()).apply()
    assert not result.succeeded and "ValueError: no size 3" in str(result.error)


def test_unset_inputs_are_left_out_and_falsy_ones_are_kept(tmp_path: Path) -> None:
    program = TYPES + """
thing = Thing("t", {"size": 0, "name": "", "tags": [], "enabled": False, "note": None})
pulumi.export("size", thing.size)
pulumi.export("note", thing.note)
"""
    root = write_program(tmp_path, program, name="proj")
    result = deployment(root, FakePackage()).apply()
    assert result.succeeded, result.error
    thing = next(r for r in result.resources if r.name == "t")
    assert {k: thing.inputs[k] for k in ("size", "tags", "enabled")} == {"size": 0, "tags": [], "enabled": False}
    assert "note" not in thing.inputs and "arn" not in thing.inputs
    assert result.outputs == {"size": 0}  # an export of None is left out too, as the SDK does


def test_urns_a_program_computes_and_aliases_it_declares_are_the_sdks(tmp_path: Path) -> None:
    first = TYPES + 'Thing("old", {"size": 1})\n'
    root = write_program(tmp_path, first, name="proj")
    package = FakePackage()
    assert deployment(root, package).apply().succeeded
    renamed = TYPES + """
thing = Thing("new", {"size": 1}, pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")]))
pulumi.export("urn", pulumi.create_urn("x", "fake:index:Thing"))
pulumi.export("registered", thing.urn)
"""
    write_program(tmp_path, renamed, name="proj")
    result = deployment(root, package).apply()
    assert result.succeeded, result.error
    assert result.outputs == {"urn": "urn:pulumi:test::proj::fake:index:Thing::x",
                              "registered": "urn:pulumi:test::proj::fake:index:Thing::new"}
    assert package.cloud.mutations() == [("create", "old")]  # "new" is "old" adopted: not made again
